"""Defects found walking the real window as a new inspector and a headquarters reviewer on
a 1366×768 laptop (issue 9 walk): each test fails on the code before its fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from inspector_app.services import findings as findings_svc
from inspector_app.services import inspections as svc
from tests.conftest import open_ws
from tests.services.helpers import start


@pytest.fixture
def two_drafts(data_dir: Path) -> dict[str, str]:
    """Two sites with a draft each: PB-A1 (older) and PB-B2."""
    from inspector_app.services.templates import sync_forms

    ws = open_ws(data_dir)
    sync_forms(ws)
    first, _t = start(ws, code="PB-A1", when=dt.date(2024, 10, 1))
    second, _t = start(ws, code="PB-B2", when=dt.date(2024, 11, 1))
    findings_svc.add_finding(ws, second, description="台账缺失", actor="测试员")
    ws.close()
    return {"first": first, "second": second}


# -- the browser's selection survives a command key held with Ctrl -------------------------


def test_ctrl_e_from_the_editor_offers_the_row_it_came_from(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """Ctrl+E in an open inspection went back to the list and selected its row with Ctrl
    still held, which toggled the row off: the export offered "the selected rows (0)"."""
    from inspector_app.ui.sync import ExportDialog

    app = make_app(data_dir)
    win, browser = app.window, app.window.browser
    win.activateWindow()
    browser.select(two_drafts["first"])
    qtbot.keyClick(browser.table, Qt.Key.Key_Return)
    assert win.editor is not None
    qtbot.keyClick(win.editor, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = win.dialog
    assert isinstance(dialog, ExportDialog)
    assert browser.selected_ids() == [two_drafts["first"]]
    assert dialog.choices[ExportDialog.SELECTED].isEnabled()
    assert "1" in dialog.choices[ExportDialog.SELECTED].text()
    dialog.reject()


def test_ctrl_w_back_to_the_list_keeps_the_row_selected(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    app = make_app(data_dir)
    win, browser = app.window, app.window.browser
    win.activateWindow()
    browser.select(two_drafts["second"])
    qtbot.keyClick(browser.table, Qt.Key.Key_Return)
    qtbot.keyClick(win.editor, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert win.editor is None
    assert browser.selected_ids() == [two_drafts["second"]]
    qtbot.waitUntil(lambda: win.statusBar().currentMessage() != "Loading…")
    assert browser.selected_ids() == [two_drafts["second"]]  # and after the lists reload


# -- a new inspection is of the site the box names ----------------------------------------


def _new_inspection_dialog(win: Any, qtbot: Any) -> Any:
    from inspector_app.ui.dialogs import NewInspectionDialog

    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = win.dialog
    assert isinstance(dialog, NewInspectionDialog)
    return dialog


def test_a_typed_part_of_a_site_name_starts_that_sites_inspection(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """Typing part of a name in the site box and pressing Enter used to start an inspection
    of whatever site was current (the first), while the box showed the typed text."""
    from tests.ui.keys import type_text

    app = make_app(data_dir)
    win = app.window
    win.browser.select(two_drafts["first"])  # PB-A1 is preselected
    dialog = _new_inspection_dialog(win, qtbot)
    dialog.site.lineEdit().selectAll()
    type_text(dialog.site.lineEdit(), "b2")  # part of "PB-B2  示例…", not its start
    dialog.inspectors.setText("张伟")
    qtbot.keyClick(dialog.inspectors, Qt.Key.Key_Return)
    assert win.editor is not None
    assert win.editor.state.site_code == "PB-B2"


def test_a_typed_name_matching_no_site_or_several_is_refused(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    from inspector_app.services.browse import list_inspections

    app = make_app(data_dir)
    win = app.window
    dialog = _new_inspection_dialog(win, qtbot)
    dialog.inspectors.setText("张伟")
    for text, says in (("新材料", "没有名称或编码包含“新材料”"), ("PB-", "有 2 个单位符合“PB-”")):
        dialog.site.setEditText(text)
        qtbot.keyClick(dialog.inspectors, Qt.Key.Key_Return)
        assert dialog.isVisible() and win.editor is None
        assert says in dialog.error.text()
    dialog.reject()
    assert len(list_inspections(app.ws)) == 2  # nothing was started


# -- Ctrl+M shows the comment box it focuses ----------------------------------------------


def test_ctrl_m_scrolls_the_comment_into_view(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """On a 1366×768 screen the comment box is below the evidence and photos; Ctrl+M gave it
    the focus without scrolling to it, so the inspector typed into a box out of sight."""
    from PySide6.QtCore import QPoint, QRect

    app = make_app(data_dir)
    win = app.window
    editor = win.open_inspection(two_drafts["first"])
    editor.select_item("s1.equipment-condition")  # guidance, evidence and photos
    qtbot.waitUntil(lambda: editor.panel.comment is not None)
    panel = editor.panel
    assert panel.widget().height() > panel.viewport().height()  # it does not all fit
    qtbot.keyClick(editor, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert panel.comment.hasFocus()
    box = panel.comment

    def in_view() -> bool:
        shown = QRect(box.mapTo(panel.viewport(), QPoint(0, 0)), box.size())
        return panel.viewport().rect().contains(shown)

    qtbot.waitUntil(in_view, timeout=2000)


# -- what a site list import did is said ----------------------------------------------------


def test_importing_a_site_list_says_what_it_added(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any, monkeypatch: Any
) -> None:
    """The welcome screen's site list import said nothing: its message was replaced at once
    by the reload's "Loading…" and then the counts."""
    from inspector_app.ui import main_window

    sites = tmp_path / "单位名录.csv"
    sites.write_text(
        "编号,名称,类型\nWH-ZS-101,威海海洋生物医药中试基地,中试基地\n"
        "WH-JZ-201,威海市技术转移中心,技术转移服务机构\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(
        main_window.QFileDialog, "getOpenFileName", lambda *a, **k: (str(sites), "")
    )
    app = make_app(data_dir)
    win = app.window
    assert win.stack.currentWidget() is win.welcome
    win.welcome.import_button.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.browser, timeout=10000)
    qtbot.waitUntil(lambda: "单位名录.csv" in win.statusBar().currentMessage(), timeout=5000)
    message = win.statusBar().currentMessage()
    assert "新增 2 个" in message and "2 个单位" in message, message


# -- the welcome screen by keyboard ---------------------------------------------------------


def test_enter_presses_the_welcome_button_tab_went_to(qtbot: Any) -> None:
    """Tab moved to "Import a site list…" but Enter did nothing there (only the first
    button, the default one, answered Enter); Space was the only key that worked."""
    from inspector_app.ui.welcome import Welcome

    welcome = Welcome()
    qtbot.addWidget(welcome)
    welcome.show()
    welcome.activateWindow()
    pressed: list[str] = []
    for name in ("load_demo", "import_package", "import_sites", "start_empty"):
        getattr(welcome, name).connect(lambda name=name: pressed.append(name))
    for button in (welcome.package_button, welcome.import_button, welcome.empty_button):
        button.setFocus()
        qtbot.keyClick(button, Qt.Key.Key_Return)
    assert pressed == ["import_package", "import_sites", "start_empty"]
    welcome.close()


# -- site codes are shown whole -------------------------------------------------------------


def test_site_codes_are_not_cut_in_the_lists(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    """ "WH-ZS-101" and "WH-ZS-102" both showed as "WH-ZS-1…": two rows of the same day
    looked like the same site."""
    from inspector_app.services.templates import sync_forms

    ws = open_ws(data_dir)
    sync_forms(ws)
    for code in ("WH-ZS-101", "WH-ZS-102"):
        start(ws, code=code, when=dt.date(2026, 12, 1))
    ws.close()
    app = make_app(data_dir)
    browser = app.window.browser
    metrics = browser.table.fontMetrics()
    needed = metrics.horizontalAdvance("WH-ZS-102")
    assert browser.table.columnWidth(1) > needed + 8  # the cell's margins
    assert browser.sites_table.columnWidth(0) > needed + 8


# -- the chosen answer is seen at a glance ----------------------------------------------------


def _mean_colour(widget: Any) -> tuple[float, float, float]:
    image = widget.grab().toImage()
    pixels = [
        image.pixelColor(x, y)
        for x in range(2, image.width() - 2, 3)
        for y in range(2, image.height() - 2, 3)
    ]
    n = len(pixels)
    return (
        sum(c.red() for c in pixels) / n,
        sum(c.green() for c in pixels) / n,
        sum(c.blue() for c in pixels) / n,
    )


def test_the_chosen_yes_no_answer_stands_out(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """A chosen 是 (Y) was a button a shade darker than 否 (N): an inspector could not tell
    which answer was given. The chosen one is now filled (blue; red for a triggered veto)."""
    app = make_app(data_dir)
    editor = app.window.open_inspection(two_drafts["first"])
    editor.select_item("s1.premises")  # yes / no
    editor.apply_answer("s1.premises", "yes")
    answer = editor.panel.answer
    chosen, other = _mean_colour(answer.yes), _mean_colour(answer.no)
    assert chosen[2] - chosen[0] > 60, chosen  # blue
    assert sum(other) / 3 > 180, other  # the other one stays light
    assert sum(other) / 3 - sum(chosen) / 3 > 60
    veto = editor.template.vetoes[0].id
    editor.select_item(veto)
    editor.apply_answer(veto, "yes")
    triggered = _mean_colour(editor.panel.answer.yes)
    assert triggered[0] - triggered[2] > 60, triggered  # red


# -- Ctrl+Enter is OK from a multi-line box ---------------------------------------------------


def test_ctrl_enter_gives_the_amendment_and_the_finding(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """The reason for an amendment and a finding's description are multi-line boxes, where
    Enter starts a new line; Ctrl+Enter (the editor's "next" from a text box) did nothing,
    so the only way on was Tab to OK."""
    from inspector_app.services.browse import list_findings
    from inspector_app.ui.completion import AmendDialog
    from inspector_app.ui.finding_dialog import FindingDialog
    from tests.services.helpers import answer_all
    from tests.ui.keys import type_text

    app = make_app(data_dir)
    win = app.window
    win.activateWindow()
    editor = win.open_inspection(two_drafts["first"])
    qtbot.keyClick(
        editor,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    finding = editor.dialog
    assert isinstance(finding, FindingDialog)
    finding.activateWindow()
    qtbot.waitUntil(finding.isActiveWindow)
    type_text(finding.description, "两台设备无维护记录")
    qtbot.keyClick(finding.description, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not finding.isVisible()
    mine = [f for f in list_findings(app.ws) if f["inspection_id"] == two_drafts["first"]]
    assert [f["description"] for f in mine] == ["两台设备无维护记录"]

    answer_all(app.ws, two_drafts["first"], editor.template)
    svc.complete_inspection(app.ws, two_drafts["first"], actor="测试员")
    editor = win.open_inspection(two_drafts["first"])
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(
        editor,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    amend = win.dialog
    assert isinstance(amend, AmendDialog)
    amend.activateWindow()
    qtbot.waitUntil(amend.isActiveWindow)
    type_text(amend.reason, "补拍照片")
    qtbot.keyClick(amend.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not amend.isVisible()
    assert win.editor.state.revision == 2 and win.editor.state.editable


# -- the photo file dialog opens where the last photos came from -----------------------------


def test_adding_photos_starts_in_the_folder_of_the_last_ones(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Every Ctrl+P started in the home folder: with a camera card read item after item, the
    inspector walked to the card's folder again for each item."""
    from PySide6.QtWidgets import QWidget

    from inspector_app.ui import photos

    card = tmp_path / "DCIM" / "100CANON"
    card.mkdir(parents=True)
    asked: list[str] = []

    def files(_parent: Any, _title: str, start: str, _filter: str) -> tuple[list[str], str]:
        asked.append(start)
        return [str(card / "IMG_0001.JPG")], ""

    def folder(_parent: Any, _title: str, start: str) -> str:
        asked.append(start)
        return str(card)

    monkeypatch.setattr(photos.QFileDialog, "getOpenFileNames", files)
    monkeypatch.setattr(photos.QFileDialog, "getExistingDirectory", folder)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert photos.choose_files(parent) == [card / "IMG_0001.JPG"]
    assert photos.choose_files(parent) == [card / "IMG_0001.JPG"]
    assert photos.choose_folder(parent) == [card]
    assert asked[0] == str(Path.home())
    assert asked[1] == str(card)
    assert asked[2] == str(card)  # a folder is then chosen from beside it


# -- Tab leaves a date box ---------------------------------------------------------------------


def test_tab_leaves_the_deadline_for_the_responsible_person(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """Tab into a finding's deadline, Tab again, type the responsible person: Qt's date box
    took the second Tab to its month and the name went nowhere."""
    from inspector_app.ui.finding_dialog import FindingDialog
    from tests.ui.keys import type_text

    app = make_app(data_dir)
    win = app.window
    editor = win.open_inspection(two_drafts["first"])
    editor.record_finding("s1.premises")
    dialog = editor.dialog
    assert isinstance(dialog, FindingDialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.deadline.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.deadline, Qt.Key.Key_Tab)
    assert dialog.responsible.hasFocus()
    type_text(dialog.responsible, "陈刚")
    assert dialog.responsible.text() == "陈刚"
    qtbot.keyClick(dialog.responsible, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.deadline.hasFocus()
    dialog.reject()


# -- who still has to sign is said in words ----------------------------------------------------


def test_the_signature_line_says_who_has_not_signed_and_how(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """After completing, the line read "第 1 版签字：王晓明 —；李娜 —；被检查单位代表 —":
    a dash for "not yet", and nothing said how to sign."""
    from tests.services.helpers import answer_all

    app = make_app(data_dir)
    editor = app.window.open_inspection(two_drafts["first"])
    answer_all(app.ws, two_drafts["first"], editor.template)
    svc.complete_inspection(app.ws, two_drafts["first"], actor="测试员")
    editor = app.window.open_inspection(two_drafts["first"])
    line = editor.header.sign_label.text()
    assert "王晓明 待签" in line and "李娜 待签" in line, line
    assert "按 Ctrl+Shift+S 签字" in line
    assert " —" not in line


# -- messages read well in Chinese -------------------------------------------------------------


def test_a_refused_score_on_an_unanswered_item_says_nothing_is_saved(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """30 on a fresh 0–2 item said "已保存的答案仍为 —": a dash for "no answer"."""
    from tests.ui.keys import focused, type_text

    app = make_app(data_dir)
    editor = app.window.open_inspection(two_drafts["first"])
    editor.select_item("s1.equipment-condition")  # a 0–2 score, unanswered
    editor.panel.focus_answer()
    type_text(focused(), "30")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    said = editor.panel.error_label.text()
    assert "此项尚无已保存的答案" in said and "—" not in said, said


def test_the_completion_summary_uses_chinese_colons(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    from PySide6.QtWidgets import QTextBrowser

    from inspector_app.ui.completion import CompletionDialog

    app = make_app(data_dir)
    win = app.window
    win.open_inspection(two_drafts["first"])
    win.complete_current()
    dialog = win.dialog
    assert isinstance(dialog, CompletionDialog)
    text = dialog.findChild(QTextBrowser).toPlainText()
    dialog.reject()
    assert "总分：" in text and "：还缺 " in text, text
    assert ": " not in text, text


def test_an_amended_inspection_says_its_revision_in_the_header(
    make_app: Any, data_dir: Path, two_drafts: dict[str, str], qtbot: Any
) -> None:
    """Reopened as revision 2, the editor's header read the same as revision 1's draft."""
    from tests.services.helpers import answer_all

    app = make_app(data_dir)
    editor = app.window.open_inspection(two_drafts["first"])
    assert "版" not in editor.header.subtitle.text()
    answer_all(app.ws, two_drafts["first"], editor.template)
    svc.complete_inspection(app.ws, two_drafts["first"], actor="测试员")
    svc.amend_inspection(app.ws, two_drafts["first"], reason="补拍照片", actor="测试员")
    editor = app.window.open_inspection(two_drafts["first"])
    assert editor.header.subtitle.text().endswith("草稿 · 第 2 版"), editor.header.subtitle.text()


def test_settings_say_which_organisation_an_empty_box_prints(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    """The organisation box was empty with "显示在检查报告上", and the report then printed
    威海市科学技术局: nothing said an empty box means that."""
    from inspector_app.ui.dialogs import SettingsDialog

    app = make_app(data_dir)
    app.edit_settings()
    dialog = app.window.dialog
    assert isinstance(dialog, SettingsDialog)
    assert dialog.organisation.text() == ""
    assert "威海市科学技术局" in dialog.organisation.placeholderText()
    dialog.reject()

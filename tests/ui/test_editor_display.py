"""What the editor shows: the chosen answer of a read-only inspection in words, a
provisional grade that looks provisional, and titles where internal ids used to be
(issue 9, item 13, the editor's part)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel

from inspector_app.domain.checklists.schema import AnswerType
from inspector_app.i18n import pick
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspections as svc
from tests.services.helpers import answer_all
from tests.ui.test_workflows import _item, _open_new, seed_site


def _texts(widget: Any) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_a_completed_inspection_shows_each_chosen_answer_in_words(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    answer_all(app.ws, editor.state.id, editor.template)
    svc.complete_inspection(app.ws, editor.state.id, actor="测试员")
    editor = app.window.open_inspection(editor.state.id)
    seen = set()
    for item_id in editor.order():
        item = editor._index[item_id]
        kind = getattr(item, "type", AnswerType.YES_NO)
        if kind in seen:
            continue
        seen.add(kind)
        editor.select_item(item_id, focus=False)
        label = editor.panel.readonly_answer
        assert label is not None and label.isVisibleTo(editor.panel), item_id
        view = editor.answers[item_id]
        text = label.text()
        assert text.startswith("答案："), text
        if kind is AnswerType.CHOICE:
            chosen = next(o for o in item.options if o.id == view.value)
            assert pick(chosen.label) in text
        elif kind is AnswerType.YES_NO:
            assert text.endswith(("是", "否", "触发", "未触发")), text
        elif kind is AnswerType.TEXT:
            assert str(view.value) in text
        elif kind in (AnswerType.SCORE, AnswerType.NUMBER):
            assert f"{view.value:g}" in text
    assert len(seen) >= 5


def test_a_draft_has_no_read_only_answer_line(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    assert editor.panel.readonly_answer is None


def test_a_provisional_grade_says_so_until_every_required_answer_is_given(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    assert editor.score.provisional
    assert "暂定" in editor.header.grade_label.text()
    assert "italic" in editor.header.grade_label.styleSheet()
    answer_all(app.ws, editor.state.id, editor.template)
    editor = app.window.open_inspection(editor.state.id)
    assert not editor.score.provisional
    assert "暂定" not in editor.header.grade_label.text()


def test_no_internal_id_where_a_title_exists(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _item(editor, "yes_no")
    editor.select_item(item.id)
    editor.apply_answer(item.id, "yes")
    shown = _texts(editor.panel) + "\n" + editor.commands["undo"].text()
    assert pick(item.title) in shown
    ids = {i.id for i in editor.template.items()} | {v.id for v in editor.template.vetoes}
    assert not [i for i in ids if i in shown], shown


def test_a_carried_finding_whose_item_now_earns_full_marks_offers_corrected(
    make_app: Any, data_dir: Path, qtbot: Any
) -> None:
    import datetime as dt

    from PySide6.QtCore import Qt

    from inspector_app.services.browse import list_findings

    seed_site(data_dir)
    app = make_app(data_dir)
    first = _open_new(app)
    item = _item(first, "yes_no")
    findings_svc.add_finding(
        app.ws, first.state.id, description="台账缺失", item_id=item.id, actor="甲"
    )
    answer_all(app.ws, first.state.id, first.template)
    svc.complete_inspection(app.ws, first.state.id, actor="甲")
    editor = _open_new(app, started_on=dt.date(2025, 4, 1))  # 复查: carries the finding
    editor.select_item(item.id)
    assert not editor.panel.corrected_bar.isVisibleTo(editor.panel)
    wrong = "no" if item.earns_on == "yes" else "yes"
    editor.apply_answer(item.id, wrong)  # no marks: nothing offered
    assert not editor.panel.corrected_bar.isVisibleTo(editor.panel)
    editor.apply_answer(item.id, item.earns_on)  # full marks
    bar = editor.panel.corrected_bar
    assert bar.isVisibleTo(editor.panel) and "台账缺失" in editor.panel.corrected_text.text()
    qtbot.mouseClick(editor.panel.corrected_yes, Qt.MouseButton.LeftButton)
    (carried,) = list_findings(app.ws, inspection_id=editor.state.id)
    assert carried["status"] == "corrected" and carried["carried_from"]
    assert not bar.isVisibleTo(editor.panel)
    editor.apply_answer(item.id, wrong)
    editor.apply_answer(item.id, item.earns_on)  # corrected already: not offered again
    assert not bar.isVisibleTo(editor.panel)

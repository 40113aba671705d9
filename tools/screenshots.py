"""Render the main screens with the demo data into docs/screenshots/ (`make screenshots`).

Runs the real app on a fresh temporary data folder, under Xvfb when the Makefile calls it
(``xvfb-run``); each screen is grabbed from the widget itself, so the window manager and
screen size do not matter.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="inspector-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")  # fresh settings, nothing remembered
    os.environ["INSPECTOR_USER"] = "王晓明"

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.services.browse import list_inspections
    from inspector_app.services.demo import load_demo
    from inspector_app.store.db import open_database
    from inspector_app.ui.app import InspectorApp
    from inspector_app.ui.dialogs import NewInspectionDialog, SettingsDialog
    from inspector_app.ui.fonts import install_fonts
    from inspector_app.ui.workers import wait_for_tasks

    qapp = QApplication(sys.argv)
    install_fonts(qapp)

    def settle(ms: int = 300) -> None:
        wait_for_tasks()
        end = QTimer()
        end.setSingleShot(True)
        end.start(ms)
        while end.isActive():
            qapp.processEvents()

    def grab(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        settle()
        path = args.out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    # 1. first start on an empty folder
    empty = InspectorApp(qapp, str(tmp / "empty"))
    empty.window.resize(1280, 800)
    grab(empty.window, "01-welcome")
    empty.close()

    # 2. the browser over the demo data
    data = tmp / "demo"
    db = open_database(data)
    from inspector_app.services.templates import sync_forms

    sync_forms(db)
    load_demo(db)
    rows = list_inspections(db)
    db.dispose()
    app = InspectorApp(qapp, str(data))
    win = app.window
    win.resize(1360, 820)
    grab(win, "02-inspections")

    # 3. the checklist editor: a draft pilot base, and a vetoed one
    draft = next(r for r in rows if r["status"] == "draft" and r["template"].startswith("pilot"))
    editor = win.open_inspection(draft["id"])
    assert editor is not None
    grab(win, "03-checklist-editor")
    vetoed = next(r for r in rows if r["vetoed"])
    editor = win.open_inspection(vetoed["id"])
    assert editor is not None
    score_item = next(
        i for s in editor.template.sections for i in s.items if i.type.value == "score"
    )
    editor.select_item(score_item.id)
    grab(win, "04-veto-and-read-only")

    # 3b. evidence: an item with its photos, the findings of a re-inspection, the viewer
    recheck = next(r for r in rows if r["site_code"] == "PB-02" and r["started_on"] > "2024-12")
    editor = win.open_inspection(recheck["id"])
    assert editor is not None
    with_photos = next(p.item_id for p in editor.photos if p.item_id)
    editor.select_item(with_photos)
    grab(win, "08-item-with-photos")
    editor.side.setCurrentIndex(1)
    grab(win, "09-findings-reinspection")
    editor.view_photo(editor.photos[0].id)
    grab(editor.dialog, "10-photo-viewer")
    editor.dialog.close()
    editor.side.setCurrentIndex(0)
    win.history_current()
    settle(800)
    grab(win.dialog, "11-history")
    win.dialog.close()
    draft_pilot = next(r for r in rows if r["status"] == "draft" and r["site_code"] == "PB-10")
    win.open_inspection(draft_pilot["id"])
    win.complete_current()
    grab(win.dialog, "12-completion-summary")
    win.dialog.close()
    from inspector_app.ui.signature_dialog import SignatureDialog

    sign = SignatureDialog(signer_name="王晓明", role="inspector", parent=win)
    sign.show()
    settle()
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    points = [
        (60, 110),
        (90, 70),
        (120, 120),
        (160, 60),
        (200, 115),
        (250, 75),
        (300, 105),
        (340, 80),
        (380, 100),
    ]
    QTest.mousePress(sign.pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for x, y in points[1:]:
        QTest.mouseMove(sign.pad, QPoint(x, y))
    QTest.mouseRelease(sign.pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))
    grab(sign, "13-signature")
    sign.close()

    # 3c. the report preview of a signed inspection
    signed = next(r for r in rows if r["status"] == "signed" and r["site_code"].startswith("PB"))
    win.open_inspection(signed["id"])
    win.report_current()
    report = win.dialog
    while not report.loaded:
        settle(200)
    report.resize(1000, 900)
    grab(report, "14-report-preview")
    report.close()

    # 4. dialogs
    win.close_editor()
    from inspector_app.services.sites import list_sites
    from inspector_app.services.templates import list_templates

    dialog = NewInspectionDialog(
        list_sites(app.db), list_templates(app.db), ["王晓明", "李娜"], win
    )
    dialog.show()
    grab(dialog, "05-new-inspection")
    dialog.close()
    settings = SettingsDialog(app.settings, app.data_dir, win)
    settings.show()
    grab(settings, "06-settings")
    settings.close()

    # 5. the same browser in English
    app.set_language("en")
    app.window.resize(1360, 820)
    grab(app.window, "07-inspections-english")
    app.set_language("zh")
    app.close()

    # 6. a package from the demo laptop, previewed on a fresh machine's welcome screen
    from inspector_app.services.sync import export_package
    from inspector_app.ui.sync import ImportPreviewDialog
    from inspector_app.workspace import Workspace

    db = open_database(data)
    package = tmp / "usb" / "检查数据-20240618.inspkg"
    laptop_name = "王晓明 @ LAPTOP-7F3K"  # not this machine's host name
    export_package(Workspace(data, db, "王晓明"), package, device_name=laptop_name)
    db.dispose()
    fresh = InspectorApp(qapp, str(tmp / "fresh"))
    fresh.window.resize(1280, 800)
    fresh.window.import_package(str(package))
    preview = next(w for w in qapp.topLevelWidgets() if isinstance(w, ImportPreviewDialog))
    grab(preview, "15-import-package")
    preview.reject()
    fresh.close()

    # 7. two drafts edited on the laptop and at HQ: conflicts for a person to decide, the
    # first one's differences field by field
    from inspector_app.domain.checklists.schema import AnswerType
    from inspector_app.services import answers as answers_svc
    from inspector_app.services import findings as findings_svc
    from inspector_app.services import inspection_views as views_svc
    from inspector_app.services.demo import demo_id
    from inspector_app.services.sync import import_package
    from inspector_app.ui.conflicts import ConflictsDialog

    hq = open_database(tmp / "hq")
    sync_forms(hq)
    import_package(Workspace(tmp / "hq", hq, "总部 李娜"), package)
    laptop = open_database(data)
    for n, key in enumerate(("pb-2024-5", "pb-2024-9")):
        draft = demo_id("inspection", key)
        state = views_svc.load_inspection_state(laptop, draft)
        open_items = [i for i in state.template.items() if i.id not in state.answers and i.scored]
        item = open_items[0]
        answers_svc.comment_item(hq, draft, item.id, "总部复核：资料待补充", actor="总部 李娜")
        answers_svc.comment_item(laptop, draft, item.id, "现场补充：已查看台账", actor="王晓明")
        if n == 0:
            yes_no = next(i for i in open_items if i.type is AnswerType.YES_NO)
            answers_svc.answer_item(laptop, draft, yes_no.id, "no", actor="王晓明")
            findings_svc.add_finding(
                laptop,
                draft,
                description="中试设备台账未及时更新",
                severity="minor",
                item_id=yes_no.id,
                actor="王晓明",
            )
    second = tmp / "usb" / "检查数据-20240619.inspkg"
    export_package(Workspace(data, laptop, "王晓明"), second, device_name=laptop_name)
    import_package(Workspace(tmp / "hq", hq, "总部 李娜"), second)
    laptop.dispose()
    hq.dispose()
    office = InspectorApp(qapp, str(tmp / "hq"))
    office.window.resize(1280, 800)
    office.window.show_conflicts()
    conflicts = next(w for w in qapp.topLevelWidgets() if isinstance(w, ConflictsDialog))
    richer = demo_id("inspection", "pb-2024-5")  # an answer, a comment and a finding differ
    conflicts.table.selectRow(
        next(n for n, r in enumerate(conflicts.rows) if r["entity_id"] == richer)
    )
    grab(conflicts, "16-package-conflicts")
    conflicts.reject()
    office.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Photos, signatures and history through the real window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services.photos import list_photos
from tests.media import make_jpeg, truncated_copy
from tests.services.helpers import answer_all
from tests.ui.test_signature_pad import draw
from tests.ui.test_workflows import _open_new, seed_site


def _photo_item(editor: Any) -> Any:
    return next(
        i for s in editor.template.sections for i in s.items if i.photos_required and not i.show_if
    )


def _on_photo_item(make_app: Any, data_dir: Path) -> tuple[Any, Any, Any]:
    """The app on a fresh draft, with an item that requires photos on screen."""
    seed_site(data_dir)
    app = make_app(data_dir)
    editor = _open_new(app)
    item = _photo_item(editor)
    editor.select_item(item.id)
    return app, editor, item


def _close_message_boxes() -> list[str]:
    texts = []
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            texts.append(w.text() + "\n" + w.informativeText())
            w.close()
    return texts


def test_photos_added_in_background_counted_and_refused_per_file(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    from inspector_app.services.photos import missing_photos

    app, editor, item = _on_photo_item(make_app, data_dir)
    assert editor.panel.photo_section.missing.text()  # "still N photos required"
    # the editor counts from what it holds; the service reads it all again: the same
    assert editor.missing_photos == missing_photos(app.ws, editor.state.id)
    good = [make_jpeg(tmp_path / f"p{n}.jpg", seed=n) for n in range(item.photos_required)]
    bad = truncated_copy(good[0], tmp_path / "broken.jpg")
    editor.add_photos(item.id, [*good, bad])  # what a drop of these files does
    qtbot.waitUntil(lambda: len(editor.photos) == len(good), timeout=20000)
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
        ),
        timeout=5000,
    )
    messages = _close_message_boxes()
    assert any("broken.jpg" in m for m in messages)
    assert editor.panel.photo_section.strip.count() == len(good)
    assert editor.panel.photo_section.missing.text() == ""
    assert editor.missing_photos[item.id] == 0
    assert editor.missing_photos == missing_photos(app.ws, editor.state.id)
    assert "照片" in editor.side.tabText(2) and str(len(good)) in editor.side.tabText(2)
    # the Photos tab reads its thumbnails when it shows, and then has every photo
    assert editor.all_photos.strip.count() == 0
    editor.side.setCurrentIndex(2)
    assert editor.all_photos.strip.count() == len(good)
    stored = list_photos(app.ws, editor.state.id)
    assert {p.item_id for p in stored} == {item.id}


def test_paste_an_image_and_browse_it_in_the_viewer(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    app, editor, item = _on_photo_item(make_app, data_dir)
    first = make_jpeg(tmp_path / "first.jpg", seed=3)
    editor.add_photos(item.id, [first])
    qtbot.waitUntil(lambda: len(editor.photos) == 1, timeout=20000)
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGreen)
    QApplication.clipboard().setImage(image)
    strip = editor.panel.photo_section.strip
    strip.setFocus()
    qtbot.keyClick(strip, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(editor.photos) == 2, timeout=20000)
    assert {p.media_type for p in editor.photos} == {"image/jpeg", "image/png"}

    editor.view_photo(editor.photos[0].id)
    viewer = editor.dialog
    assert viewer.index == 0 and not viewer.image.pixmap().isNull()
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.index == 1
    before = viewer.image.pixmap().width()
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.image.pixmap().width() > before
    viewer.caption.setText("配电柜铭牌")
    viewer.caption.editingFinished.emit()
    qtbot.keyClick(viewer, Qt.Key.Key_Left)  # away and back: the viewer shows what was typed
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.caption.text() == "配电柜铭牌"
    viewer.close()
    captions = {p.caption for p in list_photos(app.ws, editor.state.id)}
    assert "配电柜铭牌" in captions
    # and the editor, which reads its photos again when the viewer closes
    qtbot.waitUntil(lambda: "配电柜铭牌" in {p.caption for p in editor.photos}, timeout=5000)


def test_sign_each_person_then_signed(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    win = app.window
    editor = _open_new(app)
    inspection_id = editor.state.id
    answer_all(app.ws, inspection_id, editor.template)
    svc.complete_inspection(app.ws, inspection_id, actor="测试员")
    win.open_inspection(inspection_id)
    assert win.menus.sign.isEnabled()
    qtbot.keyClick(
        win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    first = win.dialog
    assert first.name.text() == "王晓明" and first.role.currentData() == "inspector"
    draw(qtbot, first.pad, [(40, 80), (120, 60), (200, 110), (300, 70)])
    first.accept()
    second = win.dialog
    assert second is not first and second.role.currentData() == "site_representative"
    second.name.setText("孙主任")
    draw(qtbot, second.pad, [(50, 90), (150, 50), (260, 100)])
    second.accept()
    detail = views_svc.inspection_detail(app.ws, inspection_id)
    assert detail["status"] == "signed"
    assert [(s["signer"], s["role"]) for s in detail["signatures"]] == [
        ("王晓明", "inspector"),
        ("孙主任", "site_representative"),
    ]
    assert "王晓明 ✓" in win.editor.header.sign_label.text()


def test_history_opens_from_the_menu(make_app: Any, data_dir: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    app = make_app(data_dir)
    win = app.window
    editor = _open_new(app)
    item = next(i for s in editor.template.sections for i in s.items if i.type.value == "yes_no")
    editor.apply_answer(item.id, "yes")
    editor.apply_answer(item.id, "no")
    qtbot.keyClick(win, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    dialog = win.dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10000)
    texts = [
        [dialog.model.columns[c].text(r) for c in range(len(dialog.model.columns))]
        for r in dialog.model.rows
    ]
    assert any("是" in row and "否" in row for row in texts)
    dialog.close()


def test_dropping_a_folder_on_the_strip_adds_its_photos(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    _app, editor, item = _on_photo_item(make_app, data_dir)
    card = tmp_path / "DCIM" / "100CANON"
    for n in range(3):
        make_jpeg(card / f"IMG_{n:04d}.JPG", seed=10 + n)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "DCIM"))])
    strip = editor.panel.photo_section.strip
    pos = QPointF(20, 20)
    enter = QDragEnterEvent(
        pos.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Qt delivers synthetic drag events only during a real drag, so the handlers a drop
    # reaches are called directly
    strip.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    strip.dropEvent(drop)
    qtbot.waitUntil(lambda: len(editor.photos) == 3, timeout=20000)
    assert {p.item_id for p in editor.photos} == {item.id}
    assert sorted(p.original_name for p in editor.photos) == [
        "IMG_0000.JPG",
        "IMG_0001.JPG",
        "IMG_0002.JPG",
    ]

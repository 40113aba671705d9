"""The signature pad and dialog, with real mouse, pen and touch input offscreen."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QImage,
    QInputDevice,
    QKeySequence,
    QPointingDevice,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from inspector_app.ui.dialogs import qsettings
from inspector_app.ui.signature_dialog import SignatureDialog
from inspector_app.ui.signature_pad import PEN_WIDTH, PNG_MARGIN, SignaturePad, pressure_width

LEFT = Qt.MouseButton.LeftButton
ZIGZAG = [(60, 120), (100, 60), (140, 120), (180, 60), (220, 120), (260, 70)]
LOOP = [(300, 100), (340, 60), (380, 100), (340, 130), (320, 90), (420, 80)]


@pytest.fixture
def pad(qtbot: Any) -> Iterator[SignaturePad]:
    widget = SignaturePad()
    widget.resize(600, 200)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()
    widget.deleteLater()


@pytest.fixture
def parent_window(qtbot: Any) -> Iterator[QWidget]:
    window = QWidget()
    window.setWindowTitle("parent")
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    window.deleteLater()


@pytest.fixture(scope="session")
def _touch_device(qapp: QApplication) -> QPointingDevice:
    return QTest.createTouchDevice()


@pytest.fixture
def touchscreen(qapp: QApplication, _touch_device: QPointingDevice) -> Iterator[QPointingDevice]:
    """A touchscreen, with Qt's mouse events made of unhandled touches turned off: what
    draws is the pad's own touch handling, not a mouse it was given instead."""
    attribute = Qt.ApplicationAttribute.AA_SynthesizeMouseForUnhandledTouchEvents
    was = QApplication.testAttribute(attribute)
    QApplication.setAttribute(attribute, False)
    yield _touch_device
    QApplication.setAttribute(attribute, was)


@pytest.fixture(scope="session")
def stylus(qapp: QApplication) -> QPointingDevice:
    return QPointingDevice(
        "test stylus",
        7001,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        2,
    )


def draw(qtbot: Any, widget: QWidget, points: list[tuple[int, int]]) -> None:
    """Press, drag through the points with the left button held, release."""
    qtbot.mousePress(widget, LEFT, pos=QPoint(*points[0]))
    for x, y in points[1:-1]:
        qtbot.mouseMove(widget, QPoint(x, y))
    qtbot.mouseRelease(widget, LEFT, pos=QPoint(*points[-1]))


def pen(
    widget: QWidget,
    device: QPointingDevice,
    points: list[tuple[int, int]],
    pressure: float,
) -> None:
    """A pen stroke: tablet press, moves and release, as Qt delivers them to a widget."""
    for i, (x, y) in enumerate(points):
        kind = (
            QEvent.Type.TabletPress
            if i == 0
            else QEvent.Type.TabletRelease
            if i == len(points) - 1
            else QEvent.Type.TabletMove
        )
        released = kind == QEvent.Type.TabletRelease
        pos = QPointF(x, y)
        event = QTabletEvent(
            kind,
            device,
            pos,
            QPointF(widget.mapToGlobal(pos)),
            0.0 if released else pressure,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            LEFT,
            Qt.MouseButton.NoButton if released else LEFT,
        )
        QApplication.sendEvent(widget, event)


def is_ink(colour: QColor) -> bool:
    """The dark blue ink, not the grey baseline or hint, nor the blue focus frame."""
    return (
        colour.alpha() > 200
        and colour.red() < 80
        and colour.green() < 80
        and colour.blue() > colour.red() + 40
    )


def ink_in_column(image: QImage, x: int, top: int, bottom: int) -> int:
    return sum(is_ink(image.pixelColor(x, y)) for y in range(top, bottom))


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


def dark_opaque_pixels(image: Image.Image) -> int:
    data = image.convert("RGBA").tobytes()
    return sum(
        1
        for r, g, b, a in zip(data[0::4], data[1::4], data[2::4], data[3::4], strict=True)
        if a > 200 and r < 90 and g < 90 and b > r
    )


# -- the pad -------------------------------------------------------------------------------


def test_mouse_strokes_draw_and_emit_changed(pad: SignaturePad, qtbot: Any) -> None:
    changes: list[None] = []
    pad.changed.connect(lambda: changes.append(None))
    assert pad.is_empty() and pad.strokes == ()
    draw(qtbot, pad, ZIGZAG)
    assert not pad.is_empty()
    assert len(pad.strokes) == 1 and len(changes) == 1
    stroke = pad.strokes[0]
    assert [(p.x, p.y) for p in stroke] == [(float(x), float(y)) for x, y in ZIGZAG]
    assert {p.width for p in stroke} == {PEN_WIDTH}
    draw(qtbot, pad, LOOP)
    assert len(pad.strokes) == 2 and len(changes) == 2
    qtbot.mouseClick(pad, LEFT, pos=QPoint(500, 60))  # a dot, as on an i
    assert len(pad.strokes) == 3 and len(pad.strokes[2]) == 1

    # read-only: what the caller gets cannot change the pad
    with pytest.raises(AttributeError):
        pad.strokes = ()
    assert isinstance(pad.strokes, tuple) and isinstance(pad.strokes[0], tuple)

    # the ink is on screen, along the strokes and on the dot
    shot = pad.grab().toImage()
    assert ink_in_column(shot, 100, 50, 75) > 0  # the zigzag's top at (100, 60)
    assert ink_in_column(shot, 360, 70, 90) > 0  # the loop passes the midpoint (360, 80)
    assert ink_in_column(shot, 500, 55, 66) > 0  # the dot
    assert ink_in_column(shot, 560, 10, 140) == 0  # nothing drawn there


def test_empty_pad_shows_the_hint_and_baseline_but_no_ink(pad: SignaturePad) -> None:
    shot = pad.grab().toImage()
    assert shot.pixelColor(10, 10) == QColor("#ffffff")  # paper
    line = int(pad.baseline_y())
    assert shot.pixelColor(300, line).lightness() < 230  # the baseline
    assert not any(
        is_ink(shot.pixelColor(x, y)) for x in range(0, 600, 3) for y in range(0, 200, 3)
    )
    hint = sum(
        shot.pixelColor(x, y).lightness() < 245
        for x in range(150, 450)
        for y in range(20, line - 4)
    )
    assert hint > 50  # the "Sign here" text above the line


def test_to_png_is_transparent_rgba_with_the_ink_fitted(pad: SignaturePad, qtbot: Any) -> None:
    draw(qtbot, pad, ZIGZAG)
    draw(qtbot, pad, LOOP)
    image = decode(pad.to_png())
    assert image.mode == "RGBA" and image.size == (600, 200)
    width, height = image.size
    for corner in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)):
        assert image.getpixel(corner)[3] == 0
    assert dark_opaque_pixels(image) > 200
    # scaled to fit inside the margin: it touches the margin on the tighter side
    margin = min(width, height) * PNG_MARGIN
    left, top, right, bottom = image.getchannel("A").getbbox()
    assert left >= margin - 2 and top >= margin - 2
    assert right <= width - margin + 2 and bottom <= height - margin + 2
    assert (right - left) >= width - 2 * margin - 4 or (bottom - top) >= height - 2 * margin - 4

    small = decode(pad.to_png(width=300, height=100))
    assert small.size == (300, 100) and small.mode == "RGBA"
    assert dark_opaque_pixels(small) > 50


def test_to_png_of_an_empty_pad_is_fully_transparent(pad: SignaturePad) -> None:
    image = decode(pad.to_png())
    assert image.mode == "RGBA" and image.getchannel("A").getbbox() is None


def test_undo_delete_and_backspace(pad: SignaturePad, qtbot: Any) -> None:
    changes: list[None] = []
    pad.changed.connect(lambda: changes.append(None))
    draw(qtbot, pad, ZIGZAG)
    draw(qtbot, pad, LOOP)
    first = pad.strokes[0]
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pad.strokes == (first,)
    assert pad.undo_stroke() is True and pad.is_empty()
    assert pad.undo_stroke() is False
    assert len(changes) == 4  # two strokes, two undos; the refused undo changes nothing

    draw(qtbot, pad, ZIGZAG)
    draw(qtbot, pad, LOOP)
    qtbot.keyClick(pad, Qt.Key.Key_Delete)
    assert pad.is_empty()
    draw(qtbot, pad, LOOP)
    qtbot.keyClick(pad, Qt.Key.Key_Backspace)
    assert pad.is_empty()
    changed = len(changes)
    pad.clear()  # already empty: no signal
    assert len(changes) == changed


def test_ctrl_z_in_the_pad_undoes_a_stroke_not_the_window_action(
    parent_window: QWidget, qtbot: Any
) -> None:
    """The editor's Ctrl+Z must not fire while the pad has the focus."""
    fired: list[bool] = []
    undo = QAction("undo", parent_window)
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    undo.triggered.connect(lambda: fired.append(True))
    parent_window.addAction(undo)
    pad = SignaturePad()
    QVBoxLayout(parent_window).addWidget(pad)
    qtbot.waitUntil(lambda: pad.isVisible() and pad.width() >= 480)
    draw(qtbot, pad, ZIGZAG)
    draw(qtbot, pad, LOOP)
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(pad.strokes) == 1
    assert fired == []


def test_a_pen_draws_and_pressure_widens_the_stroke(
    pad: SignaturePad, qtbot: Any, stylus: QPointingDevice
) -> None:
    changes: list[None] = []
    pad.changed.connect(lambda: changes.append(None))
    light_line = [(100 + 40 * i, 50) for i in range(11)]
    firm_line = [(100 + 40 * i, 100) for i in range(11)]
    pen(pad, stylus, light_line, pressure=0.15)
    pen(pad, stylus, firm_line, pressure=0.95)
    assert len(pad.strokes) == 2 and len(changes) == 2  # and no mouse strokes made of them
    light, firm = pad.strokes
    assert [(p.x, p.y) for p in light] == [(float(x), float(y)) for x, y in light_line]
    assert {p.width for p in light} == {pressure_width(0.15)}
    assert {p.width for p in firm} == {pressure_width(0.95)}
    assert pressure_width(0.95) > pressure_width(0.15)

    # and it shows: the firm stroke is thicker on screen and in the PNG
    shot = pad.grab().toImage()
    thin = ink_in_column(shot, 300, 35, 66)
    thick = ink_in_column(shot, 300, 85, 116)
    assert 0 < thin < thick
    image = decode(pad.to_png()).convert("RGBA")
    alpha = image.getchannel("A")
    column = [alpha.getpixel((300, y)) > 128 for y in range(200)]
    runs = [n for n in _runs(column) if n]
    assert len(runs) == 2 and runs[0] < runs[1]


def _runs(flags: list[bool]) -> list[int]:
    """Lengths of the runs of True."""
    out, n = [], 0
    for flag in flags:
        if flag:
            n += 1
        elif n:
            out.append(n)
            n = 0
    return [*out, n]


def test_pen_hover_without_the_tip_down_draws_nothing(
    pad: SignaturePad, stylus: QPointingDevice
) -> None:
    pos = QPointF(200, 80)
    hover = QTabletEvent(
        QEvent.Type.TabletMove,
        stylus,
        pos,
        QPointF(pad.mapToGlobal(pos)),
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
    )
    QApplication.sendEvent(pad, hover)
    assert pad.is_empty()


def test_a_finger_draws_and_a_second_finger_is_ignored(
    pad: SignaturePad, qtbot: Any, touchscreen: QPointingDevice
) -> None:
    changes: list[None] = []
    pad.changed.connect(lambda: changes.append(None))
    QTest.touchEvent(pad, touchscreen).press(0, QPoint(80, 60), pad).commit()
    QTest.touchEvent(pad, touchscreen).move(0, QPoint(160, 110), pad).press(
        1, QPoint(400, 40), pad
    ).commit()
    QTest.touchEvent(pad, touchscreen).move(0, QPoint(240, 70), pad).move(
        1, QPoint(450, 120), pad
    ).commit()
    QTest.touchEvent(pad, touchscreen).release(0, QPoint(300, 100), pad).release(
        1, QPoint(500, 130), pad
    ).commit()
    QApplication.processEvents()
    assert len(pad.strokes) == 1 and len(changes) == 1  # one finger, no mouse copy
    assert [(p.x, p.y) for p in pad.strokes[0]] == [
        (80.0, 60.0),
        (160.0, 110.0),
        (240.0, 70.0),
        (300.0, 100.0),
    ]
    assert {p.width for p in pad.strokes[0]} == {PEN_WIDTH}
    assert dark_opaque_pixels(decode(pad.to_png())) > 100


def test_a_cancelled_touch_leaves_no_stroke(
    pad: SignaturePad, qtbot: Any, touchscreen: QPointingDevice
) -> None:
    QTest.touchEvent(pad, touchscreen).press(0, QPoint(80, 60), pad).commit()
    QTest.touchEvent(pad, touchscreen).move(0, QPoint(160, 110), pad).commit()
    QApplication.processEvents()
    assert len(pad.strokes) == 1  # shown while drawn
    QApplication.sendEvent(pad, QTouchEvent(QEvent.Type.TouchCancel, touchscreen))
    assert pad.is_empty()


# -- the dialog ----------------------------------------------------------------------------


def ok_button(dialog: QDialog) -> Any:
    box = dialog.findChild(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok)


def test_dialog_refuses_an_empty_name_then_an_empty_pad(qtbot: Any) -> None:
    dialog = SignatureDialog()
    try:
        dialog.open()
        qtbot.waitExposed(dialog)
        assert not dialog.error.isVisible()
        qtbot.mouseClick(ok_button(dialog), LEFT)
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
        assert dialog.error.isVisible() and dialog.error.text() == "Enter the signer's name."
        assert dialog.signed_at is None

        qtbot.keyClicks(dialog.name, "Li Na")
        assert not dialog.error.isVisible()  # the message goes once it is dealt with
        qtbot.mouseClick(ok_button(dialog), LEFT)
        assert dialog.isVisible()
        assert dialog.error.isVisible() and dialog.error.text() == "Draw the signature in the box."

        dialog.name.setText("   ")  # blanks are no name
        draw(qtbot, dialog.pad, ZIGZAG)
        qtbot.mouseClick(ok_button(dialog), LEFT)
        assert dialog.isVisible() and dialog.error.text() == "Enter the signer's name."

        dialog.name.setText("Li Na")
        qtbot.mouseClick(dialog.clear_button, LEFT)
        assert dialog.pad.is_empty()
        qtbot.mouseClick(ok_button(dialog), LEFT)
        assert dialog.isVisible() and dialog.error.text() == "Draw the signature in the box."
    finally:
        dialog.close()
        dialog.deleteLater()


def test_dialog_window_modal_with_open_returns_the_values(
    parent_window: QWidget, qtbot: Any
) -> None:
    dialog = SignatureDialog("王晓明", role="site_representative", parent=parent_window)
    try:
        assert dialog.name.text() == "王晓明"
        assert dialog.role.currentData() == "site_representative"
        assert [dialog.role.itemData(i) for i in range(dialog.role.count())] == [
            "inspector",
            "site_representative",
        ]
        dialog.open()  # returns at once: no nested event loop
        qtbot.waitExposed(dialog)
        assert dialog.isVisible() and dialog.windowModality() == Qt.WindowModality.WindowModal
        assert dialog.time_label.text()  # the time shows while signing
        draw(qtbot, dialog.pad, ZIGZAG)
        draw(qtbot, dialog.pad, LOOP)
        before = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with qtbot.waitSignal(dialog.accepted, timeout=2000):
            qtbot.mouseClick(ok_button(dialog), LEFT)
        after = dt.datetime.now(dt.UTC)
        assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted

        values = dialog.values()
        assert set(values) == {"signer_name", "role", "image_png", "signed_at"}
        assert values["signer_name"] == "王晓明"
        assert values["role"] == "site_representative"
        image = decode(values["image_png"])
        assert image.mode == "RGBA" and dark_opaque_pixels(image) > 200
        signed_at = values["signed_at"]
        assert signed_at.utcoffset() == dt.timedelta(0)
        assert before <= signed_at <= after
        assert signed_at == dialog.signed_at
        from zoneinfo import ZoneInfo

        shown = signed_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
        assert dialog.time_label.text() == shown  # the display zone, not the computer's
        assert qsettings().value("signature/geometry") is not None  # remembered
    finally:
        dialog.close()
        dialog.deleteLater()


def test_dialog_works_with_exec_and_enter(qtbot: Any) -> None:
    dialog = SignatureDialog("  Zhang Wei ")
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(dialog.reject)  # never hang the suite if signing failed

    def sign() -> None:
        draw(qtbot, dialog.pad, LOOP)
        qtbot.keyClick(dialog.pad, Qt.Key.Key_Return)  # Enter in the pad means OK

    try:
        QTimer.singleShot(0, sign)
        watchdog.start(5000)
        assert dialog.exec() == QDialog.DialogCode.Accepted
        values = dialog.values()
        assert values["signer_name"] == "Zhang Wei"
        assert values["role"] == "inspector"
        assert values["image_png"].startswith(b"\x89PNG\r\n\x1a\n")
    finally:
        watchdog.stop()
        dialog.close()
        dialog.deleteLater()


def test_dialog_cancel_takes_no_time_and_unknown_roles_are_refused(qtbot: Any) -> None:
    with pytest.raises(ValueError):
        SignatureDialog("x", role="witness")
    dialog = SignatureDialog("Li Na")
    try:
        dialog.open()
        qtbot.waitExposed(dialog)
        draw(qtbot, dialog.pad, ZIGZAG)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
        assert dialog.signed_at is None
    finally:
        dialog.close()
        dialog.deleteLater()

"""A pad to sign on with the mouse, a pen or a finger (the dialog around it is
``ui/signature_dialog.py``).

``SignaturePad`` keeps each stroke as a list of points with a width (a pen's pressure widens
the stroke), draws the strokes smoothed (quadratic curves between the midpoints of the
points) on white paper with a baseline, and renders them onto a transparent PNG for the
report (``to_png``). In the pad Ctrl+Z undoes the last stroke and Delete or Backspace clears.
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QEventPoint,
    QFocusEvent,
    QImage,
    QInputDevice,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from inspector_app.i18n import _

INK = QColor("#14286e")  # dark blue, like a ballpoint
PAPER = QColor("#ffffff")
BORDER = QColor("#b8bec9")
FOCUS = QColor("#1f5fa8")  # the focus frame of the answer widgets
BASELINE = QColor("#9aa3b2")
HINT = QColor("#b4bac4")

PEN_WIDTH = 2.5  # mouse and finger
PRESSURE_WIDTHS = (1.0, 6.0)  # a pen from the lightest to the firmest touch
MIN_STEP = 1.0  # points closer than this to the last one add only noise
SIDE_MARGIN = 24  # where the baseline starts and ends
PNG_MARGIN = 0.08  # of the image's smaller side, around the signature in to_png
MAX_PNG_SCALE = 6.0  # a tiny scribble is enlarged, a dot does not fill the image
DOT_SCALE = 1.6  # a click or a tap without moving leaves a dot this much wider than the line

TOUCH_EVENTS = (
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TouchEnd,
    QEvent.Type.TouchCancel,
)
PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class StrokePoint(NamedTuple):
    """A point of a stroke in pad coordinates, with the width of the ink there."""

    x: float
    y: float
    width: float


Stroke = tuple[StrokePoint, ...]


def pressure_width(pressure: float) -> float:
    """The stroke width for a pen pressure between 0 and 1."""
    light, firm = PRESSURE_WIDTHS
    return light + min(max(pressure, 0.0), 1.0) * (firm - light)


def stroke_pieces(stroke: Stroke) -> list[tuple[float, QPainterPath]]:
    """A stroke of two or more points as smooth paths, one per run of points of one width.

    A line to the first midpoint, then a quadratic curve through each inner point to the
    next midpoint, then a line to the last point; a piece takes the width of its point, so
    a pen stroke swells and thins with the pressure.
    """
    mids = [QPointF((a.x + b.x) / 2, (a.y + b.y) / 2) for a, b in pairwise(stroke)]
    pieces: list[tuple[float, QPainterPath]] = []

    def path_for(width: float, start: QPointF) -> QPainterPath:
        width = round(width * 4) / 4
        if pieces and pieces[-1][0] == width:
            return pieces[-1][1]  # it ends where this piece starts
        path = QPainterPath(start)
        pieces.append((width, path))
        return path

    first, last = stroke[0], stroke[-1]
    path_for(first.width, QPointF(first.x, first.y)).lineTo(mids[0])
    for i, point in enumerate(stroke[1:-1], start=1):
        path_for(point.width, mids[i - 1]).quadTo(QPointF(point.x, point.y), mids[i])
    path_for(last.width, mids[-1]).lineTo(QPointF(last.x, last.y))
    return pieces


def paint_strokes(painter: QPainter, strokes: list[list[StrokePoint]] | tuple[Stroke, ...]) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for stroke in strokes:
        if len(stroke) == 1:  # a dot, a little fuller than the line so that it shows
            point = stroke[0]
            radius = point.width * DOT_SCALE / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(INK)
            painter.drawEllipse(QPointF(point.x, point.y), radius, radius)
            continue
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for width, path in stroke_pieces(tuple(stroke)):
            painter.setPen(
                QPen(
                    INK,
                    width,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
            )
            painter.drawPath(path)


class SignaturePad(QWidget):
    """Paper to sign on. ``changed`` is emitted when a stroke is finished, undone or cleared."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._strokes: list[list[StrokePoint]] = []
        self._drawing: str | None = None  # "mouse", "tablet" or "touch" while a stroke is drawn
        self._touch_id: int | None = None  # the finger that draws
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(480, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Signature pad"))

    def sizeHint(self) -> QSize:
        return QSize(600, 200)

    # -- the strokes ---------------------------------------------------------------------

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        return tuple(tuple(stroke) for stroke in self._strokes)

    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        self._drawing = self._touch_id = None
        if self._strokes:
            self._strokes.clear()
            self.update()
            self.changed.emit()

    def undo_stroke(self) -> bool:
        """Remove the last stroke; False when there was none."""
        self._drawing = self._touch_id = None
        if not self._strokes:
            return False
        self._strokes.pop()
        self.update()
        self.changed.emit()
        return True

    def _begin(self, source: str, pos: QPointF, width: float) -> None:
        if self._drawing is not None:
            self._end()
        pos = self._inside(pos)
        self._strokes.append([StrokePoint(pos.x(), pos.y(), width)])
        self._drawing = source
        self._update_tail()

    def _extend(self, pos: QPointF, width: float) -> None:
        pos = self._inside(pos)
        stroke = self._strokes[-1]
        last = stroke[-1]
        if abs(pos.x() - last.x) < MIN_STEP and abs(pos.y() - last.y) < MIN_STEP:
            return
        stroke.append(StrokePoint(pos.x(), pos.y(), width))
        self._update_tail()

    def _end(self) -> None:
        self._drawing = self._touch_id = None
        self.changed.emit()

    def _cancel(self) -> None:
        if self._drawing is not None:
            self._strokes.pop()
            self._drawing = self._touch_id = None
            self.update()

    def _inside(self, pos: QPointF) -> QPointF:
        return QPointF(
            min(max(pos.x(), 0.0), float(self.width())),
            min(max(pos.y(), 0.0), float(self.height())),
        )

    def _update_tail(self) -> None:
        """Repaint only around the newest points (the curve reaches back two points)."""
        tail = self._strokes[-1][-3:]
        reach = max(p.width for p in tail) + 2
        xs = [p.x for p in tail]
        ys = [p.y for p in tail]
        area = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        self.update(area.adjusted(-reach, -reach, reach, reach).toAlignedRect())

    def _bounds(self) -> QRectF | None:
        """The ink's extent, stroke widths included."""
        points = [p for stroke in self._strokes for p in stroke]
        if not points:
            return None
        half = max(p.width for p in points) * DOT_SCALE / 2
        xs = [p.x for p in points]
        ys = [p.y for p in points]
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(
            -half, -half, half, half
        )

    def to_png(self, width: int = 600, height: int = 200) -> bytes:
        """The signature scaled to fit ``width`` x ``height`` with a margin, centred, on a
        transparent background, as PNG bytes."""
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        bounds = self._bounds()
        if bounds is not None:
            margin = min(width, height) * PNG_MARGIN
            scale = min(
                (width - 2 * margin) / max(bounds.width(), 1.0),
                (height - 2 * margin) / max(bounds.height(), 1.0),
                MAX_PNG_SCALE,
            )
            painter = QPainter(image)
            painter.translate(width / 2, height / 2)
            painter.scale(scale, scale)
            painter.translate(-bounds.center())
            paint_strokes(painter, self._strokes)
            painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # PySide6 takes the format only as str; its stubs (6.11) say bytes
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        buffer.close()
        return bytes(buffer.data().data())

    # -- drawing ---------------------------------------------------------------------------

    def baseline_y(self) -> float:
        return round(self.height() * 0.74) + 0.5

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paper = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        focused = self.hasFocus()
        painter.setPen(QPen(FOCUS if focused else BORDER, 2 if focused else 1))
        painter.setBrush(PAPER)
        painter.drawRoundedRect(paper, 6, 6)
        y = self.baseline_y()
        left, right = SIDE_MARGIN, self.width() - SIDE_MARGIN
        painter.setPen(QPen(BASELINE, 1))
        painter.drawLine(QPointF(left, y), QPointF(right, y))
        cross = QPointF(left + 6, y - 10)  # the × where the signature starts
        painter.drawLine(cross + QPointF(-4, -4), cross + QPointF(4, 4))
        painter.drawLine(cross + QPointF(-4, 4), cross + QPointF(4, -4))
        if self.is_empty():
            font = self.font()
            font.setPointSizeF(font.pointSizeF() * 1.6)
            painter.setFont(font)
            painter.setPen(HINT)
            painter.drawText(
                QRectF(left, 0, right - left, y - 10),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                _("Sign here"),
            )
        painter.setClipRect(paper.adjusted(1, 1, -1, -1))
        paint_strokes(painter, self._strokes)
        painter.end()

    # -- input -----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drawing is None:
            self._begin("mouse", event.position(), PEN_WIDTH)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing == "mouse":
            self._extend(event.position(), PEN_WIDTH)
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drawing == "mouse" and event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position(), PEN_WIDTH)
            self._end()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """The pen; accepted, so Qt makes no mouse events of it."""
        device = event.pointingDevice()
        pressured = device is not None and bool(
            device.capabilities() & QInputDevice.Capability.Pressure
        )
        width = pressure_width(event.pressure()) if pressured else PEN_WIDTH
        kind = event.type()
        if kind == QEvent.Type.TabletPress and event.button() == Qt.MouseButton.LeftButton:
            if self._drawing is None:
                self._begin("tablet", event.position(), width)
        elif kind == QEvent.Type.TabletMove and self._drawing == "tablet":
            self._extend(event.position(), width)
        elif kind == QEvent.Type.TabletRelease and self._drawing == "tablet":
            self._extend(event.position(), self._strokes[-1][-1].width)  # no pressure now
            self._end()
        event.accept()

    def _touch(self, event: QTouchEvent) -> bool:
        """One finger draws; a second finger is ignored. A touchpad is left to the mouse."""
        device = event.device()
        if device is not None and device.type() != QInputDevice.DeviceType.TouchScreen:
            return super().event(event)
        if event.type() == QEvent.Type.TouchCancel:
            self._cancel()
            event.accept()
            return True
        for point in event.points():
            state = point.state()
            if state == QEventPoint.State.Pressed and self._drawing is None:
                self._touch_id = point.id()
                self._begin("touch", point.position(), PEN_WIDTH)
            elif self._drawing == "touch" and point.id() == self._touch_id:
                if state == QEventPoint.State.Released:
                    self._extend(point.position(), PEN_WIDTH)
                    self._end()
                elif state == QEventPoint.State.Updated:
                    self._extend(point.position(), PEN_WIDTH)
        event.accept()
        return True

    @staticmethod
    def _own_key(event: QKeyEvent) -> bool:
        return event.matches(QKeySequence.StandardKey.Undo) or (
            event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and event.modifiers() in PLAIN
        )

    def event(self, event: QEvent) -> bool:
        if event.type() in TOUCH_EVENTS and isinstance(event, QTouchEvent):
            return self._touch(event)
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._own_key(event)
        ):
            event.accept()  # Ctrl+Z here undoes a stroke, not the window's last edit
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_stroke()
        elif self._own_key(event):
            self.clear()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

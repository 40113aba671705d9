"""Answer widgets, one per answer type, all driven from the keyboard.

Every widget emits ``changed(value)`` with a new answer (None clears it),
``not_applicable()`` when the inspector presses A, and ``advance()`` on Enter.
Keys: Y / N for yes and no, digits for scores, numbers and choices, A for not applicable.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.domain.checklists.schema import AnswerType, Item
from inspector_app.i18n import _, pick
from inspector_app.services.answers import AnswerView
from inspector_app.ui.dialogs import DateField

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# The chosen answer stands out: a checked button in the platform style is barely darker
# than the other one. Blue for an answer, red for a triggered veto.
CHOSEN = (
    "QPushButton:checked {{ background: {bg}; color: white; font-weight: bold;"
    " border: 1px solid {bg}; border-radius: 3px; padding: 4px 10px; }}"
)
CHOSEN_ANSWER = CHOSEN.format(bg="#1f5fa8")
CHOSEN_VETO = CHOSEN.format(bg="#b00020")


class AnswerWidget(QWidget):
    changed = Signal(object)
    not_applicable = Signal()
    advance = Signal()

    def __init__(self, item: Item, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_answer(self, view: AnswerView) -> None:
        raise NotImplementedError

    def focus_answer(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_typed(self, text: str) -> None:
        """Typed widgets keep showing a refused value; the others have nothing typed."""

    def set_read_only(self, read_only: bool) -> None:
        self.setEnabled(not read_only)

    def paintEvent(self, event: Any) -> None:
        """Widgets that take the keys themselves show a focus frame, so the inspector
        can see where Y, N, A and the digits will go."""
        super().paintEvent(event)
        if self.hasFocus() and self.focusProxy() is None:
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor("#1f5fa8"), 2))
            painter.drawRoundedRect(self.rect().adjusted(1, 1, -2, -2), 4, 4)
            painter.end()

    def focusInEvent(self, event: Any) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        self.update()

    def _common_key(self, event: QKeyEvent) -> bool:
        """Enter advances, A marks not applicable; True when the key was used."""
        if event.key() in ENTER and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.advance.emit()
            return True
        plain = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        if event.key() == Qt.Key.Key_A and event.modifiers() in plain:
            self.not_applicable.emit()
            return True
        return False


class YesNoAnswer(AnswerWidget):
    """是 (Y) / 否 (N); for a veto item the labels say triggered / not triggered."""

    def __init__(self, item: Item, veto: bool = False, parent: QWidget | None = None):
        super().__init__(item, parent)
        yes_text = _("Triggered (Y)") if veto else _("Yes (Y)")
        no_text = _("Not triggered (N)") if veto else _("No (N)")
        self.yes = QPushButton(yes_text)
        self.no = QPushButton(no_text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for button, value in ((self.yes, "yes"), (self.no, "no")):
            button.setCheckable(True)
            button.setStyleSheet(CHOSEN_VETO if veto and value == "yes" else CHOSEN_ANSWER)
            button.setAutoExclusive(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the widget itself takes the keys
            button.setMinimumWidth(120)
            button.clicked.connect(lambda _checked, v=value: self.changed.emit(v))
            layout.addWidget(button)
        layout.addStretch(1)

    def set_answer(self, view: AnswerView) -> None:
        self.yes.setChecked(view.value == "yes")
        self.no.setChecked(view.value == "no")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Y:
            self.changed.emit("yes")
        elif event.key() == Qt.Key.Key_N:
            self.changed.emit("no")
        elif not self._common_key(event):
            super().keyPressEvent(event)


class _NumberLine(QLineEdit):
    """A line edit that lets A and Enter through to its owner."""

    def __init__(self, owner: AnswerWidget):
        super().__init__()
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.owner._common_key(event):
            super().keyPressEvent(event)


class NumberAnswer(AnswerWidget):
    """A score (0 to the item's points, with guidance) or a measured number with its unit."""

    def __init__(self, item: Item, parent: QWidget | None = None):
        super().__init__(item, parent)
        self.line = _NumberLine(self)
        self.line.setAccessibleName(pick(item.title))
        self.line.setMaximumWidth(160)
        if item.type is AnswerType.SCORE:
            self.line.setPlaceholderText(_("0 to {max:g}", max=item.points))
            unit = _("points")
        else:
            self.line.setPlaceholderText(_("a number"))
            unit = pick(item.unit) if item.unit else ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        layout.addWidget(QLabel(unit))
        layout.addStretch(1)
        self.setFocusProxy(self.line)
        self.line.textEdited.connect(self._edited)

    def _edited(self, text: str) -> None:
        # as typed: the service parses and checks it (and refuses "abc" or 30 of 3 inline)
        self.changed.emit(text.strip() or None)

    def set_answer(self, view: AnswerView) -> None:
        if self.line.hasFocus() and view.value is not None:
            try:
                if float(self.line.text()) == float(view.value):
                    return  # keep what is being typed ("7." while heading for 7.5)
            except ValueError:
                pass
        self.line.setText("" if view.value is None else f"{view.value:g}")

    def focus_answer(self) -> None:
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)
        self.line.selectAll()

    def show_typed(self, text: str) -> None:
        if self.line.text() != text:
            self.line.setText(text)

    def set_read_only(self, read_only: bool) -> None:
        self.line.setReadOnly(read_only)


class ChoiceAnswer(AnswerWidget):
    """Options numbered 1…n: the digit picks one."""

    def __init__(self, item: Item, parent: QWidget | None = None):
        super().__init__(item, parent)
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.buttons: list[QRadioButton] = []
        for n, option in enumerate(item.options, start=1):
            button = QRadioButton(
                _(
                    "{n}. {label} ({points:g} points)",
                    n=n,
                    label=pick(option.label),
                    points=option.points,
                )
            )
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.group.addButton(button, n - 1)
            self.buttons.append(button)
            layout.addWidget(button)
        self.group.idClicked.connect(lambda i: self.changed.emit(self.item.options[i].id))

    def set_answer(self, view: AnswerView) -> None:
        self.group.setExclusive(False)
        for button, option in zip(self.buttons, self.item.options, strict=True):
            button.setChecked(view.value == option.id)
        self.group.setExclusive(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if text.isdigit() and 1 <= int(text) <= len(self.item.options):
            self.changed.emit(self.item.options[int(text) - 1].id)
        elif event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            current = self.group.checkedId()
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            target = max(0, min(len(self.buttons) - 1, (current if current >= 0 else -1) + step))
            self.changed.emit(self.item.options[target].id)
        elif not self._common_key(event):
            super().keyPressEvent(event)


class _TextBox(QPlainTextEdit):
    def __init__(self, owner: AnswerWidget):
        super().__init__()
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.owner.advance.emit()
            return
        super().keyPressEvent(event)


class TextAnswer(AnswerWidget):
    """Free text; saved shortly after typing stops (the editor debounces). Ctrl+Enter: next."""

    def __init__(self, item: Item, parent: QWidget | None = None):
        super().__init__(item, parent)
        self.box = _TextBox(self)
        self.box.setAccessibleName(pick(item.title))
        self.box.setPlaceholderText(_("Type here; Ctrl+Enter for the next item"))
        self.box.setMaximumHeight(120)
        self.box.setTabChangesFocus(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        self.setFocusProxy(self.box)
        self.box.textChanged.connect(
            lambda: self.changed.emit(self.box.toPlainText().strip() or None)
        )

    def set_answer(self, view: AnswerView) -> None:
        text = "" if view.value is None else str(view.value)
        if self.box.toPlainText().strip() != text:
            self.box.blockSignals(True)
            self.box.setPlainText(text)
            self.box.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        self.box.setReadOnly(read_only)


class _DateBox(DateField):
    def __init__(self, owner: AnswerWidget):
        super().__init__()
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_T and not self.isReadOnly():
            self.setDate(QDate.currentDate())  # T: today
        elif not self.owner._common_key(event):
            super().keyPressEvent(event)


class DateAnswer(AnswerWidget):
    EMPTY = QDate(1900, 1, 1)

    def __init__(self, item: Item, parent: QWidget | None = None):
        super().__init__(item, parent)
        self.box = _DateBox(self)
        self.box.setAccessibleName(pick(item.title))
        self.box.setDisplayFormat("yyyy-MM-dd")
        self.box.setCalendarPopup(True)
        self.box.setMinimumDate(self.EMPTY)
        self.box.setSpecialValueText(_("(no date; T for today)"))
        self.box.setMaximumWidth(180)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        today = QPushButton(_("Today"))
        today.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        today.clicked.connect(lambda: self.box.setDate(QDate.currentDate()))
        layout.addWidget(today)
        layout.addStretch(1)
        self.setFocusProxy(self.box)
        self.box.dateChanged.connect(self._changed)

    def _changed(self, date: QDate) -> None:
        self.changed.emit(None if date == self.EMPTY else date.toString("yyyy-MM-dd"))

    def set_answer(self, view: AnswerView) -> None:
        date = QDate.fromString(str(view.value), "yyyy-MM-dd") if view.value else self.EMPTY
        if self.box.date() != date:
            self.box.blockSignals(True)
            self.box.setDate(date)
            self.box.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        self.box.setReadOnly(read_only)


def make_answer_widget(item: Item, veto: bool = False) -> AnswerWidget:
    if item.type is AnswerType.YES_NO:
        return YesNoAnswer(item, veto=veto)
    if item.type in (AnswerType.SCORE, AnswerType.NUMBER):
        return NumberAnswer(item)
    if item.type is AnswerType.CHOICE:
        return ChoiceAnswer(item)
    if item.type is AnswerType.DATE:
        return DateAnswer(item)
    return TextAnswer(item)

"""The item panel: one item (or veto item) with everything an inspector needs to judge it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector_app.domain.checklists.schema import AnswerType, Item, Text, Veto
from inspector_app.domain.checklists.scoring import ItemScore
from inspector_app.i18n import _, pick
from inspector_app.services.answers import AnswerView
from inspector_app.ui.editor.answers import CHOSEN, AnswerWidget, make_answer_widget
from inspector_app.ui.photos import PhotoSection
from inspector_app.ui.plain import plain_labels
from inspector_app.ui.text_colour import text_colour
from inspector_app.workspace import Workspace


def answer_text(item: Item | Veto, view: AnswerView) -> str:
    """The answer in words, whole (the tree's summary shortens text)."""
    if view.not_applicable:
        return _("Not applicable")
    if view.value is None:
        return _("Unanswered")
    if isinstance(item, Veto):
        return _("Triggered") if view.value == "yes" else _("Not triggered")
    if item.type is AnswerType.YES_NO:
        return _("Yes") if view.value == "yes" else _("No")
    if item.type is AnswerType.CHOICE:
        return next((pick(o.label) for o in item.options if o.id == view.value), str(view.value))
    if item.type is AnswerType.SCORE:
        return _("{points:g} points", points=view.value)
    if item.type is AnswerType.NUMBER:
        unit = pick(item.unit) if item.unit else ""
        return f"{view.value:g} {unit}".strip()
    return str(view.value)


BADGE = "border-radius: 3px; padding: 1px 6px; color: white; background: {bg};"


def _badge(text: str, bg: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(BADGE.format(bg=bg))
    return label


def _wrap(text: str, colour: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return text_colour(label, colour) if colour else label


class _CommentBox(QPlainTextEdit):
    advance = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.advance.emit()
            return
        super().keyPressEvent(event)


class ItemPanel(QScrollArea):
    """Shows one item; emits what the inspector does, never writes anything itself."""

    answer_changed = Signal(str, object)  # item id, value (None clears)
    not_applicable = Signal(str)
    comment_changed = Signal(str, str)
    evidence_changed = Signal(str, list)
    advance = Signal()
    add_photo_files = Signal(str)
    add_photo_folder = Signal(str)
    photos_dropped = Signal(str, list)
    open_photo = Signal(str)
    mark_corrected = Signal(str)  # finding id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.item_id: str | None = None
        self.answer: AnswerWidget | None = None
        self.comment: _CommentBox | None = None
        self.ticks: list[QCheckBox] = []
        self.points_label = QLabel()
        self.error_label = QLabel()
        self.na_button: QPushButton | None = None
        self.photo_section: PhotoSection | None = None
        self.required_badge: QLabel | None = None
        self.readonly_answer: QLabel | None = None

    def show_item(
        self,
        item: Item | Veto,
        section_title: Text | None,
        number: str,
        view: AnswerView,
        score: ItemScore | None,
        editable: bool,
        sample_weights: bool,
    ) -> None:
        veto = isinstance(item, Veto)
        scored = item if isinstance(item, Item) else None  # a veto earns no points
        self.item_id = item.id
        self.readonly_answer = None
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)

        crumbs = (
            _("Veto items (一票否决)") if veto else pick(section_title) if section_title else ""
        )
        layout.addWidget(_wrap(f"{crumbs} › {number}" if number else crumbs, "#666"))
        title = _wrap(pick(item.title))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)

        badges = QHBoxLayout()
        required = scored is None or scored.required
        self.required_badge = _badge(_("Required"), "#b00020") if required else None
        if self.required_badge is not None:
            badges.addWidget(self.required_badge)
        if scored is not None and scored.scored:
            text = _("{points:g} points", points=scored.points)
            if sample_weights:
                text += _(" (sample weights)")
            badges.addWidget(_badge(text, "#1f5fa8"))
        if scored is not None and scored.photos_required:
            badges.addWidget(_badge(_("{n} photos required", n=scored.photos_required), "#6d4c41"))
        if veto:
            badges.addWidget(_badge(_("A triggered veto fails the inspection"), "#b00020"))
        badges.addStretch(1)
        layout.addLayout(badges)

        if item.help:
            layout.addWidget(_wrap(pick(item.help), "#444"))
        if isinstance(item, Veto):
            layout.addWidget(_wrap(_("Why: {reason}", reason=pick(item.reason)), "#444"))
        guidance = scored.guidance if scored is not None else None
        if guidance:
            box = QGroupBox(_("Scoring guidance (评分标准)"))
            QVBoxLayout(box).addWidget(_wrap(pick(guidance)))
            layout.addWidget(box)
        if scored is not None and scored.type is AnswerType.NUMBER:
            bands = "；".join(
                _("≥ {min:g}: {points:g} points", min=b.min, points=b.points) for b in scored.bands
            )
            layout.addWidget(_wrap(_("Bands: {bands}", bands=bands), "#444"))

        answer_item = (
            scored
            if scored is not None
            else Item(id=item.id, title=item.title, type=AnswerType.YES_NO, points=1)
        )
        if not editable:  # read-only: the chosen answer in plain words, not a greyed control
            self.readonly_answer = QLabel(_("Answer: {answer}", answer=answer_text(item, view)))
            self.readonly_answer.setAccessibleName(_("Answer"))
            self.readonly_answer.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
            )
            self.readonly_answer.setWordWrap(True)
            self.readonly_answer.setStyleSheet(
                "font-size: 15px; font-weight: bold; color: #1f3b63; background: #e3ecf7;"
                " border-left: 4px solid #1f5fa8; padding: 6px 10px;"
            )
            layout.addWidget(self.readonly_answer)
        self.answer = make_answer_widget(answer_item, veto=veto)
        self.answer.set_answer(view)
        self.answer.set_read_only(not editable)
        self.answer.changed.connect(lambda v: self.answer_changed.emit(item.id, v))
        self.answer.not_applicable.connect(self._na_requested)
        self.answer.advance.connect(self.advance)
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer, 1)
        if scored is not None and scored.na_allowed:
            self.na_button = QPushButton(_("Not applicable (A)"))
            self.na_button.setCheckable(True)
            self.na_button.setStyleSheet(CHOSEN.format(bg="#616161"))
            self.na_button.setChecked(view.not_applicable)
            self.na_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.na_button.setEnabled(editable)
            self.na_button.clicked.connect(self._na_clicked)
            answer_row.addWidget(self.na_button)
        else:
            self.na_button = None
        layout.addLayout(answer_row)
        self.error_label = text_colour(QLabel(), "#b00020")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addWidget(self._corrected_bar())
        self.points_label = QLabel()
        layout.addWidget(self.points_label)
        self.update_score(view, score)

        self.ticks = []
        if item.evidence:
            box = QGroupBox(_("On-site evidence to check (现场核查材料)"))
            ev_layout = QVBoxLayout(box)
            for n, ev in enumerate(item.evidence):
                tick = QCheckBox(pick(ev))
                tick.setChecked(n in view.evidence)
                tick.setEnabled(editable)
                tick.toggled.connect(self._ticks_changed)
                self.ticks.append(tick)
                ev_layout.addWidget(tick)
            layout.addWidget(box)

        self.photo_section = PhotoSection(editable)
        self.photo_section.add_files.connect(lambda: self.add_photo_files.emit(item.id))
        self.photo_section.add_folder.connect(lambda: self.add_photo_folder.emit(item.id))
        self.photo_section.files_dropped.connect(
            lambda paths: self.photos_dropped.emit(item.id, paths)
        )
        self.photo_section.open_photo.connect(self.open_photo)
        box = QGroupBox(_("Photos"))
        QVBoxLayout(box).addWidget(self.photo_section)
        layout.addWidget(box)

        layout.addWidget(QLabel(_("Comment")))
        comment = self.comment = _CommentBox()
        comment.setAccessibleName(_("Comment"))
        comment.setPlainText(view.comment or "")
        comment.setPlaceholderText(_("What you saw; Ctrl+Enter for the next item"))
        comment.setMaximumHeight(110)
        comment.setTabChangesFocus(True)
        comment.setReadOnly(not editable)
        comment.textChanged.connect(
            lambda: self.comment_changed.emit(item.id, comment.toPlainText())
        )
        comment.advance.connect(self.advance)
        layout.addWidget(comment)
        layout.addStretch(1)
        plain_labels(page)  # titles, help, guidance, the answer: data, never markup
        self.setWidget(page)

    def _na_requested(self) -> None:
        if self.na_button is not None and self.na_button.isEnabled() and self.item_id:
            self.not_applicable.emit(self.item_id)

    def _na_clicked(self, checked: bool) -> None:
        if self.item_id is None:
            return
        if checked:
            self.not_applicable.emit(self.item_id)
        else:
            self.answer_changed.emit(self.item_id, None)

    def _ticks_changed(self) -> None:
        if self.item_id:
            self.evidence_changed.emit(
                self.item_id, [n for n, t in enumerate(self.ticks) if t.isChecked()]
            )

    def update_answer(self, view: AnswerView, score: ItemScore | None) -> None:
        if self.answer is not None:
            self.answer.set_answer(view)
        if self.na_button is not None:
            self.na_button.setChecked(view.not_applicable)
        self.update_score(view, score)

    def update_score(self, view: AnswerView, score: ItemScore | None) -> None:
        if view.not_applicable:
            text = _("Not applicable: left out of this section's score")
        elif score is None:
            text = _("Answered: triggered") if view.value == "yes" else ""
        elif not score.visible:
            text = _("Hidden by its condition")
        elif score.max_points:
            text = _(
                "Earns {points:g} of {max:g} points", points=score.points, max=score.max_points
            )
        else:
            text = ""
        self.points_label.setText(text)
        if self.required_badge is not None:
            self.required_badge.setVisible(not view.answered)

    def _corrected_bar(self) -> QFrame:
        """复查: offers to mark a carried finding of this item corrected (hidden until then)."""
        self.corrected_bar = bar = QFrame()
        bar.setStyleSheet("QFrame { background: #e8f5e9; border-radius: 4px; }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        self.corrected_text = QLabel()
        self.corrected_text.setWordWrap(True)
        self.corrected_yes = QPushButton(_("Mark corrected"))
        self.corrected_no = QPushButton(_("Not now"))
        for b in (self.corrected_yes, self.corrected_no):
            b.setAutoDefault(False)
        self.corrected_finding: str | None = None
        self.corrected_yes.clicked.connect(
            lambda: self.corrected_finding and self.mark_corrected.emit(self.corrected_finding)
        )
        self.corrected_no.clicked.connect(lambda: self.offer_corrected(None))
        row.addWidget(self.corrected_text, 1)
        row.addWidget(self.corrected_yes)
        row.addWidget(self.corrected_no)
        bar.hide()
        return bar

    def offer_corrected(self, finding: dict[str, Any] | None) -> None:
        if not hasattr(self, "corrected_bar"):
            return
        self.corrected_finding = finding["id"] if finding else None
        if finding:
            self.corrected_text.setText(
                _(
                    "This item now earns full marks. The finding carried from the last visit, "
                    "“{description}”, is still open: mark it corrected?",
                    description=finding["description"],
                )
            )
        self.corrected_bar.setVisible(finding is not None)

    def show_typed(self, text: str) -> None:
        """Show what the inspector typed, though it was not saved."""
        if self.answer is not None:
            self.answer.show_typed(text)

    def show_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def focus_answer(self) -> None:
        if self.answer is not None:
            self.answer.focus_answer()

    def focus_comment(self) -> None:
        """Ctrl+M: the comment box, scrolled into view (below the photos it is off the
        screen of a laptop, and a programmatic focus does not scroll by itself)."""
        if self.comment is None:
            return
        box = self.comment
        box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._show_whole(box)
        # a page just shown gets its scroll range once its layout has run: again then
        QTimer.singleShot(0, lambda: self._show_whole(box) if box is self.comment else None)

    def _show_whole(self, child: QWidget) -> None:
        """Scroll so the whole of ``child`` shows (``ensureWidgetVisible`` of a focused text
        box only brings its cursor line into view)."""
        page = self.widget()
        if page is None:
            return
        centre = child.mapTo(page, child.rect().center())
        self.ensureVisible(centre.x(), centre.y(), 8, child.height() // 2 + 8)

    def set_photos(self, photos: Sequence[Any], ws: Workspace, missing: int) -> None:
        if self.photo_section is not None:
            self.photo_section.strip.set_photos(photos, ws)
            self.photo_section.set_missing(missing)

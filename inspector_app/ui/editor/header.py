"""The checklist editor's header: which inspection this is, whether everything is saved, the
total and grade as they stand, and the banners (read-only, signatures, a triggered veto).

The header only shows; ``ChecklistEditor`` tells it the score after each edit and the save
state after each write.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from inspector_app.domain.checklists.scoring import ScoreResult
from inspector_app.i18n import _, pick
from inspector_app.services.browse import status_label
from inspector_app.services.inspection_views import InspectionState
from inspector_app.ui.text_colour import text_colour

ERROR, TYPING, SAVED = "#b00020", "#8a6d00", "#2e7d32"  # the colours of the save state


def restyle(widget: QWidget, sheet: str) -> None:
    """Set a style sheet only when it changes: each ``setStyleSheet`` re-polishes the widget
    and lays the window out again, and every answer edit shows the grade and "saved"."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


class EditorHeader(QWidget):
    """Rows one above the other: titles and save state, the read-only banner, who signed,
    total · grade · notes, the veto banner (the banners only when they apply)."""

    def __init__(self, state: InspectionState, signatures: str, parent: QWidget | None = None):
        super().__init__(parent)
        s = state
        self.template = template = state.template
        self.title = QLabel(f"{s.site_name}  ({s.site_code})")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        weights = _(" (sample weights)") if template.uses_sample_weights else ""
        self.subtitle = QLabel(
            _(
                "{template} {version}{weights} · {inspectors} · {date} · {status}",
                template=pick(template.title),
                version=template.version,
                weights=weights,
                inspectors="、".join(s.inspectors),
                date=s.started_on.isoformat(),
                status=status_label(s.status)
                + (_(" · revision {rev}", rev=s.revision) if s.revision > 1 else ""),
            )
        )
        text_colour(self.subtitle, "#555")
        self.save_label = QLabel()
        self.save_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total_label = QLabel()
        big = self.total_label.font()
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.total_label.setFont(big)
        # as wide as the widest total it can show, and fixed: its text changes with every
        # answer, and a label whose size may change lays the whole window out again
        widest = max("0123456789", key=self.total_label.fontMetrics().horizontalAdvance)
        top = template.total_points
        self.total_label.setText(re.sub(r"\d", widest, f"{top:.2f} / {top:g}"))
        self.total_label.setFixedSize(self.total_label.sizeHint())
        self.grade_label = QLabel()
        self.grade_label.setFont(big)
        self.note_label = QLabel()
        text_colour(self.note_label, "#8a6d00")
        self.veto_banner = QLabel()
        self.veto_banner.setWordWrap(True)
        self.veto_banner.setStyleSheet(
            "background: #b00020; color: white; padding: 6px 10px; border-radius: 4px;"
        )
        self.readonly_banner = QLabel(
            _(
                "This inspection is {status} and read-only. Changes need an amendment with a "
                "reason.",
                status=status_label(s.status),
            )
        )
        self.readonly_banner.setStyleSheet(
            "background: #e3ecf7; color: #1f3b63; padding: 6px 10px; border-radius: 4px;"
        )
        self.sign_label = QLabel(signatures if not s.editable else "")
        if s.editable:  # hidden before they are laid out, never shown as windows of their own
            self.readonly_banner.hide()
            self.sign_label.hide()

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(self.save_label)
        scores = QHBoxLayout()
        scores.addWidget(QLabel(_("Total")))
        scores.addWidget(self.total_label)
        scores.addSpacing(16)
        scores.addWidget(self.grade_label)
        scores.addSpacing(16)
        scores.addWidget(self.note_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.readonly_banner)
        layout.addWidget(self.sign_label)
        layout.addLayout(scores)
        layout.addWidget(self.veto_banner)

    def show_score(self, r: ScoreResult) -> None:
        """Total, grade (provisional until every required answer is given), the notes and
        the veto banner."""
        template = self.template
        self.total_label.setText(f"{r.total:.2f} / {r.max_total:g}")
        try:
            grade = pick(template.grade(r.grade).label)
        except KeyError:
            grade = r.grade
        if r.provisional:  # not final until every required answer is given
            self.grade_label.setText(_("{grade} (provisional)", grade=grade))
            restyle(self.grade_label, "color: #8a6d00; font-style: italic;")
            self.grade_label.setToolTip(
                _("Provisional: {n} required answers missing", n=len(r.missing_required))
            )
        else:
            self.grade_label.setText(grade)
            colour = "#b00020" if r.grade == template.veto_grade else "#1b5e20"
            restyle(self.grade_label, f"color: {colour};")
            self.grade_label.setToolTip("")
        notes = []
        if r.provisional:
            notes.append(_("Provisional: {n} required answers missing", n=len(r.missing_required)))
        if template.uses_sample_weights:
            notes.append(_("sample weights (示例权重)"))
        self.note_label.setText(" · ".join(notes))
        if r.vetoed:
            self.veto_banner.setText(
                _(
                    "Veto (一票否决): {reasons}",
                    reasons="；".join(
                        f"{pick({'zh': v.title_zh, 'en': v.title_en})} — "
                        f"{pick({'zh': v.reason_zh, 'en': v.reason_en})}"
                        for v in r.vetoes
                    ),
                )
            )
        self.veto_banner.setVisible(r.vetoed)

    def show_saved(self, text: str, colour: str) -> None:
        restyle(self.save_label, f"color: {colour};")
        self.save_label.setText(text)

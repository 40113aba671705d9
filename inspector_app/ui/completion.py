"""Before completing: the summary an inspector checks. After: amend with a reason."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from inspector_app.i18n import _
from inspector_app.presenters.labels import severity_label
from inspector_app.ui.dialogs import RememberingDialog


def summary_html(s: dict[str, Any]) -> str:
    e = html.escape
    total = _(
        "Total: {score} / {max} · {grade}",
        score=f"{s['score']:.2f}",
        max=f"{s['max_score']:g}",
        grade=s["grade_label"],
    )
    parts = [f"<h2>{e(total)}</h2>"]
    if s["sample_weights"]:
        parts.append(
            f"<p style='color:#8a6d00'>{e(_('Scored with sample weights (示例权重).'))}</p>"
        )
    if s["vetoes"]:
        parts.append(
            f"<h3 style='color:#b00020'>{e(_('Veto items triggered (一票否决)'))}</h3><ul>"
        )
        parts += [f"<li><b>{e(v['title'])}</b> — {e(v['reason'])}</li>" for v in s["vetoes"]]
        parts.append("</ul>")
    if s["missing_required"]:
        parts.append(
            f"<h3 style='color:#b00020'>"
            f"{e(_('Required answers missing: {n}', n=len(s['missing_required'])))}</h3><ul>"
        )
        parts += [f"<li>{e(m)}</li>" for m in s["missing_required"]]
        parts.append("</ul>")
    else:
        parts.append(f"<p style='color:#2e7d32'>{e(_('Every required item is answered.'))}</p>")
    if s["missing_photos"]:
        parts.append(f"<h3 style='color:#c45100'>{e(_('Photos still missing'))}</h3><ul>")
        parts += [
            f"<li>{e(_('{title}: {n} more', title=p['title'], n=p['missing']))}</li>"
            for p in s["missing_photos"]
        ]
        parts.append("</ul>")
    if s["open_findings"]:
        parts.append(f"<h3>{e(_('Open findings: {n}', n=len(s['open_findings'])))}</h3><ul>")
        parts += [
            f"<li>[{e(severity_label(f['severity']))}] {e(f['description'])}"
            f"{' — ' + e(f['deadline']) if f['deadline'] else ''}</li>"
            for f in s["open_findings"]
        ]
        parts.append("</ul>")
    return "\n".join(parts)


class CompletionDialog(RememberingDialog):
    """Shows the summary; completing is possible only when nothing required is missing."""

    key = "completion"

    def __init__(self, summary: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Complete the inspection"))
        view = QTextBrowser()
        view.setAccessibleName(_("Completion summary"))
        view.setHtml(summary_html(summary))
        note = QLabel(
            _(
                "Completing freezes the score and the answers; the inspection becomes read-only "
                "and can then be signed. Later changes need an amendment with a reason."
            )
            if summary["can_complete"]
            else _("Answer the required items first; the list above shows which.")
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.complete_button = buttons.addButton(
            _("Complete and lock"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.complete_button.setEnabled(summary["can_complete"])
        close = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        if summary["can_complete"]:
            self.complete_button.setDefault(True)
        else:
            close.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(max(self.width(), 640), max(self.height(), 520))


class AmendDialog(RememberingDialog):
    key = "amend"

    def __init__(self, revision: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Amend the inspection"))
        intro = QLabel(
            _(
                "Revision {rev} stays on record with its signatures. Say why it must "
                "change; the inspection reopens as revision {next}.",
                rev=revision,
                next=revision + 1,
            )
        )
        intro.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(_("Reason for the amendment"))
        self.reason.setPlaceholderText(_("reason for the amendment (required)"))
        self.reason.setTabChangesFocus(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons())
        self.resize(max(self.width(), 520), max(self.height(), 280))
        self.reason.setFocus()

    def accept(self) -> None:
        if not self.reason.toPlainText().strip():
            self.error.setText(_("An amendment needs a reason."))
            return
        super().accept()

    def text(self) -> str:
        return self.reason.toPlainText().strip()

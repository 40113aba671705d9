"""The checklist editor: section tree, item panel, live score, autosave, undo.

Every edit goes straight to a service, which commits it (autosave: there is no Save
button). Typed input (free text, comments, scores and numbers) is on disk as a draft within
``DRAFT_MS`` of the keystroke (services/drafts.py) and becomes one audited edit, one undo
step, when typing pauses or the inspector moves on. The score, grade and veto banner come
back from the service with each edit. A typed value the service refuses saves nothing: the
stored answer stays, the field says so, and Enter stays on it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app import timefmt
from inspector_app.domain.checklists.schema import AnswerType, Item, Veto
from inspector_app.domain.checklists.scoring import ScoreResult
from inspector_app.i18n import _, pick
from inspector_app.services import drafts
from inspector_app.services import inspections as svc
from inspector_app.services.browse import status_label
from inspector_app.services.errors import ServiceError
from inspector_app.services.inspections import AnswerView, InspectionState
from inspector_app.store.db import Database
from inspector_app.ui.editor.evidence import EvidenceMixin
from inspector_app.ui.editor.panel import ItemPanel
from inspector_app.ui.findings import FindingsPanel
from inspector_app.ui.photos import (
    PhotoSection,
    choose_files,
    choose_folder,
)
from inspector_app.ui.plain import plain_labels, plain_tip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
VETO_SECTION = "__veto__"
DRAFT_MS = 40  # typed input is on disk this long after the keystroke, at most
TEXT_COMMIT_MS = 1000  # free text becomes an audited edit when typing pauses this long
NUMBER_COMMIT_MS = 300  # a score or number being typed, likewise


class AnswerCommand(QUndoCommand):
    """One answer edit; consecutive typing in the same field merges into one step."""

    def __init__(
        self,
        editor: ChecklistEditor,
        item_id: str,
        before: AnswerView,
        after: AnswerView,
        typing: bool,
    ):
        item = editor._index.get(item_id)
        super().__init__(_("answer “{item}”", item=pick(item.title) if item else item_id))
        self.editor, self.item_id, self.before, self.after = editor, item_id, before, after
        self.typing = typing
        self.applied = True  # pushed after the edit was saved

    def id(self) -> int:
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (
            isinstance(other, AnswerCommand)
            and other.item_id == self.item_id
            and self.typing
            and other.typing
        ):
            self.after = other.after
            return True
        return False

    def redo(self) -> None:
        if self.applied:
            self.applied = False
            return
        self.editor.restore(self.item_id, self.after)

    def undo(self) -> None:
        self.typing = False  # an undone step, redone or not, is no longer a run being typed
        self.editor.restore(self.item_id, self.before)


def summary(item: Item | Veto, view: AnswerView) -> str:
    if view.not_applicable:
        return _("n/a")
    value = view.value
    if value is None:
        return "—"
    if isinstance(item, Veto):
        return _("Triggered") if value == "yes" else _("Not triggered")
    if item.type is AnswerType.YES_NO:
        return _("Yes") if value == "yes" else _("No")
    if item.type is AnswerType.CHOICE:
        for o in item.options:
            if o.id == value:
                return pick(o.label)
    if item.type is AnswerType.TEXT:
        text = str(value).replace("\n", " ")
        return text if len(text) <= 12 else text[:12] + "…"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


class ChecklistEditor(EvidenceMixin, QWidget):
    saved_state = Signal(str)  # a human-readable save status for the status bar
    score_changed = Signal(str)  # inspection id
    closed = Signal()

    def __init__(
        self, db: Database, state: InspectionState, actor: str, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.db = db
        self.state = state
        self.actor = actor
        self.template = state.template
        self.answers: dict[str, AnswerView] = dict(state.answers)
        self.score: ScoreResult = state.score
        self.undo_stack = QUndoStack(self)
        self.current: str | None = None
        # typed input not yet an audited edit: (item, kind) -> text; and not yet on disk
        self._pending: dict[tuple[str, str], str] = {}
        self._undrafted: set[tuple[str, str]] = set()
        self._invalid: dict[str, str] = {}  # item -> why its typed value was refused
        self._refused_comments: dict[str, str] = {}  # item -> why its typed comment was
        self._last_error = ""
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_MS)
        self._draft_timer.timeout.connect(self._write_drafts)
        self._commit_timer = QTimer(self)
        self._commit_timer.setSingleShot(True)
        self._commit_timer.timeout.connect(self.flush)
        self.last_saved: dt.datetime | None = None
        self.dialog: QWidget | None = None
        self.last_commit_ms: float = 0.0

        self._index: dict[str, Item | Veto] = {v.id: v for v in self.template.vetoes}
        self._section_of: dict[str, Any] = {}
        self._numbers: dict[str, str] = {}  # "2.3", as the report numbers them
        for n, section in enumerate(self.template.sections, start=1):
            for k, item in enumerate(section.items, start=1):
                self._index[item.id] = item
                self._section_of[item.id] = section
                self._numbers[item.id] = f"{n}.{k}"

        self._build()
        plain_labels(self)  # the site, the inspectors, signers, messages: data, never markup
        self._fill_tree()
        self.refresh()
        first = self.next_unanswered_id(None) or (self.order()[0] if self.order() else None)
        if first:
            self.select_item(first, focus=False)
        self.reload_photos()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        s = self.state
        self.title = QLabel(f"{s.site_name}  ({s.site_code})")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        weights = _(" (sample weights)") if self.template.uses_sample_weights else ""
        self.subtitle = QLabel(
            _(
                "{template} {version}{weights} · {inspectors} · {date} · {status}",
                template=pick(self.template.title),
                version=self.template.version,
                weights=weights,
                inspectors="、".join(s.inspectors),
                date=s.started_on.isoformat(),
                status=status_label(s.status)
                + (_(" · revision {rev}", rev=s.revision) if s.revision > 1 else ""),
            )
        )
        self.subtitle.setStyleSheet("color: #555;")
        self.save_label = QLabel()
        self.save_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total_label = QLabel()
        big = self.total_label.font()
        big.setPointSizeF(big.pointSizeF() * 1.6)
        big.setBold(True)
        self.total_label.setFont(big)
        self.grade_label = QLabel()
        self.grade_label.setFont(big)
        self.note_label = QLabel()
        self.note_label.setStyleSheet("color: #8a6d00;")
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
        self.sign_label = QLabel(self._signature_text() if not s.editable else "")
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

        self.tree = QTreeWidget()
        self.tree.setAccessibleName(_("Indicator tree"))
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([_("Indicator"), _("Answer / progress"), _("Points")])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(1, 110)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(self._tree_moved)
        self.tree.itemActivated.connect(lambda *_a: self.panel.focus_answer())

        self.panel = ItemPanel()
        self.panel.answer_changed.connect(self._answer_from_panel)
        self.panel.not_applicable.connect(self.mark_not_applicable)
        self.panel.comment_changed.connect(
            lambda item_id, text: self._queue(item_id, "comment", text)
        )
        self.panel.evidence_changed.connect(self.set_evidence)
        self.panel.advance.connect(self.next_item)
        self.panel.add_photo_files.connect(lambda i: self.add_photos(i, choose_files(self)))
        self.panel.add_photo_folder.connect(lambda i: self.add_photos(i, choose_folder(self)))
        self.panel.photos_dropped.connect(self.add_photos)
        self.panel.open_photo.connect(lambda pid: self.view_photo(pid, item_only=True))
        self.panel.mark_corrected.connect(self.mark_corrected)

        self.findings = FindingsPanel(self.template, self.state.editable)
        self.findings.add_requested.connect(lambda: self.record_finding(None))
        self.findings.edit_requested.connect(self.edit_finding)
        self.findings.status_requested.connect(
            lambda row, status: self._finding_change(row["id"], status=status)
        )
        self.side = QTabWidget()
        self.side.addTab(self.panel, _("Item"))
        self.side.addTab(self.findings, _("Findings (问题与整改)"))
        self.all_photos = PhotoSection(self.state.editable)
        self.all_photos.add_files.connect(lambda: self.add_photos(None, choose_files(self)))
        self.all_photos.add_folder.connect(lambda: self.add_photos(None, choose_folder(self)))
        self.all_photos.files_dropped.connect(lambda paths: self.add_photos(None, paths))
        self.all_photos.open_photo.connect(self.view_photo)
        photos_page = QWidget()
        pl = QVBoxLayout(photos_page)
        pl.addWidget(
            QLabel(
                _(
                    "Every photo of this inspection; photos added here belong to the "
                    "inspection as a whole."
                )
            )
        )
        pl.addWidget(self.all_photos)
        pl.addStretch(1)
        self.side.addTab(photos_page, _("Photos"))
        self.photos: list[Any] = []
        self.missing_photos: dict[str, int] = {}
        self.reload_findings()

        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 760])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(head)
        layout.addWidget(self.readonly_banner)
        layout.addWidget(self.sign_label)
        layout.addLayout(scores)
        layout.addWidget(self.veto_banner)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.tree, self.panel)

        self.commands = self._make_commands()

    def _make_commands(self) -> dict[str, QAction]:
        def act(key: str, text: str, shortcuts: list[QKeySequence | str], slot: Any) -> QAction:
            a = QAction(text, self)
            a.setShortcuts([QKeySequence(k) for k in shortcuts])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(slot)
            return a

        undo = self.undo_stack.createUndoAction(self, _("Undo"))
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, _("Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        return {
            "undo": undo,
            "redo": redo,
            "next": act("next", _("Next item"), ["Ctrl+Down", "Alt+Down"], self.next_item),
            "previous": act(
                "previous", _("Previous item"), ["Ctrl+Up", "Alt+Up"], self.previous_item
            ),
            "next_unanswered": act(
                "next_unanswered", _("Next unanswered"), ["F3", "Ctrl+J"], self.go_next_unanswered
            ),
            "answer": act(
                "answer", _("Go to the answer"), ["Ctrl+L"], lambda: self.panel.focus_answer()
            ),
            "comment": act("comment", _("Go to the comment"), ["Ctrl+M"], self.focus_comment),
            "tree": act(
                "tree", _("Go to the indicator tree"), ["Ctrl+T"], lambda: self.tree.setFocus()
            ),
            "record_finding": act(
                "record_finding",
                _("Record a finding…"),
                ["Ctrl+Shift+F"],
                lambda: self.record_finding(self.current),
            ),
            "findings": act("findings", _("Findings list / item"), ["F6"], self.toggle_findings),
            "add_photos": act(
                "add_photos",
                _("Add photos to this item…"),
                ["Ctrl+P"],
                lambda: self.add_photos(self.current, choose_files(self)),
            ),
        }

    def _fill_tree(self) -> None:
        self.tree.clear()
        self._rows: dict[str, QTreeWidgetItem] = {}
        self._section_rows: dict[str, QTreeWidgetItem] = {}
        bold = QFont(self.tree.font())
        bold.setBold(True)
        if self.template.vetoes:
            top = QTreeWidgetItem([_("Veto items (一票否决)"), "", ""])
            top.setData(0, ID_ROLE, VETO_SECTION)
            top.setFont(0, bold)
            self.tree.addTopLevelItem(top)
            self._section_rows[VETO_SECTION] = top
            for veto in self.template.vetoes:
                row = QTreeWidgetItem([pick(veto.title), "", ""])
                row.setData(0, ID_ROLE, veto.id)
                row.setToolTip(0, plain_tip(pick(veto.title)))
                top.addChild(row)
                self._rows[veto.id] = row
        for section in self.template.sections:
            top = QTreeWidgetItem([pick(section.title), "", ""])
            top.setData(0, ID_ROLE, section.id)
            top.setFont(0, bold)
            self.tree.addTopLevelItem(top)
            self._section_rows[section.id] = top
            for item in section.items:
                row = QTreeWidgetItem([pick(item.title), "", ""])
                row.setData(0, ID_ROLE, item.id)
                row.setToolTip(0, plain_tip(pick(item.title)))
                top.addChild(row)
                self._rows[item.id] = row
        self.tree.expandAll()

    # -- showing state ------------------------------------------------------------------
    def refresh(self) -> None:
        """Header, banners and every tree row from the current answers and score."""
        r = self.score
        self.total_label.setText(f"{r.total:.2f} / {r.max_total:g}")
        try:
            grade = pick(self.template.grade(r.grade).label)
        except KeyError:
            grade = r.grade
        if r.provisional:  # not final until every required answer is given
            self.grade_label.setText(_("{grade} (provisional)", grade=grade))
            self.grade_label.setStyleSheet("color: #8a6d00; font-style: italic;")
            self.grade_label.setToolTip(
                _("Provisional: {n} required answers missing", n=len(r.missing_required))
            )
        else:
            self.grade_label.setText(grade)
            colour = "#b00020" if r.grade == self.template.veto_grade else "#1b5e20"
            self.grade_label.setStyleSheet(f"color: {colour};")
            self.grade_label.setToolTip("")
        notes = []
        if r.provisional:
            notes.append(_("Provisional: {n} required answers missing", n=len(r.missing_required)))
        if self.template.uses_sample_weights:
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

        missing = set(r.missing_required)
        grey = QBrush(QColor("#999"))
        red = QBrush(QColor("#b00020"))
        normal = QBrush(self.palette().text().color())
        for item_id, row in self._rows.items():
            item = self._index[item_id]
            view = self.answers.get(item_id, AnswerView())
            iscore = r.items.get(item_id)
            row.setHidden(bool(iscore and not iscore.visible))
            row.setText(1, summary(item, view))
            if iscore and isinstance(item, Item) and item.scored:
                row.setText(2, f"{iscore.points:g}/{item.points:g}" if iscore.applicable else "—")
            brush = red if item_id in missing else grey if view.not_applicable else normal
            row.setForeground(0, brush)
            row.setForeground(1, red if isinstance(item, Veto) and view.value == "yes" else brush)
        sections = {sec.section_id: sec for sec in r.sections}
        for section in self.template.sections:
            row = self._section_rows[section.id]
            sc = sections[section.id]
            visible = [i for i in section.items if r.items[i.id].visible]
            answered = sum(1 for i in visible if self.answers.get(i.id, AnswerView()).answered)
            row.setText(1, f"{answered}/{len(visible)}")
            row.setText(2, f"{sc.points:.2f}/{sc.max_points:g}" if sc.applicable else "—")
        if self.template.vetoes:
            answered = sum(
                1 for v in self.template.vetoes if self.answers.get(v.id, AnswerView()).answered
            )
            self._section_rows[VETO_SECTION].setText(1, f"{answered}/{len(self.template.vetoes)}")

    def _show_saved(self, error: str | None = None) -> None:
        """The header: an error while one stands, else whether everything is on disk."""
        if error is None and self.current is not None:
            error = self._invalid.get(self.current) or self._refused_comments.get(self.current)
        if error:
            text = _("Not saved: {error}", error=error)
            self.save_label.setStyleSheet("color: #b00020;")
        elif self._undrafted:
            text = _("Typing…")
            self.save_label.setStyleSheet("color: #8a6d00;")
        else:
            stamp = timefmt.local(self.last_saved or dt.datetime.now(dt.UTC)).strftime("%H:%M:%S")
            text = (
                _("All changes saved · {time}", time=stamp)
                if self.last_saved
                else _("No changes yet")
            )
            self.save_label.setStyleSheet("color: #2e7d32;")
        self.save_label.setText(text)
        self.saved_state.emit(text)

    # -- navigation ---------------------------------------------------------------------
    def order(self) -> list[str]:
        """Vetoes first (the pre-check), then every visible item in template order."""
        ids = [v.id for v in self.template.vetoes]
        ids += [
            i.id for s in self.template.sections for i in s.items if self.score.items[i.id].visible
        ]
        return ids

    def select_item(self, item_id: str, focus: bool = True) -> None:
        row = self._rows.get(item_id)
        if row is None:
            return
        self.tree.setCurrentItem(row)  # -> _tree_moved -> panel
        self.tree.scrollToItem(row)
        if focus:
            self.panel.focus_answer()

    def _tree_moved(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        if current is None:
            return
        item_id = current.data(0, ID_ROLE)
        if item_id not in self._index:  # a section row: show its first visible item
            child = next(
                (
                    current.child(i)
                    for i in range(current.childCount())
                    if not current.child(i).isHidden()
                ),
                None,
            )
            if child is None:
                return
            item_id = child.data(0, ID_ROLE)
        if item_id == self.current:
            return
        self.flush()
        self._abandon_invalid()
        self._end_typing_run()
        self.current = item_id
        item = self._index[item_id]
        self.panel.show_item(
            item,
            self._section_of[item_id].title if item_id in self._section_of else None,
            self._numbers.get(item_id, ""),
            self.answers.get(item_id, AnswerView()),
            self.score.items.get(item_id),
            self.state.editable,
            self.template.uses_sample_weights,
        )
        self._show_item_photos()

    def _stays(self) -> bool:
        """Commit what is typed; True when the current item's typed value was refused, so
        the keyboard stays on it (the field and the header say why)."""
        self.flush()
        return self.current in self._invalid or self.current in self._refused_comments

    def next_item(self) -> None:
        if self._stays():
            return
        ids = self.order()
        if self.current in ids:
            pos = ids.index(self.current)
            if pos + 1 < len(ids):
                self.select_item(ids[pos + 1])
                return
        target = self.next_unanswered_id(self.current)
        if target:
            self.select_item(target)

    def previous_item(self) -> None:
        if self._stays():
            return
        ids = self.order()
        if self.current in ids and ids.index(self.current) > 0:
            self.select_item(ids[ids.index(self.current) - 1])

    def next_unanswered_id(self, after: str | None) -> str | None:
        ids = self.order()
        start = ids.index(after) + 1 if after in ids else 0
        for item_id in ids[start:] + ids[:start]:
            if not self.answers.get(item_id, AnswerView()).answered:
                item = self._index[item_id]
                if isinstance(item, Veto) or item.required or item.scored:
                    return item_id
        return None

    def go_next_unanswered(self) -> None:
        if self._stays():
            return
        target = self.next_unanswered_id(self.current)
        if target:
            self.select_item(target)
        else:
            self.saved_state.emit(_("Every item is answered."))

    def focus_comment(self) -> None:
        self.panel.focus_comment()

    # -- edits --------------------------------------------------------------------------
    def _typed(self, item_id: str) -> bool:
        """Answers typed key by key (text, score, number): drafted, then committed on a pause."""
        item = self._index[item_id]
        return isinstance(item, Item) and item.type in (
            AnswerType.TEXT,
            AnswerType.SCORE,
            AnswerType.NUMBER,
        )

    def _answer_from_panel(self, item_id: str, value: Any) -> None:
        if self._typed(item_id):
            self._queue(item_id, "value", "" if value is None else str(value))
        else:
            self.apply_answer(item_id, value)

    def _commit(self, item_id: str, call: Any) -> bool:
        """Run one service edit; on success take its score and refresh, else flag inline."""
        if not self.state.editable:
            return False
        t0 = time.perf_counter()
        try:
            result = call()
        except ServiceError as exc:
            self._last_error = exc.problem
            if item_id == self.current:
                self.panel.show_error(exc.problem)
            self._show_saved(exc.problem)
            return False
        self.last_commit_ms = (time.perf_counter() - t0) * 1000
        score = result if isinstance(result, ScoreResult) else result.score
        if not isinstance(result, ScoreResult):
            self.answers[item_id] = svc.answer_view(result.answer)
        self.score = score
        self.last_saved = dt.datetime.now(dt.UTC)
        if item_id == self.current:
            self.panel.show_error(None)
            self.panel.update_answer(
                self.answers.get(item_id, AnswerView()), score.items.get(item_id)
            )
        self.refresh()
        self._show_saved()
        self.score_changed.emit(self.state.id)
        self.offer_corrected(item_id)
        return True

    def apply_answer(self, item_id: str, value: Any, typing: bool = False) -> bool:
        before = self.answers.get(item_id, AnswerView())
        self._invalid.pop(item_id, None)
        ok = self._commit(
            item_id,
            lambda: svc.answer_item(self.db, self.state.id, item_id, value, actor=self.actor),
        )
        if ok:
            self._push(item_id, before, typing)
        return ok

    def mark_not_applicable(self, item_id: str) -> bool:
        before = self.answers.get(item_id, AnswerView())
        ok = self._commit(
            item_id,
            lambda: svc.mark_not_applicable(self.db, self.state.id, item_id, actor=self.actor),
        )
        if ok:
            self._push(item_id, before, False)
        return ok

    def set_evidence(self, item_id: str, checked: list[int]) -> None:
        self._commit(
            item_id,
            lambda: svc.set_evidence_checked(
                self.db, self.state.id, item_id, checked, actor=self.actor
            ),
        )

    def _push(self, item_id: str, before: AnswerView, typing: bool) -> None:
        after = self.answers.get(item_id, AnswerView())
        if (before.value, before.not_applicable) != (after.value, after.not_applicable):
            self.undo_stack.push(AnswerCommand(self, item_id, before, after, typing))

    def restore(self, item_id: str, view: AnswerView) -> None:
        """Undo/redo: put one answer back and show the inspector where it changed."""
        if self._commit(
            item_id,
            lambda: svc.restore_answer(self.db, self.state.id, item_id, view, actor=self.actor),
        ):
            current = self.answers.get(item_id, AnswerView())
            self.answers[item_id] = AnswerView(
                view.value if not view.not_applicable else None,
                view.not_applicable,
                current.comment,
                current.evidence,
            )
            self.refresh()
            self.select_item(item_id, focus=False)
            if self.current == item_id:
                self.panel.update_answer(self.answers[item_id], self.score.items.get(item_id))

    def _queue(self, item_id: str, kind: str, text: str) -> None:
        """Typed input: on disk as a draft at once (DRAFT_MS), an audited edit when typing
        pauses (or at once when the inspector moves on)."""
        if not self.state.editable:
            return
        key = (item_id, kind)
        self._pending[key] = text
        self._undrafted.add(key)
        if not self._draft_timer.isActive():  # never later than DRAFT_MS after a keystroke
            self._draft_timer.start()
        number = kind == "value" and self._number(item_id)
        self._commit_timer.start(NUMBER_COMMIT_MS if number else TEXT_COMMIT_MS)
        self._show_saved()

    def _number(self, item_id: str) -> bool:
        item = self._index[item_id]
        return isinstance(item, Item) and item.type in (AnswerType.SCORE, AnswerType.NUMBER)

    def _write_drafts(self) -> None:
        """Put what is being typed on disk (one autocommitted statement each)."""
        self._draft_timer.stop()
        keys, self._undrafted = self._undrafted, set()
        error = None
        for key in keys:
            if key not in self._pending:
                continue  # committed meanwhile
            item_id, kind = key
            try:
                drafts.save_draft(
                    self.db, self.state.id, item_id, kind, self._pending[key], actor=self.actor
                )
            except ServiceError as exc:
                # what was on disk of this run is not what the field holds: it must not be
                # saved by a later start either
                drafts.drop_draft(self.db, drafts.Draft(self.state.id, item_id, kind, "", ""))
                error = str(exc)
                if item_id == self.current:
                    self.panel.show_error(error)
                continue
            self.last_saved = dt.datetime.now(dt.UTC)
        self._show_saved(error)

    def flush(self) -> None:
        """Turn what was typed into audited edits now (moving on, closing, or a pause)."""
        self._draft_timer.stop()
        self._commit_timer.stop()
        pending, self._pending = self._pending, {}
        self._undrafted = set()
        for (item_id, kind), text in pending.items():
            if kind == "comment":
                if self._commit(
                    item_id,
                    lambda i=item_id, v=text: svc.comment_item(
                        self.db, self.state.id, i, v, actor=self.actor
                    ),
                ):
                    self._refused_comments.pop(item_id, None)
                else:  # saved nothing: the field keeps it, says why, and Enter stays
                    self._refused_comments[item_id] = self._last_error
                continue
            before = self.answers.get(item_id, AnswerView())
            value = text.strip() or None
            if self._commit(
                item_id,
                lambda i=item_id, v=value: svc.answer_item(
                    self.db, self.state.id, i, v, actor=self.actor
                ),
            ):
                self._invalid.pop(item_id, None)
                self._push(item_id, before, True)
            else:
                self._refused(item_id, text)
        self._show_saved()

    def _end_typing_run(self) -> None:
        """Leaving an item ends what was typed there: coming back starts a new run, which
        neither merges into that step nor takes it back when refused (the answer left there
        was saved and shown as saved)."""
        top = self.undo_stack.command(self.undo_stack.index() - 1)
        if isinstance(top, AnswerCommand):
            top.typing = False

    def _refused(self, item_id: str, text: str) -> None:
        """A typed value the service refused saves nothing: an earlier keystroke of the same
        run that was valid on its own ("3" on the way to "30") is taken back too."""
        top = self.undo_stack.command(self.undo_stack.index() - 1)
        if (
            isinstance(top, AnswerCommand)
            and top.item_id == item_id
            and top.typing
            and self.undo_stack.index() == self.undo_stack.count()
        ):
            top.undo()  # back to the answer the run started from
            top.setObsolete(True)  # and the step goes (QUndoStack drops an obsolete command)
            self.undo_stack.undo()
        stored = self.answers.get(item_id, AnswerView())
        reason = self._last_error.rstrip("。. ")
        self._invalid[item_id] = (
            _(
                "{reason}; the saved answer is still {stored}",
                reason=reason,
                stored=summary(self._index[item_id], stored),
            )
            if stored.answered
            else _("{reason}; nothing is saved for this item yet", reason=reason)
        )
        if item_id == self.current:
            self.panel.show_typed(text)  # the field keeps what was typed, and says why
            self.panel.show_error(self._invalid[item_id])
        self._show_saved()

    def _abandon_invalid(self) -> None:
        """Leaving an item whose typed value was refused: its draft goes, it shows the saved
        answer again when the inspector comes back, and the header forgets the error."""
        if self.current is None:
            return
        for kind, refused in (("value", self._invalid), ("comment", self._refused_comments)):
            if refused.pop(self.current, None) is not None:
                drafts.drop_draft(
                    self.db, drafts.Draft(self.state.id, self.current, kind, "", self.actor)
                )
                self._show_saved()

    def has_pending(self) -> bool:
        """Typed input not yet on disk (the header says "Typing…" meanwhile)."""
        return bool(self._undrafted)

    def has_uncommitted(self) -> bool:
        """Typed input on disk as a draft but not yet an audited edit."""
        return bool(self._pending)

    def closeEvent(self, event: Any) -> None:
        self.flush()
        super().closeEvent(event)

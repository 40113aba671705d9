"""The checklist editor: section tree, item panel, live score, autosave, undo.

Every edit goes straight to a service, which commits it (autosave: there is no Save
button). Typed input (free text, comments, scores and numbers) is on disk as a draft within
``DRAFT_MS`` of the keystroke (services/drafts.py) and becomes one audited edit, one undo
step, when typing pauses or the inspector moves on (``typed.py``). The score, grade and veto
banner come back from the service with each edit. A typed value the service refuses saves
nothing: the stored answer stays, the field says so, and Enter stays on it.

``ChecklistEditor`` holds the inspection being edited and decides: where the keyboard goes,
what each edit saves and what undo puts back. The header (``header.py``), the indicator tree
(``tree.py``) and the item panel (``panel.py``) show; the findings and photos tabs are
``evidence.py``'s.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import QSplitter, QTabWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from inspector_app import timefmt
from inspector_app.domain.checklists.schema import AnswerType, Item, Section, Veto
from inspector_app.domain.checklists.scoring import ScoreResult
from inspector_app.i18n import _, pick
from inspector_app.services import answers as answers_svc
from inspector_app.services import drafts
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.answers import AnswerView, EditResult
from inspector_app.services.changes import Changes
from inspector_app.services.errors import ServiceError, Stale
from inspector_app.services.inspection_views import InspectionState
from inspector_app.ui.editor.commands import editor_commands
from inspector_app.ui.editor.evidence import EvidenceMixin
from inspector_app.ui.editor.header import ERROR, SAVED, TYPING, EditorHeader
from inspector_app.ui.editor.panel import ItemPanel
from inspector_app.ui.editor.tree import ID_ROLE, IndicatorTree, first_shown_child, summary
from inspector_app.ui.editor.typed import TypedInput
from inspector_app.ui.editor.undo import AnswerCommand
from inspector_app.ui.operations import Operations
from inspector_app.ui.photos import choose_files
from inspector_app.ui.plain import plain_labels
from inspector_app.workspace import Workspace


def _no_change(_result: object) -> Changes:
    return Changes()


class ChecklistEditor(EvidenceMixin):
    saved_state = Signal(str)  # a human-readable save status for the status bar
    score_changed = Signal(str)  # inspection id
    closed = Signal()

    def __init__(
        self,
        ws: Workspace,
        state: InspectionState,
        actor: str,
        ops: Operations,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ws = ws
        self.ops = ops  # every write runs through it and says what it changed
        self.state = state
        self.actor = actor
        self.template = state.template
        self.answers: dict[str, AnswerView] = dict(state.answers)
        self.score = state.score
        self.undo_stack = QUndoStack(self)
        self.current = None
        self.typed = TypedInput(self)  # typed input not yet an audited edit
        self.typed.draft_due.connect(self._write_drafts)
        self.typed.commit_due.connect(self.flush)
        self._invalid: dict[str, str] = {}  # item -> why its typed value was refused
        self._refused_comments: dict[str, str] = {}  # item -> why its typed comment was
        self._last_error = ""
        self.last_saved = None
        self.dialog = None
        self.last_commit_ms: float = 0.0

        self._index: dict[str, Item | Veto] = {v.id: v for v in self.template.vetoes}
        self._section_of: dict[str, Section] = {}
        self._numbers: dict[str, str] = {}  # "2.3", as the report numbers them
        for n, section in enumerate(self.template.sections, start=1):
            for k, item in enumerate(section.items, start=1):
                self._index[item.id] = item
                self._section_of[item.id] = section
                self._numbers[item.id] = f"{n}.{k}"

        self._build()
        plain_labels(self)  # the site, the inspectors, signers, messages: data, never markup
        self.tree.fill(self.template)
        self.refresh()
        first = self.next_unanswered_id(None) or (self.order()[0] if self.order() else None)
        if first:
            self.select_item(first, focus=False)
        self.reload_photos()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.header = EditorHeader(
            self.state, self._signature_text() if not self.state.editable else ""
        )
        self.tree = IndicatorTree()
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
        self.side = QTabWidget()
        self.side.addTab(self.panel, _("Item"))
        self._build_evidence()  # the Findings and Photos tabs, the panel's photos

        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 760])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.header)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.tree, self.panel)

        self.commands = editor_commands(
            self,
            self.undo_stack,
            {
                "next": self.next_item,
                "previous": self.previous_item,
                "next_unanswered": self.go_next_unanswered,
                "answer": lambda: self.panel.focus_answer(),
                "comment": self.focus_comment,
                "tree": lambda: self.tree.setFocus(),
                "record_finding": lambda: self.record_finding(self.current),
                "findings": self.toggle_findings,
                "add_photos": lambda: self.add_photos(self.current, choose_files(self)),
            },
        )

    # -- showing state ------------------------------------------------------------------
    def refresh(self) -> None:
        """Header, banners and every tree row from the current answers and score."""
        self.header.show_score(self.score)
        self.tree.show_answers(
            self.template, self._index, self.score, self.answers, self.palette().text().color()
        )

    def _show_saved(self, error: str | None = None) -> None:
        """The header: an error while one stands, else whether everything is on disk."""
        if error is None and self.current is not None:
            error = self._invalid.get(self.current) or self._refused_comments.get(self.current)
        if error:
            text, colour = _("Not saved: {error}", error=error), ERROR
        elif self.typed.undrafted:
            text, colour = _("Typing…"), TYPING
        else:
            stamp = timefmt.local(self.last_saved or dt.datetime.now(dt.UTC)).strftime("%H:%M:%S")
            text = (
                _("All changes saved · {time}", time=stamp)
                if self.last_saved
                else _("No changes yet")
            )
            colour = SAVED
        self.header.show_saved(text, colour)
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
        row = self.tree.rows.get(item_id)
        if row is None:
            return
        self.tree.setCurrentItem(row)  # -> _tree_moved -> panel
        self.tree.scrollToItem(row)
        if focus:
            self.panel.focus_answer()

    def _tree_moved(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        if current is None:
            return
        item_id = current.data(0, ID_ROLE)
        if item_id not in self._index:  # a section row: show its first visible item
            child = first_shown_child(current)
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

    def _commit(self, item_id: str, call: Callable[[], EditResult | ScoreResult]) -> bool:
        """Run one service edit; on success take its score and refresh, else flag inline."""
        if not self.state.editable:
            return False
        t0 = time.perf_counter()
        try:
            result = self.ops.do(call, changes=self._changed_here, source=self)
        except ServiceError as exc:
            self._last_error = exc.problem
            if isinstance(exc, Stale):
                self.changed_underneath()
            if item_id == self.current:
                self.panel.show_error(exc.problem)
            self._show_saved(exc.problem)
            return False
        self.last_commit_ms = (time.perf_counter() - t0) * 1000
        score = result if isinstance(result, ScoreResult) else result.score
        if not isinstance(result, ScoreResult):
            self.answers[item_id] = answers_svc.answer_view(result.answer)
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

    def _changed_here(self, _result: object) -> Changes:
        return Changes.of(inspections=[self.state.id])

    def _edit(self, fn: Callable[..., Any], item_id: str, *args: Any) -> Callable[[], Any]:
        """A service edit of one answer naming its version as this editor shows it: refused
        if the answer changed meanwhile (a package taken, another window)."""
        seen = self.answers.get(item_id, AnswerView()).version
        return partial(fn, self.ws, self.state.id, item_id, *args, actor=self.actor, expected=seen)

    def apply_answer(self, item_id: str, value: Any, typing: bool = False) -> bool:
        before = self.answers.get(item_id, AnswerView())
        self._invalid.pop(item_id, None)
        ok = self._commit(item_id, self._edit(answers_svc.answer_item, item_id, value))
        if ok:
            self._push(item_id, before, typing)
        return ok

    def mark_not_applicable(self, item_id: str) -> bool:
        before = self.answers.get(item_id, AnswerView())
        ok = self._commit(item_id, self._edit(answers_svc.mark_not_applicable, item_id))
        if ok:
            self._push(item_id, before, False)
        return ok

    def set_evidence(self, item_id: str, checked: list[int]) -> None:
        self._commit(item_id, self._edit(answers_svc.set_evidence_checked, item_id, checked))

    def changed_underneath(self) -> None:
        """The inspection changed since it was shown (a package taken, another window):
        show what is stored now, and forget the undo steps, which describe another past."""
        state = views_svc.load_inspection_state(self.ws, self.state.id)
        self.answers = dict(state.answers)
        self.score = state.score
        QTimer.singleShot(0, self.undo_stack.clear)  # not from inside the stack's own undo
        self.refresh()
        if self.current is not None:
            self.panel.update_answer(
                self.answers.get(self.current, AnswerView()), self.score.items.get(self.current)
            )

    def _push(self, item_id: str, before: AnswerView, typing: bool) -> None:
        after = self.answers.get(item_id, AnswerView())
        if (before.value, before.not_applicable) != (after.value, after.not_applicable):
            item = self._index.get(item_id)
            title = pick(item.title) if item else item_id
            self.undo_stack.push(AnswerCommand(self.restore, item_id, title, before, after, typing))

    def restore(self, item_id: str, view: AnswerView) -> None:
        """Undo/redo: put one answer back and show the inspector where it changed."""
        if self._commit(item_id, self._edit(answers_svc.restore_answer, item_id, view)):
            self.select_item(item_id, focus=False)
            if self.current == item_id:
                self.panel.update_answer(self.answers[item_id], self.score.items.get(item_id))

    def _queue(self, item_id: str, kind: str, text: str) -> None:
        """Typed input: on disk as a draft at once (DRAFT_MS), an audited edit when typing
        pauses (or at once when the inspector moves on)."""
        if not self.state.editable:
            return
        self.typed.queue((item_id, kind), text, number=kind == "value" and self._number(item_id))
        self._show_saved()

    def _number(self, item_id: str) -> bool:
        item = self._index[item_id]
        return isinstance(item, Item) and item.type in (AnswerType.SCORE, AnswerType.NUMBER)

    def _draft(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Write or drop a draft (``services.drafts``): no other screen shows drafts, so the
        operation announces no change."""
        self.ops.do(partial(fn, self.ws, *args, **kwargs), changes=_no_change)

    def _write_drafts(self) -> None:
        """Put what is being typed on disk (one autocommitted statement each)."""
        error = None
        for (item_id, kind), text in self.typed.take_undrafted().items():
            try:
                self._draft(drafts.save_draft, self.state.id, item_id, kind, text, actor=self.actor)
            except ServiceError as exc:
                # what was on disk of this run is not what the field holds: it must not be
                # saved by a later start either
                self._draft(drafts.drop_draft, drafts.Draft(self.state.id, item_id, kind, "", ""))
                error = str(exc)
                if item_id == self.current:
                    self.panel.show_error(error)
                continue
            self.last_saved = dt.datetime.now(dt.UTC)
        self._show_saved(error)

    def flush(self) -> None:
        """Turn what was typed into audited edits now (moving on, closing, or a pause)."""
        for (item_id, kind), text in self.typed.take().items():
            if kind == "comment":
                if self._commit(item_id, self._edit(answers_svc.comment_item, item_id, text)):
                    self._refused_comments.pop(item_id, None)
                else:  # saved nothing: the field keeps it, says why, and Enter stays
                    self._refused_comments[item_id] = self._last_error
                continue
            before = self.answers.get(item_id, AnswerView())
            value = text.strip() or None
            if self._commit(item_id, self._edit(answers_svc.answer_item, item_id, value)):
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
                self._draft(
                    drafts.drop_draft,
                    drafts.Draft(self.state.id, self.current, kind, "", self.actor),
                )
                self._show_saved()

    def has_pending(self) -> bool:
        """Typed input not yet on disk (the header says "Typing…" meanwhile)."""
        return bool(self.typed.undrafted)

    def has_uncommitted(self) -> bool:
        """Typed input on disk as a draft but not yet an audited edit."""
        return bool(self.typed.pending)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        super().closeEvent(event)

"""One answer edit as a step of the checklist editor's undo stack."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from inspector_app.i18n import _
from inspector_app.services.answers import AnswerView


class AnswerCommand(QUndoCommand):
    """One answer edit; consecutive typing in the same field merges into one step.

    Pushed after the edit was saved; undo and redo ``restore`` the answer before or after
    it (``ChecklistEditor.restore``, which saves it and shows where it changed).
    """

    def __init__(
        self,
        restore: Callable[[str, AnswerView], None],
        item_id: str,
        item_title: str,
        before: AnswerView,
        after: AnswerView,
        typing: bool,
    ):
        super().__init__(_("answer “{item}”", item=item_title))
        self.restore, self.item_id, self.before, self.after = restore, item_id, before, after
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
        self.restore(self.item_id, self.after)

    def undo(self) -> None:
        self.typing = False  # an undone step, redone or not, is no longer a run being typed
        self.restore(self.item_id, self.before)

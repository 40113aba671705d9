"""Typed input in the checklist editor: free text, comments, scores and numbers typed key by
key, between the keystroke and the audited edit.

What a field holds is ``queue``d at each keystroke. Within ``DRAFT_MS`` ``draft_due`` asks
for it to be put on disk as a draft (``take_undrafted``); when typing pauses (``TEXT_COMMIT_MS``,
``NUMBER_COMMIT_MS``) ``commit_due`` asks for it to become one audited edit (``take``), which
``ChecklistEditor.flush`` also does at once when the inspector moves on.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

DRAFT_MS = 40  # typed input is on disk this long after the keystroke, at most
TEXT_COMMIT_MS = 1000  # free text becomes an audited edit when typing pauses this long
NUMBER_COMMIT_MS = 300  # a score or number being typed, likewise

Key = tuple[str, str]  # (item id, "value" or "comment")


class TypedInput(QObject):
    draft_due = Signal()
    commit_due = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pending: dict[Key, str] = {}  # not yet an audited edit
        self.undrafted: set[Key] = set()  # and of those, not yet on disk
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_MS)
        self._draft_timer.timeout.connect(self.draft_due)
        self._commit_timer = QTimer(self)
        self._commit_timer.setSingleShot(True)
        self._commit_timer.timeout.connect(self.commit_due)

    def queue(self, key: Key, text: str, number: bool) -> None:
        self.pending[key] = text
        self.undrafted.add(key)
        if not self._draft_timer.isActive():  # never later than DRAFT_MS after a keystroke
            self._draft_timer.start()
        self._commit_timer.start(NUMBER_COMMIT_MS if number else TEXT_COMMIT_MS)

    def take_undrafted(self) -> dict[Key, str]:
        """What is to be put on disk now (what was committed meanwhile is not)."""
        self._draft_timer.stop()
        keys, self.undrafted = self.undrafted, set()
        return {key: self.pending[key] for key in keys if key in self.pending}

    def take(self) -> dict[Key, str]:
        """Everything typed, to become audited edits now; nothing is left waiting."""
        self._draft_timer.stop()
        self._commit_timer.stop()
        pending, self.pending = self.pending, {}
        self.undrafted = set()
        return pending

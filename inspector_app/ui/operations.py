"""GUI writes as operations (Anki's ``CollectionOp``): each runs its service, off the GUI
thread when slow, and announces what it changed.

Every write the desktop makes goes through ``Operations.do`` (quick ones, on the GUI thread)
or ``Operations.run`` (in the background, with progress); tests/ui/test_operations.py checks
that no screen calls a writing service another way. The main window owns one
``Operations``; every screen listens to ``workspace_changed`` and
refreshes what concerns it: the browser its lists, the editor the inspection it shows (and
its undo steps, which describe a past that another write replaced). A write announces its
``source`` (the screen that made it), which updates itself and skips its own announcement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from inspector_app.services.changes import Changes
from inspector_app.ui.workers import Progress, run_task

T = TypeVar("T")


class Operations(QObject):
    # (Changes, source): source is the screen that made the change, or None
    workspace_changed = Signal(object, object)

    def announce(self, changes: Changes, source: object | None = None) -> None:
        """Say that a write (run by the caller) changed ``changes``."""
        if changes:
            self.workspace_changed.emit(changes, source)

    def do(
        self,
        work: Callable[[], T],
        *,
        changes: Callable[[T], Changes],
        source: object | None = None,
    ) -> T:
        """Run a quick write here, on the GUI thread (an answer, a caption, a draft), and
        announce ``changes(result)``; its result is returned. A failure is raised to the
        caller and announces nothing: a service that fails writes nothing."""
        result = work()
        self.announce(changes(result), source)
        return result

    def run(
        self,
        parent: QWidget,
        work: Callable[[Progress], Any],
        *,
        changes: Callable[[Any], Changes],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        title: str | None = None,
        source: object | None = None,
        **task: Any,
    ) -> None:
        """Run ``work`` in the background (a progress dialog when it takes a while); on
        success announce ``changes(result)``, then call ``on_done(result)``. A failure
        announces nothing: a service that fails writes nothing. ``task``: the rest of
        ``run_task``'s options (``cancellable``, ``show_after_ms``)."""

        def done(result: Any) -> None:
            self.announce(changes(result), source)
            if on_done is not None:
                on_done(result)

        run_task(parent, work, on_done=done, on_error=on_error, title=title, **task)

"""Slow work off the GUI thread, with progress and cancellation (STYLE: Anki's operations).

``run_task(parent, fn, on_done=..., title=...)`` runs ``fn(progress)`` on the thread pool.
``progress(done, total, text)`` may be called from the worker; it returns False once the
user pressed Cancel, so long loops can stop between steps. Results and errors come back on
the GUI thread through signals; an error is shown as a readable message.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from inspector_app.i18n import _

Progress = Callable[[int, int, str], bool]


class _Signals(QObject):
    # Python objects stay on the task; only plain values cross threads in signals
    # (emitting Python objects from a pool thread has crashed PySide6 with refcount errors).
    finished = Signal()
    progress = Signal(int, int, str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.cancelled = False
        self.result: Any = None
        self.error: Exception | None = None
        self.trace = ""
        self.setAutoDelete(False)

    def report(self, done: int, total: int, text: str = "") -> bool:
        self.signals.progress.emit(done, total, text)
        return not self.cancelled

    def run(self) -> None:
        try:
            self.result = self.fn(self.report)
        except Exception as exc:  # reported to the user, never swallowed
            self.error = exc
            self.trace = traceback.format_exc()
        # the signal's object is gone when the app shuts down under a running task
        with contextlib.suppress(RuntimeError):
            self.signals.finished.emit()


_running: set[_Task] = set()


def run_task(
    parent: QWidget | None,
    fn: Callable[[Progress], Any],
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    title: str | None = None,
    cancellable: bool = False,
    show_after_ms: int = 400,
) -> _Task:
    """Run ``fn`` in the background; a progress dialog appears if it takes a while."""
    task = _Task(fn)
    dialog: QProgressDialog | None = None
    if title is not None:
        dialog = QProgressDialog(title, _("Cancel") if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(show_after_ms)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(lambda: setattr(task, "cancelled", True))

        def on_progress(done: int, total: int, text: str) -> None:
            assert dialog is not None
            if not shiboken6.isValid(dialog):
                return
            dialog.setMaximum(max(total, 0))
            dialog.setValue(done)
            if text:
                dialog.setLabelText(text)

        task.signals.progress.connect(on_progress)

    def finish() -> None:
        _running.discard(task)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
            dialog.deleteLater()

    def finished() -> None:
        finish()
        if parent is not None and not shiboken6.isValid(parent):
            return  # closed meanwhile (a report dialog closed while building): no one to tell
        if task.error is not None:
            if on_error is not None:
                on_error(task.error)
            else:
                show_error(parent, task.error)
        elif on_done is not None:
            on_done(task.result)

    task.signals.finished.connect(finished, Qt.ConnectionType.QueuedConnection)
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or _("Inspector"))
    box.setTextFormat(Qt.TextFormat.PlainText)  # a message may quote a package or a file
    box.setText(str(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    # shown without blocking, so background callbacks and tests are never stuck on a modal loop
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def wait_for_tasks(timeout_ms: int = 10000) -> bool:
    """For shutdown and tests: let running background work finish."""
    ok = QThreadPool.globalInstance().waitForDone(timeout_ms)
    QTimer.singleShot(0, lambda: None)
    return ok

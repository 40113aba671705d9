"""A lock between processes on one data folder (the desktop and a CLI run, two CLI runs).

``exclusive(path)`` holds an exclusive lock on ``path`` (``flock`` on POSIX,
``msvcrt.locking`` on Windows) for the block; another process asking for it waits;
``try_hold(path)`` takes it only if it is free, and keeps it until released. The
operating system drops the lock when the process ends, however it ends, so a killed process
never leaves the folder locked.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspector_app.fsutil import PRIVATE_FILE_MODE

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _lock(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                time.sleep(0.05)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # BlockingIOError: someone holds it
            return False
        return True

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def try_lock_fd(fd: int) -> bool:
    """Lock the open file ``fd`` if nobody holds it; never waits."""
    return _try(fd)


def unlock_fd(fd: int) -> None:
    _unlock(fd)


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
    try:
        _lock(fd)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


class Held:
    """A lock held until ``release`` (or the end of the process)."""

    def __init__(self, fd: int):
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


def try_hold(path: Path) -> Held | None:
    """The lock on ``path`` if nobody holds it, else None; never waits."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
    if _try(fd):
        return Held(fd)
    os.close(fd)
    return None

"""Staging folders of package imports, under ``<data folder>/.staging``, and their sweep.

An import claims ``.staging/<id>/`` for as long as it runs by holding an exclusive lock on
``.staging/<id>.lock`` (``flock`` on POSIX, ``msvcrt.locking`` on Windows). The operating
system drops the lock when the process ends, however it ends, so a folder whose lock nobody
holds was left by an import that was killed: the next start (``open_database``) or the next
import sweeps it at once, and never a folder whose import is still running (in another
window or a CLI run). The lock file is made and locked before its folder and removed after
it, so a folder without a lock file is left over too (also from versions before the lock).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspector_app.fsutil import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, make_private_dirs
from inspector_app.store.locks import try_lock_fd, unlock_fd

STAGING_DIRNAME = ".staging"
LOCK_SUFFIX = ".lock"


def _try_lock(fd: int) -> bool:
    return try_lock_fd(fd)


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        unlock_fd(fd)


def staging_root(data_dir: Path) -> Path:
    return Path(data_dir) / STAGING_DIRNAME


def _same_file(path: Path, fd: int) -> bool:
    try:
        a, b = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


@contextmanager
def claim(data_dir: Path) -> Iterator[Path]:
    """A new, empty, private staging folder, held (locked) until the block ends; then it
    and its lock are removed."""
    root = staging_root(data_dir)
    make_private_dirs(root)
    while True:
        name = os.urandom(16).hex()  # not uuid: that module costs a start 5 ms
        lock_path = root / f"{name}{LOCK_SUFFIX}"
        fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_RDWR, PRIVATE_FILE_MODE)
        # a sweep may take a lock file between its creation and our lock, and remove it:
        # then ours is on a file that is gone, and we start again under another name
        if _try_lock(fd) and _same_file(lock_path, fd):
            break
        _unlock(fd)
        os.close(fd)
    folder = root / name
    try:
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))  # for a person looking at it
        folder.mkdir(mode=PRIVATE_DIR_MODE)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        _unlock(fd)
        os.close(fd)
        with contextlib.suppress(OSError):  # another import is staging too: harmless
            os.rmdir(root)


_MISSING = -1


def _take(lock_path: Path) -> int | None:
    """The lock of ``lock_path`` taken (its descriptor), ``_MISSING`` if there is no lock file,
    None while a running import holds it (or it cannot be told)."""
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except FileNotFoundError:
        return _MISSING
    except OSError:
        return None
    if _try_lock(fd):
        return fd
    os.close(fd)
    return None


def sweep(data_dir: Path) -> int:
    """Remove the staging folders (and lock files) no running import holds; how many. The
    lock of each is held while it is removed, so an import cannot take it meanwhile."""
    root = staging_root(data_dir)
    try:
        entries = list(root.iterdir())
    except OSError:  # no staging folder: nothing was left
        return 0
    removed = 0
    for name in sorted({e.name.removesuffix(LOCK_SUFFIX) for e in entries}):
        lock_path, folder = root / f"{name}{LOCK_SUFFIX}", root / name
        fd = _take(lock_path)
        if fd is None:
            continue  # its import is running
        try:
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
            elif os.path.lexists(folder):
                with contextlib.suppress(OSError):
                    folder.unlink()
            with contextlib.suppress(OSError):
                os.unlink(lock_path)  # POSIX: while locked; Windows: below, once closed
        finally:
            if fd != _MISSING:
                _unlock(fd)
                os.close(fd)
        if os.name == "nt" and fd != _MISSING:  # pragma: no cover
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
    with contextlib.suppress(OSError):
        os.rmdir(root)
    return removed

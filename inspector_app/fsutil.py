"""Files that appear whole or not at all (ARCHITECTURE invariant 7, RELIABILITY D19), files
read only when they are regular and small enough (RELIABILITY C), and private folders."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from inspector_app.i18n import _

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
POSIX = os.name == "posix"


class FileRefused(OSError):
    """A file refused before a byte of it is read: not a regular file (a folder, a FIFO, a
    device), or larger than the cap. ``str()`` says which, in the current language."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.message = message
        self.too_large = too_large

    def __str__(self) -> str:
        return self.message


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, for a message."""
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a regular file")


def _not_regular(mode: int) -> FileRefused:
    return FileRefused(_("it is {kind}, not a regular file", kind=kind_of(mode)))


def _too_large(size: int, max_bytes: int) -> FileRefused:
    return FileRefused(
        _(
            "it is too large: {size} bytes (at most {limit})",
            size=f"{size:,}",
            limit=f"{max_bytes:,}",
        ),
        too_large=True,
    )


def open_regular(path: Path, max_bytes: int | None = None) -> BinaryIO:
    """Open a regular file for reading, never blocking: ``stat`` first (a FIFO, a device or a
    folder is refused before it is opened), then ``O_NONBLOCK`` (a FIFO swapped in meanwhile
    does not block the open) and ``fstat`` of what was opened. ``max_bytes`` refuses a larger
    file by its size; callers still cap what they read (a file may grow)."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(st.st_mode)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st.st_mode)
        if max_bytes is not None and st.st_size > max_bytes:
            raise _too_large(st.st_size, max_bytes)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (see ``open_regular``); the cap is
    on the bytes actually read, so a file that grows while it is read is refused too.
    Raises ``FileRefused`` or another ``OSError``."""
    with open_regular(path, max_bytes) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return data


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parent with mode 0700 (only the folders made here;
    existing ones keep their mode). Like ``mkdir(parents=True, exist_ok=True)`` otherwise."""
    folder = Path(folder)
    missing: list[Path] = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            if not d.is_dir():
                raise
            continue
        if POSIX:
            os.chmod(d, PRIVATE_DIR_MODE)  # whatever the umask
    if not folder.is_dir():
        raise NotADirectoryError(f"not a folder: {folder}")


def tighten(path: Path, mode: int) -> None:
    """Remove permission bits beyond ``mode`` from a file or folder this app owns (POSIX;
    Windows keeps its ACLs). A missing path is left alone."""
    if not POSIX:
        return
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        os.chmod(path, current & mode)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, rename over the target, fsync the folder."""
    with atomic_writer(path) as fh:
        fh.write(data)


@contextmanager
def atomic_writer(
    path: Path, *, mode: int | None = None, exclusive: bool = False
) -> Iterator[BinaryIO]:
    """Stream a file that appears whole or not at all (for contents too large to hold in memory).

    Yields a seekable binary file: a temporary file in the target's folder. When the block ends
    normally it is flushed and fsynced, then renamed over ``path`` and the folder is fsynced; when
    the block raises, the temporary file is removed and ``path`` is untouched. ``mode`` sets the
    permission bits (POSIX) before anything is written. ``exclusive=True`` never replaces an
    existing file: it raises ``FileExistsError`` instead (a hard link, so two writers cannot both
    believe they created it).
    """
    make_private_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w+b") as fh:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename itself durable
        dfd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

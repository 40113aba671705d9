"""Files that appear whole or not at all (ARCHITECTURE invariant 7, RELIABILITY D19)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


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
    path.parent.mkdir(parents=True, exist_ok=True)
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

"""The content-addressed media store beside the database.

``<data_dir>/media/originals/<sha[:2]>/<sha>.<jpg|png>``: the original, byte-identical;
``<data_dir>/media/display/<sha[:2]>/<sha>.jpg``: the upright display copy;
``<data_dir>/media/thumbs/<sha[:2]>/<sha>.jpg``: the thumbnail.

A file's name is the SHA-256 of the original, so the same photo in two inspections is
stored once, and a file can be checked against its name. Every file is written atomically
(temporary file, fsync, rename, fsync the folder: RELIABILITY D19), so a file that exists
is whole; one already there with the expected size is left alone.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple

from inspector_app.fsutil import atomic_write_bytes
from inspector_app.media.ingest import IngestedImage

MEDIA_DIRNAME = "media"
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


class MediaPaths(NamedTuple):
    original: Path
    display: Path
    thumb: Path


def media_dir(data_dir: Path) -> Path:
    return Path(data_dir) / MEDIA_DIRNAME


def _checked(sha256: str) -> str:
    # the name comes from the database or a package: never let it walk out of the store
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


def extension_for(media_type: str) -> str:
    try:
        return _EXTENSIONS[media_type]
    except KeyError:
        raise ValueError(f"unknown media type {media_type!r}") from None


def original_path(data_dir: Path, sha256: str, media_type: str) -> Path:
    sha = _checked(sha256)
    return media_dir(data_dir) / "originals" / sha[:2] / f"{sha}.{extension_for(media_type)}"


def display_path(data_dir: Path, sha256: str) -> Path:
    sha = _checked(sha256)
    return media_dir(data_dir) / "display" / sha[:2] / f"{sha}.jpg"


def thumb_path(data_dir: Path, sha256: str) -> Path:
    sha = _checked(sha256)
    return media_dir(data_dir) / "thumbs" / sha[:2] / f"{sha}.jpg"


def media_paths(data_dir: Path, sha256: str, media_type: str) -> MediaPaths:
    """Where the original, the display copy and the thumbnail of ``sha256`` live."""
    return MediaPaths(
        original_path(data_dir, sha256, media_type),
        display_path(data_dir, sha256),
        thumb_path(data_dir, sha256),
    )


def _has_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def _put(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless a file of that size is already there."""
    if _has_size(path, len(data)):
        return False
    atomic_write_bytes(path, data)
    return True


def store_image(data_dir: Path, image: IngestedImage) -> MediaPaths:
    """Put the three files of ``image`` in the store; return their paths.

    The original goes last, so a store holding an original also holds its copies; if a
    write fails (disk full), the files this call wrote are removed again.
    """
    paths = media_paths(data_dir, image.sha256, image.media_type)
    written: list[Path] = []
    try:
        for path, data in (
            (paths.display, image.display_jpeg),
            (paths.thumb, image.thumb_jpeg),
            (paths.original, image.original),
        ):
            if _put(path, data):
                written.append(path)
    except BaseException:
        for path in written:  # a failed store leaves nothing of this photo behind
            path.unlink(missing_ok=True)
        raise
    return paths


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def verify_original(data_dir: Path, sha256: str, media_type: str) -> bool:
    """True if the stored original exists and its bytes still hash to its name."""
    path = original_path(data_dir, sha256, media_type)
    try:
        return file_sha256(path) == sha256
    except OSError:
        return False

"""Writing the zip a package travels in: deterministic (fixed timestamps and attributes:
same inputs, same bytes), ``manifest.json`` first, ``manifest.sig`` second, then the
members as given, JSON deflated and photos stored (they are compressed already). A member
given as a path is read twice: once to hash it (``measure_members``: the manifest needs its
SHA-256), then streamed into the zip and hashed again on the way; a file that changed in
between is refused. A JSON member that would compress by more than ``Limits.max_ratio``
(which a reader takes for a zip bomb) is stored instead of deflated.

Reading a package, which treats the file as hostile, is ``container.py``.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from inspector_app.fsutil import atomic_writer
from inspector_app.i18n import _
from inspector_app.sync.container import _CHUNK, _ratio_too_high
from inspector_app.sync.manifest import MANIFEST, MEMBER_RE, SIGNATURE, FileEntry
from inspector_app.sync.strict import Limits, too_large

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def measure_members(
    sources: Sequence[tuple[str, bytes | Path]], limits: Limits
) -> tuple[list[FileEntry], list[int]]:
    """Pass 1 of writing: each member's size and SHA-256 for the manifest, and how it is
    written (deflated, unless that would look like a bomb to a reader; media stored)."""
    entries: list[FileEntry] = []
    methods: list[int] = []
    for name, source in sources:
        deflate = name.endswith(".json")
        size, digest, compressed = _measure(name, source, deflate, limits)
        entries.append(FileEntry(name, size, digest))
        methods.append(_method(size, compressed, limits) if deflate else zipfile.ZIP_STORED)
    return entries, methods


def write_zip(
    out: Path,
    manifest_bytes: bytes,
    signature: bytes,
    sources: Sequence[tuple[str, bytes | Path]],
    entries: Sequence[FileEntry],
    methods: Sequence[int],
    limits: Limits,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Pass 2: the zip, atomically (temporary file in out's folder, fsync, os.replace, fsync
    the folder: the file appears whole or not at all)."""
    manifest_method = _method(len(manifest_bytes), len(_deflate(manifest_bytes)), limits)
    with atomic_writer(out) as fh, zipfile.ZipFile(fh, "w") as zf:
        zf.writestr(_zip_info(MANIFEST, manifest_method), manifest_bytes)
        zf.writestr(_zip_info(SIGNATURE, zipfile.ZIP_STORED), signature)
        total = len(sources)
        for done, ((name, source), entry, method) in enumerate(
            zip(sources, entries, methods, strict=True), 1
        ):
            info = _zip_info(name, method)
            if isinstance(source, bytes):
                zf.writestr(info, source)
            else:
                _copy_into(zf, info, source, entry)
            if progress is not None:
                progress(done, total)


def checked_members(members: Sequence[tuple[str, bytes | Path]]) -> list[tuple[str, bytes | Path]]:
    checked: list[tuple[str, bytes | Path]] = []
    seen: set[str] = set()
    for item in members:
        name, source = item
        if not isinstance(name, str) or not MEMBER_RE.match(name):
            raise ValueError(f"member name not allowed in a package: {name!r}")
        if name in seen:
            raise ValueError(f"member listed twice: {name!r}")
        seen.add(name)
        if isinstance(source, bytes | bytearray | memoryview):
            checked.append((name, bytes(source)))
        elif isinstance(source, os.PathLike):
            checked.append((name, Path(source)))
        else:
            raise TypeError(f"member {name!r} must be bytes or a Path, not {type(source)!r}")
    return checked


def _chunks(source: bytes | Path, name: str, limits: Limits) -> Iterator[bytes]:
    if isinstance(source, bytes):
        if len(source) > limits.max_member_bytes:
            raise ValueError(too_large(name, limits.max_member_bytes))
        yield source
        return
    with source.open("rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{source} is not a regular file")
        if st.st_size > limits.max_member_bytes:
            raise ValueError(too_large(name, limits.max_member_bytes))
        while chunk := fh.read(_CHUNK):
            yield chunk


def _measure(
    name: str, source: bytes | Path, deflate: bool, limits: Limits
) -> tuple[int, str, int]:
    """Size, SHA-256 and (for deflate) the deflated size, streaming."""
    digest = hashlib.sha256()
    size = compressed = 0
    compressor = _compressor() if deflate else None
    for chunk in _chunks(source, name, limits):
        size += len(chunk)
        if size > limits.max_member_bytes:  # a file that grows while read
            raise ValueError(too_large(name, limits.max_member_bytes))
        digest.update(chunk)
        if compressor is not None:
            compressed += len(compressor.compress(chunk))
    if compressor is not None:
        compressed += len(compressor.flush())
    return size, digest.hexdigest(), compressed


class _Deflater(Protocol):
    """What ``zlib.compressobj`` returns (typeshed names it only privately)."""

    def compress(self, data: bytes, /) -> bytes: ...
    def flush(self, mode: int = ..., /) -> bytes: ...


def _compressor() -> _Deflater:
    # The same raw deflate stream zipfile writes for ZIP_DEFLATED at its default level.
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)


def _deflate(data: bytes) -> bytes:
    compressor = _compressor()
    return compressor.compress(data) + compressor.flush()


def _method(size: int, compressed: int, limits: Limits) -> int:
    """Deflate, unless the reader would take the result for a bomb."""
    return zipfile.ZIP_STORED if _ratio_too_high(size, compressed, limits) else zipfile.ZIP_DEFLATED


def _zip_info(name: str, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = method
    info.create_system = 3  # the same bytes whatever system wrote them
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _copy_into(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: Path, entry: FileEntry) -> None:
    """Stream a file into the zip, hashing it again on the way."""
    digest = hashlib.sha256()
    size = 0
    info.file_size = entry.size  # lets zipfile decide about Zip64 up front
    with source.open("rb") as src, zf.open(info, "w") as dst:
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            if size > entry.size:
                break
            digest.update(chunk)
            dst.write(chunk)
    if size != entry.size or digest.hexdigest() != entry.sha256:
        raise ValueError(_("{path} changed while the package was being written", path=str(source)))

"""The zip a package travels in, and the bounds that make opening a hostile one safe
(writing it is ``container_write.py``).

Reading (``verified``, ``extract``) treats the file as hostile. It never calls ``extractall``.
In order: the file (regular, size cap, a zip; the end record's entry count and directory size
are checked before ``zipfile`` reads the directory into memory); the zip directory
(allow-listed names, no absolute or ``..`` paths, backslashes, drive letters, directories,
links, duplicates or encryption, declared sizes, total, compression ratio); entries that overlap
one another, which rules out the "quoted overlap" bomb (CVE-2024-0450) whether or not this
Python has the fix (3.11.7 has not); the signature and the manifest (``manifest``); the listing
(nothing extra, nothing missing); then each member is streamed into the staging folder counting
the bytes really produced, stopping as soon as a member exceeds the size the signed manifest
gives it (a header that lies, or a bomb, cannot write more than the manifest allows), and its
size and SHA-256 are compared with the manifest. Any problem raises ``PackageRejected`` with a
translated reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from inspector_app.i18n import _
from inspector_app.sync.manifest import (
    MANIFEST,
    MEMBER_RE,
    SIGNATURE,
    SIGNATURE_BYTES,
    FileEntry,
    Manifest,
    load_manifest,
)
from inspector_app.sync.strict import (
    Limits,
    PackageRejected,
    show,
    too_large_rejection,
    too_many,
)

_DRIVE = re.compile(r"\A[A-Za-z]:")
_CHUNK = 2**20
_RATIO_FLOOR = 2**20  # the compression-ratio limit applies to members above 1 MiB
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # the zip local file header (30 bytes)
_LOCAL_MAGIC = b"PK\x03\x04"
_CD_BYTES_PER_ENTRY = 1024  # central-directory budget per allowed entry (real ones are ~120 B)

# What reading a hostile zip can raise inside zipfile/zlib (RecursionError is a RuntimeError).
_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    IndexError,
)


def _ratio_too_high(file_size: int, compress_size: int, limits: Limits) -> bool:
    """A member a reader takes for a zip bomb (the writer stores such a one instead)."""
    return file_size > _RATIO_FLOOR and file_size > limits.max_ratio * compress_size


# --------------------------------------------------------------------------------------------
# Reading


@contextmanager
def verified(
    path: Path, limits: Limits
) -> Iterator[tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo], bytes, Manifest]]:
    """Steps 1-6: the file, the zip directory, the signature, the manifest, the listing."""
    fh = _open_file(path, limits)
    try:
        _check_end_record(fh, path, limits)
        try:
            zf = zipfile.ZipFile(fh)
        except _ZIP_ERRORS as exc:
            raise _not_a_package(path) from exc
        with zf:
            infos = _check_directory(zf, fh, limits)
            manifest_bytes, manifest = _read_signed_manifest(zf, infos, limits)
            _check_listing(infos, manifest)
            yield zf, infos, manifest_bytes, manifest
    finally:
        fh.close()


def _not_a_package(path: Path) -> PackageRejected:
    return PackageRejected(_("{name} is not an Inspector package", name=show(path.name)))


def _open_file(path: Path, limits: Limits) -> BinaryIO:
    missing = PackageRejected(
        _("{name} does not exist or is not a regular file", name=show(path.name))
    )
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError) as exc:
        raise missing from exc
    except OSError as exc:  # it is there, but may not be read (a folder above it, say)
        raise PackageRejected(
            _("cannot read the file: {error}", error=exc.strerror or str(exc))
        ) from exc
    if not stat.S_ISREG(st.st_mode):  # also keeps a FIFO from blocking the open below
        raise missing
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise PackageRejected(_("cannot read the file: {error}", error=str(exc))) from exc
    try:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise missing
        if st.st_size > limits.max_package_bytes:
            raise PackageRejected(
                _(
                    "{name} is too large for an Inspector package ({size} bytes; the limit is {limit} bytes)",
                    name=show(path.name),
                    size=st.st_size,
                    limit=limits.max_package_bytes,
                )
            )
    except BaseException:
        fh.close()
        raise
    return fh


def _check_end_record(fh: BinaryIO, path: Path, limits: Limits) -> None:
    """Entry count and directory size from the end record, before zipfile reads the whole
    directory into memory (it trusts the directory size: a hostile one could be gigabytes)."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # pragma: no cover - private helper, present in every CPython 3
        return
    try:
        record = end_record(fh)
    except _ZIP_ERRORS as exc:
        raise _not_a_package(path) from exc
    if not record:
        raise _not_a_package(path)
    entries = record[getattr(zipfile, "_ECD_ENTRIES_TOTAL", 4)]
    directory_size = record[getattr(zipfile, "_ECD_SIZE", 5)]
    if entries > limits.max_members:
        raise too_many(limits)
    if directory_size > limits.max_members * _CD_BYTES_PER_ENTRY:
        raise PackageRejected(
            _(
                "the package's table of contents is too large ({size} bytes)",
                size=directory_size,
            )
        )


def _check_directory(
    zf: zipfile.ZipFile, fh: BinaryIO, limits: Limits
) -> dict[str, zipfile.ZipInfo]:
    """Step 2: every entry of the zip directory, before anything is read."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise too_many(limits)
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.orig_filename  # zipfile cuts names at NUL and (on Windows) turns \ into /
        shown = show(name)
        mode = info.external_attr >> 16
        if not name:
            raise PackageRejected(_("the package contains an entry with an empty name"))
        if name.startswith("/"):
            raise PackageRejected(
                _("{member}: absolute paths are not allowed in a package", member=shown), name
            )
        if _DRIVE.match(name):
            raise PackageRejected(
                _("{member}: drive letters are not allowed in a package", member=shown), name
            )
        if "\\" in name:
            raise PackageRejected(
                _("{member}: backslashes are not allowed in a package", member=shown), name
            )
        if ".." in name.split("/"):
            raise PackageRejected(
                _("{member}: '..' segments are not allowed in a package", member=shown), name
            )
        if name.endswith("/") or stat.S_ISDIR(mode):
            raise PackageRejected(
                _("{member}: folders are not allowed in a package", member=shown), name
            )
        if stat.S_ISLNK(mode):
            raise PackageRejected(
                _("{member}: symbolic links are not allowed in a package", member=shown), name
            )
        if name in by_name:
            raise PackageRejected(
                _("{member}: the name appears more than once in the package", member=shown),
                name,
            )
        by_name[name] = info
        if name not in (MANIFEST, SIGNATURE) and not MEMBER_RE.match(name):
            raise PackageRejected(
                _("{member}: this file is not allowed in an Inspector package", member=shown),
                name,
            )
        if info.flag_bits & 0x1:
            raise PackageRejected(
                _("{member}: encrypted entries are not allowed", member=shown), name
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageRejected(
                _(
                    "{member}: the compression method {method} is not allowed",
                    member=shown,
                    method=info.compress_type,
                ),
                name,
            )
        cap = {MANIFEST: limits.max_manifest_bytes, SIGNATURE: SIGNATURE_BYTES}.get(
            name, limits.max_member_bytes
        )
        if info.file_size > cap:
            raise too_large_rejection(name, cap)
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise _unreadable(name)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise PackageRejected(
                _(
                    "the package's contents add up to more than the limit of {limit} bytes",
                    limit=limits.max_total_bytes,
                )
            )
        if info.compress_type == zipfile.ZIP_DEFLATED and _ratio_too_high(
            info.file_size, info.compress_size, limits
        ):
            raise PackageRejected(
                _(
                    "{member}: its compression ratio exceeds {limit}:1 (a possible zip bomb)",
                    member=shown,
                    limit=limits.max_ratio,
                ),
                name,
            )
    _check_overlaps(fh, infos, zf.start_dir)
    return by_name


def _check_overlaps(fh: BinaryIO, infos: Iterable[zipfile.ZipInfo], directory_start: int) -> None:
    """No two entries may share bytes, and none may run into the directory (CVE-2024-0450)."""
    end = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        name = info.orig_filename
        if info.header_offset < end:
            raise PackageRejected(
                _(
                    "{member}: it overlaps another entry in the package (a possible zip bomb)",
                    member=show(name),
                ),
                name,
            )
        try:
            fh.seek(info.header_offset)
            header = fh.read(_LOCAL_HEADER.size)
        except (OSError, ValueError) as exc:
            raise _unreadable(name) from exc
        if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
            raise _unreadable(name)
        fields = _LOCAL_HEADER.unpack(header)
        name_length, extra_length = fields[-2], fields[-1]
        end = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        end += info.compress_size
        if end > directory_start:
            raise PackageRejected(
                _(
                    "{member}: it overlaps another entry in the package (a possible zip bomb)",
                    member=show(name),
                ),
                name,
            )


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """At most cap + 1 bytes of a member; more means too large."""
    name = info.orig_filename
    try:
        with zf.open(info) as src:
            data = src.read(cap + 1)
    except _ZIP_ERRORS as exc:
        raise _unreadable(name) from exc
    if len(data) > cap:
        raise too_large_rejection(name, cap)
    return data


def _read_signed_manifest(
    zf: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits
) -> tuple[bytes, Manifest]:
    """Steps 3-5."""
    for name in (MANIFEST, SIGNATURE):
        if name not in infos:
            raise PackageRejected(
                _("the package has no {member}, so it cannot be verified", member=name), name
            )
    manifest_bytes = _read_capped(zf, infos[MANIFEST], limits.max_manifest_bytes)
    signature = _read_capped(zf, infos[SIGNATURE], SIGNATURE_BYTES)
    if len(signature) != SIGNATURE_BYTES:
        raise PackageRejected(
            _(
                "{member}: the signature must be exactly {size} bytes long",
                member=SIGNATURE,
                size=SIGNATURE_BYTES,
            ),
            SIGNATURE,
        )
    return manifest_bytes, load_manifest(manifest_bytes, limits, signature=signature)


def _check_listing(infos: dict[str, zipfile.ZipInfo], manifest: Manifest) -> None:
    """Step 6: nothing in the zip that the manifest does not list, nothing listed that is absent."""
    listed = {f.path for f in manifest.files}
    for name in infos:
        if name not in (MANIFEST, SIGNATURE) and name not in listed:
            raise PackageRejected(
                _("{member} is in the package but not in the manifest", member=show(name)),
                name,
            )
    for entry in manifest.files:
        if entry.path not in infos:
            raise PackageRejected(
                _(
                    "{member} is listed in the manifest but missing from the package",
                    member=show(entry.path),
                ),
                entry.path,
            )


def extract(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    manifest: Manifest,
    files_dir: Path,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Steps 7-8."""
    total = len(manifest.files)
    for done, entry in enumerate(manifest.files, 1):
        target = files_dir.joinpath(*entry.path.split("/"))
        target.parent.mkdir(mode=0o700, exist_ok=True)
        _stage_member(zf, infos[entry.path], entry, target)
        if progress is not None:
            progress(done, total)


def _stage_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, entry: FileEntry, target: Path
) -> None:
    """Stream one member to a new file, never writing more than the manifest's size."""
    name = entry.path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    digest = hashlib.sha256()
    count = 0
    with os.fdopen(os.open(target, flags, 0o600), "wb") as out:
        try:
            src = zf.open(info)
        except _ZIP_ERRORS as exc:
            raise _unreadable(name) from exc
        with src:
            while True:
                try:
                    chunk = src.read(_CHUNK)
                except _ZIP_ERRORS as exc:
                    raise _unreadable(name) from exc
                if not chunk:
                    break
                count += len(chunk)
                if count > entry.size:
                    raise PackageRejected(
                        _(
                            "{member}: it contains more data than the manifest states ({size} bytes)",
                            member=show(name),
                            size=entry.size,
                        ),
                        name,
                    )
                digest.update(chunk)
                out.write(chunk)
    if count != entry.size:
        raise PackageRejected(
            _(
                "{member}: its size ({actual} bytes) does not match the manifest ({size} bytes)",
                member=show(name),
                actual=count,
                size=entry.size,
            ),
            name,
        )
    if digest.hexdigest() != entry.sha256:
        raise PackageRejected(
            _("{member}: its SHA-256 does not match the manifest", member=show(name)), name
        )


def _unreadable(name: str) -> PackageRejected:
    return PackageRejected(
        _(
            "{member}: it could not be read from the package (the data is damaged or uses an unsupported feature)",
            member=show(name),
        ),
        name,
    )

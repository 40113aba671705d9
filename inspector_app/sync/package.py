"""Inspector packages (``.inspkg``): the signed container that carries inspections between
laptops and headquarters on a USB stick (RELIABILITY B6, C11-C13).

Layout: a zip file holding, in this order,

- ``manifest.json``: canonical JSON (sorted keys, no spaces, UTF-8) naming the package (UUID,
  kind, device, per-device sequence number, schema and app versions, creation time), the public
  key that signed it, a small ``summary`` for previews, the audit-chain head, and the path, size
  and SHA-256 of every data member;
- ``manifest.sig``: 64 bytes, the Ed25519 signature over the exact bytes of ``manifest.json``;
- the data members: ``data/<name>.json`` (deflated) and ``media/<sha256>.jpg|png`` (stored:
  photos are compressed already).

What the signature proves. It is checked with the public key named *inside* the manifest, so it
proves integrity, not identity: anyone can make a valid package with a key of their own, and a
manifest re-signed with another key (same content otherwise) is accepted here. Whether the key
belongs to a known device (pinning ``device_id`` to the public key, shown to people as
``Manifest.fingerprint``) is the importer's decision, not this module's. Once the signature
verifies, the listed sizes and hashes bind every member byte to it. The device key
(``device_identity``) signs manifests only; it is not the inspector's PDF-signing key.

Writing (``write_package``) is atomic (temporary file in the target folder, fsync, rename, fsync
the folder) and deterministic (fixed timestamps and attributes: same inputs, same bytes). The
manifest comes first in the zip, so a member given as a path is read twice: once to hash it (the
manifest needs its SHA-256), then streamed into the zip and hashed again on the way; a file that
changed in between is refused. A JSON member that would compress by more than
``Limits.max_ratio`` (which a reader takes for a zip bomb) is stored instead of deflated. The
writer checks its manifest with the reader's own validator, so it cannot produce a package the
reader refuses.

Opening (``open_package``) treats the file as hostile. It never calls ``extractall``. In order:
the file (regular, size cap, a zip; the end record's entry count and directory size are checked
before ``zipfile`` reads the directory into memory); the zip directory (allow-listed names, no
absolute or ``..`` paths, backslashes, drive letters, directories, links, duplicates or
encryption, declared sizes, total, compression ratio); entries that overlap one another, which
rules out the "quoted overlap" bomb (CVE-2024-0450) whether or not this Python has the fix
(3.11.7 has not); the signature; the manifest, strictly; the listing (nothing extra, nothing
missing); then each member is streamed into the staging folder counting the bytes really
produced, stopping as soon as a member exceeds the size the signed manifest gives it (a header
that lies, or a bomb, cannot write more than the manifest allows), and its size and SHA-256 are
compared with the manifest. Any problem raises ``PackageRejected`` with a translated reason, and
whatever was written into the staging folder is removed. Errors writing the staging folder itself
(a full disk) are not the package's fault: they propagate as ``OSError`` after the same clean-up.
An exception raised by the ``progress`` callback (for example to cancel) is handled the same way.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import struct
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from inspector_app.fsutil import atomic_writer
from inspector_app.i18n import _

FORMAT = "inspector-package"
FORMAT_VERSION = 1
SUFFIX = ".inspkg"

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNATURE_BYTES = 64
MAX_SUMMARY_BYTES = 64 * 1024
MAX_DEVICE_NAME_CHARS = 200
MAX_VERSION_CHARS = 64

# Allowed data member names. Anchored, so ``match`` and ``fullmatch`` agree. The Windows device
# names that fit the pattern (con, prn, aux, nul) are excluded: "files/data/con.json" would open
# the console there.
MEMBER_RE = re.compile(
    r"\A(?:data/(?!(?:con|prn|aux|nul)\.json\Z)[a-z_]{1,32}\.json"
    r"|media/[0-9a-f]{64}\.(?:jpg|png))\Z"
)

_MEDIA_NAME = re.compile(r"\Amedia/([0-9a-f]{64})(\.(?:jpg|png))\Z")
_KIND = re.compile(r"\A[a-z_]{1,32}\Z")
_UUID4 = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
_UTC_TIME = re.compile(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z\Z"
)
_DRIVE = re.compile(r"\A[A-Za-z]:")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_MANIFEST_KEYS = frozenset(
    {
        "format",
        "format_version",
        "package_id",
        "kind",
        "device_id",
        "device_name",
        "sequence",
        "schema_version",
        "app_version",
        "created_at",
        "public_key",
        "files",
        "summary",
        "audit_head",
    }
)
_FILE_KEYS = frozenset({"path", "size", "sha256"})

_CHUNK = 2**20
_RATIO_FLOOR = 2**20  # the compression-ratio limit applies to members above 1 MiB
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # the zip local file header (30 bytes)
_LOCAL_MAGIC = b"PK\x03\x04"
_CD_BYTES_PER_ENTRY = 1024  # central-directory budget per allowed entry (real ones are ~120 B)
_MAX_INT = 2**63 - 1  # what SQLite can store

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

_IDENTITY_FORMAT = "inspector-device-identity"
_MAX_IDENTITY_BYTES = 64 * 1024


class PackageRejected(Exception):
    """Why a package cannot be used. ``str(e)`` is a translated, complete sentence naming the
    reason and, where there is one, the member (e.g. 'media/ab…cd.jpg: its SHA-256 does not match
    the manifest'); ``member`` is the member's full name, or None."""

    def __init__(self, message: str, member: str | None = None) -> None:
        super().__init__(message)
        self.member = member


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str  # lowercase hex


@dataclass(frozen=True)
class Manifest:
    package_id: str  # uuid4 string
    kind: str  # e.g. "inspections"; [a-z_]{1,32}
    device_id: str  # uuid4 string
    device_name: str  # <= 200 chars
    sequence: int  # >= 1, per device
    schema_version: str  # <= 64 chars, e.g. "0003_sync"
    app_version: str  # <= 64 chars
    created_at: str  # ISO 8601 UTC like "2026-11-27T08:15:00Z"
    public_key: str  # base64 of the raw 32-byte Ed25519 public key
    files: tuple[FileEntry, ...]
    summary: dict[str, Any]  # small free JSON object for a preview; <= 64 KiB encoded
    audit_head: str | None  # hex SHA-256 or None
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "format_version": self.format_version,
            "package_id": self.package_id,
            "kind": self.kind,
            "device_id": self.device_id,
            "device_name": self.device_name,
            "sequence": self.sequence,
            "schema_version": self.schema_version,
            "app_version": self.app_version,
            "created_at": self.created_at,
            "public_key": self.public_key,
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
            "summary": self.summary,
            "audit_head": self.audit_head,
        }

    def to_bytes(self) -> bytes:
        """Canonical JSON: sorted keys, no spaces, UTF-8 (not ASCII-escaped)."""
        return canonical_json(self.to_dict())

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_key)


def key_fingerprint(public_key_b64: str) -> str:
    """First 16 hex digits of the SHA-256 of a device's raw public key (base64), e.g.
    "ab12 cd34 ef56 7890"."""
    try:
        raw = base64.b64decode(public_key_b64)
    except ValueError:  # binascii.Error: a stored key is checked on import; never crash here
        raw = public_key_b64.encode("utf-8", "replace")
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    device_name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.private_key.public_key().public_bytes_raw()).decode("ascii")


@dataclass
class Limits:
    max_package_bytes: int = 8 * 2**30
    max_members: int = 50_000
    max_member_bytes: int = 256 * 2**20
    max_total_bytes: int = 16 * 2**30
    max_ratio: int = 100  # uncompressed/compressed for a deflated member (above 1 MiB)
    max_manifest_bytes: int = 8 * 2**20
    max_json_bytes: int = 256 * 2**20


@dataclass
class OpenedPackage:
    manifest: Manifest
    manifest_bytes: bytes
    staging: Path
    limits: Limits = field(default_factory=Limits)
    _listed: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._listed = frozenset(f.path for f in self.manifest.files)

    def path_of(self, member: str) -> Path:
        """The staged file of a member listed in the manifest (KeyError otherwise)."""
        if member not in self._listed:
            raise KeyError(member)
        return self.staging.joinpath("files", *member.split("/"))

    def read_json(self, member: str) -> Any:
        """The member parsed as strict JSON (RELIABILITY C13), or PackageRejected."""
        cap = self.limits.max_json_bytes
        with self.path_of(member).open("rb") as fh:
            data = fh.read(cap + 1)
        return _strict_json(data, member, cap)


# --------------------------------------------------------------------------------------------
# Device identity


def device_identity(data_dir: Path, *, device_name: str | None = None) -> DeviceIdentity:
    """Load or create (first call) ``data_dir/"signing"/"device.json"``: {format, device_id
    (uuid4), device_name (default: socket.gethostname()), created_at, private_key (base64 raw 32
    bytes)}. Written atomically, file mode 0o600 on POSIX; two processes starting at once cannot
    both create one. A ``device_name`` that differs from the stored one renames the device (id and
    key are kept). The key signs manifests only (RELIABILITY B6); it is not the inspector's
    PDF-signing key. A corrupt file raises ValueError with the path in the message."""
    if device_name is not None and (
        not isinstance(device_name, str) or not 0 < len(device_name) <= MAX_DEVICE_NAME_CHARS
    ):
        raise ValueError(f"device_name must have 1 to {MAX_DEVICE_NAME_CHARS} characters")
    path = Path(data_dir) / "signing" / "device.json"
    if not path.exists():
        identity = DeviceIdentity(
            device_id=str(uuid.uuid4()),
            device_name=device_name or _default_device_name(),
            private_key=Ed25519PrivateKey.generate(),
        )
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            with atomic_writer(path, mode=0o600, exclusive=True) as fh:
                fh.write(_identity_bytes(identity, utc_now()))
            return identity
        except FileExistsError:
            pass  # another process created it a moment ago: use that one
    identity, created_at = _load_identity(path)
    if device_name is not None and device_name != identity.device_name:
        identity = replace(identity, device_name=device_name)
        with atomic_writer(path, mode=0o600) as fh:
            fh.write(_identity_bytes(identity, created_at))
    return identity


def _default_device_name() -> str:
    name = socket.gethostname().strip()  # a local call, no network
    return name[:MAX_DEVICE_NAME_CHARS] or "inspector"


def utc_now() -> str:
    """Now, as manifests write times: ISO 8601 UTC to the second with a Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _identity_bytes(identity: DeviceIdentity, created_at: str) -> bytes:
    raw = identity.private_key.private_bytes_raw()
    doc = {
        "format": _IDENTITY_FORMAT,
        "device_id": identity.device_id,
        "device_name": identity.device_name,
        "created_at": created_at,
        "private_key": base64.b64encode(raw).decode("ascii"),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _load_identity(path: Path) -> tuple[DeviceIdentity, str]:
    with path.open("rb") as fh:
        data = fh.read(_MAX_IDENTITY_BYTES + 1)
    try:
        if len(data) > _MAX_IDENTITY_BYTES:
            raise ValueError("too large")
        doc = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != _IDENTITY_FORMAT:
            raise ValueError("not a device identity")
        device_id, name = doc["device_id"], doc["device_name"]
        created_at, key_b64 = doc["created_at"], doc["private_key"]
        if not (isinstance(device_id, str) and _UUID4.match(device_id)):
            raise ValueError("device_id")
        if not (isinstance(name, str) and len(name) <= MAX_DEVICE_NAME_CHARS):
            raise ValueError("device_name")
        if not isinstance(created_at, str) or not isinstance(key_b64, str):
            raise ValueError("created_at/private_key")
        raw = base64.b64decode(key_b64, validate=True)
        if len(raw) != 32:
            raise ValueError("private_key length")
        key = Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ValueError(
            _("the device signing identity {path} is damaged and cannot be used", path=str(path))
        ) from exc
    return DeviceIdentity(device_id, name, key), created_at


# --------------------------------------------------------------------------------------------
# Writing


def write_package(
    out: Path,
    identity: DeviceIdentity,
    *,
    kind: str,
    sequence: int,
    schema_version: str,
    app_version: str,
    created_at: str,
    summary: dict[str, Any],
    audit_head: str | None,
    members: Sequence[tuple[str, bytes | Path]],
    package_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Write the package atomically (temporary file in out's folder, fsync, os.replace, fsync the
    folder: the file appears whole or not at all). Member names must match MEMBER_RE, no
    duplicates (ValueError). Order in the zip: manifest.json, manifest.sig, then members as given.
    JSON members ZIP_DEFLATED (ZIP_STORED if they compress beyond the reader's ratio limit), media
    ZIP_STORED. Fixed zip timestamps (1980-01-01) so the bytes depend on content only. A Path
    member is streamed (never held in memory), hashed while copied. progress(done, total) after
    each member. Returns the manifest written. Invalid metadata or a package the reader would
    refuse (sizes, counts) raise ValueError before anything is written."""
    out = Path(out)
    limits = Limits()
    sources = _checked_members(members)

    # Pass 1: sizes and hashes for the manifest (and whether deflating would look like a bomb).
    entries: list[FileEntry] = []
    methods: list[int] = []
    for name, source in sources:
        deflate = name.endswith(".json")
        size, digest, compressed = _measure(name, source, deflate, limits)
        entries.append(FileEntry(name, size, digest))
        methods.append(_method(size, compressed, limits) if deflate else zipfile.ZIP_STORED)

    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_id": package_id if package_id is not None else str(uuid.uuid4()),
        "kind": kind,
        "device_id": identity.device_id,
        "device_name": one_line(identity.device_name)[:MAX_DEVICE_NAME_CHARS],
        "sequence": sequence,
        "schema_version": schema_version,
        "app_version": app_version,
        "created_at": created_at,
        "public_key": identity.public_key_b64,
        "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries],
        "summary": summary,
        "audit_head": audit_head,
    }
    try:
        manifest_bytes = canonical_json(doc)
    except (TypeError, ValueError) as exc:  # not JSON (a set, NaN, a lone surrogate...)
        raise ValueError(f"the manifest cannot be encoded as JSON: {exc}") from exc
    try:
        manifest = _load_manifest(manifest_bytes, limits)
    except PackageRejected as exc:
        raise ValueError(str(exc)) from exc
    if manifest.to_bytes() != manifest_bytes:  # pragma: no cover - canonical JSON round-trips
        raise RuntimeError("the manifest does not round-trip")
    signature = identity.private_key.sign(manifest_bytes)
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
    return manifest


def _checked_members(members: Sequence[tuple[str, bytes | Path]]) -> list[tuple[str, bytes | Path]]:
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
            raise ValueError(_too_large(name, limits.max_member_bytes))
        yield source
        return
    with source.open("rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{source} is not a regular file")
        if st.st_size > limits.max_member_bytes:
            raise ValueError(_too_large(name, limits.max_member_bytes))
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
            raise ValueError(_too_large(name, limits.max_member_bytes))
        digest.update(chunk)
        if compressor is not None:
            compressed += len(compressor.compress(chunk))
    if compressor is not None:
        compressed += len(compressor.flush())
    return size, digest.hexdigest(), compressed


def _compressor() -> Any:
    # The same raw deflate stream zipfile writes for ZIP_DEFLATED at its default level.
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)


def _deflate(data: bytes) -> bytes:
    compressor = _compressor()
    return compressor.compress(data) + compressor.flush()


def _ratio_too_high(file_size: int, compress_size: int, limits: Limits) -> bool:
    return file_size > _RATIO_FLOOR and file_size > limits.max_ratio * compress_size


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


# --------------------------------------------------------------------------------------------
# Reading


def read_manifest(path: Path, *, limits: Limits | None = None) -> Manifest:
    """Signature-checked manifest only (for a quick preview before a full open): all container
    checks on the zip's directory, manifest size cap, signature verified, manifest validated,
    listing compared with the directory. No member is extracted or read."""
    with _verified(Path(path), limits or Limits()) as (_zf, _infos, _data, manifest):
        return manifest


def open_package(
    path: Path,
    staging: Path,
    *,
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OpenedPackage:
    """Check the package and stage its members under ``staging/"files"``.

    staging: an empty private folder the caller owns (it creates and removes it; a missing one is
    created). A folder that is not empty is a programming error (ValueError). Raises
    PackageRejected for anything wrong with the package, leaving staging as it was."""
    limits = limits or Limits()
    path, staging = Path(path), Path(staging)
    if staging.exists():
        if not staging.is_dir() or any(staging.iterdir()):
            raise ValueError(f"the staging folder must be an empty folder: {staging}")
    else:
        staging.mkdir(mode=0o700, parents=True)
    files_dir = staging / "files"
    with _verified(path, limits) as (zf, infos, manifest_bytes, manifest):
        files_dir.mkdir(mode=0o700)
        try:
            _extract(zf, infos, manifest, files_dir, progress)
        except BaseException:
            shutil.rmtree(files_dir, ignore_errors=True)
            raise
    return OpenedPackage(manifest, manifest_bytes, staging, limits)


@contextmanager
def _verified(
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
    return PackageRejected(_("{name} is not an Inspector package", name=_show(path.name)))


def _open_file(path: Path, limits: Limits) -> BinaryIO:
    missing = PackageRejected(
        _("{name} does not exist or is not a regular file", name=_show(path.name))
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
                    name=_show(path.name),
                    size=st.st_size,
                    limit=limits.max_package_bytes,
                )
            )
    except BaseException:
        fh.close()
        raise
    return fh


def _too_many(limits: Limits) -> PackageRejected:
    return PackageRejected(_("the package has more than {limit} entries", limit=limits.max_members))


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
        raise _too_many(limits)
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
        raise _too_many(limits)
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.orig_filename  # zipfile cuts names at NUL and (on Windows) turns \ into /
        shown = _show(name)
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
            raise _too_large_rejection(name, cap)
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
                    member=_show(name),
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
                    member=_show(name),
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
        raise _too_large_rejection(name, cap)
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
    return manifest_bytes, _load_manifest(manifest_bytes, limits, signature=signature)


def _check_listing(infos: dict[str, zipfile.ZipInfo], manifest: Manifest) -> None:
    """Step 6: nothing in the zip that the manifest does not list, nothing listed that is absent."""
    listed = {f.path for f in manifest.files}
    for name in infos:
        if name not in (MANIFEST, SIGNATURE) and name not in listed:
            raise PackageRejected(
                _("{member} is in the package but not in the manifest", member=_show(name)),
                name,
            )
    for entry in manifest.files:
        if entry.path not in infos:
            raise PackageRejected(
                _(
                    "{member} is listed in the manifest but missing from the package",
                    member=_show(entry.path),
                ),
                entry.path,
            )


def _extract(
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
                            member=_show(name),
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
                member=_show(name),
                actual=count,
                size=entry.size,
            ),
            name,
        )
    if digest.hexdigest() != entry.sha256:
        raise PackageRejected(
            _("{member}: its SHA-256 does not match the manifest", member=_show(name)), name
        )


def _unreadable(name: str) -> PackageRejected:
    return PackageRejected(
        _(
            "{member}: it could not be read from the package (the data is damaged or uses an unsupported feature)",
            member=_show(name),
        ),
        name,
    )


def _too_large(name: str, limit: int) -> str:
    return _(
        "{member}: it is larger than the limit of {limit} bytes", member=_show(name), limit=limit
    )


def _too_large_rejection(name: str, limit: int) -> PackageRejected:
    return PackageRejected(_too_large(name, limit), name)


def _show(name: str) -> str:
    """A member name fit for a message: hashes shortened, control characters escaped, cut."""
    media = _MEDIA_NAME.match(name)
    if media:
        digest, suffix = media.groups()
        return f"media/{digest[:8]}…{digest[-4:]}{suffix}"
    shown = "".join(
        ch if ch.isprintable() else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else "?"
        for ch in name[:200]
    )
    return shown if len(shown) <= 120 else shown[:100] + "…"


# --------------------------------------------------------------------------------------------
# JSON and the manifest


class _DuplicateKey(Exception):
    pass


class _NonFinite(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise _NonFinite(name)


def has_surrogates(value: Any) -> bool:
    """True if a lone surrogate (not text: it cannot be encoded) is anywhere in ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
    return False


def _strict_json(data: bytes, member: str, cap: int) -> Any:
    """Parse JSON from an untrusted source (RELIABILITY C13): size capped before parsing, no
    NaN/Infinity, no duplicate keys, no lone surrogates, depth errors caught."""
    shown = _show(member)
    if len(data) > cap:
        raise _too_large_rejection(member, cap)
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise PackageRejected(
            _(
                "{member}: the key {key} appears twice in one object",
                member=shown,
                key=_show(str(exc.args[0])),
            ),
            member,
        ) from exc
    except _NonFinite as exc:
        raise PackageRejected(
            _("{member}: NaN and Infinity are not allowed in JSON", member=shown), member
        ) from exc
    except RecursionError as exc:
        raise PackageRejected(
            _("{member}: the JSON is nested too deeply", member=shown), member
        ) from exc
    except UnicodeDecodeError as exc:
        raise _bad_unicode(member) from exc
    except ValueError as exc:  # JSONDecodeError, too many integer digits
        raise PackageRejected(_("{member}: it is not valid JSON", member=shown), member) from exc
    if _SURROGATE_ESCAPE.search(text) and has_surrogates(value):
        raise _bad_unicode(member)
    return value


def _bad_unicode(member: str) -> PackageRejected:
    return PackageRejected(
        _("{member}: it contains text that is not valid Unicode", member=_show(member)), member
    )


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8, no NaN: the bytes that are hashed and signed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def one_line(name: str) -> str:
    """A name from a package as one line of what it says: control, format, bidi and line
    separator characters as escapes (``\\n``, ``\\u202e``), so a device calling itself
    "…\\nKey fingerprint: 0000 …" cannot forge a line of the import preview."""
    if all(unicodedata.category(ch) not in _INVISIBLE for ch in name):
        return name
    out = []
    for ch in name:
        if unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
    return "".join(out)


_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def _invalid(field_name: str) -> PackageRejected:
    return PackageRejected(_("the manifest field {field} is not valid", field=field_name))


def _public_key_bytes(doc: dict[str, Any]) -> bytes:
    value = doc.get("public_key")
    if "public_key" not in doc:
        raise PackageRejected(_("the manifest lacks the field {field}", field="public_key"))
    if not isinstance(value, str) or len(value) != 44:
        raise _invalid("public_key")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise _invalid("public_key") from exc
    if len(raw) != 32 or base64.b64encode(raw).decode("ascii") != value:
        raise _invalid("public_key")
    return raw


def _load_manifest(data: bytes, limits: Limits, *, signature: bytes | None = None) -> Manifest:
    """Parse just enough to find the key, verify the signature (when given) over the exact bytes,
    then validate everything strictly."""
    doc = _strict_json(data, MANIFEST, limits.max_manifest_bytes)
    if not isinstance(doc, dict):
        raise PackageRejected(_("the manifest is not a JSON object"))
    raw_key = _public_key_bytes(doc)
    if signature is not None:
        try:
            Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, data)
        except (InvalidSignature, ValueError) as exc:
            raise PackageRejected(
                _("the manifest's signature is not valid (the package was altered or damaged)"),
                SIGNATURE,
            ) from exc
    return _validate_manifest(doc, limits)


def _validate_manifest(doc: dict[str, Any], limits: Limits) -> Manifest:
    if "format" not in doc:
        raise PackageRejected(_("the manifest lacks the field {field}", field="format"))
    declared = doc["format"]
    if not isinstance(declared, str):
        raise _invalid("format")
    if declared != FORMAT:
        raise PackageRejected(
            _(
                "this is not an Inspector package (its manifest declares the format {format})",
                format=_show(declared),
            )
        )
    version = doc.get("format_version")
    if not _is_int(version):
        raise _invalid("format_version")
    if version > FORMAT_VERSION:
        raise PackageRejected(
            _(
                "this package was made by a newer Inspector (format {version}); update this app to open it",
                version=version,
            )
        )
    if version != FORMAT_VERSION:
        raise _invalid("format_version")
    missing = sorted(_MANIFEST_KEYS - doc.keys())
    if missing:
        raise PackageRejected(_("the manifest lacks the field {field}", field=missing[0]))
    unknown = sorted(doc.keys() - _MANIFEST_KEYS)
    if unknown:
        raise PackageRejected(
            _("the manifest has an unknown field {field}", field=_show(unknown[0]))
        )

    def text(key: str, max_chars: int, pattern: re.Pattern[str] | None = None) -> str:
        value = doc[key]
        if not isinstance(value, str) or len(value) > max_chars:
            raise _invalid(key)
        if pattern is not None and not pattern.match(value):
            raise _invalid(key)
        return value

    package_id = text("package_id", 36, _UUID4)
    kind = text("kind", 32, _KIND)
    device_id = text("device_id", 36, _UUID4)
    device_name = one_line(text("device_name", MAX_DEVICE_NAME_CHARS))
    schema_version = text("schema_version", MAX_VERSION_CHARS)
    app_version = text("app_version", MAX_VERSION_CHARS)
    created_at = text("created_at", 32, _UTC_TIME)
    try:
        datetime.strptime(created_at[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError as exc:
        raise _invalid("created_at") from exc
    sequence = doc["sequence"]
    if not _is_int(sequence) or not 1 <= sequence <= _MAX_INT:
        raise _invalid("sequence")
    audit_head = doc["audit_head"]
    if audit_head is not None and not (isinstance(audit_head, str) and _SHA256.match(audit_head)):
        raise _invalid("audit_head")
    summary = doc["summary"]
    if not isinstance(summary, dict):
        raise _invalid("summary")
    try:
        summary_size = len(canonical_json(summary))
    except (ValueError, RecursionError) as exc:  # pragma: no cover - it was parsed from JSON
        raise _invalid("summary") from exc
    if summary_size > MAX_SUMMARY_BYTES:
        raise PackageRejected(
            _(
                "the manifest's summary is larger than the limit of {limit} bytes",
                limit=MAX_SUMMARY_BYTES,
            )
        )
    return Manifest(
        package_id=package_id,
        kind=kind,
        device_id=device_id,
        device_name=device_name,
        sequence=sequence,
        schema_version=schema_version,
        app_version=app_version,
        created_at=created_at,
        public_key=doc["public_key"],
        files=_validate_files(doc["files"], limits),
        summary=summary,
        audit_head=audit_head,
    )


def _validate_files(files: Any, limits: Limits) -> tuple[FileEntry, ...]:
    if not isinstance(files, list):
        raise _invalid("files")
    if len(files) + 2 > limits.max_members:  # + manifest.json and manifest.sig
        raise _too_many(limits)
    entries: list[FileEntry] = []
    seen: set[str] = set()
    total = 0
    for index, item in enumerate(files):
        where = f"files[{index}]"
        if not isinstance(item, dict):
            raise _invalid(where)
        if item.keys() != _FILE_KEYS:
            raise _invalid(where)
        path, size, digest = item["path"], item["size"], item["sha256"]
        if not isinstance(path, str) or not MEMBER_RE.match(path):
            raise _invalid(f"{where}.path")
        if not _is_int(size) or size < 0:
            raise _invalid(f"{where}.size")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise _invalid(f"{where}.sha256")
        if path in seen:
            raise PackageRejected(
                _("the manifest lists {member} more than once", member=_show(path)), path
            )
        seen.add(path)
        if size > limits.max_member_bytes:
            raise _too_large_rejection(path, limits.max_member_bytes)
        total += size
        if total > limits.max_total_bytes:
            raise PackageRejected(
                _(
                    "the package's contents add up to more than the limit of {limit} bytes",
                    limit=limits.max_total_bytes,
                )
            )
        entries.append(FileEntry(path, size, digest))
    return tuple(entries)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)

"""The manifest of a package, the device key that signs it, and the signature.

``manifest.json`` is canonical JSON (sorted keys, no spaces, UTF-8) naming the package (UUID,
kind, device, per-device sequence number, schema and app versions, creation time), the public
key that signed it, a small ``summary`` for previews, the audit-chain head, and the path, size
and SHA-256 of every data member; ``manifest.sig`` is the 64-byte Ed25519 signature over its
exact bytes.

What the signature proves. It is checked with the public key named *inside* the manifest, so it
proves integrity, not identity: anyone can make a valid package with a key of their own, and a
manifest re-signed with another key (same content otherwise) is accepted here. Whether the key
belongs to a known device (pinning ``device_id`` to the public key, shown to people as
``Manifest.fingerprint``) is the importer's decision, not this module's. Once the signature
verifies, the listed sizes and hashes bind every member byte to it. The device key
(``device_identity``) signs manifests only; it is not the inspector's PDF-signing key.

A manifest is parsed just enough to find the key, the signature is verified over the exact
bytes, then every field is validated strictly (``load_manifest``); the writer checks what it
made with the same function (``manifest_bytes``), so it cannot write one the reader refuses.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PublicKey,
)

from inspector_app.i18n import _
from inspector_app.sync.strict import (
    Limits,
    PackageRejected,
    canonical_json,
    one_line,
    show,
    strict_json,
    too_large_rejection,
    too_many,
)

FORMAT = "inspector-package"
# the package's format: 2 since records format 2 (``wire``), so that an app before it says
# "update this app" at the preview already; the manifest's own fields are those of format 1,
# and a reader takes both
FORMAT_VERSION = 2
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

_KIND = re.compile(r"\A[a-z_]{1,32}\Z")
UUID4 = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
_SHA256 = re.compile(r"\A[0-9a-f]{64}\Z")
_UTC_TIME = re.compile(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z\Z"
)

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
_MAX_INT = 2**63 - 1  # what SQLite can store


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


def utc_now() -> str:
    """Now, as manifests write times: ISO 8601 UTC to the second with a Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Writing and reading the manifest


def manifest_bytes(
    *,
    device_id: str,
    device_name: str,
    public_key: str,
    package_id: str | None,
    kind: str,
    sequence: int,
    schema_version: str,
    app_version: str,
    created_at: str,
    summary: dict[str, Any],
    audit_head: str | None,
    files: Sequence[FileEntry],
    limits: Limits,
) -> tuple[bytes, Manifest]:
    """The manifest of a package being written (a new package id unless one is given), as the
    canonical JSON that is signed, checked with the reader's own validator. Invalid metadata
    (what the reader would refuse) raise ValueError."""
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_id": package_id if package_id is not None else str(uuid.uuid4()),
        "kind": kind,
        "device_id": device_id,
        "device_name": one_line(device_name)[:MAX_DEVICE_NAME_CHARS],
        "sequence": sequence,
        "schema_version": schema_version,
        "app_version": app_version,
        "created_at": created_at,
        "public_key": public_key,
        "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in files],
        "summary": summary,
        "audit_head": audit_head,
    }
    try:
        data = canonical_json(doc)
    except (TypeError, ValueError) as exc:  # not JSON (a set, NaN, a lone surrogate...)
        raise ValueError(f"the manifest cannot be encoded as JSON: {exc}") from exc
    try:
        manifest = load_manifest(data, limits)
    except PackageRejected as exc:
        raise ValueError(str(exc)) from exc
    if manifest.to_bytes() != data:  # pragma: no cover - canonical JSON round-trips
        raise RuntimeError("the manifest does not round-trip")
    return data, manifest


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


def load_manifest(data: bytes, limits: Limits, *, signature: bytes | None = None) -> Manifest:
    """Parse just enough to find the key, verify the signature (when given) over the exact bytes,
    then validate everything strictly."""
    doc = strict_json(data, MANIFEST, limits.max_manifest_bytes)
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
                format=show(declared),
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
    if version < 1:
        raise _invalid("format_version")
    missing = sorted(_MANIFEST_KEYS - doc.keys())
    if missing:
        raise PackageRejected(_("the manifest lacks the field {field}", field=missing[0]))
    unknown = sorted(doc.keys() - _MANIFEST_KEYS)
    if unknown:
        raise PackageRejected(
            _("the manifest has an unknown field {field}", field=show(unknown[0]))
        )

    def text(key: str, max_chars: int, pattern: re.Pattern[str] | None = None) -> str:
        value = doc[key]
        if not isinstance(value, str) or len(value) > max_chars:
            raise _invalid(key)
        if pattern is not None and not pattern.match(value):
            raise _invalid(key)
        return value

    package_id = text("package_id", 36, UUID4)
    kind = text("kind", 32, _KIND)
    device_id = text("device_id", 36, UUID4)
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
        format_version=version,
    )


def _validate_files(files: Any, limits: Limits) -> tuple[FileEntry, ...]:
    if not isinstance(files, list):
        raise _invalid("files")
    if len(files) + 2 > limits.max_members:  # + manifest.json and manifest.sig
        raise too_many(limits)
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
                _("the manifest lists {member} more than once", member=show(path)), path
            )
        seen.add(path)
        if size > limits.max_member_bytes:
            raise too_large_rejection(path, limits.max_member_bytes)
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


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)

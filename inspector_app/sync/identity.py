"""The identity this data folder signs its packages with: a device id and an Ed25519 key, in
``signing/device.json`` (mode 0600). The key signs manifests only (RELIABILITY B6); it is not
the inspector's PDF-signing key. How devices are named for people is ``devices``.
"""

from __future__ import annotations

import base64
import json
import socket
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector_app.fsutil import atomic_writer
from inspector_app.i18n import _
from inspector_app.sync.manifest import MAX_DEVICE_NAME_CHARS, UUID4, utc_now

_IDENTITY_FORMAT = "inspector-device-identity"
_MAX_IDENTITY_BYTES = 64 * 1024


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    device_name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.private_key.public_key().public_bytes_raw()).decode("ascii")


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
        if not (isinstance(device_id, str) and UUID4.match(device_id)):
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

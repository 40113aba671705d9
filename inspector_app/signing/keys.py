"""Private keys at rest: encrypted under a passphrase, never stored in the clear (RELIABILITY E23).

PKCS#8 ``BestAvailableEncryption`` is not used: its KDF is a few PBKDF2 rounds. Instead the
passphrase (NFC-normalised UTF-8) goes through Argon2id (64 MiB, 3 passes, 1 lane; OWASP's
floor is 19 MiB, t=2, p=1) to a 256-bit key that seals the PKCS#8 DER of the private key with
AES-256-GCM. The file is JSON::

    {
      "format": "inspector-encrypted-private-key",
      "version": 1,
      "key_type": "ec-p256",
      "public_key": "-----BEGIN PUBLIC KEY-----...",     (not secret: lets status and
      "public_key_sha256": "<hex of SHA-256 over the SubjectPublicKeyInfo DER>",  matching work
      "created_at": "2026-...Z",                           without the passphrase)
      "kdf": {"name": "argon2id", "salt": "<base64>", "memory_cost_kib": 19456,
              "iterations": 2, "lanes": 1, "length": 32},
      "cipher": {"name": "aes-256-gcm", "nonce": "<base64, 12 bytes>"},
      "ciphertext": "<base64: encrypted PKCS#8 DER followed by the 16-byte GCM tag>"
    }

Every field but ``ciphertext`` is bound to it as GCM associated data (canonical JSON), so
swapping the public key or weakening the parameters makes decryption fail. scrypt files
(n >= 2**15, r = 8, p >= 1) are read too. The passphrase itself is never stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from inspector_app.fsutil import atomic_write_bytes, open_regular
from inspector_app.i18n import _
from inspector_app.signing import SigningError, WrongPassphrase

FORMAT = "inspector-encrypted-private-key"
VERSION = 1
KEY_TYPE = "ec-p256"
MAX_FILE_BYTES = 64 * 1024

# What new files get; stronger than OWASP's Argon2id minimum (19 MiB, t=2, p=1).
# OWASP's first Argon2id configuration (19 MiB, t=2, p=1; RELIABILITY E23): about 40 ms here
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_ITERATIONS = 2
ARGON2_LANES = 1
# What a file may ask for when read: weaker is refused, absurdly costly too (hostile files).
_ARGON2_LIMITS = {
    "memory_cost_kib": (19 * 1024, 1024 * 1024),
    "iterations": (2, 20),
    "lanes": (1, 8),
}
_SCRYPT_LIMITS = {"n": (2**15, 2**20), "r": (8, 8), "p": (1, 4)}
MIN_PASSPHRASE_CHARS = 8


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def check_new_passphrase(passphrase: str) -> None:
    """A passphrase for a new key: at least MIN_PASSPHRASE_CHARS characters."""
    if len(passphrase or "") < MIN_PASSPHRASE_CHARS:
        raise SigningError(
            _(
                "the passphrase must have at least {n} characters",
                n=MIN_PASSPHRASE_CHARS,
            )
        )


def _secret(passphrase: str) -> bytes:
    if not passphrase:
        raise SigningError(_("no passphrase given"))
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def public_key_der(public_key: Any) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_fingerprint(public_key: Any) -> str:
    """SHA-256 (hex) of the SubjectPublicKeyInfo DER: the key's identity in files and reports."""
    return hashlib.sha256(public_key_der(public_key)).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        raise SigningError(_("key file: {field} is not valid base64", field=what)) from None


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _derive(kdf: dict[str, Any], secret: bytes) -> bytes:
    name = kdf.get("name")
    salt = _unb64(kdf.get("salt"), "kdf.salt")
    if len(salt) < 16 or kdf.get("length") != 32:
        raise SigningError(_("key file: unusable KDF parameters"))
    if name == "argon2id":
        params = _bounded(kdf, _ARGON2_LIMITS)
        try:
            from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

            return Argon2id(
                salt=salt,
                length=32,
                iterations=params["iterations"],
                lanes=params["lanes"],
                memory_cost=params["memory_cost_kib"],
            ).derive(secret)
        except (ImportError, UnsupportedAlgorithm):
            raise SigningError(
                _("this installation cannot derive Argon2id keys (cryptography too old)")
            ) from None
    if name == "scrypt":
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        params = _bounded(kdf, _SCRYPT_LIMITS)
        return Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"]).derive(
            secret
        )
    raise SigningError(_("key file: unknown KDF {name!r}", name=name))


def _bounded(kdf: dict[str, Any], limits: dict[str, tuple[int, int]]) -> dict[str, int]:
    out = {}
    for key, (low, high) in limits.items():
        value = kdf.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise SigningError(_("key file: KDF parameter {name} out of range", name=key))
        out[key] = value
    if "n" in out and out["n"] & (out["n"] - 1):
        raise SigningError(_("key file: KDF parameter {name} out of range", name="n"))
    return out


def encrypt_private_key(
    key: ec.EllipticCurvePrivateKey, passphrase: str, *, kdf_name: str = "argon2id"
) -> bytes:
    """The key file's bytes: the key sealed under a key derived from ``passphrase``."""
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise SigningError(_("only ECDSA P-256 keys are supported"))
    secret = _secret(passphrase)
    salt = os.urandom(16)
    if kdf_name == "argon2id":
        kdf: dict[str, Any] = {
            "name": "argon2id",
            "salt": _b64(salt),
            "memory_cost_kib": ARGON2_MEMORY_KIB,
            "iterations": ARGON2_ITERATIONS,
            "lanes": ARGON2_LANES,
            "length": 32,
        }
    elif kdf_name == "scrypt":
        kdf = {"name": "scrypt", "salt": _b64(salt), "n": 2**15, "r": 8, "p": 1, "length": 32}
    else:
        raise SigningError(_("key file: unknown KDF {name!r}", name=kdf_name))
    nonce = os.urandom(12)
    public = key.public_key()
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "key_type": KEY_TYPE,
        "public_key": public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii"),
        "public_key_sha256": public_key_fingerprint(public),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kdf": kdf,
        "cipher": {"name": "aes-256-gcm", "nonce": _b64(nonce)},
    }
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    sealed = AESGCM(_derive(kdf, secret)).encrypt(nonce, der, _aad(header))
    return json.dumps({**header, "ciphertext": _b64(sealed)}, indent=2).encode("ascii") + b"\n"


@dataclass(frozen=True)
class KeyFileInfo:
    """What a key file says about itself, read without the passphrase."""

    path: Path | None
    key_type: str
    public_key: Any  # cryptography public key
    fingerprint: str
    kdf: str
    kdf_params: dict[str, Any]
    cipher: str
    created_at: str
    encrypted: bool  # ciphertext present and no private key in the clear


def _parse(data: bytes, where: str) -> dict[str, Any]:
    if len(data) > MAX_FILE_BYTES:
        raise SigningError(_("{file}: not an Inspector key file", file=where))
    if b"PRIVATE KEY-----" in data:
        raise SigningError(
            _("{file}: holds an unencrypted private key; refusing to use it", file=where)
        )
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SigningError(_("{file}: not an Inspector key file", file=where)) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SigningError(_("{file}: not an Inspector key file", file=where))
    if doc.get("version") != VERSION:
        raise SigningError(
            _("{file}: key file version {v} is not supported", file=where, v=doc.get("version"))
        )
    if doc.get("key_type") != KEY_TYPE or not isinstance(doc.get("kdf"), dict):
        raise SigningError(_("{file}: not an Inspector key file", file=where))
    cipher = doc.get("cipher")
    if not isinstance(cipher, dict) or cipher.get("name") != "aes-256-gcm":
        raise SigningError(_("{file}: not an Inspector key file", file=where))
    return doc


def _public_key(doc: dict[str, Any], where: str) -> Any:
    try:
        key = serialization.load_pem_public_key(str(doc.get("public_key", "")).encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm):
        raise SigningError(_("{file}: not an Inspector key file", file=where)) from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise SigningError(_("only ECDSA P-256 keys are supported"))
    if public_key_fingerprint(key) != doc.get("public_key_sha256"):
        raise SigningError(_("{file}: the key file is damaged", file=where))
    return key


def inspect_key_bytes(data: bytes, path: Path | None = None) -> KeyFileInfo:
    where = str(path) if path else _("key file")
    doc = _parse(data, where)
    kdf = dict(doc["kdf"])
    kdf.pop("salt", None)
    return KeyFileInfo(
        path=path,
        key_type=doc["key_type"],
        public_key=_public_key(doc, where),
        fingerprint=doc["public_key_sha256"],
        kdf=str(kdf.get("name")),
        kdf_params={k: v for k, v in kdf.items() if k != "name"},
        cipher=doc["cipher"]["name"],
        created_at=str(doc.get("created_at", "")),
        encrypted=bool(doc.get("ciphertext")),
    )


def decrypt_private_key(
    data: bytes, passphrase: str, path: Path | None = None
) -> ec.EllipticCurvePrivateKey:
    """Open a key file; ``WrongPassphrase`` when the passphrase (or the file) is wrong."""
    where = str(path) if path else _("key file")
    doc = _parse(data, where)
    expected_public = _public_key(doc, where)
    header = {k: v for k, v in doc.items() if k != "ciphertext"}
    sealed = _unb64(doc.get("ciphertext"), "ciphertext")
    nonce = _unb64(doc["cipher"].get("nonce"), "cipher.nonce")
    if len(nonce) != 12 or len(sealed) < 17:
        raise SigningError(_("{file}: the key file is damaged", file=where))
    key_bytes = _derive(doc["kdf"], _secret(passphrase))
    try:
        der = AESGCM(key_bytes).decrypt(nonce, sealed, _aad(header))
    except InvalidTag:
        raise WrongPassphrase(
            _("wrong passphrase for {file} (or the file was altered)", file=where)
        ) from None
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or public_key_fingerprint(
        key.public_key()
    ) != public_key_fingerprint(expected_public):
        raise SigningError(_("{file}: the key file is damaged", file=where))
    return key


def write_key_file(path: Path, key: ec.EllipticCurvePrivateKey, passphrase: str) -> KeyFileInfo:
    """Encrypt and write atomically (the temporary file is created 0600 and stays so)."""
    data = encrypt_private_key(key, passphrase)
    atomic_write_bytes(path, data)
    return inspect_key_bytes(data, path)


def read_key_info(path: Path) -> KeyFileInfo:
    return inspect_key_bytes(_read(path), path)


def load_key_file(path: Path, passphrase: str) -> ec.EllipticCurvePrivateKey:
    return decrypt_private_key(_read(path), passphrase, path)


def _read(path: Path) -> bytes:
    try:
        with open_regular(path) as fh:  # a regular file only: a FIFO never blocks
            return fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SigningError(_("key file not found: {file}", file=path)) from None
    except OSError as exc:
        raise SigningError(
            _("{file}: cannot read the file: {error}", file=path, error=exc)
        ) from None

"""Signing identities on this computer: whose keys are here, making, opening and renewing
them, and installing the certificate HQ issues.

An identity is a person's signing key (encrypted, see ``signing.keys``) with its
certificate: self-signed, or issued by HQ's CA. A laptop may carry several, one per
inspector who signs on it (a team shares a laptop): only an inspector listed on an
inspection may sign its report (``services.report_signing``). Files in the data
folder, all written atomically, private keys only encrypted::

    signing/identity-key.json, identity-cert.pem      the first identity made here
    signing/people/<id>-key.json, <id>-cert.pem        every further one (id: of the name)

HQ's certificate authority, which issues the certificates, is ``services.hq_ca``.

Passphrases come from the caller (a prompt, or ``INSPECTOR_PASSPHRASE``); none is stored.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from inspector_app.fsutil import atomic_write_bytes
from inspector_app.i18n import _
from inspector_app.services.errors import ServiceError
from inspector_app.signing import SigningError, WrongPassphrase
from inspector_app.signing import ca as ca_mod
from inspector_app.signing import keys as keys_mod
from inspector_app.signing.keys import MIN_PASSPHRASE_CHARS as MIN_PASSPHRASE_CHARS  # for screens
from inspector_app.signing.pades import SigningIdentity
from inspector_app.workspace import Workspace

PASSPHRASE_ENV = "INSPECTOR_PASSPHRASE"
NEW_PASSPHRASE_ENV = "INSPECTOR_NEW_PASSPHRASE"  # `ca issue`: protects the new inspector key
DEMO_PASSPHRASE = "demo-passphrase"  # the demo's, only when INSPECTOR_PASSPHRASE is unset
DEMO_CA_NAME = "示例·威海市科学技术局 根证书 (demo)"
DEMO_ORGANISATION = "示例·威海市科学技术局"
DEMO_INSPECTOR = "王晓明"  # the demo's first inspector: the first identity the demo makes

SIGNING_DIR = "signing"
PEOPLE_DIR = "people"
IDENTITY_KEY = "identity-key.json"
IDENTITY_CERT = "identity-cert.pem"


class SigningRefused(ServiceError):
    """A key, certificate or signing request that cannot be carried out; nothing was written."""


class PassphraseRejected(SigningRefused):
    """The passphrase does not open the key. The message names no file: a person at the
    keyboard is asked again (the desktop) or told to retry (the command line)."""


F = TypeVar("F", bound=Callable[..., Any])


def refusing(func: F) -> F:
    """Turn the signing package's errors into service refusals (the CLI prints them)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WrongPassphrase:
            raise PassphraseRejected(_("wrong passphrase")) from None
        except SigningError as exc:
            raise SigningRefused(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


# -- where things are -----------------------------------------------------------------------


def identity_paths(ws: Workspace, name: str | None = None) -> tuple[Path, Path]:
    """The key and certificate files of ``name``'s identity (default: the first one made
    here). A name without an identity yet gets the first pair if that is free, else its own
    pair under ``signing/people/``."""
    folder = ws.data_dir / SIGNING_DIR
    first = folder / IDENTITY_KEY, folder / IDENTITY_CERT
    if name is None:
        return first
    if _subject_of(first[1]) in (name, None) and (first[1].exists() or not first[0].exists()):
        return first
    stem = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    people = folder / PEOPLE_DIR
    return people / f"{stem}-key.json", people / f"{stem}-cert.pem"


def _subject_of(cert_path: Path) -> str | None:
    """The name a certificate file is for; None when there is none (or it cannot be read)."""
    if not cert_path.exists():
        return None
    try:
        return ca_mod.common_name(ca_mod.load_certificates(cert_path)[0].subject)
    except SigningError:
        return ""


def identity_names(ws: Workspace) -> list[str]:
    """Whose identities are on this computer: the first one made, then the others by name."""
    folder = ws.data_dir / SIGNING_DIR
    names = []
    first = _subject_of(folder / IDENTITY_CERT)
    if first:
        names.append(first)
    others = sorted(
        n
        for cert in (folder / PEOPLE_DIR).glob("*-cert.pem")
        # filed in its name's place: a copy elsewhere is not what signs as that name
        if (n := _subject_of(cert)) and n != first and identity_paths(ws, n)[1] == cert
    )
    return names + others


def demo_passphrase() -> str:
    """INSPECTOR_PASSPHRASE if set, else the documented demo passphrase."""
    return os.environ.get(PASSPHRASE_ENV) or DEMO_PASSPHRASE


def _default_name(ws: Workspace) -> str:
    names = ws.settings.inspectors
    return names[0] if names else ws.actor


def _backup_existing(*paths: Path) -> None:
    """Keep a copy of a file about to be replaced beside it (never overwritten silently);
    the original stays in place until the atomic write of its successor."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for p in paths:
        if p.exists():
            shutil.copy2(p, p.with_name(f"{p.name}.{stamp}.old"))


# -- identity (this laptop's key and certificate) -------------------------------------------


def _cert_status(cert: x509.Certificate, chain: list[x509.Certificate]) -> dict[str, Any]:
    info = ca_mod.describe(cert)
    now = dt.datetime.now(dt.UTC)
    info["kind"] = "self-signed" if info["self_signed"] else "hq-issued"
    info["valid_until"] = info["not_after"]
    info["expired"] = cert.not_valid_after_utc <= now
    info["chain"] = [ca_mod.common_name(c.subject) for c in chain]
    return info


def identity_status(ws: Workspace, name: str | None = None) -> dict[str, Any] | None:
    """An identity (``name``'s, else the first), read without the passphrase; None when
    there is none."""
    key_path, cert_path = identity_paths(ws, name)
    if name is not None and _subject_of(cert_path) != name:
        return None
    if not key_path.exists() and not cert_path.exists():
        return None
    out: dict[str, Any] = {"key_file": str(key_path), "certificate_file": str(cert_path)}
    problems: list[str] = []
    info = None
    try:
        info = keys_mod.read_key_info(key_path)
        out.update(
            key_encrypted=info.encrypted,
            kdf=info.kdf,
            kdf_params=info.kdf_params,
            cipher=info.cipher,
            public_key_sha256=info.fingerprint,
        )
    except SigningError as exc:
        out["key_encrypted"] = False
        problems.append(str(exc))
    try:
        certs = ca_mod.load_certificates(cert_path)
        out.update(_cert_status(certs[0], certs[1:]))
        if info is not None:
            out["certificate_matches_key"] = (
                keys_mod.public_key_fingerprint(certs[0].public_key()) == info.fingerprint
            )
            if not out["certificate_matches_key"]:
                problems.append(_("the certificate does not belong to the key"))
        if out.get("expired"):
            problems.append(_("the certificate has expired"))
    except SigningError as exc:
        problems.append(str(exc))
    out["problems"] = problems
    return out


def identities_status(ws: Workspace) -> list[dict[str, Any]]:
    """Every identity on this computer, as ``identity_status`` gives it."""
    return [st for n in identity_names(ws) if (st := identity_status(ws, n))]


def _load_identity(ws: Workspace, passphrase: str, name: str | None = None) -> SigningIdentity:
    key_path, cert_path = identity_paths(ws, name)
    key = keys_mod.load_key_file(key_path, passphrase)
    certs = ca_mod.load_certificates(cert_path)
    cert = certs[0]
    if not ca_mod.public_key_matches(cert, key):
        raise SigningError(_("{file}: the certificate does not belong to the key", file=cert_path))
    if cert.not_valid_after_utc <= dt.datetime.now(dt.UTC):
        raise SigningError(
            _(
                "the signing certificate expired on {date}; ask HQ for a new one",
                date=cert.not_valid_after_utc.date().isoformat(),
            )
        )
    return SigningIdentity(key, cert, tuple(certs[1:]))


@refusing
def load_identity(ws: Workspace, passphrase: str, name: str | None = None) -> SigningIdentity:
    """Open an identity (``name``'s, else the first made here): the passphrase decrypts
    the key."""
    key_path, cert_path = identity_paths(ws, name)
    if not key_path.exists() or (name is not None and _subject_of(cert_path) != name):
        who = name or _("this computer")
        raise SigningError(
            _(
                "no signing key for {name} here; run `inspector-app keys init --name {name}`",
                name=who,
            )
        )
    return _load_identity(ws, passphrase, name)


@refusing
def init_identity(
    ws: Workspace,
    *,
    passphrase: str,
    name: str | None = None,
    organisation: str | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Make a person's signing key and a self-signed certificate for it (default: the
    first inspector of the settings). One identity per name; ``replace`` renews it."""
    name = (name or _default_name(ws)).strip()
    key_path, cert_path = identity_paths(ws, name)
    if (key_path.exists() or cert_path.exists()) and not replace:
        raise SigningError(
            _(
                "a signing identity for {name} already exists in {dir}; use --force to replace "
                "it (the old files are kept beside it)",
                name=name,
                dir=key_path.parent,
            )
        )
    keys_mod.check_new_passphrase(passphrase)
    key = keys_mod.generate_private_key()
    cert = ca_mod.make_self_signed_certificate(key, common_name=name, organisation=organisation)
    _backup_existing(key_path, cert_path)
    keys_mod.write_key_file(key_path, key, passphrase)
    atomic_write_bytes(cert_path, ca_mod.certificates_pem([cert]))
    status = identity_status(ws, name)
    assert status is not None
    return status


def ensure_identity(
    ws: Workspace, *, passphrase: str, name: str | None = None
) -> tuple[SigningIdentity, bool]:
    """``name``'s identity, made (self-signed) on first use; True when it was just made."""
    key_path, cert_path = identity_paths(ws, name)
    created = False
    if not key_path.exists() and not cert_path.exists():
        init_identity(ws, passphrase=passphrase, name=name)
        created = True
    return load_identity(ws, passphrase, name), created


@refusing
def import_certificate(
    ws: Workspace, cert_file: Path, *, key_file: Path | None = None
) -> dict[str, Any]:
    """Install an HQ-issued certificate (PEM, with or without the CA after it).

    Without ``key_file`` the certificate must be for the key of an identity here (issued
    from its request); with it, the key file of an HQ bundle becomes the identity of the
    certificate's name.
    """
    key_bytes: bytes | None = None
    certs = ca_mod.load_certificates(cert_file)
    if key_file is not None:
        info = keys_mod.read_key_info(key_file)  # refuses anything but an encrypted key file
        key_bytes = key_file.read_bytes()
        fingerprints: dict[str, str | None] = {info.fingerprint: None}
    else:
        fingerprints = {}
        for name in identity_names(ws):
            try:
                fingerprints[keys_mod.read_key_info(identity_paths(ws, name)[0]).fingerprint] = name
            except SigningError:
                continue
        if not fingerprints:
            raise SigningError(
                _(
                    "no signing key in {dir}; run `inspector-app keys init`",
                    dir=ws.data_dir / SIGNING_DIR,
                )
            )
    leaf = next(
        (c for c in certs if keys_mod.public_key_fingerprint(c.public_key()) in fingerprints),
        None,
    )
    if leaf is None:
        raise SigningError(_("{file}: no certificate in it belongs to the key", file=cert_file))
    _check_signer_profile(leaf, cert_file)
    chain = [c for c in certs if c is not leaf]
    issuer = next((c for c in chain if c.subject == leaf.issuer), None)
    if issuer is not None:
        try:
            leaf.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise SigningError(
                _("{file}: the certificate was not issued by the CA given with it", file=cert_file)
            ) from None
    owner = fingerprints[keys_mod.public_key_fingerprint(leaf.public_key())]
    name = ca_mod.common_name(leaf.subject)
    key_path, cert_path = identity_paths(ws, owner or name)
    moved: tuple[Path, Path] | None = None
    if owner is not None and owner != name and key_path.parent.name == PEOPLE_DIR:
        # a further identity is filed under its name: HQ named the key's owner otherwise,
        # so the key goes to that name's place with its certificate
        moved, key_bytes = (key_path, cert_path), key_path.read_bytes()
        key_path, cert_path = identity_paths(ws, name)
    if key_bytes is not None:
        _backup_existing(key_path, cert_path)
        atomic_write_bytes(key_path, key_bytes)
    elif cert_path.exists():
        _backup_existing(cert_path)
    atomic_write_bytes(cert_path, ca_mod.certificates_pem([leaf, *chain]))
    if moved is not None and moved[0] != key_path:
        _backup_existing(*moved)  # the old files stay beside, as .old
        for old in moved:
            old.unlink(missing_ok=True)
    status = identity_status(ws, name)
    assert status is not None
    return status


def _check_signer_profile(cert: x509.Certificate, where: Path) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        ok = usage.digital_signature and usage.content_commitment
    except x509.ExtensionNotFound:
        ok = False
    if not ok or ca_mod.is_ca(cert):
        raise SigningError(
            _(
                "{file}: not a signing certificate (needs digitalSignature and nonRepudiation)",
                file=where,
            )
        )
    if cert.not_valid_after_utc <= dt.datetime.now(dt.UTC):
        raise SigningError(_("{file}: the certificate has expired", file=where))

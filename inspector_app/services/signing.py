"""Signing use cases shared by the CLI and the GUI: identity, HQ CA, signed reports, verify.

Files in the data folder (all written atomically; private keys only encrypted, see
``signing.keys``)::

    signing/identity-key.json    this laptop's inspector key
    signing/identity-cert.pem    its certificate (self-signed, or HQ-issued followed by the root)
    ca/ca-key.json, ca/ca-cert.pem   the HQ root (only on an HQ machine, or the demo)
    ca/issued/<serial>.pem       every certificate the CA issued

Passphrases come from the caller (a prompt, or ``INSPECTOR_PASSPHRASE``); none is stored.
A laptop without an HQ certificate signs with a self-signed one, made by ``init_identity`` or
on the first signature; verification reports such signatures as untrusted.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes

from inspector_app.fsutil import atomic_write_bytes
from inspector_app.i18n import _, current_language
from inspector_app.services.errors import InvalidInput, ServiceError
from inspector_app.signing import SigningError, WrongPassphrase
from inspector_app.signing import ca as ca_mod
from inspector_app.signing import keys as keys_mod
from inspector_app.signing.pades import (
    FIELD_NAME,
    SignatureBox,
    SigningIdentity,
    sign_pdf_bytes,
    tr,
    write_signed_pdf,
)
from inspector_app.signing.verify import VerifyResult, verify_pdf

PASSPHRASE_ENV = "INSPECTOR_PASSPHRASE"
NEW_PASSPHRASE_ENV = "INSPECTOR_NEW_PASSPHRASE"  # `ca issue`: protects the new inspector key
DEMO_PASSPHRASE = "demo-passphrase"  # the demo's, only when INSPECTOR_PASSPHRASE is unset
DEMO_CA_NAME = "示例·威海市科学技术局 根证书 (demo)"
DEMO_ORGANISATION = "示例·威海市科学技术局"
DEMO_INSPECTOR = "王晓明"

SIGNING_DIR = "signing"
IDENTITY_KEY = "identity-key.json"
IDENTITY_CERT = "identity-cert.pem"
CA_DIR = "ca"
CA_KEY = "ca-key.json"
CA_CERT = "ca-cert.pem"


class SigningRefused(ServiceError):
    """A key, certificate or signing request that cannot be carried out; nothing was written."""


class PassphraseRejected(SigningRefused):
    pass


F = TypeVar("F", bound=Callable[..., Any])


def _refusing(func: F) -> F:
    """Turn the signing package's errors into service refusals (the CLI prints them)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WrongPassphrase as exc:
            raise PassphraseRejected(str(exc)) from exc
        except SigningError as exc:
            raise SigningRefused(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


# -- where things are -----------------------------------------------------------------------


def identity_paths(data_dir: Path) -> tuple[Path, Path]:
    folder = data_dir / SIGNING_DIR
    return folder / IDENTITY_KEY, folder / IDENTITY_CERT


def ca_paths(data_dir: Path) -> tuple[Path, Path]:
    folder = data_dir / CA_DIR
    return folder / CA_KEY, folder / CA_CERT


def demo_passphrase() -> str:
    """INSPECTOR_PASSPHRASE if set, else the documented demo passphrase."""
    return os.environ.get(PASSPHRASE_ENV) or DEMO_PASSPHRASE


def _default_name() -> str:
    from inspector_app.settings import default_actor, load_settings

    names = load_settings().inspectors
    return names[0] if names else default_actor()


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


def identity_status(data_dir: Path) -> dict[str, Any] | None:
    """This laptop's signing identity, read without the passphrase; None when there is none."""
    key_path, cert_path = identity_paths(data_dir)
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


def _load_identity(data_dir: Path, passphrase: str) -> SigningIdentity:
    key_path, cert_path = identity_paths(data_dir)
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


@_refusing
def load_identity(data_dir: Path, passphrase: str) -> SigningIdentity:
    """Open this laptop's identity (the passphrase decrypts the key)."""
    key_path, _cert = identity_paths(data_dir)
    if not key_path.exists():
        raise SigningError(
            _("no signing key in {dir}; run `inspector-app keys init`", dir=key_path.parent)
        )
    return _load_identity(data_dir, passphrase)


@_refusing
def init_identity(
    data_dir: Path,
    *,
    passphrase: str,
    name: str | None = None,
    organisation: str | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Make this laptop's inspector key and a self-signed certificate for it."""
    key_path, cert_path = identity_paths(data_dir)
    if (key_path.exists() or cert_path.exists()) and not replace:
        raise SigningError(
            _(
                "a signing identity already exists in {dir}; use --force to replace it "
                "(the old files are kept beside it)",
                dir=key_path.parent,
            )
        )
    keys_mod.check_new_passphrase(passphrase)
    key = keys_mod.generate_private_key()
    cert = ca_mod.make_self_signed_certificate(
        key, common_name=name or _default_name(), organisation=organisation
    )
    _backup_existing(key_path, cert_path)
    keys_mod.write_key_file(key_path, key, passphrase)
    atomic_write_bytes(cert_path, ca_mod.certificates_pem([cert]))
    status = identity_status(data_dir)
    assert status is not None
    return status


def ensure_identity(
    data_dir: Path, *, passphrase: str, name: str | None = None
) -> tuple[SigningIdentity, bool]:
    """The identity, made (self-signed) on first use; True when it was just made."""
    key_path, cert_path = identity_paths(data_dir)
    created = False
    if not key_path.exists() and not cert_path.exists():
        init_identity(data_dir, passphrase=passphrase, name=name)
        created = True
    return load_identity(data_dir, passphrase), created


@_refusing
def import_certificate(
    data_dir: Path, cert_file: Path, *, key_file: Path | None = None
) -> dict[str, Any]:
    """Install an HQ-issued certificate (PEM, with or without the CA after it).

    Without ``key_file`` the certificate must be for this laptop's existing key (issued from
    its request); with it, the key file of an HQ bundle becomes the identity key.
    """
    key_path, cert_path = identity_paths(data_dir)
    key_bytes: bytes | None = None
    if key_file is not None:
        info = keys_mod.read_key_info(key_file)  # refuses anything but an encrypted key file
        key_bytes = key_file.read_bytes()
    else:
        if not key_path.exists():
            raise SigningError(
                _("no signing key in {dir}; run `inspector-app keys init`", dir=key_path.parent)
            )
        info = keys_mod.read_key_info(key_path)
    certs = ca_mod.load_certificates(cert_file)
    leaf = next(
        (c for c in certs if keys_mod.public_key_fingerprint(c.public_key()) == info.fingerprint),
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
    if key_bytes is not None:
        _backup_existing(key_path, cert_path)
        atomic_write_bytes(key_path, key_bytes)
    elif cert_path.exists():
        _backup_existing(cert_path)
    atomic_write_bytes(cert_path, ca_mod.certificates_pem([leaf, *chain]))
    status = identity_status(data_dir)
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


# -- HQ CA ----------------------------------------------------------------------------------


def ca_status(data_dir: Path) -> dict[str, Any] | None:
    key_path, cert_path = ca_paths(data_dir)
    if not cert_path.exists():
        return None
    try:
        cert = ca_mod.load_certificates(cert_path)[0]
    except SigningError as exc:
        return {"certificate_file": str(cert_path), "problems": [str(exc)]}
    out = ca_mod.describe(cert)
    out.update(
        certificate_file=str(cert_path),
        key_file=str(key_path) if key_path.exists() else None,
        valid_until=out["not_after"],
    )
    return out


@_refusing
def init_ca(
    data_dir: Path,
    *,
    passphrase: str,
    name: str | None = None,
    organisation: str | None = None,
) -> dict[str, Any]:
    """Create the HQ root CA in ``<data_dir>/ca/`` (refused if one exists)."""
    key_path, cert_path = ca_paths(data_dir)
    if key_path.exists() or cert_path.exists():
        raise SigningError(_("a CA already exists in {dir}", dir=key_path.parent))
    keys_mod.check_new_passphrase(passphrase)
    if organisation is None:
        from inspector_app.settings import load_settings

        organisation = load_settings().organisation or None
    key = keys_mod.generate_private_key()
    cert = ca_mod.make_ca_certificate(
        key,
        common_name=name or _("{org} Inspector Root CA", org=organisation or "HQ").strip(),
        organisation=organisation,
    )
    keys_mod.write_key_file(key_path, key, passphrase)
    atomic_write_bytes(cert_path, ca_mod.certificates_pem([cert]))
    status = ca_status(data_dir)
    assert status is not None
    return status


@dataclass(frozen=True)
class IssuedCertificate:
    name: str
    serial: str
    not_after: dt.datetime
    certificate_file: Path  # the inspector certificate followed by the CA certificate
    key_file: Path | None  # a new encrypted key, when no request was given
    from_request: str | None  # csr | certificate | public_key


def _safe_filename(name: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .") or "inspector"
    return cleaned[:60]


@_refusing
def issue_certificate(
    data_dir: Path,
    *,
    name: str,
    passphrase: str,
    out_dir: Path | None = None,
    request: Path | None = None,
    new_key_passphrase: str | None = None,
    organisation: str | None = None,
) -> IssuedCertificate:
    """Issue an inspector certificate with the CA (unlocked by ``passphrase``).

    With ``request`` (a CSR, a laptop's self-signed certificate or a public key) the
    certificate is for that key. Without, a new key is made and written encrypted under
    ``new_key_passphrase`` beside the certificate: a bundle HQ hands to the laptop
    (``keys import-cert CERT --key KEY``).
    """
    name = (name or "").strip()
    if not name:
        raise SigningError(_("a certificate needs a name"))
    key_path, cert_path = ca_paths(data_dir)
    if not cert_path.exists():
        raise SigningError(
            _("no CA in {dir}; run `inspector-app ca init` first", dir=key_path.parent)
        )
    ca_cert = ca_mod.load_certificates(cert_path)[0]
    if request is None:
        if not new_key_passphrase:
            raise SigningError(_("a passphrase for the new inspector key is needed"))
        keys_mod.check_new_passphrase(new_key_passphrase)
    ca_key = keys_mod.load_key_file(key_path, passphrase)
    new_key = None
    kind = None
    if request is not None:
        req = ca_mod.load_key_request(request)
        public_key, kind = req.public_key, req.kind
    else:
        new_key = keys_mod.generate_private_key()
        public_key = new_key.public_key()
    if organisation is None:
        organisation = ca_mod.organisation_of(ca_cert.subject)
    cert = ca_mod.issue_inspector_certificate(
        ca_key, ca_cert, public_key, common_name=name, organisation=organisation
    )
    serial = format(cert.serial_number, "x")
    out_dir = out_dir or Path.cwd()
    stem = f"{_safe_filename(name)}-{serial[:8]}"
    cert_out = out_dir / f"{stem}.cert.pem"
    key_out = out_dir / f"{stem}.key.json" if new_key is not None else None
    if new_key is not None and key_out is not None:
        assert new_key_passphrase is not None
        keys_mod.write_key_file(key_out, new_key, new_key_passphrase)
    atomic_write_bytes(cert_out, ca_mod.certificates_pem([cert, ca_cert]))
    atomic_write_bytes(
        key_path.parent / "issued" / f"{serial}.pem", ca_mod.certificates_pem([cert])
    )
    return IssuedCertificate(
        name=name,
        serial=serial,
        not_after=cert.not_valid_after_utc,
        certificate_file=cert_out,
        key_file=key_out,
        from_request=kind,
    )


@_refusing
def ensure_demo_identity(data_dir: Path, passphrase: str | None = None) -> dict[str, Any]:
    """For `demo`: a demo HQ CA and an identity for the demo inspector issued by it, so
    `report --sign` works out of the box. Running it again changes nothing; an identity that
    already exists is kept. ``passphrase`` defaults to ``demo_passphrase()``."""
    passphrase = passphrase or demo_passphrase()
    key_path, cert_path = identity_paths(data_dir)
    created = {"ca": False, "identity": False}
    if not (key_path.exists() or cert_path.exists()):
        ca_key_path, ca_cert_path = ca_paths(data_dir)
        if not ca_cert_path.exists():
            init_ca(
                data_dir, passphrase=passphrase, name=DEMO_CA_NAME, organisation=DEMO_ORGANISATION
            )
            created["ca"] = True
        ca_cert = ca_mod.load_certificates(ca_cert_path)[0]
        ca_key = keys_mod.load_key_file(ca_key_path, passphrase)
        key = keys_mod.generate_private_key()
        cert = ca_mod.issue_inspector_certificate(
            ca_key,
            ca_cert,
            key.public_key(),
            common_name=DEMO_INSPECTOR,
            organisation=ca_mod.organisation_of(ca_cert.subject),
        )
        keys_mod.write_key_file(key_path, key, passphrase)
        atomic_write_bytes(cert_path, ca_mod.certificates_pem([cert, ca_cert]))
        atomic_write_bytes(
            ca_key_path.parent / "issued" / f"{format(cert.serial_number, 'x')}.pem",
            ca_mod.certificates_pem([cert]),
        )
        created["identity"] = True
    return {
        **created,
        "identity_status": identity_status(data_dir),
        "ca_status": ca_status(data_dir),
    }


def doctor_report(data_dir: Path) -> dict[str, Any]:
    """The `signing` entry of `doctor`: never needs the passphrase, never raises."""
    try:
        ident = identity_status(data_dir)
        hq = ca_status(data_dir)
    except Exception as exc:  # doctor reports, it does not crash
        return {"error": str(exc)}
    out: dict[str, Any] = {"identity": None, "ca": None}
    if ident is not None:
        out["identity"] = {
            "subject_cn": ident.get("subject_cn"),
            "issuer": ident.get("issuer_cn"),
            "kind": ident.get("kind"),
            "valid_until": ident.get("valid_until"),
            "expired": ident.get("expired"),
            "key_file": ident.get("key_file"),
            "key_file_encrypted": "yes" if ident.get("key_encrypted") else "no",
            "kdf": ident.get("kdf"),
            "certificate_matches_key": ident.get("certificate_matches_key"),
            "problems": ident.get("problems", []),
        }
    if hq is not None:
        out["ca"] = {
            "subject_cn": hq.get("subject_cn"),
            "valid_until": hq.get("valid_until"),
            "problems": hq.get("problems", []),
        }
    return out


# -- reports --------------------------------------------------------------------------------


def _report_builder() -> Callable[..., Any]:
    import importlib

    try:
        reports = importlib.import_module("inspector_app.services.reports")
    except ImportError:
        reports = None
    build = getattr(reports, "build_report", None)
    if build is None:
        raise SigningRefused(
            _("PDF reports are not available in this version yet (no report builder)")
        )
    return build  # type: ignore[no-any-return]


def require_report_builder() -> Callable[..., Any]:
    """``services.reports.build_report``, or a refusal saying reports are not available."""
    return _report_builder()


def _field(result: Any, *names: str) -> Any:
    for n in names:
        value = result.get(n) if isinstance(result, dict) else getattr(result, n, None)
        if value is not None:
            return value
    return None


def _report_box(result: Any) -> SignatureBox:
    box = _field(result, "signature_box", "sig_box", "signature_field", "signature_rect")
    page = _field(result, "signature_page", "signature_page_index")
    if box is None:
        raise SigningRefused(_("the report reserves no place for the signature"))
    if page is not None and not hasattr(box, "page"):
        return SignatureBox.of((page, box))
    return SignatureBox.of(box)


def build_report(
    db: Any,
    inspection_id: str,
    output: Path,
    *,
    lang: str | None = None,
    organisation: str | None = None,
) -> Any:
    """An unsigned report through ``services.reports.build_report`` (when it is there)."""
    build = _report_builder()
    return build(
        db,
        inspection_id,
        output,
        lang=lang or current_language(),
        organisation=organisation if organisation is not None else _organisation(),
    )


def _organisation() -> str:
    from inspector_app.settings import load_settings

    return load_settings().organisation


@dataclass(frozen=True)
class SignedReport:
    path: Path
    sha256: str
    inspection_id: str
    revision: int
    report_number: str | None
    data_hash: str
    signer: str
    self_signed: bool
    identity_created: bool  # a self-signed identity was made for this signature


SIGNABLE = ("completed", "signed", "exported")


@_refusing
def sign_report(
    db: Any,
    data_dir: Path,
    inspection_id: str,
    output: Path,
    *,
    passphrase: str,
    lang: str | None = None,
    actor: str | None = None,
    organisation: str | None = None,
) -> SignedReport:
    """Build the report of the frozen revision, sign it (PAdES B-B) into ``output`` and record
    ``report_signed`` with the file's SHA-256 against the revision, in one transaction."""
    from sqlmodel import select

    from inspector_app.services.browse import status_label
    from inspector_app.services.inspections import _get
    from inspector_app.settings import default_actor
    from inspector_app.store import audit
    from inspector_app.store.models import InspectionRevision

    actor = actor or default_actor()
    lang = lang or current_language()
    output = Path(output).expanduser().resolve()
    build = _report_builder()
    with db.session() as s:
        insp = _get(s, inspection_id)
        if insp.status not in SIGNABLE:
            raise InvalidInput(
                _(
                    "only a completed inspection's report can be signed; {id} is {status}",
                    id=insp.id[:8],
                    status=status_label(insp.status),
                )
            )
        full_id, revision = insp.id, insp.revision
    identity, created = ensure_identity(data_dir, passphrase=passphrase, name=actor)
    with tempfile.TemporaryDirectory(prefix="inspector-report-") as tmp:
        unsigned = Path(tmp) / "report.pdf"
        result = build(
            db,
            full_id,
            unsigned,
            lang=lang,
            organisation=organisation if organisation is not None else _organisation(),
        )
        built = Path(_field(result, "path") or unsigned)
        pdf = built.read_bytes()
    box = _report_box(result)
    number = _field(result, "report_number", "number")
    report_hash = _field(result, "data_hash")
    number_line = [tr("Report {number}", lang=lang, number=number)] if number else []
    signed_bytes = sign_pdf_bytes(
        pdf,
        identity,
        box=box,
        reason=tr("Inspection report {number}", lang=lang, number=number or full_id[:8]),
        extra_lines=number_line,
        lang=lang,
        field_name=_field(_field(result, "signature_box") or {}, "field_name") or FIELD_NAME,
    )
    with db.transaction() as s:
        insp = _get(s, full_id)
        snap = s.exec(
            select(InspectionRevision).where(
                InspectionRevision.inspection_id == full_id,
                InspectionRevision.revision == insp.revision,
            )
        ).first()
        if insp.revision != revision or insp.status not in SIGNABLE or snap is None:
            raise InvalidInput(
                _("inspection {id} changed while its report was made; try again", id=full_id[:8])
            )
        if report_hash is not None and report_hash != snap.data_hash:
            raise InvalidInput(
                _(
                    "the report does not show the frozen data of revision {rev}",
                    rev=snap.revision,
                )
            )
        written = write_signed_pdf(signed_bytes, output, signer=identity.name)
        cert_sha = identity.certificate.fingerprint(hashes.SHA256()).hex()
        self_signed = ca_mod.is_self_signed(identity.certificate)
        audit.append(
            s,
            actor=actor,
            action="report_signed",
            entity="inspection",
            entity_id=full_id,
            inspection_id=full_id,
            field="report",
            new={
                "revision": snap.revision,
                "sha256": written.sha256,
                "report_number": number,
                "data_hash": snap.data_hash,
                "signer": identity.name,
                "certificate_sha256": cert_sha,
                "self_signed": self_signed,
                "file": output.name,
            },
        )
    return SignedReport(
        path=output,
        sha256=written.sha256,
        inspection_id=full_id,
        revision=snap.revision,
        report_number=number,
        data_hash=snap.data_hash,
        signer=identity.name,
        self_signed=self_signed,
        identity_created=created,
    )


@_refusing
def sign_pdf(
    data_dir: Path, source: Path, output: Path, *, passphrase: str, box: SignatureBox
) -> Any:
    """Sign any PDF with this laptop's identity (tests and tools; reports use sign_report)."""
    from inspector_app.signing.pades import sign_pdf_file

    identity = load_identity(data_dir, passphrase)
    return sign_pdf_file(source, output, identity, box=box)


@_refusing
def verify(path: Path, trust: list[Path] | None = None) -> VerifyResult:
    """Verify a signed PDF offline; ``trust``: CA certificate files to trust."""
    return verify_pdf(Path(path), [Path(p) for p in trust] if trust else None)


def audit_entries(db: Any, inspection_id: str) -> list[dict[str, Any]]:
    """The report_signed records of an inspection, oldest first."""
    with db.session() as s:
        rows = s.connection().exec_driver_sql(
            "SELECT ts, actor, new FROM audit_log WHERE inspection_id = ? "
            "AND action = 'report_signed' ORDER BY seq",
            (inspection_id,),
        )
        return [{"ts": r[0], "actor": r[1], **json.loads(r[2])} for r in rows]


__all__ = [
    "DEMO_PASSPHRASE",
    "NEW_PASSPHRASE_ENV",
    "PASSPHRASE_ENV",
    "IssuedCertificate",
    "PassphraseRejected",
    "SignedReport",
    "SigningRefused",
    "build_report",
    "ca_status",
    "demo_passphrase",
    "doctor_report",
    "ensure_demo_identity",
    "ensure_identity",
    "identity_status",
    "import_certificate",
    "init_ca",
    "init_identity",
    "issue_certificate",
    "load_identity",
    "require_report_builder",
    "sign_pdf",
    "sign_report",
    "verify",
]

"""Certificates: the HQ root, the inspector certificates it issues, self-signed laptop ones.

Profiles (RELIABILITY A4):

- HQ root: ECDSA P-256, basicConstraints CA (pathLen 0), keyCertSign + cRLSign, 10 years.
- Inspector: digitalSignature + nonRepudiation (pyHanko requires nonRepudiation by default),
  not a CA, at most 2 years and never beyond the root's own validity.
- Self-signed laptop identity: the inspector profile, signed by its own key, so signatures
  verify as intact and valid but untrusted until HQ issues a certificate.

Every certificate starts ten minutes in the past so a laptop clock a little behind still
accepts it. Signatures are ECDSA with SHA-256.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector_app.fsutil import open_regular
from inspector_app.i18n import _
from inspector_app.signing import SigningError

CA_VALIDITY = dt.timedelta(days=3652)  # 10 years
INSPECTOR_VALIDITY = dt.timedelta(days=730)  # at most 2 years
BACKDATE = dt.timedelta(minutes=10)
MAX_PEM_BYTES = 256 * 1024


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)


def _name(common_name: str, organisation: str | None) -> x509.Name:
    common_name = (common_name or "").strip()
    if not common_name:
        raise SigningError(_("a certificate needs a name"))
    if len(common_name) > 64:
        raise SigningError(_("a certificate name has at most 64 characters"))
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation and organisation.strip():
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.strip()[:64]))
    return x509.Name(attrs)


def _key_usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def _require_p256(public_key: Any) -> None:
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != (
        "secp256r1"
    ):
        raise SigningError(_("only ECDSA P-256 keys are supported"))


def make_ca_certificate(
    key: ec.EllipticCurvePrivateKey,
    *,
    common_name: str,
    organisation: str | None = None,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """A self-signed HQ root: CA, keyCertSign + cRLSign, 10 years."""
    _require_p256(key.public_key())
    start = _now(now) - BACKDATE
    name = _name(common_name, organisation)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signer=False), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )


def _signer_builder(
    public_key: Any,
    *,
    common_name: str,
    organisation: str | None,
    start: dt.datetime,
    end: dt.datetime,
) -> x509.CertificateBuilder:
    _require_p256(public_key)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signer=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def issue_inspector_certificate(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    public_key: Any,
    *,
    common_name: str,
    organisation: str | None = None,
    validity: dt.timedelta = INSPECTOR_VALIDITY,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """An inspector certificate: digitalSignature + nonRepudiation, at most 2 years."""
    if not public_key_matches(ca_cert, ca_key):
        raise SigningError(_("the CA key does not belong to the CA certificate"))
    if validity > INSPECTOR_VALIDITY or validity <= dt.timedelta(0):
        raise SigningError(_("an inspector certificate is valid for at most 2 years"))
    start = _now(now) - BACKDATE
    end = min(start + validity, ca_cert.not_valid_after_utc)
    if end <= _now(now):
        raise SigningError(_("the CA certificate has expired"))
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = _signer_builder(
        public_key,
        common_name=common_name,
        organisation=organisation,
        start=max(start, ca_cert.not_valid_before_utc),
        end=end,
    )
    return (
        builder.issuer_name(ca_cert.subject)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def make_self_signed_certificate(
    key: ec.EllipticCurvePrivateKey,
    *,
    common_name: str,
    organisation: str | None = None,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """A laptop's own certificate until HQ issues one: the inspector profile, self-signed."""
    start = _now(now) - BACKDATE
    builder = _signer_builder(
        key.public_key(),
        common_name=common_name,
        organisation=organisation,
        start=start,
        end=start + INSPECTOR_VALIDITY,
    )
    name = _name(common_name, organisation)
    return builder.issuer_name(name).sign(key, hashes.SHA256())


# -- reading and describing -----------------------------------------------------------------


def public_key_matches(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    pem = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return cert.public_key().public_bytes(enc, pem) == key.public_key().public_bytes(enc, pem)


def common_name(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()


def organisation_of(name: x509.Name) -> str | None:
    attrs = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(attrs[0].value) if attrs else None


def is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def certificates_pem(certs: list[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _read_bounded(path: Path) -> bytes:
    try:
        with open_regular(path) as fh:  # a regular file only: a FIFO never blocks
            data = fh.read(MAX_PEM_BYTES + 1)
    except FileNotFoundError:
        raise SigningError(_("file not found: {file}", file=path)) from None
    except OSError as exc:
        raise SigningError(
            _("{file}: cannot read the file: {error}", file=path, error=exc)
        ) from None
    if len(data) > MAX_PEM_BYTES:
        raise SigningError(_("{file}: not a certificate file", file=path))
    return data


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file (or the one in a DER file), in file order."""
    data = _read_bounded(path)
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise SigningError(_("{file}: not a certificate file", file=path)) from None
    if not certs:
        raise SigningError(_("{file}: not a certificate file", file=path))
    return certs


@dataclass(frozen=True)
class KeyRequest:
    """A public key handed to HQ for a certificate, and how its holder proved it."""

    public_key: Any
    kind: str  # csr | certificate | public_key
    proven: bool  # signed by the matching private key (CSR or self-signed certificate)
    suggested_name: str | None


def load_key_request(path: Path) -> KeyRequest:
    """A CSR, a (self-signed) certificate or a bare public key, PEM or DER."""
    data = _read_bounded(path)
    pem = b"-----BEGIN" in data
    try:
        csr = x509.load_pem_x509_csr(data) if pem else x509.load_der_x509_csr(data)
    except ValueError:
        csr = None
    if csr is not None:
        if not csr.is_signature_valid:
            raise SigningError(_("{file}: the request's signature is not valid", file=path))
        _require_p256(csr.public_key())
        return KeyRequest(csr.public_key(), "csr", True, common_name(csr.subject))
    try:
        cert = x509.load_pem_x509_certificate(data) if pem else x509.load_der_x509_certificate(data)
    except ValueError:
        cert = None
    if cert is not None:
        _require_p256(cert.public_key())
        return KeyRequest(
            cert.public_key(), "certificate", is_self_signed(cert), common_name(cert.subject)
        )
    try:
        key = (
            serialization.load_pem_public_key(data)
            if pem
            else serialization.load_der_public_key(data)
        )
    except (ValueError, UnsupportedAlgorithm):
        raise SigningError(
            _("{file}: not a certificate request, certificate or public key", file=path)
        ) from None
    _require_p256(key)
    return KeyRequest(key, "public_key", False, None)


def describe(cert: x509.Certificate) -> dict[str, Any]:
    """A certificate as status and doctor report it."""
    return {
        "subject_cn": common_name(cert.subject),
        "organisation": organisation_of(cert.subject),
        "issuer_cn": common_name(cert.issuer),
        "serial": format(cert.serial_number, "x"),
        "self_signed": is_self_signed(cert),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }

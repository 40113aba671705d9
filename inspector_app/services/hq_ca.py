"""HQ's certificate authority: the offline root, the inspector certificates it issues, and
the demo CA with a certificate for each demo inspector (see ``services.identities``).

    ca/ca-key.json, ca/ca-cert.pem      the HQ root (HQ, or the demo), the key encrypted
    ca/issued/<serial>.pem              every certificate the CA issued
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector_app.fsutil import atomic_write_bytes
from inspector_app.i18n import _
from inspector_app.services.identities import (
    DEMO_CA_NAME,
    DEMO_INSPECTOR,
    DEMO_ORGANISATION,
    demo_passphrase,
    identity_names,
    identity_paths,
    identity_status,
    refusing,
)
from inspector_app.signing import SigningError
from inspector_app.signing import ca as ca_mod
from inspector_app.signing import keys as keys_mod
from inspector_app.workspace import Workspace

CA_DIR = "ca"
CA_KEY = "ca-key.json"
CA_CERT = "ca-cert.pem"


def ca_paths(ws: Workspace) -> tuple[Path, Path]:
    """The CA's key and certificate files in the data folder."""
    folder = ws.data_dir / CA_DIR
    return folder / CA_KEY, folder / CA_CERT


def ca_status(ws: Workspace) -> dict[str, Any] | None:
    key_path, cert_path = ca_paths(ws)
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


@refusing
def init_ca(
    ws: Workspace,
    *,
    passphrase: str,
    name: str | None = None,
    organisation: str | None = None,
) -> dict[str, Any]:
    """Create the HQ root CA in ``<data_dir>/ca/`` (refused if one exists)."""
    key_path, cert_path = ca_paths(ws)
    if key_path.exists() or cert_path.exists():
        raise SigningError(_("a CA already exists in {dir}", dir=key_path.parent))
    keys_mod.check_new_passphrase(passphrase)
    if organisation is None:
        organisation = ws.organisation
    key = keys_mod.generate_private_key()
    cert = ca_mod.make_ca_certificate(
        key,
        common_name=name or _("{org} Inspector Root CA", org=organisation or "HQ").strip(),
        organisation=organisation,
    )
    keys_mod.write_key_file(key_path, key, passphrase)
    atomic_write_bytes(cert_path, ca_mod.certificates_pem([cert]))
    status = ca_status(ws)
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


@refusing
def issue_certificate(
    ws: Workspace,
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
    key_path, cert_path = ca_paths(ws)
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


@refusing
def ensure_demo_identity(
    ws: Workspace, passphrase: str | None = None, names: Iterable[str] = (DEMO_INSPECTOR,)
) -> dict[str, Any]:
    """For `demo`: a demo HQ CA and, issued by it, an identity for each demo inspector
    (``names``), so `report --sign` works out of the box and each report is signed by one
    of its own inspectors. Running it again changes nothing; an identity that exists is
    kept. ``passphrase`` defaults to ``demo_passphrase()``."""
    passphrase = passphrase or demo_passphrase()
    created: dict[str, Any] = {"ca": False, "identity": False, "identities": []}
    wanted = [n for n in dict.fromkeys(names) if n not in identity_names(ws)]
    if wanted:
        ca_key_path, ca_cert_path = ca_paths(ws)
        if not ca_cert_path.exists():
            init_ca(ws, passphrase=passphrase, name=DEMO_CA_NAME, organisation=DEMO_ORGANISATION)
            created["ca"] = True
        ca_cert = ca_mod.load_certificates(ca_cert_path)[0]
        ca_key = keys_mod.load_key_file(ca_key_path, passphrase)
        for name in wanted:
            key = keys_mod.generate_private_key()
            cert = ca_mod.issue_inspector_certificate(
                ca_key,
                ca_cert,
                key.public_key(),
                common_name=name,
                organisation=ca_mod.organisation_of(ca_cert.subject),
            )
            key_path, cert_path = identity_paths(ws, name)
            keys_mod.write_key_file(key_path, key, passphrase)
            atomic_write_bytes(cert_path, ca_mod.certificates_pem([cert, ca_cert]))
            atomic_write_bytes(
                ca_key_path.parent / "issued" / f"{format(cert.serial_number, 'x')}.pem",
                ca_mod.certificates_pem([cert]),
            )
            created["identities"].append(name)
        created["identity"] = True
    return {
        **created,
        "identity_status": identity_status(ws),
        "ca_status": ca_status(ws),
    }

"""Signed reports and their verification, shared by the CLI and the GUI.

Only an inspector listed on an inspection may sign its report (with their own identity,
``services.identities``); the report of the frozen revision is signed PAdES B-B and the
signature is recorded against the revision in the audit log. Verification is offline.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes

from inspector_app import timefmt
from inspector_app.domain.vocab import SIGNABLE
from inspector_app.i18n import _, current_language, tr
from inspector_app.services.errors import InvalidInput
from inspector_app.services.hq_ca import (
    IssuedCertificate,
    ca_status,
    ensure_demo_identity,
    init_ca,
    issue_certificate,
)
from inspector_app.services.identities import (
    DEMO_CA_NAME,
    DEMO_INSPECTOR,
    DEMO_ORGANISATION,
    DEMO_PASSPHRASE,
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    PassphraseRejected,
    SigningRefused,
    ca_paths,
    demo_passphrase,
    doctor_report,
    ensure_identity,
    identities_status,
    identity_names,
    identity_paths,
    identity_status,
    import_certificate,
    init_identity,
    load_identity,
    refusing,
)
from inspector_app.signing import ca as ca_mod
from inspector_app.signing.pades import (
    FIELD_NAME,
    SignatureBox,
    sign_pdf_bytes,
    write_signed_pdf,
)
from inspector_app.signing.verify import VerifyResult, verify_pdf

# -- reports --------------------------------------------------------------------------------


def build_report(
    db: Any,
    inspection_id: str,
    output: Path,
    *,
    lang: str | None = None,
    organisation: str | None = None,
) -> Any:
    """An unsigned report (``services.reports.build_report``): the organisation given, else
    the one its revision was completed under, else the settings'."""
    from inspector_app.services.reports import build_report as build

    return build(
        db, inspection_id, output, lang=lang or current_language(), organisation=organisation
    )


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


class NotAnInspector(SigningRefused):
    """The report of an inspection is signed by one of its listed inspectors, nobody else."""


@dataclass(frozen=True)
class SignerChoice:
    """Who may sign an inspection's report here: its inspectors, and which of them have a
    signing identity on this computer."""

    inspection_id: str
    revision: int
    status: str
    inspectors: list[str]
    with_identity: list[str]  # listed inspectors with an identity here, in the listed order

    @property
    def default(self) -> str | None:
        return self.with_identity[0] if self.with_identity else None


def signer_choice(db: Any, data_dir: Path, inspection_id: str) -> SignerChoice:
    from inspector_app.services.inspections import _get

    with db.session() as s:
        insp = _get(s, inspection_id)
        names = json.loads(insp.inspectors)
        full_id, revision, status = insp.id, insp.revision, insp.status
    have = set(identity_names(data_dir))
    return SignerChoice(full_id, revision, status, names, [n for n in names if n in have])


def choose_signer(choice: SignerChoice, signer: str | None, actor: str | None) -> str:
    """The inspector who signs: ``signer`` if given (a listed inspector), else the first
    listed inspector with an identity here, else the person at the keyboard if listed (a
    self-signed identity is made for them on first use). Refuses anyone else."""
    listed = "、".join(choice.inspectors)
    if signer is not None:
        signer = signer.strip()
        if signer not in choice.inspectors:
            raise NotAnInspector(
                _(
                    "{name} is not an inspector of inspection {id} ({names}): only a listed "
                    "inspector may sign its report",
                    name=signer,
                    id=choice.inspection_id[:8],
                    names=listed,
                )
            )
        return signer
    if choice.default is not None:
        return choice.default
    if actor in choice.inspectors:
        return actor
    raise NotAnInspector(
        _(
            "no signing key here belongs to an inspector of inspection {id} ({names}); "
            "sign as one of them with --signer NAME (a self-signed key is made on first use) "
            "or install the certificate HQ issued to them",
            id=choice.inspection_id[:8],
            names=listed,
        )
    )


@refusing
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
    signer: str | None = None,
) -> SignedReport:
    """Build the report of the frozen revision, sign it (PAdES B-B) as one of the
    inspection's listed inspectors into ``output`` and record ``report_signed`` with the
    file's SHA-256 against the revision, in one transaction."""
    from sqlmodel import select

    from inspector_app.services.browse import status_label
    from inspector_app.services.inspections import _get
    from inspector_app.settings import default_actor
    from inspector_app.store import audit
    from inspector_app.store.models import InspectionRevision

    actor = actor or default_actor()
    lang = lang or current_language()
    output = Path(output).expanduser().resolve()
    choice = signer_choice(db, data_dir, inspection_id)
    if choice.status not in SIGNABLE:
        raise InvalidInput(
            _(
                "only a completed inspection's report can be signed; {id} is {status}",
                id=choice.inspection_id[:8],
                status=status_label(choice.status),
            )
        )
    full_id, revision = choice.inspection_id, choice.revision
    name = choose_signer(choice, signer, actor)
    identity, created = ensure_identity(data_dir, passphrase=passphrase, name=name)
    if identity.name != name:  # the certificate names someone else: never sign as them
        raise NotAnInspector(
            _(
                "the signing key for {name} carries a certificate for {other}",
                name=name,
                other=identity.name,
            )
        )
    with tempfile.TemporaryDirectory(prefix="inspector-report-") as tmp:
        result = build_report(
            db, full_id, Path(tmp) / "report.pdf", lang=lang, organisation=organisation
        )
        pdf = Path(result.path).read_bytes()
    number = result.report_number
    from inspector_app.services.reports import frozen_presentation

    zone = frozen_presentation(db, full_id)[1]
    with timefmt.zone_scope(zone):  # the stamp's time in the zone the cover names
        signed_bytes = sign_pdf_bytes(
            pdf,
            identity,
            box=SignatureBox.of(result.signature_box),
            reason=tr("Inspection report {number}", lang=lang, number=number),
            extra_lines=[tr("Report {number}", lang=lang, number=number)],
            lang=lang,
            field_name=result.signature_box.field_name or FIELD_NAME,
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
        if result.data_hash != snap.data_hash:
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


@refusing
def sign_pdf(
    data_dir: Path, source: Path, output: Path, *, passphrase: str, box: SignatureBox
) -> Any:
    """Sign any PDF with this laptop's identity (tests and tools; reports use sign_report)."""
    from inspector_app.signing.pades import sign_pdf_file

    identity = load_identity(data_dir, passphrase)
    return sign_pdf_file(source, output, identity, box=box)


@refusing
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
    "DEMO_CA_NAME",
    "DEMO_INSPECTOR",
    "DEMO_ORGANISATION",
    "DEMO_PASSPHRASE",
    "NEW_PASSPHRASE_ENV",
    "PASSPHRASE_ENV",
    "IssuedCertificate",
    "NotAnInspector",
    "PassphraseRejected",
    "SignedReport",
    "SignerChoice",
    "SigningRefused",
    "build_report",
    "ca_paths",
    "ca_status",
    "choose_signer",
    "demo_passphrase",
    "doctor_report",
    "ensure_demo_identity",
    "ensure_identity",
    "identities_status",
    "identity_names",
    "identity_paths",
    "identity_status",
    "import_certificate",
    "init_ca",
    "init_identity",
    "issue_certificate",
    "load_identity",
    "sign_pdf",
    "sign_report",
    "signer_choice",
    "verify",
]

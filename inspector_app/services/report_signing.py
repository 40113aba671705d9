"""Signing an inspection's report: who may sign it, and the signature itself.

Only an inspector listed on an inspection may sign its report, with their own identity
(``services.identities``). ``sign_report`` signs the report of the frozen revision as
``services.reports.render_report`` makes it (PAdES B-B, ``signing.pades``), writes it
atomically and records ``report_signed`` with the file's SHA-256 against the revision in
the audit log, in one transaction. The desktop and the CLI both sign through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes

from inspector_app import timefmt
from inspector_app.domain.vocab import SIGNABLE
from inspector_app.i18n import Translator, _
from inspector_app.presenters.labels import status_label
from inspector_app.reports.model import SignatureBox as ReportBox
from inspector_app.services.errors import InvalidInput
from inspector_app.services.identities import (
    SigningRefused,
    ensure_identity,
    identity_names,
    refusing,
)
from inspector_app.signing import ca as ca_mod
from inspector_app.signing.pades import SignatureBox, sign_pdf_bytes, write_signed_pdf
from inspector_app.workspace import Workspace


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


@dataclass(frozen=True)
class SignedReport:
    path: Path
    sha256: str
    inspection_id: str
    revision: int
    report_number: str
    data_hash: str
    signer: str
    self_signed: bool
    identity_created: bool  # a self-signed identity was made for this signature


def signer_choice(ws: Workspace, inspection_id: str) -> SignerChoice:
    from inspector_app.services.inspections import find_inspection

    with ws.db.session() as s:
        insp = find_inspection(s, inspection_id)
        names = list(insp.inspectors)
        full_id, revision, status = insp.id, insp.revision, insp.status
    have = set(identity_names(ws))
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


def _stamp_box(box: ReportBox) -> SignatureBox:
    """The box the report reserved, as the signing code takes it."""
    return SignatureBox(box.page, *box.box)


@refusing
def sign_report(
    ws: Workspace,
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
    from inspector_app.services.inspections import find_inspection
    from inspector_app.services.reports import render_report
    from inspector_app.store import audit
    from inspector_app.store.repo import inspections as inspections_repo

    actor = actor or ws.actor
    t = Translator(lang)  # the report's language, whatever the window shows
    output = Path(output).expanduser().resolve()
    choice = signer_choice(ws, inspection_id)
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
    identity, created = ensure_identity(ws, passphrase=passphrase, name=name)
    if identity.name != name:  # the certificate names someone else: never sign as them
        raise NotAnInspector(
            _(
                "the signing key for {name} carries a certificate for {other}",
                name=name,
                other=identity.name,
            )
        )
    report = render_report(ws, full_id, lang=t.language, organisation=organisation)
    number = report.report_number
    with timefmt.zone_scope(report.zone):  # the stamp's time in the zone the cover names
        signed_bytes = sign_pdf_bytes(
            report.pdf,
            identity,
            box=_stamp_box(report.signature_box),
            reason=t.tr("Inspection report {number}", number=number),
            extra_lines=[t.tr("Report {number}", number=number)],
            lang=t.language,
            field_name=report.signature_box.field_name,
        )
    with ws.db.transaction() as s:
        insp = find_inspection(s, full_id)
        snap = inspections_repo.revision(s, full_id, insp.revision)
        if insp.revision != revision or insp.status not in SIGNABLE or snap is None:
            raise InvalidInput(
                _("inspection {id} changed while its report was made; try again", id=full_id[:8])
            )
        if report.data_hash != snap.data_hash:
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

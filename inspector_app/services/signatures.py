"""Drawn signatures on a completed revision: record one, list them, who still has to sign."""

from __future__ import annotations

import datetime as dt
import hashlib

from inspector_app import limits
from inspector_app.domain import vocab
from inspector_app.domain.inspection import Signature
from inspector_app.i18n import _
from inspector_app.services.errors import InvalidInput, check_length
from inspector_app.services.inspections import find_inspection, require_status, set_status
from inspector_app.store import audit
from inspector_app.store.models import InspectionStatus, new_id, utcnow
from inspector_app.store.repo import inspections as inspections_repo
from inspector_app.store.repo import signatures as repo
from inspector_app.workspace import Workspace


def record_signature(
    ws: Workspace,
    inspection_id: str,
    *,
    signer_name: str,
    role: str,
    image_png: bytes,
    actor: str,
    signed_at: dt.datetime | None = None,
) -> Signature:
    """Bind a drawn signature to the completed revision; all inspectors signed -> signed."""
    if role not in set(vocab.SignatureRole):
        raise InvalidInput(_("unknown signer role {value!r}", value=role))
    if not signer_name.strip():
        raise InvalidInput(_("a signature needs the signer's name"))
    check_length(signer_name.strip(), limits.NAME, _("the signer's name"))
    if not image_png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise InvalidInput(_("a signature must be a PNG image"))
    with ws.db.transaction() as s:
        insp = find_inspection(s, inspection_id)
        require_status(
            insp,
            (InspectionStatus.COMPLETED.value, InspectionStatus.SIGNED.value),
            _("signatures are taken on a completed inspection; {id} is {status}"),
        )
        snap = inspections_repo.revision(s, insp.id, insp.revision)
        if snap is None:  # a completed inspection has its revision (foreign key)
            raise AssertionError(f"no revision {insp.revision} of {insp.id}")
        sig = Signature(
            id=new_id(),
            inspection_id=insp.id,
            inspection_revision=insp.revision,
            data_hash=snap.data_hash,
            signer_name=signer_name.strip(),
            role=role,
            signed_at=signed_at or utcnow(),
            image_png=image_png,
            created_at=utcnow(),
        )
        repo.add(s, sig)
        audit.append(
            s,
            actor=actor,
            action="sign",
            entity="signature",
            entity_id=sig.id,
            inspection_id=insp.id,
            new={
                "signer": sig.signer_name,
                "role": role,
                "revision": insp.revision,
                "data_hash": snap.data_hash,
                "image_sha256": hashlib.sha256(image_png).hexdigest(),
            },
        )
        signed = {
            g.signer_name
            for g in repo.signatures(s, insp.id, insp.revision)
            if g.role == vocab.SignatureRole.INSPECTOR.value
        }
        if insp.status == InspectionStatus.COMPLETED.value and set(insp.inspectors) <= signed:
            set_status(s, insp, InspectionStatus.SIGNED.value, actor=actor, action="status")
    return sig


def signatures_of(ws: Workspace, inspection_id: str) -> list[Signature]:
    """The signatures given on the inspection's current revision."""
    with ws.db.session() as s:
        insp = find_inspection(s, inspection_id)
        return repo.signatures(s, insp.id, insp.revision)


def pending_signers(ws: Workspace, inspection_id: str) -> list[tuple[str, str]]:
    """Who still has to sign this revision: each inspector, then the site's representative."""
    with ws.db.session() as s:
        insp = find_inspection(s, inspection_id)
        site = inspections_repo.site(s, insp.site_id)
        inspectors = list(insp.inspectors)
    done = signatures_of(ws, inspection_id)
    signed = {g.signer_name for g in done if g.role == "inspector"}
    pending = [(name, "inspector") for name in inspectors if name not in signed]
    if not any(g.role == "site_representative" for g in done):
        pending.append((site.contact_name or "" if site else "", "site_representative"))
    return pending

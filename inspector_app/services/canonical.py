"""The inspection as canonical data, and its hash: what a completion freezes, a signature
binds and a report's QR code carries.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session, select

from inspector_app.store.models import (
    AnswerRecord,
    Finding,
    FindingPhoto,
    Inspection,
    Photo,
    Site,
)


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "item": f.item_id,
        "severity": f.severity,
        "description": f.description,
        "requirement": f.requirement,
        "deadline": f.deadline.isoformat() if f.deadline else None,
        "responsible": f.responsible,
        "status": f.status,
        "carried_from": f.carried_from_id,
    }


def canonical_data(s: Session, insp: Inspection) -> dict[str, Any]:
    """The inspection as canonical data: what a completion freezes and a report's QR hashes."""
    site = s.get(Site, insp.site_id)
    assert site is not None
    answers = sorted(
        s.exec(select(AnswerRecord).where(AnswerRecord.inspection_id == insp.id)).all(),
        key=lambda r: r.item_id,
    )
    findings = s.exec(
        select(Finding)
        .where(Finding.inspection_id == insp.id)
        .order_by(Finding.created_at, Finding.id)
    ).all()
    photos = s.exec(
        select(Photo).where(Photo.inspection_id == insp.id).order_by(Photo.sha256)
    ).all()
    links: dict[str, list[dict[str, str]]] = {}
    for link in s.exec(
        select(FindingPhoto)
        .join(Finding, Finding.id == FindingPhoto.finding_id)
        .where(Finding.inspection_id == insp.id)
        .order_by(FindingPhoto.photo_id)
    ).all():
        links.setdefault(link.finding_id, []).append({"photo": link.photo_id, "role": link.role})
    return {
        "inspection": insp.id,
        "revision": insp.revision,
        "site": {"id": site.id, "code": site.code, "name": site.name},
        "template": {
            "id": insp.template_id,
            "version": insp.template_version,
            "hash": insp.template_hash,
        },
        "inspectors": json.loads(insp.inspectors),
        "started_on": insp.started_on.isoformat(),
        "ended_on": insp.ended_on.isoformat() if insp.ended_on else None,
        "answers": [
            {
                "item": a.item_id,
                "value": None if a.value_json is None else json.loads(a.value_json),
                "na": a.not_applicable,
                "comment": a.comment,
                "evidence": json.loads(a.evidence_checked),
            }
            for a in answers
        ],
        "findings": [{**finding_dict(f), "photos": links.get(f.id, [])} for f in findings],
        # the evidence: each original by its SHA-256, so the frozen hash covers the photos
        "photos": [
            {"id": p.id, "sha256": p.sha256, "item": p.item_id, "caption": p.caption}
            for p in photos
        ],
    }


def data_hash(data: dict[str, Any]) -> str:
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()

"""An inspection as values: the visit (``Inspection``), its answers, findings, signatures
and frozen revisions, and its canonical data with the hash a completion freezes, a
signature binds and a report's QR code carries.

Pure values: the store reads and writes them (``store/repo/inspections.py``,
``answers.py``, ``findings.py``, ``signatures.py``), their JSON decoded there once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from inspector_app.domain.ids import utcnow as _now


@dataclass(frozen=True)
class Inspection:
    """One evaluation visit to a site with a pinned template version; ``revision`` counts
    amendments (1 until the first one), the score columns are what the last edit scored."""

    id: str
    site_id: str
    template_version_id: str
    template_id: str
    template_version: str
    template_hash: str
    inspectors: tuple[str, ...]
    started_on: dt.date
    status: str
    ended_on: dt.date | None = None
    score_total: float = 0.0
    grade: str = ""
    provisional: bool = True
    vetoed: bool = False
    previous_inspection_id: str | None = None
    amend_reason: str | None = None
    completed_at: dt.datetime | None = None
    exported_at: dt.datetime | None = None
    created_at: dt.datetime = field(default_factory=_now)
    updated_at: dt.datetime = field(default_factory=_now)
    revision: int = 1
    base_revision: int = 0


def answer_version(
    revision: int, value_json: str | None, not_applicable: bool, comment: str | None, evidence: str
) -> str:
    """What identifies the state of a stored answer: its revision and everything it holds,
    as stored. Revision counters alone collide (a laptop's second edit and headquarters'
    second edit are both revision 2); the same version means the same answer."""
    state = [revision, value_json, not_applicable, comment, evidence]
    return hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Answer:
    """The stored answer to one item or veto of an inspection; ``value`` is None when
    unanswered. ``value_json`` and ``evidence_json`` are the value and the ticked evidence
    as stored: what a write compares with and what ``version`` hashes."""

    id: str
    inspection_id: str
    item_id: str
    value: Any = None
    not_applicable: bool = False
    comment: str | None = None
    evidence: tuple[int, ...] = ()
    revision: int = 1
    base_revision: int = 0
    updated_at: dt.datetime = field(default_factory=_now)
    value_json: str | None = field(default=None, compare=False, repr=False)
    evidence_json: str = field(default="[]", compare=False, repr=False)

    @property
    def version(self) -> str:
        """What identifies this state of the answer (``answer_version``)."""
        return answer_version(
            self.revision, self.value_json, self.not_applicable, self.comment, self.evidence_json
        )


@dataclass(frozen=True)
class Finding:
    """A finding with its corrective action (问题与整改)."""

    id: str
    inspection_id: str
    description: str
    item_id: str | None = None
    severity: str = "minor"
    requirement: str = ""
    deadline: dt.date | None = None
    responsible: str = ""
    status: str = "open"
    carried_from_id: str | None = None
    resolution_note: str | None = None
    created_at: dt.datetime = field(default_factory=_now)
    updated_at: dt.datetime = field(default_factory=_now)
    revision: int = 1
    base_revision: int = 0


@dataclass(frozen=True)
class Signature:
    """A drawn signature bound to the inspection revision it was given on."""

    id: str
    inspection_id: str
    inspection_revision: int
    data_hash: str  # the frozen revision's data hash it signs
    signer_name: str
    role: str  # inspector | site_representative
    signed_at: dt.datetime
    image_png: bytes = field(repr=False)
    created_at: dt.datetime = field(default_factory=_now)


@dataclass(frozen=True)
class Revision:
    """The frozen state of an inspection at completion: its score, the hash of its canonical
    data (kept beside it, read on its own), and what its report is issued under (None:
    completed before these were kept)."""

    id: str
    inspection_id: str
    revision: int
    completed_at: dt.datetime
    completed_by: str
    score: Mapping[str, Any]  # ScoreResult.to_dict()
    data_hash: str  # of the canonical data frozen with it
    amend_reason: str | None = None
    organisation: str | None = None
    display_zone: str | None = None

    @property
    def score_json(self) -> str:
        """The score as the revision stores it (JSON, keys sorted)."""
        return json.dumps(dict(self.score), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class InspectionSite:
    """What an inspection shows of its site."""

    id: str
    code: str
    name: str
    site_type: str
    contact_name: str | None = None


@dataclass(frozen=True)
class TemplatePin:
    """A pinned template version, as an inspection starts on it."""

    id: str
    template_id: str
    version: str
    content_hash: str
    site_type: str


@dataclass(frozen=True)
class EvidencePhoto:
    """A photo as the canonical data names it: by the SHA-256 of its original."""

    id: str
    sha256: str
    item_id: str | None
    caption: str | None


@dataclass(frozen=True)
class PhotoLink:
    """A photo showing a finding, as found (``evidence``) or after correction (``after``)."""

    finding_id: str
    photo_id: str
    role: str


# -- canonical data ---------------------------------------------------------------------------


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


def canonical_data(
    insp: Inspection,
    site: InspectionSite,
    answers: Iterable[Answer],
    findings: Sequence[Finding],
    photos: Iterable[EvidencePhoto],
    links: Iterable[PhotoLink],
) -> dict[str, Any]:
    """The inspection as canonical data: what a completion freezes and a report's QR hashes.
    ``findings`` in their order of creation, ``photos`` by SHA-256, ``links`` by photo id."""
    by_finding: dict[str, list[dict[str, str]]] = {}
    for link in links:
        by_finding.setdefault(link.finding_id, []).append(
            {"photo": link.photo_id, "role": link.role}
        )
    return {
        "inspection": insp.id,
        "revision": insp.revision,
        "site": {"id": site.id, "code": site.code, "name": site.name},
        "template": {
            "id": insp.template_id,
            "version": insp.template_version,
            "hash": insp.template_hash,
        },
        "inspectors": list(insp.inspectors),
        "started_on": insp.started_on.isoformat(),
        "ended_on": insp.ended_on.isoformat() if insp.ended_on else None,
        "answers": [
            {
                "item": a.item_id,
                "value": a.value,
                "na": a.not_applicable,
                "comment": a.comment,
                "evidence": list(a.evidence),
            }
            for a in sorted(answers, key=lambda a: a.item_id)
        ],
        "findings": [{**finding_dict(f), "photos": by_finding.get(f.id, [])} for f in findings],
        # the evidence: each original by its SHA-256, so the frozen hash covers the photos
        "photos": [
            {"id": p.id, "sha256": p.sha256, "item": p.item_id, "caption": p.caption}
            for p in photos
        ],
    }


def data_hash(data: Mapping[str, Any]) -> str:
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()

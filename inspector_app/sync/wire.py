"""What a package's records document (``data/records.json``) is made of.

The unit of exchange is an inspection with everything that belongs to it (its frozen
revisions, answers, photos, findings and their photo links, drawn signatures) and its
history: the audit entries written for it, in order, on every device that edited it. The
sites and template versions those inspections use travel beside them (every site, so a
package also sets up an empty laptop). Rows travel with all their columns, in JSON:
dates and times as ISO 8601, binary as base64.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel import SQLModel

from inspector_app.store import audit
from inspector_app.store.models import (
    AnswerRecord,
    Finding,
    FindingPhoto,
    InspectionRevision,
    Photo,
    Signature,
)
from inspector_app.sync.strict import canonical_json

RECORDS_MEMBER = "data/records.json"
RECORDS_FORMAT = 1

# the parts of an inspection, in the order they are written (foreign keys point backwards)
PARTS: tuple[tuple[str, type[SQLModel]], ...] = (
    ("revisions", InspectionRevision),
    ("answers", AnswerRecord),
    ("photos", Photo),
    ("findings", Finding),
    ("finding_photos", FindingPhoto),
    ("signatures", Signature),
)
HISTORY_KEYS = (*audit.FIELDS, "prev_hash", "hash")  # an audit entry as it travels
MEDIA_TYPES = {"image/jpeg": "jpg", "image/png": "png"}


def bundle_hash(bundle: dict[str, Any]) -> str:
    """SHA-256 over an inspection's rows (its history and this hash left out)."""
    body = {k: v for k, v in bundle.items() if k not in ("history", "content_hash")}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def media_member(sha256: str, media_type: str) -> str:
    return f"media/{sha256}.{MEDIA_TYPES[media_type]}"

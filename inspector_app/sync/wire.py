"""The records document of a package (``data/records.json``): versioned records.

A document names its format and holds every site, the template versions in use and the
inspections, each with everything that belongs to it (its frozen revisions, answers, photos,
findings and their photo links, drawn signatures) and its history: the audit entries written
for it, in order, on every device that edited it::

    {"format_version": 2, "sites": [...], "templates": [...],
     "inspections": [{"inspection": {...}, "revisions": [...], "answers": [...], "photos": [...],
                      "findings": [...], "finding_photos": [...], "signatures": [...],
                      "history": [...], "content_hash": "..."}]}

Each record type of a format declares its fields here (``FORMATS``), independent of the
table columns: values in JSON, dates and times as ISO 8601, binary as base64. The rule: a
column added to a table travels only when a new format declares it, and the version is bumped
then (``tests/sync/test_wire.py`` pins the format this app writes); every older format keeps
importing, what it lacks read as its ``Record.absent`` says. Reading maps a record of any
format it knows onto a row (``Format.row``: every column, JSON values); what the values may be
is ``values``, what the records must say together ``checks``.

- Format 1 (the apps before format 2, keyed ``"format": 1``): every column of the tables as of
  migration 0005. The app with migration 0006 also wrote a frozen revision's organisation and
  display zone under the same number, so a format-1 revision may hold them or not (none:
  read as None, as the migration gave rows already here).
- Format 2: the same records, every field declared and required, keyed ``"format_version"``.

A document of a newer format is refused with a message saying to update the app; so is a
package whose manifest says so (``manifest.FORMAT_VERSION``), before anything is unpacked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inspector_app.i18n import _
from inspector_app.store.models import (
    AnswerRecord,
    Finding,
    FindingPhoto,
    InspectionRevision,
    Photo,
    Signature,
)
from inspector_app.sync.strict import PackageRejected, canonical_json

if TYPE_CHECKING:
    from sqlmodel import SQLModel  # the tables of store/models.py, as row types

RECORDS_MEMBER = "data/records.json"
FORMAT_VERSION = 2  # what this app writes

# the parts of an inspection, in the order they are written (foreign keys point backwards)
PARTS: tuple[tuple[str, type[SQLModel]], ...] = (
    ("revisions", InspectionRevision),
    ("answers", AnswerRecord),
    ("photos", Photo),
    ("findings", Finding),
    ("finding_photos", FindingPhoto),
    ("signatures", Signature),
)
BUNDLE_KEYS = frozenset({"inspection", *(name for name, _m in PARTS), "history", "content_hash"})
# an audit entry as it travels: the fields its hash covers (store.audit.FIELDS), then the
# hash it names as its predecessor on its device, and its own
HISTORY_KEYS = (
    "seq",
    "id",
    "ts",
    "actor",
    "action",
    "entity",
    "entity_id",
    "inspection_id",
    "field",
    "old",
    "new",
    "prev_hash",
    "hash",
)
MEDIA_TYPES = {"image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class Record:
    """A record type in one format: the fields a record holds (in this order), and those it
    may lack with the JSON value each then reads as. A column the format does not carry at
    all is listed in ``absent`` only."""

    fields: tuple[str, ...]
    absent: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Format:
    version: int
    version_key: str  # the document key that names the version
    records: Mapping[str, Record]  # sites, templates, inspection, and each part

    @property
    def document_keys(self) -> frozenset[str]:
        return frozenset({self.version_key, "sites", "templates", "inspections"})

    def row(self, kind: str, record: Any, where: str) -> dict[str, Any]:
        """A record of this format as a row (JSON values of every column), or
        ``PackageRejected`` naming the fields missing or unknown."""
        if not isinstance(record, dict):
            raise reject(where, _("expected an object"))
        spec = self.records[kind]
        missing = [f for f in spec.fields if f not in record and f not in spec.absent]
        extra = [str(k) for k in record if k not in spec.fields]
        if missing or extra:
            raise reject(
                where,
                _(
                    "fields do not match {record} of records format {version} (missing: {missing}; unknown: {extra})",
                    record=kind,
                    version=self.version,
                    missing=", ".join(missing) or "-",
                    extra=", ".join(extra) or "-",
                ),
            )
        return {**spec.absent, **record}

    def record(self, kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
        """A row (JSON values) as a record of this format."""
        return {name: row[name] for name in self.records[kind].fields}


_SITE = (
    "id",
    "code",
    "name",
    "name_en",
    "site_type",
    "district",
    "host_unit",
    "address",
    "contact_name",
    "contact_phone",
    "is_sample",
    "created_at",
    "updated_at",
    "revision",
    "base_revision",
)
_TEMPLATE = (
    "id",
    "template_id",
    "version",
    "content_hash",
    "title_zh",
    "title_en",
    "site_type",
    "sample_weights",
    "canonical_json",
    "source_file",
    "loaded_at",
)
_INSPECTION = (
    "id",
    "site_id",
    "template_version_id",
    "template_id",
    "template_version",
    "template_hash",
    "inspectors",
    "started_on",
    "ended_on",
    "status",
    "score_total",
    "grade",
    "provisional",
    "vetoed",
    "previous_inspection_id",
    "amend_reason",
    "completed_at",
    "exported_at",
    "created_at",
    "updated_at",
    "revision",
    "base_revision",
)
_REVISION = (
    "id",
    "inspection_id",
    "revision",
    "completed_at",
    "completed_by",
    "score_json",
    "data_json",
    "data_hash",
    "amend_reason",
    "organisation",
    "display_zone",
)
_ANSWER = (
    "id",
    "inspection_id",
    "item_id",
    "value_json",
    "not_applicable",
    "comment",
    "evidence_checked",
    "updated_at",
    "revision",
    "base_revision",
)
_PHOTO = (
    "id",
    "inspection_id",
    "item_id",
    "sha256",
    "original_name",
    "media_type",
    "byte_size",
    "width",
    "height",
    "captured_at",
    "captured_local",
    "captured_offset",
    "camera",
    "caption",
    "created_at",
    "revision",
    "base_revision",
)
_FINDING = (
    "id",
    "inspection_id",
    "item_id",
    "severity",
    "description",
    "requirement",
    "deadline",
    "responsible",
    "status",
    "carried_from_id",
    "resolution_note",
    "created_at",
    "updated_at",
    "revision",
    "base_revision",
)
_FINDING_PHOTO = ("finding_id", "photo_id", "role", "created_at")
_SIGNATURE = (
    "id",
    "inspection_id",
    "inspection_revision",
    "data_hash",
    "signer_name",
    "role",
    "signed_at",
    "image_png",
    "created_at",
)

FORMATS: dict[int, Format] = {
    1: Format(
        1,
        "format",
        {
            "sites": Record(_SITE),
            "templates": Record(_TEMPLATE),
            "inspection": Record(_INSPECTION),
            "revisions": Record(_REVISION, {"organisation": None, "display_zone": None}),
            "answers": Record(_ANSWER),
            "photos": Record(_PHOTO),
            "findings": Record(_FINDING),
            "finding_photos": Record(_FINDING_PHOTO),
            "signatures": Record(_SIGNATURE),
        },
    ),
    2: Format(
        2,
        "format_version",
        {
            "sites": Record(_SITE),
            "templates": Record(_TEMPLATE),
            "inspection": Record(_INSPECTION),
            "revisions": Record(_REVISION),
            "answers": Record(_ANSWER),
            "photos": Record(_PHOTO),
            "findings": Record(_FINDING),
            "finding_photos": Record(_FINDING_PHOTO),
            "signatures": Record(_SIGNATURE),
        },
    ),
}
CURRENT = FORMATS[FORMAT_VERSION]


def reject(where: str, message: str) -> PackageRejected:
    return PackageRejected(f"{RECORDS_MEMBER}: {where}: {message}")


def format_of(doc: Any) -> Format:
    """The format a records document is in, or ``PackageRejected``: a newer one says to
    update the app; anything else that is not a document of a known format says so."""
    if not isinstance(doc, dict):
        raise reject("/", _("not an Inspector records document"))
    key = "format_version" if "format_version" in doc else "format"
    version = doc.get(key)
    if not isinstance(version, int) or isinstance(version, bool):
        raise reject("/", _("not an Inspector records document"))
    if version > FORMAT_VERSION:
        raise reject(key, _("records format {n} is not supported; update this app", n=version))
    fmt = FORMATS.get(version)
    if fmt is None or fmt.version_key != key or set(doc) != fmt.document_keys:
        raise reject("/", _("not an Inspector records document"))
    return fmt


def bundle_hash(bundle: Mapping[str, Any]) -> str:
    """SHA-256 over an inspection's records as they travel (its history and this hash left
    out): what the exporter states and the importer checks."""
    body = {k: v for k, v in bundle.items() if k not in ("history", "content_hash")}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def bundle(rows: Mapping[str, Any]) -> dict[str, Any]:
    """An inspection's rows (``bundles.inspection_bundle``) as it travels, in this app's
    format, with its content hash."""
    out: dict[str, Any] = {"inspection": CURRENT.record("inspection", rows["inspection"])}
    for name, _model in PARTS:
        out[name] = [CURRENT.record(name, r) for r in rows[name]]
    out["history"] = list(rows["history"])
    out["content_hash"] = bundle_hash(out)
    return out


def document(
    sites: Sequence[Mapping[str, Any]],
    templates: Sequence[Mapping[str, Any]],
    inspections: list[dict[str, Any]],
) -> dict[str, Any]:
    """The records document of a package, in this app's format: site and template rows,
    inspections as ``bundle`` made them."""
    return {
        CURRENT.version_key: CURRENT.version,
        "sites": [CURRENT.record("sites", r) for r in sites],
        "templates": [CURRENT.record("templates", r) for r in templates],
        "inspections": inspections,
    }


def as_rows(kept: Mapping[str, Any], version: int) -> dict[str, Any]:
    """An inspection's records of the given format, checked when they arrived (a version a
    conflict kept), as rows: what a format lacks as it reads."""
    records = FORMATS[version].records
    out = dict(kept)
    out["inspection"] = {**records["inspection"].absent, **kept["inspection"]}
    for name, _model in PARTS:
        out[name] = [{**records[name].absent, **r} for r in kept[name]]
    return out


def media_member(sha256: str, media_type: str) -> str:
    return f"media/{sha256}.{MEDIA_TYPES[media_type]}"

"""The tables. Every record gets its UUID when it is created (invariant 1); mutable
records carry ``revision`` and ``base_revision`` so a later merge can tell a
fast-forward from a conflict. Schema changes go through Alembic migrations in
``store/migrations``; ``tests/store/test_migrations.py`` checks they match these models.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

from inspector_app.domain.ids import new_id as new_id  # re-exported for the tables
from inspector_app.domain.ids import utcnow as utcnow
from inspector_app.domain.vocab import FindingSeverity, FindingStatus, InspectionStatus

__all__ = ["FindingSeverity", "FindingStatus", "InspectionStatus"]  # kept for their importers

# Named constraints so batch migrations on SQLite can find them (alembic #1834).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class Site(SQLModel, table=True):
    """A site under evaluation: a pilot base (中试基地), an agency (技术转移服务机构) or a platform."""

    __tablename__ = "site"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    code: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    site_type: str = Field(index=True, max_length=32)
    district: str | None = Field(default=None, max_length=100)
    host_unit: str | None = Field(default=None, max_length=200)  # 依托单位
    address: str | None = Field(default=None, max_length=300)
    contact_name: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=50)
    is_sample: bool = Field(default=False)  # 示例: demo data, not a real registered site
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    revision: int = Field(default=1)
    base_revision: int = Field(default=0)


class TemplateVersion(SQLModel, table=True):
    """A checklist template version, pinned by the SHA-256 of its canonical JSON."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("template_id", "version", "content_hash"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    template_id: str = Field(index=True, max_length=64)
    version: str = Field(max_length=32)
    content_hash: str = Field(unique=True, max_length=64)
    title_zh: str
    title_en: str
    site_type: str = Field(max_length=32)
    sample_weights: bool
    canonical_json: str
    source_file: str | None = None
    loaded_at: dt.datetime = Field(default_factory=utcnow)


class Inspection(SQLModel, table=True):
    """One evaluation visit to a site with a pinned template version.

    ``revision`` counts amendments: 1 until the first amendment after completion.
    The score columns are kept current on every edit by the scoring engine, so lists
    need no recomputation; ``completed_*`` snapshots live in ``inspection_revision``.
    """

    __tablename__ = "inspection"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    site_id: str = Field(foreign_key="site.id", index=True, max_length=36)
    template_version_id: str = Field(foreign_key="template_version.id", max_length=36)
    template_id: str = Field(max_length=64)
    template_version: str = Field(max_length=32)
    template_hash: str = Field(max_length=64)
    inspectors: str = Field(default="[]")  # JSON list of names
    started_on: dt.date
    ended_on: dt.date | None = None
    status: str = Field(default=InspectionStatus.DRAFT, index=True, max_length=16)
    score_total: float = Field(default=0)
    grade: str = Field(default="", max_length=32)
    provisional: bool = Field(default=True)
    vetoed: bool = Field(default=False)
    previous_inspection_id: str | None = Field(
        default=None, foreign_key="inspection.id", max_length=36
    )  # 复查: the visit this one follows
    amend_reason: str | None = None
    completed_at: dt.datetime | None = None
    exported_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow, index=True)
    revision: int = Field(default=1)
    base_revision: int = Field(default=0)


class InspectionRevision(SQLModel, table=True):
    """The frozen state of an inspection at completion: score, answers and their hash."""

    __tablename__ = "inspection_revision"
    __table_args__ = (UniqueConstraint("inspection_id", "revision"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    inspection_id: str = Field(foreign_key="inspection.id", index=True, max_length=36)
    revision: int
    completed_at: dt.datetime
    completed_by: str = Field(default="")
    score_json: str
    data_json: str  # canonical answers, findings and metadata
    data_hash: str = Field(max_length=64)
    amend_reason: str | None = None
    # what the report of this revision is issued under, frozen at completion so it prints
    # the same anywhere (None: completed before 0006; the settings of the day are used)
    organisation: str | None = Field(default=None, max_length=200)
    display_zone: str | None = Field(default=None, max_length=64)


class AnswerRecord(SQLModel, table=True):
    """The answer to one item or veto of an inspection."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    inspection_id: str = Field(foreign_key="inspection.id", index=True, max_length=36)
    item_id: str = Field(max_length=64)
    value_json: str | None = None  # None: unanswered
    not_applicable: bool = Field(default=False)
    comment: str | None = None
    evidence_checked: str = Field(default="[]")  # JSON list of ticked evidence indexes
    updated_at: dt.datetime = Field(default_factory=utcnow)
    revision: int = Field(default=1)
    base_revision: int = Field(default=0)


class Photo(SQLModel, table=True):
    """A photo attached to an inspection (and maybe to one item). The original is kept
    byte-identical in the media store under its SHA-256; display copy and thumbnail beside."""

    __tablename__ = "photo"
    __table_args__ = (UniqueConstraint("inspection_id", "sha256"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    inspection_id: str = Field(foreign_key="inspection.id", index=True, max_length=36)
    item_id: str | None = Field(default=None, max_length=64)
    sha256: str = Field(index=True, max_length=64)
    original_name: str = Field(default="")
    media_type: str = Field(default="image/jpeg", max_length=32)
    byte_size: int = Field(default=0)
    width: int = Field(default=0)
    height: int = Field(default=0)
    # when it was taken (timefmt): an instant in UTC, known when the camera wrote its offset
    # (and on rows from before 0004); the camera's wall time as it wrote it; its offset
    captured_at: dt.datetime | None = None
    captured_local: str | None = Field(default=None, max_length=19)  # "YYYY-MM-DD HH:MM:SS"
    captured_offset: int | None = None  # minutes east of UTC, when the camera said
    camera: str | None = None
    caption: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    revision: int = Field(default=1)
    base_revision: int = Field(default=0)


class Finding(SQLModel, table=True):
    """A finding with its corrective action (问题与整改)."""

    __tablename__ = "finding"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    inspection_id: str = Field(foreign_key="inspection.id", index=True, max_length=36)
    item_id: str | None = Field(default=None, max_length=64)
    severity: str = Field(default=FindingSeverity.MINOR, max_length=16)
    description: str
    requirement: str = Field(default="")  # 整改要求
    deadline: dt.date | None = Field(default=None, index=True)  # 整改期限
    responsible: str = Field(default="")  # 责任人
    status: str = Field(default=FindingStatus.OPEN, index=True, max_length=16)
    carried_from_id: str | None = Field(default=None, foreign_key="finding.id", max_length=36)
    resolution_note: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    revision: int = Field(default=1)
    base_revision: int = Field(default=0)


class FindingPhoto(SQLModel, table=True):
    """Photos that show a finding: as found, or (复查) after correction."""

    __tablename__ = "finding_photo"
    finding_id: str = Field(foreign_key="finding.id", primary_key=True, max_length=36)
    photo_id: str = Field(foreign_key="photo.id", primary_key=True, max_length=36)
    role: str = Field(default="evidence", max_length=16)  # evidence | after
    created_at: dt.datetime = Field(default_factory=utcnow)


class Signature(SQLModel, table=True):
    """A drawn signature bound to the inspection revision it was given on."""

    __tablename__ = "signature"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    inspection_id: str = Field(foreign_key="inspection.id", index=True, max_length=36)
    inspection_revision: int
    data_hash: str = Field(max_length=64)  # the frozen revision's data hash it signs
    signer_name: str
    role: str = Field(max_length=32)  # inspector | site_representative
    signed_at: dt.datetime
    image_png: bytes
    created_at: dt.datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """One append-only, hash-chained audit row. Triggers forbid UPDATE and DELETE."""

    __tablename__ = "audit_log"
    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(default_factory=new_id, unique=True, max_length=36)
    ts: str  # ISO-8601 UTC
    actor: str
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: str = Field(index=True, max_length=36)
    inspection_id: str | None = Field(default=None, index=True, max_length=36)
    field: str | None = None
    old: str | None = None
    new: str | None = None
    prev_hash: str = Field(unique=True, max_length=64)  # unique: the chain cannot fork
    hash: str = Field(max_length=64)


class TextDraft(SQLModel, table=True):
    """Free text as it is typed, before it becomes one audited edit: on disk within a few
    milliseconds of the keystroke, turned into the answer or comment when typing pauses or
    the inspector moves on, and at the next start after a crash. Never leaves this folder."""

    __tablename__ = "text_draft"
    inspection_id: str = Field(foreign_key="inspection.id", primary_key=True, max_length=36)
    item_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=16)  # value | comment
    text: str
    actor: str = Field(default="")
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    """Small per-data-folder facts (device id, last backup day)."""

    __tablename__ = "app_setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str


# -- packages (sync) ----------------------------------------------------------------------------


class SyncDevice(SQLModel, table=True):
    """A device whose packages were imported here, pinned to the key that signs its manifests:
    a later package from the same device id signed by another key is refused."""

    __tablename__ = "sync_device"
    device_id: str = Field(primary_key=True, max_length=36)
    device_name: str = Field(default="", max_length=200)
    public_key: str = Field(max_length=64)  # base64 of the raw Ed25519 key
    first_seen: dt.datetime = Field(default_factory=utcnow)
    last_sequence: int = Field(default=0)
    last_audit_head: str | None = Field(default=None, max_length=64)


class SyncReceipt(SQLModel, table=True):
    """One imported package: importing the same package again changes nothing."""

    __tablename__ = "sync_receipt"
    package_id: str = Field(primary_key=True, max_length=36)
    device_id: str = Field(foreign_key="sync_device.device_id", index=True, max_length=36)
    sequence: int
    file_sha256: str = Field(max_length=64)
    imported_at: dt.datetime = Field(default_factory=utcnow)
    actor: str = Field(default="")
    result_json: str = Field(default="{}")  # what the import did, per inspection


class SyncConflict(SQLModel, table=True):
    """An incoming version that neither extends nor is extended by the local one: kept here,
    beside the untouched local record, for a person to resolve (never overwritten)."""

    __tablename__ = "sync_conflict"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    package_id: str = Field(foreign_key="sync_receipt.package_id", index=True, max_length=36)
    entity: str = Field(max_length=32)  # inspection | site
    entity_id: str = Field(index=True, max_length=36)
    local_hash: str = Field(max_length=64)
    incoming_hash: str = Field(max_length=64)
    incoming_json: str
    created_at: dt.datetime = Field(default_factory=utcnow)
    resolved_at: dt.datetime | None = None
    resolution: str | None = Field(default=None, max_length=32)  # kept_local | took_incoming


class ReceivedHistory(SQLModel, table=True):
    """The audit entries of an imported inspection, as its devices wrote them (each entry's own
    hash still checks); with the local log they are the inspection's history, which tells a
    fast-forward from a conflict."""

    __tablename__ = "received_history"
    id: str = Field(primary_key=True, max_length=36)  # the entry's id on its device
    inspection_id: str = Field(index=True, max_length=36)
    position: int  # order within the inspection's history
    entry_json: str
    # this folder's own log up to here was superseded when the history arrived (entries of
    # a local version dropped for the incoming one do not count any more)
    local_seq: int = Field(default=0)
    # the device whose package brought the entry here first (None: received before this
    # was recorded); its readable name is the latest that device gave (sync_device)
    device_id: str | None = Field(default=None, max_length=36)
    # True: part of the history of the version in use, which decides fast-forwards and
    # conflicts. False: kept to be shown only (a version with the same content from another
    # device, or a version that was replaced by a person's decision)
    lineage: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})

"""The bookkeeping of packages (docs/sync.md) as values: the devices whose packages came
here, each package imported (its receipt), the incoming versions kept beside a local one for
a person to decide (conflicts), the history entries an inspection arrived with, and an
inspection as a package's summary lists it.

Pure values: the store reads and writes them (``store/repo/sync.py``), their JSON decoded
there once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inspector_app.domain.ids import new_id as _new_id
from inspector_app.domain.ids import utcnow as _now


@dataclass(frozen=True)
class Device:
    """A device whose packages were imported here, pinned to the key that signs them; its
    name is the latest one it gave (by its package sequence)."""

    device_id: str
    device_name: str
    public_key: str  # base64 of the raw Ed25519 key
    last_sequence: int = 0
    last_audit_head: str | None = None
    first_seen: dt.datetime = field(default_factory=_now)


@dataclass(frozen=True)
class Receipt:
    """One imported package: importing it again changes nothing."""

    package_id: str
    device_id: str
    sequence: int
    file_sha256: str
    actor: str = ""
    result: Mapping[str, Any] = field(default_factory=dict)  # what the import did
    imported_at: dt.datetime = field(default_factory=_now)


@dataclass(frozen=True)
class Conflict:
    """An incoming version of an inspection or a site kept beside the local one, whole, until
    a person keeps the local one or takes it (``resolution``)."""

    package_id: str
    entity: str  # inspection | site
    entity_id: str
    local_hash: str
    incoming_hash: str
    incoming: Mapping[str, Any]  # the version as it arrived, with what it needs ("_local")
    id: str = field(default_factory=_new_id)
    created_at: dt.datetime = field(default_factory=_now)
    resolved_at: dt.datetime | None = None
    resolution: str | None = None  # kept_local | took_incoming


@dataclass(frozen=True)
class ReceivedEntry:
    """One history entry an inspection arrived with (``sync.received``)."""

    id: str  # the entry's id on its device
    entry: dict[str, Any]  # the audit fields, as its device wrote them ({} if unreadable)
    position: int  # its place in the inspection's received history
    lineage: bool  # part of the history of the version in use (False: shown only)
    device_id: str | None  # the device whose package brought it here first
    hash_ok: bool  # the entry's own hash still checks
    local_seq: int = 0  # this folder's own log up to here was superseded when it arrived


@dataclass(frozen=True)
class PackagedInspection:
    """An inspection as the summary of a package lists it (the import preview shows it)."""

    id: str
    site: str
    site_code: str
    template: str
    started_on: dt.date
    inspectors: tuple[str, ...]
    status: str
    score: float
    grade: str

"""This folder's records as rows: a row as JSON values (every column: dates and times as ISO
8601, binary as base64), an inspection's bundle (the inspection, its parts and its history),
and the records document of a package (``collect``, in the format ``wire`` writes).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inspector_app.store.models import Inspection
from inspector_app.store.repo import sync as repo
from inspector_app.store.repo import sync_records as records
from inspector_app.store.repo.sync_records import table_of
from inspector_app.sync import compare, wire
from inspector_app.sync.wire import HISTORY_KEYS, PARTS

if TYPE_CHECKING:
    from sqlmodel import SQLModel

    from inspector_app.store.db import Tx


def column_kind(column: Any) -> str:
    return type(column.type).__name__


def row_of(obj: SQLModel) -> dict[str, Any]:
    """A record's columns as JSON values."""
    out: dict[str, Any] = {}
    for column in table_of(type(obj)).columns:
        value = getattr(obj, column.name)
        kind = column_kind(column)
        if value is None:
            out[column.name] = None
        elif kind in ("UTCDateTime", "Date"):
            out[column.name] = value.isoformat()
        elif kind == "LargeBinary":
            out[column.name] = base64.b64encode(value).decode("ascii")
        else:
            out[column.name] = value
    return out


def history_entry(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in HISTORY_KEYS}


def history_of(s: Tx, inspection_id: str) -> list[dict[str, Any]]:
    """The inspection's history: the history it last arrived with (in that order, which may
    hold entries first written here), then the entries of this folder's own log since."""
    received = repo.lineage(s, inspection_id)
    own = repo.own_entries(s, inspection_id)
    seen = {r.id for r in received}
    mark = max((r.local_seq for r in received), default=0)
    return [r.entry for r in received] + [
        history_entry(r) for r in own if r.id not in seen and (r.seq or 0) > mark
    ]


def inspection_bundle(s: Tx, insp: Inspection) -> dict[str, Any]:
    """One inspection with everything that belongs to it, as rows (in the order they were
    written here, ``sync_records.parts_of``), and its history."""
    parts = {
        name: [row_of(r) for r in rows]
        for name, rows in records.parts_of(s, insp.id, PARTS).items()
    }
    bundle: dict[str, Any] = {"inspection": row_of(insp), **parts}
    bundle["history"] = history_of(s, insp.id)
    return bundle


def with_previous(s: Tx, inspection_ids: Iterable[str]) -> list[Inspection]:
    """The inspections and (复查) every visit they follow, earliest first."""
    chosen: dict[str, Inspection] = {}
    todo = list(inspection_ids)
    while todo:
        iid = todo.pop()
        if iid in chosen:
            continue
        insp = records.inspection(s, iid)
        if insp is None:
            continue
        chosen[iid] = insp
        if insp.previous_inspection_id:
            todo.append(insp.previous_inspection_id)
    return ordered(chosen.values(), lambda i: i.id, lambda i: i.previous_inspection_id)


def ordered(items: Iterable[Any], key: Any, parent: Any) -> list[Any]:
    """``items`` with each one after the one it follows (by id otherwise); a cycle is
    broken where it is met (the checks refuse cycles in what arrives)."""
    pending = {key(i): i for i in items}
    out: list[Any] = []
    placed: set[str] = set()
    for k in sorted(pending):
        chain = []
        step: str | None = k
        while step is not None and step in pending and step not in placed:
            placed.add(step)
            chain.append(pending[step])
            step = parent(pending[step])
        out.extend(reversed(chain))
    return out


@dataclass(frozen=True)
class Collected:
    document: dict[str, Any]
    media: list[tuple[str, str]]  # (sha256, media_type) of every photo's original
    inspection_ids: list[str]


def collect(s: Tx, inspection_ids: Iterable[str]) -> Collected:
    """The records document of a package holding these inspections (and the visits they
    follow), every site, and the template versions they use."""
    inspections = with_previous(s, inspection_ids)
    bundles = [inspection_bundle(s, i) for i in inspections]
    template_ids = sorted({i.template_version_id for i in inspections})
    templates = [row_of(t) for t in (records.template_version(s, tid) for tid in template_ids) if t]
    sites = [row_of(r) for r in records.sites_by_code(s)]
    media = sorted({(p["sha256"], p["media_type"]) for b in bundles for p in b["photos"]})
    document = wire.document(sites, templates, [wire.bundle(b) for b in bundles])
    return Collected(document, media, [i.id for i in inspections])


def local_sources(s: Tx, extra: dict[str, list[Any]] | None = None) -> compare.SourceKey:
    """``compare.content``'s key of a carried finding's source: from ``extra`` (the findings
    of the package at hand), else the finding here, else unknown."""

    def key(finding_id: str) -> Any:
        if extra and finding_id in extra:
            return extra[finding_id]
        found = records.finding(s, finding_id)
        if found is None:
            return compare.unknown_source(finding_id)
        return compare.source_key(row_of(found))

    return key


def local_content(s: Tx, local: Inspection) -> dict[str, Any]:
    """The content (``compare.content``) of the version here."""
    return compare.content(inspection_bundle(s, local), site=local.site_id, source=local_sources(s))

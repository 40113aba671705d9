"""Merging what arrives into this data folder, and a person's decision on a conflict.

Merging one inspection (ARCHITECTURE invariant 6, RELIABILITY B7/B8) is decided by the
histories, which only grow, one audit entry per edit:

- not here: added;
- the same history: unchanged;
- the local history is a proper prefix of the incoming one: fast-forward, the local rows
  are replaced by the incoming ones;
- the incoming history is a prefix of the local one: the local copy is newer, kept;
- anything else (both sides edited since they last agreed): a conflict. The local rows stay
  as they are and the incoming version is kept whole in ``sync_conflict`` for a person.

A site is matched by id, then by code (each laptop that imported the same site list gave the
site its own id); a differing site is never overwritten, the incoming one is kept as a
conflict. A template version is matched by its content hash, and its content must parse and
hash to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inspector_app.domain.packages import Conflict
from inspector_app.i18n import _
from inspector_app.store.models import FindingPhoto, Inspection, Site, TemplateVersion
from inspector_app.store.repo import sync as repo
from inspector_app.store.repo import sync_records as records
from inspector_app.sync import apply, compare, received, wire
from inspector_app.sync.bundles import (
    history_of,
    inspection_bundle,
    local_content,
    local_sources,
    ordered,
    row_of,
)
from inspector_app.sync.checks import Incoming, IncomingInspection, check_bundle
from inspector_app.sync.strict import PackageRejected, canonical_json
from inspector_app.sync.wire import PARTS, RECORDS_MEMBER

if TYPE_CHECKING:
    from inspector_app.store.db import Tx


@dataclass
class MergeResult:
    added: list[str] = field(default_factory=list)  # inspection ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_newer: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    # another device's version with the same content (compare.py): no conflict, its
    # history kept to be shown
    same_content: list[str] = field(default_factory=list)
    sites_added: int = 0
    site_conflicts: int = 0
    templates_added: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def changed(self) -> bool:
        return bool(
            self.added
            or self.updated
            or self.conflicts
            or self.same_content
            or self.sites_added
            or self.site_conflicts
            or self.templates_added
        )


SITE_VOLATILE = ("id", "created_at", "updated_at", "revision", "base_revision")


def _site_facts(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in SITE_VOLATILE}


def _conflict(
    s: Tx,
    package_id: str,
    entity: str,
    entity_id: str,
    local: dict[str, Any] | None,
    incoming_raw: dict[str, Any],
    incoming_hash: str,
) -> bool:
    """Keep an incoming version for a person; the same version met again is not kept twice.
    True while a person still has to decide it; False if they kept the local one before."""
    for resolution in repo.resolutions(s, entity, entity_id, incoming_hash):
        if resolution is None:
            return True
        if resolution == "kept_local":
            return False
    repo.add_conflict(
        s,
        Conflict(
            package_id=package_id,
            entity=entity,
            entity_id=entity_id,
            local_hash=hashlib.sha256(canonical_json(local)).hexdigest() if local else "0" * 64,
            incoming_hash=incoming_hash,
            incoming=incoming_raw,
        ),
    )
    return True


def _version_hash(bundle: IncomingInspection) -> str:
    """An incoming version: its rows and its history."""
    return hashlib.sha256(
        (bundle.content_hash + "," + ",".join(_ids(bundle.history))).encode("ascii")
    ).hexdigest()


def merge(
    s: Tx, incoming: Incoming, *, package_id: str, device_id: str | None = None
) -> MergeResult:
    """Apply ``incoming`` (from the device ``device_id``) inside the caller's transaction (it
    commits or rolls back)."""
    result = MergeResult()
    sources = compare.sources_of(b.rows for b in incoming.inspections)
    site_map = _merge_sites(s, incoming, package_id, result)
    template_map = _merge_templates(s, incoming, result)
    in_package = {b.id for b in incoming.inspections}
    for bundle in ordered(incoming.inspections, lambda b: b.id, _previous_of):
        previous = bundle.inspection["previous_inspection_id"]
        if previous and previous not in in_package and records.inspection(s, previous) is None:
            raise PackageRejected(
                f"{RECORDS_MEMBER}: inspection {bundle.id[:8]}: "
                + _(
                    "it follows inspection {id}, which is neither in the package nor here",
                    id=previous[:8],
                )
            )
        _check_ids_belong(s, bundle)
        row = dict(bundle.inspection)
        row["site_id"] = site_map[row["site_id"]]  # check_document: a site of the package
        row["template_version_id"] = template_map[row["template_version_id"]]
        if _missing_sources(s, bundle) or (previous and records.inspection(s, previous) is None):
            _keep_waiting(s, bundle, row, package_id, result, device_id, sources)
        else:
            _merge_inspection(s, bundle, row, package_id, result, device_id, sources)
    return result


def _keep_waiting(
    s: Tx,
    bundle: IncomingInspection,
    row: dict[str, Any],
    package_id: str,
    result: MergeResult,
    device_id: str | None,
    sources: dict[str, list[Any]],
) -> None:
    """A carried finding (复查) or the visit it follows was not written (it is in a conflict
    here, or the same content from another device): kept whole as a conflict until that one
    is decided, unless this one holds the same content too."""
    local = records.inspection(s, bundle.id)
    if local is not None and _same_content(s, local, bundle, row, sources):
        _keep_same_content(s, bundle, device_id, result)
        return
    still_open = _conflict(
        s,
        package_id,
        "inspection",
        bundle.id,
        inspection_bundle(s, local) if local else None,
        {**bundle.raw, "_local": _kept_with(bundle, row, sources)},
        _version_hash(bundle),
    )
    (result.conflicts if still_open else result.kept_newer).append(bundle.id)


def _previous_of(bundle: IncomingInspection) -> str | None:
    return bundle.inspection["previous_inspection_id"]  # type: ignore[no-any-return]


def _merge_sites(s: Tx, incoming: Incoming, package_id: str, result: MergeResult) -> dict[str, str]:
    """Incoming site id -> local site id."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for row, raw in zip(incoming.sites, incoming.site_rows, strict=True):
        local = records.site(s, row["id"]) or records.site_by_code(s, row["code"])
        if local is not None and local.id in taken:
            raise PackageRejected(
                f"{RECORDS_MEMBER}: "
                + _("two sites in the package match site {code} here", code=local.code)
            )
        if local is None:
            records.insert_rows(s, Site, [row])
            mapping[row["id"]] = row["id"]
            taken.add(row["id"])
            result.sites_added += 1
            continue
        mapping[row["id"]] = local.id
        taken.add(local.id)
        local_row = row_of(local)
        if _site_facts(local_row) != _site_facts(raw):
            still_open = _conflict(
                s,
                package_id,
                "site",
                local.id,
                local_row,
                raw,
                hashlib.sha256(canonical_json(_site_facts(raw))).hexdigest(),
            )
            if still_open:
                result.site_conflicts += 1
    return mapping


def _merge_templates(s: Tx, incoming: Incoming, result: MergeResult) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in incoming.templates:
        local = records.template_by_hash(s, row["content_hash"])
        if local is not None:
            mapping[row["id"]] = local.id
            continue
        if records.template_by_version(s, row["template_id"], row["version"]) is not None:
            raise PackageRejected(
                _(
                    "template {id} version {version} in the package differs from the one here "
                    "with the same version",
                    id=row["template_id"],
                    version=row["version"],
                )
            )
        if records.template_version(s, row["id"]) is not None:  # the same id for other content
            raise PackageRejected(
                _("template version {id} in the package clashes with another here", id=row["id"])
            )
        records.insert_rows(s, TemplateVersion, [row])
        mapping[row["id"]] = row["id"]
        result.templates_added += 1
    return mapping


def _check_ids_belong(s: Tx, bundle: IncomingInspection) -> None:
    """No incoming row may carry the id of a record of another inspection here."""
    for name, model in PARTS:
        if model is FindingPhoto or not bundle.parts[name]:
            continue
        ids = [r["id"] for r in bundle.parts[name]]
        clash = records.id_of_another_inspection(s, model, ids, bundle.id)
        if clash is not None:
            raise PackageRejected(
                f"{RECORDS_MEMBER}: inspection {bundle.id[:8]}: "
                + _(
                    "{part} {id} belongs to another inspection here",
                    part=name,
                    id=clash[:8],
                )
            )


def _missing_sources(s: Tx, bundle: IncomingInspection) -> list[str]:
    """Carried-from findings that are not here (those this import wrote are: the bundles
    are merged in order, each visit after the one it follows, in this transaction)."""
    return [
        f["carried_from_id"]
        for f in bundle.parts["findings"]
        if f["carried_from_id"] and records.finding(s, f["carried_from_id"]) is None
    ]


# Entries that annotate an inspection without editing what it says: exporting it, signing its
# PDF. Each folder writes its own; they do not decide which version is newer.
ANNOTATIONS = frozenset({"export", "report_signed"})


def _ids(entries: Sequence[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries if e["action"] not in ANNOTATIONS]


def _merge_inspection(
    s: Tx,
    bundle: IncomingInspection,
    row: dict[str, Any],
    package_id: str,
    result: MergeResult,
    device_id: str | None = None,
    sources: dict[str, list[Any]] | None = None,
) -> None:
    """Merge one inspection: added, fast-forwarded, or kept as it is here (unchanged,
    newer here, the same content, or a conflict)."""
    local = records.inspection(s, bundle.id)
    if local is None:
        apply.insert_inspection(s, bundle, row, device_id)
        result.added.append(bundle.id)
        return
    mine = _ids(history_of(s, bundle.id))
    theirs = _ids(bundle.history)
    if mine == theirs:
        result.unchanged.append(bundle.id)
    elif theirs[: len(mine)] == mine:
        if apply.fast_forward(s, local, bundle, row):
            apply.store_history(s, bundle, device_id)
            result.updated.append(bundle.id)
            return
        # a later version that would rewrite what was frozen: a conflict, whatever it says
        _keep_conflict(s, local, bundle, row, package_id, result, sources)
    elif mine[: len(theirs)] == theirs:
        result.kept_newer.append(bundle.id)
    elif _same_content(s, local, bundle, row, sources or {}):
        # both sides made the same inspection by different histories: nothing to decide
        _keep_same_content(s, bundle, device_id, result)
    else:
        _keep_conflict(s, local, bundle, row, package_id, result, sources)


def _same_content(
    s: Tx,
    local: Inspection,
    bundle: IncomingInspection,
    row: dict[str, Any],
    sources: dict[str, list[Any]],
) -> bool:
    theirs = compare.content(bundle.rows, site=row["site_id"], source=local_sources(s, sources))
    return compare.same_content(local_content(s, local), theirs)


def _keep_same_content(
    s: Tx, bundle: IncomingInspection, device_id: str | None, result: MergeResult
) -> None:
    """Another device's version holds what the version here holds: nothing is written but
    its history, kept to be shown (it does not count in later merges)."""
    received.store_shown_only(s, bundle.id, bundle.history, device_id)
    result.same_content.append(bundle.id)


def _kept_with(
    bundle: IncomingInspection, row: dict[str, Any], sources: dict[str, list[Any]]
) -> dict[str, Any]:
    """What a kept conflict needs beside the incoming records: the format they are in, the
    local site its site is, and what its carried findings come from as the package said
    (``compare.source_key``), for showing the differences later."""
    carried = {f["carried_from_id"] for f in bundle.parts["findings"] if f["carried_from_id"]}
    return {
        "format_version": bundle.format_version,
        "site_id": row["site_id"],
        "sources": {k: sources[k] for k in carried if k in sources},
    }


def _keep_conflict(
    s: Tx,
    local: Inspection,
    bundle: IncomingInspection,
    row: dict[str, Any],
    package_id: str,
    result: MergeResult,
    sources: dict[str, list[Any]] | None = None,
) -> None:
    mine = inspection_bundle(s, local)
    kept = {**bundle.raw, "_local": _kept_with(bundle, row, sources or {})}
    still_open = _conflict(s, package_id, "inspection", local.id, mine, kept, _version_hash(bundle))
    (result.conflicts if still_open else result.kept_newer).append(bundle.id)


# -- resolving a conflict -----------------------------------------------------------------------


def take_incoming_inspection(
    s: Tx, stored: dict[str, Any], media_members: set[str], device_id: str | None = None
) -> str:
    """Put the incoming version a conflict kept in place of the local one (a person chose
    it), checked as on import. ``ValueError`` if it is not newer than the local version, if
    it lacks or changes a frozen revision, a finding or a signature kept here, or if what it
    refers to is still missing. Returns the inspection id."""
    from inspector_app.domain.checklists.loader import template_from_json

    raw = dict(stored)
    mapped = raw.pop("_local", None) or {}
    version = mapped.get("format_version", 1)  # kept before formats were recorded: format 1
    fmt = wire.FORMATS.get(version)
    if fmt is None:
        raise ValueError(_("records format {n} is not supported; update this app", n=version))
    inspection = raw.get("inspection")
    head: dict[str, Any] = inspection if isinstance(inspection, dict) else {}
    tv = records.template_by_hash(s, head.get("template_hash"))
    if tv is None:
        raise ValueError(_("the incoming version's template version is not here"))
    # ids that are not text name nothing here: check_bundle rejects the bundle for them
    tv_id, site_id = head.get("template_version_id"), head.get("site_id")
    templates = {tv_id: template_from_json(tv.canonical_json)} if isinstance(tv_id, str) else {}
    site_ids = {site_id} if isinstance(site_id, str) else set()
    try:
        bundle = check_bundle(raw, "sync_conflict", media_members, templates, site_ids, fmt)
    except PackageRejected as exc:
        raise ValueError(str(exc)) from None
    _check_ids_belong(s, bundle)
    if _missing_sources(s, bundle):
        raise ValueError(
            _(
                "a finding it carries forward is not here yet: decide that inspection's conflict first"
            )
        )
    row = dict(bundle.inspection)
    row["template_version_id"] = tv.id
    local = records.inspection(s, bundle.id)
    if local is None:
        row["site_id"] = mapped.get("site_id", row["site_id"])
        previous = row["previous_inspection_id"]
        if records.site(s, row["site_id"]) is None or (
            previous and records.inspection(s, previous) is None
        ):
            raise ValueError(_("the site or the visit it follows is not here yet"))
        apply.insert_inspection(s, bundle, row, device_id)
        return bundle.id
    row["site_id"] = local.site_id
    mine, theirs = _ids(history_of(s, bundle.id)), _ids(bundle.history)
    if mine[: len(theirs)] == theirs:
        raise ValueError(_("the local version is the same as this one or newer"))
    if not apply.fast_forward(s, local, bundle, row):
        raise ValueError(
            _(
                "the incoming version lacks or changes a frozen revision, a finding or a "
                "signature kept here; keep the local version"
            )
        )
    apply.store_history(s, bundle, device_id)
    return bundle.id

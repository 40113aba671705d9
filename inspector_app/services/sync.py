"""Packages: carry inspections between laptops and headquarters on a file (docs/sync.md).

    export_package(ws, Path("E:/2024-06 PB-02.inspkg"), actor="张工")
    preview = preview_import(db, path)          # signature-checked manifest, nothing written
    result = import_package(ws, path, actor="李工")

Export writes the inspections (and the visits they follow), every site, the template
versions in use and each photo's original into one signed package, atomically. Import checks
the whole package in a private staging folder first (container, signature, every hash, every
record, every photo through the same checks as a photo added by hand), stores the photos'
files, then writes every record in one transaction: all of it or, with a message that names
the reason, none of it. Importing the same package again changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from inspector_app import __version__, timefmt
from inspector_app.i18n import _
from inspector_app.media import store
from inspector_app.media.ingest import ImageRefused, ingest_bytes
from inspector_app.services.browse import status_label
from inspector_app.services.errors import InvalidInput, NotFound
from inspector_app.services.inspections import get_inspection, mark_exported
from inspector_app.store import audit, meta
from inspector_app.store import staging as staging_store
from inspector_app.store.db import SCHEMA_HEAD, Database
from inspector_app.store.models import (
    AuditEntry,
    Inspection,
    InspectionStatus,
    Site,
    SyncConflict,
    SyncDevice,
    SyncReceipt,
)
from inspector_app.sync import bundles, checks, devices, merge, wire
from inspector_app.sync.identity import device_identity
from inspector_app.sync.manifest import Manifest, utc_now
from inspector_app.sync.merge import MergeResult
from inspector_app.sync.package import SUFFIX, open_package, read_manifest, write_package
from inspector_app.sync.strict import PackageRejected, canonical_json
from inspector_app.workspace import Workspace

__all__ = [
    "SUFFIX",
    "ExportResult",
    "ImportPreview",
    "ImportResult",
    "PackageRejected",
    "export_package",
    "import_package",
    "list_conflicts",
    "preview_import",
    "resolve_conflict",
]

Progress = Callable[[int, int, str], object]  # (done, total, what); what it returns is ignored
KIND = "inspections"
SEQUENCE_KEY = "sync.sequence"
SUMMARY_ROWS = 200


# -- export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest: Manifest
    inspections: int
    photos: int
    byte_size: int
    marked_exported: tuple[str, ...]  # signed inspections now marked exported


def _summary_rows(s: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    for iid in ids[:SUMMARY_ROWS]:
        insp = s.get(Inspection, iid)
        site = s.get(Site, insp.site_id) if insp else None
        if insp is None or site is None:
            continue
        rows.append(
            {
                "id": insp.id,
                "site": site.name,
                "site_code": site.code,
                "template": insp.template_id,
                "started_on": insp.started_on.isoformat(),
                "inspectors": _names(insp.inspectors),
                "status": insp.status,
                "score": insp.score_total,
                "grade": insp.grade,
            }
        )
    return rows


def _names(text: str) -> list[str]:
    try:
        names = json.loads(text)
    except ValueError:
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


def export_package(
    ws: Workspace,
    out: Path,
    *,
    actor: str,
    inspection_ids: Sequence[str] | None = None,
    progress: Progress | None = None,
    device_name: str | None = None,
) -> ExportResult:
    """Write a package of ``inspection_ids`` (prefixes allowed; default every inspection) with
    the visits they follow. Signed inspections in it are marked exported afterwards.
    ``device_name``: what this device calls itself (``devices.readable_name``; default: the
    actor at this computer); the device keeps its id and key whatever its name."""
    db, data_dir = ws.db, ws.data_dir
    out = Path(out)
    if out.suffix != SUFFIX:
        out = out.with_name(out.name + SUFFIX)
    with db.session() as s:
        if inspection_ids is None:
            ids = list(s.exec(select(Inspection.id).order_by(col(Inspection.started_on))).all())
        else:
            ids = [get_inspection(s, ref).id for ref in inspection_ids]
        if not ids:
            raise InvalidInput(_("there is no inspection to export"))
        collected = bundles.collect(s, ids)
        head = s.exec(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()  # type: ignore[union-attr]
        summary = {
            "inspections": len(collected.inspection_ids),
            "photos": len(collected.media),
            "sites": len(collected.document["sites"]),
            "rows": _summary_rows(s, collected.inspection_ids),
        }
    members: list[tuple[str, bytes | Path]] = [
        (wire.RECORDS_MEMBER, canonical_json(collected.document))
    ]
    for sha, media_type in collected.media:
        original = store.original_path(data_dir, sha, media_type)
        if not original.is_file():
            raise InvalidInput(
                _("the original of photo {sha} is missing from the media folder", sha=sha[:12])
            )
        members.append((wire.media_member(sha, media_type), original))
    identity = device_identity(data_dir, device_name=device_name or devices.readable_name(actor))
    sequence = int(meta.get_value(db, SEQUENCE_KEY, 0)) + 1

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total, _("Writing the package"))

    manifest = write_package(
        out,
        identity,
        kind=KIND,
        sequence=sequence,
        schema_version=SCHEMA_HEAD,
        app_version=__version__,
        created_at=utc_now(),
        summary=summary,
        audit_head=head,
        members=members,
        progress=step,
    )
    meta.set_value(db, SEQUENCE_KEY, sequence)
    chosen = set(ids)
    with db.session() as s:
        # only what was inspected here "leaves for headquarters"; a received one is forwarded
        signed = [
            i
            for i in s.exec(
                select(Inspection.id).where(Inspection.status == InspectionStatus.SIGNED.value)
            ).all()
            if i in chosen and not bundles.received_here(s, i)
        ]
    for iid in signed:
        mark_exported(ws, iid, package=manifest.package_id, actor=actor)
    return ExportResult(
        out,
        manifest,
        len(collected.inspection_ids),
        len(collected.media),
        out.stat().st_size,
        tuple(signed),
    )


# -- import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportPreview:
    """What a package says it holds (its signature checked), before anything is written."""

    manifest: Manifest
    device_known: bool  # earlier packages came from this device
    key_matches: bool  # False: this device id was pinned to another key (import refused)
    already_imported: bool
    own_device: bool  # made in this data folder
    known_name: str | None = None  # the name this device had here before, when it differs
    same_name: int = 0  # other devices here that gave the same name (another key)

    @property
    def importable(self) -> bool:
        """The package can be imported: its key is the device's and it is new here."""
        return self.key_matches and not self.already_imported

    @property
    def rows(self) -> list[dict[str, Any]]:
        rows = self.manifest.summary.get("rows", [])
        return rows if isinstance(rows, list) else []


def _device_state(db: Database, manifest: Manifest) -> tuple[bool, bool, bool]:
    with db.session() as s:
        device = s.get(SyncDevice, manifest.device_id)
        seen = s.get(SyncReceipt, manifest.package_id) is not None
    known = device is not None
    return known, (device is None or device.public_key == manifest.public_key), seen


def preview_import(ws: Workspace, path: Path) -> ImportPreview:
    db, data_dir = ws.db, ws.data_dir
    manifest = read_manifest(Path(path))
    known, key_ok, seen = _device_state(db, manifest)
    own = device_identity(data_dir).device_id == manifest.device_id
    with db.session() as s:
        names = devices.device_names(s)
    before = names.get(manifest.device_id)
    clash = sum(
        1 for d, n in names.items() if d != manifest.device_id and n == manifest.device_name
    )
    return ImportPreview(
        manifest,
        known,
        key_ok,
        seen,
        own,
        known_name=before if before and before != manifest.device_name else None,
        same_name=clash,
    )


@dataclass
class ImportResult:
    package_id: str
    device_name: str
    fingerprint: str
    already_imported: bool = False
    merge: MergeResult = field(default_factory=MergeResult)
    photos_stored: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "device": self.device_name,
            "fingerprint": self.fingerprint,
            "already_imported": self.already_imported,
            "photos_stored": self.photos_stored,
            **self.merge.as_dict(),
        }


def _store_photos(
    opened: Any, data_dir: Path, incoming: checks.Incoming, progress: Progress | None
) -> int:
    """Every photo through the same checks as one added by hand, into the media store
    (content-addressed: a file that is not used in the end harms nothing)."""
    wanted = sorted(
        {(p["sha256"], p["media_type"]) for b in incoming.inspections for p in b.parts["photos"]}
    )
    stored = 0
    for n, (sha, media_type) in enumerate(wanted, start=1):
        member = wire.media_member(sha, media_type)
        if not store.verify_original(data_dir, sha, media_type):
            data = opened.path_of(member).read_bytes()
            try:
                image = ingest_bytes(data)  # hashes the bytes itself: the name must match
            except ImageRefused as exc:
                raise PackageRejected(f"{member}: {exc}") from None
            if image.sha256 != sha or image.media_type != media_type:
                raise PackageRejected(
                    f"{member}: " + _("the photo does not match its record in the package")
                )
            store.store_image(data_dir, image)
            stored += 1
        if progress is not None:
            progress(n, len(wanted), _("Checking photos"))
    return stored


class _AlreadyImported(Exception):
    pass


def import_package(
    ws: Workspace,
    path: Path,
    *,
    actor: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a package, all or nothing; ``PackageRejected`` says why one is refused."""
    db, data_dir = ws.db, ws.data_dir
    path = Path(path)
    manifest = read_manifest(path)
    result = ImportResult(manifest.package_id, manifest.device_name, manifest.fingerprint)
    _known, key_ok, seen = _device_state(db, manifest)
    if seen:
        result.already_imported = True
        return result
    if not key_ok:
        raise PackageRejected(
            _(
                "the package says it comes from device {name} ({device}), but it is signed "
                "with another key than that device's earlier packages",
                name=manifest.device_name,
                device=manifest.device_id[:8],
            )
        )
    # what an import that was killed left is swept now (every start does too), never what a
    # running import holds; this one holds its folder until it ends (store/staging.py)
    staging_store.sweep(data_dir)
    held = contextlib.ExitStack()
    staging = held.enter_context(staging_store.claim(data_dir))
    try:

        def unpacking(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total, _("Checking the package"))

        opened = open_package(path, staging, progress=unpacking)
        manifest = opened.manifest
        media = {f.path for f in manifest.files if f.path.startswith("media/")}
        if wire.RECORDS_MEMBER not in {f.path for f in manifest.files}:
            raise PackageRejected(
                _("{member} is missing from the package", member=wire.RECORDS_MEMBER)
            )
        incoming = checks.check_document(opened.read_json(wire.RECORDS_MEMBER), media)
        result.photos_stored = _store_photos(opened, data_dir, incoming, progress)
        file_sha = store.file_sha256(path)
        with db.transaction() as s:
            device = s.get(SyncDevice, manifest.device_id)
            if device is None:
                device = SyncDevice(
                    device_id=manifest.device_id,
                    device_name=manifest.device_name,
                    public_key=manifest.public_key,
                )
            elif device.public_key != manifest.public_key:  # pinned meanwhile
                raise PackageRejected(_("the device's key changed during the import"))
            if manifest.sequence >= device.last_sequence:  # an older package changes no facts
                device.device_name = manifest.device_name
                device.last_sequence = manifest.sequence
                device.last_audit_head = manifest.audit_head or device.last_audit_head
            s.add(device)
            receipt = SyncReceipt(
                package_id=manifest.package_id,
                device_id=manifest.device_id,
                sequence=manifest.sequence,
                file_sha256=file_sha,
                actor=actor,
            )
            s.add(receipt)
            try:
                s.flush()
            except IntegrityError:  # the same package, imported meanwhile by another window
                raise _AlreadyImported from None
            if progress is not None:
                progress(0, 1, _("Merging the records"))
            try:
                result.merge = merge.merge(
                    s, incoming, package_id=manifest.package_id, device_id=manifest.device_id
                )
                s.flush()
            except IntegrityError as exc:  # a safety net: the checks should have said why
                raise PackageRejected(
                    _(
                        "the package's records clash with the records here: {error}",
                        error=str(exc.orig),
                    )
                ) from None
            receipt.result_json = json.dumps(result.merge.as_dict(), ensure_ascii=False)
            s.add(receipt)
            audit.append(
                s,
                actor=actor,
                action="import",
                entity="package",
                entity_id=manifest.package_id,
                new={
                    "device": manifest.device_name,
                    "device_id": manifest.device_id,
                    "sequence": manifest.sequence,
                    "file_sha256": file_sha,
                    **result.merge.as_dict(),
                },
            )
        if progress is not None:
            progress(1, 1, _("Merging the records"))
        return result
    except _AlreadyImported:
        result.already_imported = True
        return result
    finally:
        held.close()  # the folder and its lock are removed


# -- conflicts ----------------------------------------------------------------------------------


def _local_time(ts: Any) -> str:
    """An audit time (UTC) as month, day and time in the display zone."""
    try:
        return timefmt.local(dt.datetime.fromisoformat(str(ts))).strftime("%m-%d %H:%M")
    except ValueError:
        return "?"


def _describe(s: Any, conflict: SyncConflict) -> tuple[str, str, str]:
    """What the conflict is about, and the local and the incoming side in a few words."""
    try:
        incoming = json.loads(conflict.incoming_json)
    except ValueError:  # pragma: no cover - written by this app
        incoming = {}
    if conflict.entity == "site":
        site = s.get(Site, conflict.entity_id)
        title = f"{site.code} {site.name}" if site else conflict.entity_id[:8]
        theirs = f"{incoming.get('name', '')} · {incoming.get('contact_name') or ''}".strip(" ·")
        mine = f"{site.name} · {site.contact_name or ''}".strip(" ·") if site else ""
        return title, mine, theirs
    head = incoming.get("inspection") if isinstance(incoming.get("inspection"), dict) else {}
    insp = s.get(Inspection, conflict.entity_id)
    site = s.get(Site, insp.site_id) if insp else None
    started = insp.started_on.isoformat() if insp else str(head.get("started_on", ""))
    title = f"{site.name if site else ''} · {started}".strip(" ·")

    def side(status: Any, score: Any, history: Any) -> str:
        edits = [
            e
            for e in (history if isinstance(history, list) else [])
            if isinstance(e, dict) and e.get("action") not in merge.ANNOTATIONS
        ]
        last = edits[-1] if edits else {}
        return _(
            "{status}, score {score}; last edit by {actor}, {time}",
            status=status_label(str(status)),
            score=score,
            actor=last.get("actor", "?"),
            time=_local_time(last.get("ts")),
        )

    mine = _("not here yet")
    if insp is not None:
        mine = side(insp.status, insp.score_total, bundles.history_of(s, insp.id))
    theirs = side(head.get("status", ""), head.get("score_total", ""), incoming.get("history"))
    return title, mine, theirs


def list_conflicts(ws: Workspace, *, open_only: bool = True) -> list[dict[str, Any]]:
    """Incoming versions kept beside a local one, for a person to decide."""
    db = ws.db
    with db.session() as s:
        q = select(SyncConflict, SyncReceipt).join(
            SyncReceipt,
            SyncReceipt.package_id == SyncConflict.package_id,  # type: ignore[arg-type]
        )
        if open_only:
            q = q.where(SyncConflict.resolved_at.is_(None))  # type: ignore[union-attr]
        rows = s.exec(q.order_by(col(SyncConflict.created_at))).all()
        names = devices.shown_names(s)  # a name two devices give comes with its key
        out = []
        for c, r in rows:
            title, mine, theirs = _describe(s, c)
            out.append(
                {
                    "id": c.id,
                    "entity": c.entity,
                    "entity_id": c.entity_id,
                    "package_id": c.package_id,
                    "device": names.get(r.device_id, r.device_id),
                    "created_at": c.created_at.isoformat(),
                    "resolved": c.resolution,
                    "title": title,
                    "local": mine,
                    "incoming": theirs,
                }
            )
    return out


def find_conflict(s: Session, ref: str) -> SyncConflict:
    """A conflict by its id or an unambiguous prefix of at least 6 characters."""
    conflict = s.get(SyncConflict, ref)
    if conflict is None and len(ref) >= 6:
        rows = s.exec(
            select(SyncConflict).where(col(SyncConflict.id).startswith(ref)).limit(2)
        ).all()
        conflict = rows[0] if len(rows) == 1 else None
    if conflict is None:
        raise NotFound(_("no conflict {id}", id=ref))
    return conflict


def resolve_conflict(ws: Workspace, conflict_id: str, *, keep: str, actor: str) -> dict[str, Any]:
    """Decide a conflict: keep the ``local`` version (the incoming one stays on record), or
    take the ``incoming`` one in place of the local rows. Audited; one transaction."""
    db, data_dir = ws.db, ws.data_dir
    if keep not in ("local", "incoming"):
        raise InvalidInput(_("keep either local or incoming, not {value!r}", value=keep))
    with db.transaction() as s:
        conflict = find_conflict(s, conflict_id)
        if conflict.resolved_at is not None:
            raise InvalidInput(
                _(
                    "conflict {id} was resolved already ({how})",
                    id=conflict.id[:8],
                    how=conflict.resolution,
                )
            )
        incoming = json.loads(conflict.incoming_json)
        if keep == "incoming" and conflict.entity == "inspection":
            shas = {
                (str(p.get("sha256")), str(p.get("media_type")))
                for p in incoming.get("photos", [])
                if isinstance(p, dict)
            }
            present = {
                wire.media_member(sha, media_type)
                for sha, media_type in shas
                if isinstance(sha, str)
                and len(sha) == 64
                and media_type in wire.MEDIA_TYPES
                and store.verify_original(data_dir, sha, media_type)
            }
            receipt = s.get(SyncReceipt, conflict.package_id)
            try:
                merge.take_incoming_inspection(
                    s, incoming, present, receipt.device_id if receipt else None
                )
            except (ValueError, PackageRejected) as exc:
                raise InvalidInput(str(exc)) from None
        elif keep == "incoming":  # a site: its facts as the sender has them
            site = s.get(Site, conflict.entity_id)
            if site is None:
                raise NotFound(_("no site {id}", id=conflict.entity_id[:8]))
            checked = checks.check_site(incoming)
            clash = s.exec(
                select(Site).where(Site.code == checked["code"], Site.id != site.id)
            ).first()
            if clash is not None:
                raise InvalidInput(_("another site here has the code {code}", code=checked["code"]))
            old = bundles.row_of(site)
            for key, value in checked.items():
                if key not in merge.SITE_VOLATILE:
                    setattr(site, key, value)
            site.base_revision, site.revision = site.revision, site.revision + 1
            site.updated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
            s.add(site)
            audit.append(
                s,
                actor=actor,
                action="update",
                entity="site",
                entity_id=site.id,
                old={k: v for k, v in old.items() if k not in merge.SITE_VOLATILE},
                new={k: v for k, v in incoming.items() if k not in merge.SITE_VOLATILE},
            )
        conflict.resolved_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        conflict.resolution = "kept_local" if keep == "local" else "took_incoming"
        s.add(conflict)
        audit.append(
            s,
            actor=actor,
            action="resolve",
            entity="conflict",
            entity_id=conflict.id,
            new={
                "entity": conflict.entity,
                "entity_id": conflict.entity_id,
                "package": conflict.package_id,
                "resolution": conflict.resolution,
            },
        )
        return {
            "id": conflict.id,
            "entity": conflict.entity,
            "entity_id": conflict.entity_id,
            "resolution": conflict.resolution,
        }

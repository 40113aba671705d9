"""Export: the inspections (and the visits they follow), every site, the template versions in
use and each photo's original, written into one signed package, atomically (docs/sync.md).

    export_package(ws, Path("E:/2024-06 PB-02.inspkg"))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector_app import __version__
from inspector_app.i18n import _
from inspector_app.media import store
from inspector_app.services.changes import Changes
from inspector_app.services.errors import InvalidInput
from inspector_app.services.inspections import find_inspection, mark_exported
from inspector_app.store import meta
from inspector_app.store.db import SCHEMA_HEAD
from inspector_app.store.repo import sync as repo
from inspector_app.sync import bundles, wire
from inspector_app.sync.devices import readable_name
from inspector_app.sync.identity import device_identity
from inspector_app.sync.manifest import Manifest, utc_now
from inspector_app.sync.package import SUFFIX, write_package
from inspector_app.sync.strict import canonical_json

if TYPE_CHECKING:
    from inspector_app.domain.packages import PackagedInspection
    from inspector_app.workspace import Workspace

__all__ = ["SUFFIX", "ExportResult", "Progress", "export_package", "readable_name"]

Progress = Callable[[int, int, str], object]  # (done, total, what); what it returns is ignored
KIND = "inspections"
SEQUENCE_KEY = "sync.sequence"
SUMMARY_ROWS = 200


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest: Manifest
    inspections: int
    photos: int
    byte_size: int
    marked_exported: tuple[str, ...]  # signed inspections now marked exported

    def changes(self) -> Changes:
        return Changes.of(inspections=self.marked_exported)


def _summary_row(r: PackagedInspection) -> dict[str, Any]:
    return {
        "id": r.id,
        "site": r.site,
        "site_code": r.site_code,
        "template": r.template,
        "started_on": r.started_on.isoformat(),
        "inspectors": list(r.inspectors),
        "status": r.status,
        "score": r.score,
        "grade": r.grade,
    }


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
    ``device_name``: what this device calls itself (``readable_name``; default: the actor at
    this computer); the device keeps its id and key whatever its name."""
    out = Path(out)
    if out.suffix != SUFFIX:
        out = out.with_name(out.name + SUFFIX)
    with ws.db.session() as s:
        if inspection_ids is None:
            ids = repo.inspection_ids_by_start(s)
        else:
            ids = [find_inspection(s, ref).id for ref in inspection_ids]
        if not ids:
            raise InvalidInput(_("there is no inspection to export"))
        collected = bundles.collect(s, ids)
        head = repo.audit_head(s)
        summary = {
            "inspections": len(collected.inspection_ids),
            "photos": len(collected.media),
            "sites": len(collected.document["sites"]),
            "rows": [
                _summary_row(r)
                for r in repo.packaged_inspections(s, collected.inspection_ids[:SUMMARY_ROWS])
            ],
        }
    members: list[tuple[str, bytes | Path]] = [
        (wire.RECORDS_MEMBER, canonical_json(collected.document))
    ]
    for sha, media_type in collected.media:
        original = store.original_path(ws.data_dir, sha, media_type)
        if not original.is_file():
            raise InvalidInput(
                _("the original of photo {sha} is missing from the media folder", sha=sha[:12])
            )
        members.append((wire.media_member(sha, media_type), original))
    identity = device_identity(ws.data_dir, device_name=device_name or readable_name(actor))
    sequence = int(meta.get_value(ws.db, SEQUENCE_KEY, 0)) + 1

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
    meta.set_value(ws.db, SEQUENCE_KEY, sequence)
    chosen = set(ids)
    with ws.db.session() as s:
        # only what was inspected here "leaves for headquarters"; a received one is forwarded
        signed = [
            i for i in repo.signed_inspection_ids(s) if i in chosen and not repo.received_here(s, i)
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

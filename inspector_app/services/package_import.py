"""Import: a package checked whole in a private staging folder first (container, signature,
every hash, every record, every photo through the same checks as a photo added by hand), its
photos' files stored, then every record written in one transaction: all of it or, with a
message that names the reason, none of it. Importing the same package again changes nothing
(docs/sync.md).

    preview = preview_import(ws, path)          # signature-checked manifest, nothing written
    result = import_package(ws, path)
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector_app.domain.packages import Device, Receipt
from inspector_app.i18n import _
from inspector_app.media import store
from inspector_app.media.ingest import ImageRefused, ingest_bytes
from inspector_app.services.changes import Changes
from inspector_app.services.package_export import Progress
from inspector_app.store import audit
from inspector_app.store import staging as staging_store
from inspector_app.store.repo import sync as repo
from inspector_app.sync import checks, devices, merge, wire
from inspector_app.sync.identity import device_identity
from inspector_app.sync.manifest import Manifest
from inspector_app.sync.merge import MergeResult
from inspector_app.sync.package import OpenedPackage, open_package, read_manifest
from inspector_app.sync.strict import PackageRejected

if TYPE_CHECKING:
    from inspector_app.store.db import Database
    from inspector_app.workspace import Workspace

__all__ = ["ImportPreview", "ImportResult", "PackageRejected", "import_package", "preview_import"]


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
        device = repo.device(s, manifest.device_id)
        seen = repo.receipt(s, manifest.package_id) is not None
    known = device is not None
    return known, (device is None or device.public_key == manifest.public_key), seen


def preview_import(ws: Workspace, path: Path) -> ImportPreview:
    manifest = read_manifest(Path(path))
    known, key_ok, seen = _device_state(ws.db, manifest)
    own = device_identity(ws.data_dir).device_id == manifest.device_id
    with ws.db.session() as s:
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

    def changes(self) -> Changes:
        """What the import rewrote: the inspections taken or kept beside as conflicts (the
        editor showing one of them reloads it), and the site list when sites came."""
        m = self.merge
        taken = Changes.of(
            inspections=[*m.added, *m.updated, *m.same_content, *m.conflicts],
            templates=m.templates_added > 0,
            conflicts=bool(m.conflicts or m.site_conflicts),
        )
        return taken | Changes.all() if m.sites_added else taken


def _store_photos(
    opened: OpenedPackage, data_dir: Path, incoming: checks.Incoming, progress: Progress | None
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


def _device_after(known: Device | None, manifest: Manifest) -> Device:
    """The device as this package leaves it: pinned to its key on its first package; an
    older package than the latest one imported changes none of its facts."""
    device = known or Device(manifest.device_id, manifest.device_name, manifest.public_key)
    if device.public_key != manifest.public_key:  # pinned meanwhile
        raise PackageRejected(_("the device's key changed during the import"))
    if manifest.sequence < device.last_sequence:
        return device
    return dataclasses.replace(
        device,
        device_name=manifest.device_name,
        last_sequence=manifest.sequence,
        last_audit_head=manifest.audit_head or device.last_audit_head,
    )


class _AlreadyImported(Exception):
    pass


def import_package(
    ws: Workspace, path: Path, *, actor: str, progress: Progress | None = None
) -> ImportResult:
    """Import a package, all or nothing; ``PackageRejected`` says why one is refused."""
    path = Path(path)
    manifest = read_manifest(path)
    result = ImportResult(manifest.package_id, manifest.device_name, manifest.fingerprint)
    _known, key_ok, seen = _device_state(ws.db, manifest)
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
    staging_store.sweep(ws.data_dir)
    held = contextlib.ExitStack()
    staging = held.enter_context(staging_store.claim(ws.data_dir))
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
        result.photos_stored = _store_photos(opened, ws.data_dir, incoming, progress)
        file_sha = store.file_sha256(path)
        with ws.db.transaction() as s:
            device = _device_after(repo.device(s, manifest.device_id), manifest)
            receipt = Receipt(
                package_id=manifest.package_id,
                device_id=manifest.device_id,
                sequence=manifest.sequence,
                file_sha256=file_sha,
                actor=actor,
            )
            try:
                repo.record_import(s, device, receipt)
            except repo.RecordClash:  # the same package, imported meanwhile by another window
                raise _AlreadyImported from None
            if progress is not None:
                progress(0, 1, _("Merging the records"))
            try:
                with repo.checked_writes(s):
                    result.merge = merge.merge(
                        s, incoming, package_id=manifest.package_id, device_id=manifest.device_id
                    )
            except repo.RecordClash as exc:  # a safety net: the checks should have said why
                raise PackageRejected(
                    _("the package's records clash with the records here: {error}", error=str(exc))
                ) from None
            repo.set_import_result(s, manifest.package_id, result.merge.as_dict())
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

"""Photos as evidence on site: adding them from files or a camera card, captions, links to
findings, and how many an item still needs.

Each file is handled on its own: it is read once and checked in memory
(``media.ingest``), its three files are written atomically into the media store, and only
then one transaction inserts the ``Photo`` row with its audit entry. So a row exists only
when its files are on disk, and a refused file writes nothing. A refused file is reported
with its reason and never stops the others; a photo already in the inspection (same
SHA-256) is reported as a duplicate, not added twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector_app import limits, timefmt
from inspector_app.domain.checklists.schema import ChecklistTemplate
from inspector_app.domain.checklists.scoring import ScoreResult
from inspector_app.domain.media import FindingPhoto, Photo
from inspector_app.domain.vocab import PhotoRole
from inspector_app.i18n import _
from inspector_app.media import store
from inspector_app.media.ingest import ImageRefused, IngestedImage, ingest_bytes, read_image_file
from inspector_app.presenters.times import taken_text
from inspector_app.services.errors import InvalidInput, NotFound, check_length
from inspector_app.services.inspection_views import load_inspection_state
from inspector_app.services.inspections import (
    find_inspection,
    item_of,
    require_editable,
    template_for,
)
from inspector_app.store import audit
from inspector_app.store.repo import photos as repo
from inspector_app.store.repo.sync import RecordClash
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.store.db import Tx

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
ROLES = tuple(r.value for r in PhotoRole)
CAPTION_MAX_CHARS = limits.CAPTION

# progress(done, total, text); returning False cancels the rest (None carries on)
Progress = Callable[[int, int, str], bool | None]


@dataclass
class AddPhotosReport:
    """What ``add_photos`` did, file by file."""

    added: list[Photo] = field(default_factory=list)
    duplicates: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)
    cancelled: bool = False
    remaining: list[Path] = field(default_factory=list)  # not looked at (cancelled)
    total: int = 0  # photo files found


# -- finding the files ----------------------------------------------------------------------


def _hidden(name: str) -> bool:
    return name.startswith(".")


def photo_files_in(folder: Path, unreadable: list[tuple[Path, str]] | None = None) -> list[Path]:
    """JPEG and PNG files under ``folder`` (a camera card: DCIM/100CANON/...), sorted.

    Case-insensitive suffixes; hidden files and folders (``.Trashes``, ``._IMG_0001.JPG``)
    are skipped; symlinked folders are not followed. A folder that cannot be read is added
    to ``unreadable`` with the reason (never skipped in silence).
    """

    def failed(exc: OSError) -> None:
        if unreadable is not None:
            where = Path(exc.filename) if exc.filename else folder
            reason = _("the folder cannot be read: {error}", error=exc.strerror or exc)
            unreadable.append((where, reason))

    found: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=failed, followlinks=False):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        found += [
            Path(root) / f
            for f in files
            if not _hidden(f) and os.path.splitext(f)[1].lower() in PHOTO_SUFFIXES
        ]
    return sorted(found)


def _collect(sources: Iterable[Path], report: AddPhotosReport) -> list[Path]:
    files: list[Path] = []
    for src in sources:
        src = Path(src)
        if src.is_dir():
            unreadable: list[tuple[Path, str]] = []
            inside = photo_files_in(src, unreadable)
            report.refused += unreadable
            if not inside and not unreadable:
                report.refused.append((src, _("no JPEG or PNG photos in this folder")))
            files += inside
        elif src.exists():
            files.append(src)  # named explicitly: whatever its suffix, the content decides
        else:
            report.refused.append((src, _("no such file or folder")))
    return files


# -- adding ---------------------------------------------------------------------------------


def _clean_caption(caption: str | None) -> str | None:
    if caption is None:
        return None
    text = " ".join(caption.split())
    check_length(text, CAPTION_MAX_CHARS, _("the caption"))
    return text or None


def original_name(path: Path) -> str:
    """The file name kept with a photo: bytes that are not UTF-8 (a name written by another
    system) become U+FFFD, and a name longer than ``limits.FILE_NAME`` is shortened in the
    middle, keeping its start and its suffix. A name is a label, not evidence: a photo is
    never refused for its name."""
    name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if len(name) <= limits.FILE_NAME:
        return name
    _stem, dot, suffix = name.rpartition(".")
    tail = f"{dot}{suffix}" if dot and len(suffix) <= 16 else ""
    return name[: limits.FILE_NAME - len(tail) - 1] + "…" + tail


def _check_target(ws: Workspace, inspection_id: str, item_id: str | None) -> tuple[str, set[str]]:
    """The inspection's full id (editable, item valid) and the SHA-256 of its photos."""
    with ws.db.session() as s:
        insp = find_inspection(s, inspection_id)
        require_editable(insp)
        if item_id is not None:
            item_of(template_for(s, insp), item_id)
        known = repo.hashes(s, insp.id)
    return insp.id, known


def _insert(
    ws: Workspace,
    inspection_id: str,
    *,
    sha256: str,
    name: str,
    image: IngestedImage,
    item_id: str | None,
    caption: str | None,
    actor: str,
) -> Photo:
    captured = image.captured_utc()
    with ws.db.transaction() as s:
        insp = find_inspection(s, inspection_id)
        require_editable(insp)  # it may have been completed while the files were read
        photo = Photo(
            inspection_id=insp.id,
            item_id=item_id,
            sha256=sha256,
            original_name=name,
            media_type=image.media_type,
            byte_size=image.byte_size,
            width=image.width,
            height=image.height,
            captured_at=captured,
            captured_local=image.captured_wall(),
            captured_offset=image.offset_minutes(),
            camera=image.camera,
            caption=caption,
        )
        repo.add_photo(s, photo)
        audit.append(
            s,
            actor=actor,
            action="create",
            entity="photo",
            entity_id=photo.id,
            inspection_id=insp.id,
            new={
                "sha256": sha256,
                "original_name": name,
                "item": item_id,
                "caption": caption,
                "media_type": image.media_type,
                "byte_size": image.byte_size,
                "width": image.width,
                "height": image.height,
                "captured_at": captured.isoformat() if captured else None,
                "captured_local": image.captured_wall(),
                "captured_offset": image.offset_minutes(),
                "camera": image.camera,
            },
        )
    return photo


def add_photos(
    ws: Workspace,
    inspection_id: str,
    sources: Sequence[Path],
    *,
    actor: str,
    item_id: str | None = None,
    caption: str | None = None,
    progress: Progress | None = None,
) -> AddPhotosReport:
    """Add photo files, or every JPEG/PNG under folders, to a draft inspection.

    ``item_id`` attaches them to one item of the inspection's template. Refused files are
    listed with their reason, photos already in the inspection as duplicates; neither stops
    the others. ``progress(done, total, text)`` is called after each file; False cancels
    the rest (the report says what was done and what remains).
    """
    caption = _clean_caption(caption)
    full_id, known = _check_target(ws, inspection_id, item_id)
    report = AddPhotosReport()
    files = _collect(sources, report)
    report.total = len(files)
    for n, path in enumerate(files, start=1):
        _add_one(ws, full_id, path, known, report, item_id, caption, actor)
        if progress is not None and progress(n, len(files), path.name) is False:
            report.cancelled = True
            report.remaining = files[n:]
            break
    return report


def _add_one(
    ws: Workspace,
    inspection_id: str,
    path: Path,
    known: set[str],
    report: AddPhotosReport,
    item_id: str | None,
    caption: str | None,
    actor: str,
) -> None:
    try:
        data = read_image_file(path)
        sha = hashlib.sha256(data).hexdigest()
        if sha in known:  # before decoding: re-reading a camera card costs only the hashing
            report.duplicates.append(path)
            return
        image = ingest_bytes(data, sha256=sha)
        del data
    except ImageRefused as exc:
        report.refused.append((path, exc.reason))
        return
    try:
        store.store_image(ws.data_dir, image)
    except OSError as exc:
        report.refused.append(
            (path, _("the photo could not be saved: {error}", error=exc.strerror or exc))
        )
        return
    try:
        photo = _insert(
            ws,
            inspection_id,
            sha256=sha,
            name=original_name(path),
            image=image,
            item_id=item_id,
            caption=caption,
            actor=actor,
        )
    except RecordClash:  # another window added the same photo meanwhile
        known.add(sha)
        report.duplicates.append(path)
        return
    known.add(sha)
    report.added.append(photo)


# -- reading --------------------------------------------------------------------------------


def list_photos(ws: Workspace, inspection_id: str, item_id: str | None = None) -> list[Photo]:
    """The photos of an inspection (or of one item), in the order they were added."""
    with ws.db.session() as s:
        insp = find_inspection(s, inspection_id)
        return repo.photos_of(s, insp.id, item_id)


def photo_dict(p: Photo) -> dict[str, Any]:
    return {
        "id": p.id,
        "sha256": p.sha256,
        "item": p.item_id,
        "caption": p.caption,
        "captured_at": timefmt.iso_utc(p.captured_at),  # an instant, when one is known
        "captured_local": p.captured_local,  # the camera's clock as it wrote it
        "captured_offset": p.captured_offset,  # minutes east of UTC, when the camera said
        "taken_display": taken_text(p),  # as the desktop and the report show it
        "camera": p.camera,
        "width": p.width,
        "height": p.height,
        "original_name": p.original_name,
        "media_type": p.media_type,
        "byte_size": p.byte_size,
    }


def _get_photo(s: Tx, photo_id: str) -> Photo:
    photo = repo.photo(s, photo_id)  # or an unambiguous prefix, as typed from a list
    if photo is None:
        raise NotFound(_("no photo {id}", id=photo_id))
    return photo


def get_photo(ws: Workspace, photo_id: str) -> Photo:
    with ws.db.session() as s:
        return _get_photo(s, photo_id)


def photo_files(ws: Workspace, photo: Photo) -> store.MediaPaths:
    """(original, display, thumb) paths of a photo in the media store."""
    return store.media_paths(ws.data_dir, photo.sha256, photo.media_type)


def missing_photos(ws: Workspace, inspection_id: str) -> dict[str, int]:
    """For each visible, applicable item that requires photos: how many are still missing
    (0 once it has enough). Hidden and not-applicable items need none."""
    state = load_inspection_state(ws, inspection_id)
    with ws.db.session() as s:
        item_ids = repo.items_with_photos(s, state.id)
    return photos_still_missing(state.template, state.score, item_ids)


def photos_still_missing(
    template: ChecklistTemplate, score: ScoreResult, photo_items: Iterable[str | None]
) -> dict[str, int]:
    """``missing_photos`` from what the caller read already: the item of each photo."""
    counts = Counter(i for i in photo_items if i)
    out: dict[str, int] = {}
    for item in template.items():
        if item.photos_required <= 0:
            continue
        result = score.items.get(item.id)
        if result is None or not (result.visible and result.applicable):
            continue
        out[item.id] = max(0, item.photos_required - counts[item.id])
    return out


# -- editing --------------------------------------------------------------------------------


def set_caption(ws: Workspace, photo_id: str, caption: str | None, *, actor: str) -> Photo:
    """Set (or with an empty text clear) a photo's caption; audited."""
    text = _clean_caption(caption)
    with ws.db.transaction() as s:
        photo = _get_photo(s, photo_id)
        insp = find_inspection(s, photo.inspection_id)
        require_editable(insp)
        if photo.caption == text:
            return photo
        audit.append(
            s,
            actor=actor,
            action="update",
            entity="photo",
            entity_id=photo.id,
            inspection_id=insp.id,
            field="caption",
            old=photo.caption,
            new=text,
        )
        photo = dataclasses.replace(
            photo, caption=text, base_revision=photo.revision, revision=photo.revision + 1
        )
        repo.update_photo(s, photo)
    return photo


def link_photo_to_finding(
    ws: Workspace, finding_id: str, photo_id: str, *, role: str = "evidence", actor: str
) -> FindingPhoto:
    """Show a finding with a photo of the same inspection: as found (``evidence``) or after
    correction (``after``, 复查). Linking again with another role changes the role."""
    if role not in ROLES:
        raise InvalidInput(_("unknown photo role {value!r} (use evidence or after)", value=role))
    with ws.db.transaction() as s:
        finding_inspection = repo.finding_inspection(s, finding_id)
        if finding_inspection is None:
            raise NotFound(_("no finding {id}", id=finding_id))
        photo = _get_photo(s, photo_id)
        if photo.inspection_id != finding_inspection:
            raise InvalidInput(
                _(
                    "photo {photo} belongs to another inspection than finding {finding}",
                    photo=photo.id[:8],
                    finding=finding_id[:8],
                )
            )
        insp = find_inspection(s, finding_inspection)
        require_editable(insp)
        link = repo.link(s, finding_id, photo.id)
        if link is not None and link.role == role:
            return link
        audit.append(
            s,
            actor=actor,
            action="link",
            entity="photo",
            entity_id=photo.id,
            inspection_id=insp.id,
            field="finding",
            old={"finding": finding_id, "role": link.role} if link is not None else None,
            new={"finding": finding_id, "role": role, "original_name": photo.original_name},
        )
        if link is None:
            link = FindingPhoto(finding_id=finding_id, photo_id=photo.id, role=role)
        else:
            link = dataclasses.replace(link, role=role)
        repo.save_link(s, link, insp.id)
    return link


def photos_of_finding(ws: Workspace, finding_id: str) -> list[tuple[Photo, str]]:
    """The photos linked to a finding with their role: evidence first, then after."""
    with ws.db.session() as s:
        if repo.finding_inspection(s, finding_id) is None:
            raise NotFound(_("no finding {id}", id=finding_id))
    return photos_of_findings(ws, [finding_id])[finding_id]


def photos_of_findings(
    ws: Workspace, finding_ids: Iterable[str]
) -> dict[str, list[tuple[Photo, str]]]:
    """``photos_of_finding`` for several findings in one query (an empty list for a finding
    with no photos, or one that does not exist)."""
    ids = list(dict.fromkeys(finding_ids))
    out: dict[str, list[tuple[Photo, str]]] = {fid: [] for fid in ids}
    if not ids:
        return out
    with ws.db.session() as s:
        rows = repo.photos_of_findings(s, ids)
    for fid, photo, role in rows:
        out[fid].append((photo, role))
    order = {r: i for i, r in enumerate(ROLES)}
    for fid, pairs in out.items():
        out[fid] = sorted(pairs, key=lambda pr: order.get(pr[1], len(ROLES)))
    return out

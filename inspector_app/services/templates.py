"""Checklist templates in the data folder: loaded from forms/, pinned by content hash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import select

from inspector_app import paths
from inspector_app.checklists.loader import (
    LoadedTemplate,
    TemplateIssue,
    discover,
    template_from_json,
    validate_files,
)
from inspector_app.checklists.schema import ChecklistTemplate
from inspector_app.i18n import _
from inspector_app.services.errors import NotFound
from inspector_app.store.db import Database
from inspector_app.store.models import TemplateVersion


@dataclass(frozen=True)
class SyncResult:
    added: list[TemplateVersion]
    known: int
    issues: list[TemplateIssue]


def sync_forms(db: Database, folder: Path | None = None) -> SyncResult:
    """Pin every valid template in ``folder`` (default: the bundled forms/).

    A template whose content hash is already stored is left alone, so an inspection's
    pinned template never changes; invalid files are reported and skipped whole.
    """
    folder = folder or paths.forms_dir()
    loaded, issues = validate_files(discover(folder))
    return SyncResult(*store_templates(db, loaded), issues)


def store_templates(db: Database, loaded: Iterable[LoadedTemplate]) -> tuple[list[TemplateVersion], int]:
    added: list[TemplateVersion] = []
    known = 0
    with db.transaction() as s:
        hashes = set(s.exec(select(TemplateVersion.content_hash)).all())
        for lt in loaded:
            if lt.content_hash in hashes:
                known += 1
                continue
            t = lt.template
            row = TemplateVersion(
                template_id=t.id,
                version=t.version,
                content_hash=lt.content_hash,
                title_zh=t.title.zh,
                title_en=t.title.en,
                site_type=t.site_type.value,
                sample_weights=t.uses_sample_weights,
                canonical_json=lt.canonical_json,
                source_file=lt.path.name if lt.path else None,
            )
            s.add(row)
            hashes.add(lt.content_hash)
            added.append(row)
    return added, known


def list_templates(db: Database) -> list[TemplateVersion]:
    with db.session() as s:
        return list(s.exec(select(TemplateVersion).order_by(TemplateVersion.template_id,
                                                            TemplateVersion.loaded_at)).all())


def find_template_version(db: Database, ref: str) -> TemplateVersion:
    """By row id, or by template id (its newest version), or ``id@version``."""
    with db.session() as s:
        row = s.get(TemplateVersion, ref)
        if row is not None:
            return row
        tid, _sep, version = ref.partition("@")
        q = select(TemplateVersion).where(TemplateVersion.template_id == tid)
        if version:
            q = q.where(TemplateVersion.version == version)
        rows = list(s.exec(q.order_by(TemplateVersion.loaded_at.desc())).all())  # type: ignore[attr-defined]
    if not rows:
        raise NotFound(_("no template {ref!r} in the data folder", ref=ref))
    return rows[0]


@lru_cache(maxsize=64)
def _parse(content_hash: str, canonical: str) -> ChecklistTemplate:
    return template_from_json(canonical)


def template_of(row: TemplateVersion) -> ChecklistTemplate:
    """The parsed template for a pinned version (parsed once per process)."""
    return _parse(row.content_hash, row.canonical_json)


def get_template(db: Database, template_version_id: str) -> tuple[TemplateVersion, ChecklistTemplate]:
    with db.session() as s:
        row = s.get(TemplateVersion, template_version_id)
    if row is None:
        raise NotFound(_("template version {id} not found", id=template_version_id))
    return row, template_of(row)

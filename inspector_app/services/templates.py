"""Checklist templates in the data folder: loaded from forms/, pinned by content hash."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from inspector_app import paths
from inspector_app.domain.catalog import TemplateVersion
from inspector_app.domain.checklists.errors import TemplateIssue
from inspector_app.domain.checklists.loader import (
    cached_template,
    template_once,
    validate_files,
)
from inspector_app.i18n import _
from inspector_app.services.errors import NotFound
from inspector_app.services.form_verdicts import (
    cached_issues,
    fingerprints,
    invalid_forms,
    record_verdicts,
    seen_forms,
    unjudged,
)
from inspector_app.store.repo import templates as repo
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.domain.checklists.loader import LoadedTemplate
    from inspector_app.domain.checklists.schema import ChecklistTemplate
    from inspector_app.store.db import Tx


@dataclass(frozen=True)
class SyncResult:
    added: list[TemplateVersion]
    known: int
    issues: list[TemplateIssue]


def sync_forms(ws: Workspace, folder: Path | None = None) -> SyncResult:
    """Pin every valid template in ``folder`` (default: the bundled forms/).

    A template whose content hash is already stored is left alone, so an inspection's
    pinned template never changes; invalid files are reported and skipped whole. Only files
    not judged before are parsed: a pinned file is known by its SHA-256, an invalid one by
    its kept verdict, whose messages are reported again (services/form_verdicts.py).
    """
    folder = folder or paths.forms_dir()
    files = paths.form_files(folder)
    raw = fingerprints(files)
    seen, invalid = seen_forms(ws), invalid_forms(ws)
    todo = unjudged(raw, seen, invalid)
    kept = cached_issues({p: h for p, h in raw.items() if p not in todo}, seen, invalid)
    if not todo:
        return SyncResult([], len(files), kept)  # nothing new: skip parsing at every start
    loaded, issues = validate_files(todo)
    result = store_templates(ws, loaded)
    found = issues + result.issues
    refused = {i.file for i in found}
    pinned = {raw[lt.path] for lt in loaded if lt.path and str(lt.path) not in refused}
    record_verdicts(ws, raw, todo, found, pinned)
    return SyncResult(result.added, result.known, kept + found)


def store_templates(ws: Workspace, loaded: Iterable[LoadedTemplate]) -> SyncResult:
    """Pin new template versions; a published id+version whose content changed is refused."""
    added: list[TemplateVersion] = []
    issues: list[TemplateIssue] = []
    known = 0
    with ws.db.transaction() as s:
        stored = repo.published(s)
        hashes = set(stored.values())
        for lt in loaded:
            t = lt.template
            if lt.content_hash in hashes:
                known += 1
                continue
            if (t.id, t.version) in stored:
                issues.append(
                    TemplateIssue(
                        str(lt.path or t.id),
                        1,
                        _(
                            "template {id} version {version} was changed after it was published; "
                            "give the changed template a new version",
                            id=t.id,
                            version=t.version,
                        ),
                    )
                )
                continue
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
            repo.add_version(s, row)
            hashes.add(lt.content_hash)
            stored[(t.id, t.version)] = lt.content_hash
            added.append(row)
    return SyncResult(added, known, issues)


def list_templates(ws: Workspace) -> list[TemplateVersion]:
    with ws.db.session() as s:
        return repo.all_versions(s)


def find_template_version(ws: Workspace, ref: str) -> TemplateVersion:
    """By row id, or by template id (its newest version), or ``id@version``."""
    with ws.db.session() as s:
        row = repo.version(s, ref)
        if row is not None:
            return row
        tid, _sep, version = ref.partition("@")
        rows = repo.versions_of(s, tid, version)
    if not rows:
        raise NotFound(_("no template {ref!r} in the data folder", ref=ref))
    return max(rows, key=lambda r: version_key(r.version))


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """'2024.10' sorts after '2024.9': numbers compare as numbers, words as words."""
    parts = re.findall(r"\d+|[A-Za-z]+", version)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


class Pinned(Protocol):
    """A pinned version as ``template_of`` reads it (``TemplateVersion``, or its row)."""

    @property
    def content_hash(self) -> str: ...

    @property
    def canonical_json(self) -> str: ...


def template_of(row: Pinned) -> ChecklistTemplate:
    """The parsed template for a pinned version (parsed once per process)."""
    return template_once(row.content_hash, row.canonical_json)


def template_in(s: Tx, template_version_id: str) -> ChecklistTemplate:
    """The parsed template of a pinned version, reading its JSON only the first time."""
    content_hash = repo.content_hash(s, template_version_id)
    if content_hash is None:
        raise NotFound(_("template version {id} not found", id=template_version_id))
    parsed = cached_template(content_hash)
    if parsed is not None:
        return parsed
    row = repo.version(s, template_version_id)
    assert row is not None
    return template_of(row)


def get_template(
    ws: Workspace, template_version_id: str
) -> tuple[TemplateVersion, ChecklistTemplate]:
    with ws.db.session() as s:
        row = repo.version(s, template_version_id)
    if row is None:
        raise NotFound(_("template version {id} not found", id=template_version_id))
    return row, template_of(row)

"""What every start does, kept light: open the data folder and pin new forms if any.

Nothing here imports YAML, pydantic or the ORM unless forms/ changed since the last start,
so the desktop's cold start stays close to a bare Qt window (bench/gui.py). Each file of
forms/ is judged once (``services.form_verdicts``), so a start parses neither a pinned nor
an invalid one again and the desktop can still say which templates were not loaded and why.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from inspector_app import paths
from inspector_app.domain.checklists.errors import TemplateIssue
from inspector_app.services.draft_recovery import Recovery, recover_drafts
from inspector_app.services.drafts import DESKTOP_LOCK
from inspector_app.services.form_verdicts import (
    cached_issues,
    fingerprints,
    invalid_forms,
    seen_forms,
    unjudged,
)
from inspector_app.settings import Settings
from inspector_app.store.db import DatabaseError as DatabaseError  # what a start refuses with
from inspector_app.store.db import open_database
from inspector_app.store.locks import try_hold
from inspector_app.workspace import Workspace


def ensure_templates(ws: Workspace, folder: Path | None = None) -> list[TemplateIssue]:
    """Pin the templates of forms/ when any file is new or changed; report invalid files
    (from their kept verdict when nothing changed: nothing is parsed then)."""
    folder = folder or paths.forms_dir()
    raw = fingerprints(paths.form_files(folder))
    seen, invalid = seen_forms(ws), invalid_forms(ws)
    if not unjudged(raw, seen, invalid):
        return cached_issues(raw, seen, invalid)
    from inspector_app.services.templates import sync_forms

    return sync_forms(ws, folder).issues


def open_workspace(
    data_dir: Path,
    *,
    actor: str,
    settings: Settings,
    desktop: bool = False,
    forms: bool = True,
) -> tuple[Workspace, Recovery]:
    """The data folder as a start opens it, as a ``Workspace``: migrated, forms pinned
    (``forms``), and what was typed when an app last died turned into its edits, with what
    could not be (the ``Recovery``).

    ``desktop``: the caller is a desktop that shows the folder; it holds the folder's
    ``drafts.DESKTOP_LOCK`` from now until the workspace closes, so a command-line run
    leaves the drafts being typed there alone. A second desktop on the same folder opens it
    too and leaves the drafts to the first.
    """
    lock = try_hold(data_dir / DESKTOP_LOCK) if desktop and data_dir.is_dir() else None
    try:
        ws = Workspace(data_dir, open_database(data_dir), actor, dataclasses.replace(settings))
        try:
            if forms:
                ensure_templates(ws)
            # reads one small table; the ORM loads only if a draft is left
            recovery = recover_drafts(ws, desktop=lock is not None)
        except BaseException:
            ws.db.dispose()
            raise
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    if desktop and lock is None:  # the folder was new (or another desktop holds it)
        lock = try_hold(data_dir / DESKTOP_LOCK)
    ws.desktop_lock = lock
    return ws, recovery

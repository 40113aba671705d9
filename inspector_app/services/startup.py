"""What every start does, kept light: open the data folder and pin new forms if any.

Nothing here imports YAML, pydantic or the ORM unless forms/ changed since the last start,
so the desktop's cold start stays close to a bare Qt window (bench/gui.py).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from inspector_app import paths
from inspector_app.checklists.errors import TemplateIssue
from inspector_app.services.drafts import recover_drafts
from inspector_app.store.db import Database, open_database
from inspector_app.store.meta import get_value

# SHA-256 of every forms/ file already pinned: a start with unchanged forms parses nothing.
FORMS_SEEN = "forms_seen"


def fingerprints(files: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def seen_forms(db: Database) -> set[str]:
    return set(get_value(db, FORMS_SEEN, []))


def ensure_templates(db: Database, folder: Path | None = None) -> list[TemplateIssue]:
    """Pin the templates of forms/ when any file is new or changed; report invalid files."""
    folder = folder or paths.forms_dir()
    if set(fingerprints(paths.form_files(folder)).values()) <= seen_forms(db):
        return []
    from inspector_app.services.templates import sync_forms

    return sync_forms(db, folder).issues


def open_data_folder(data_dir: Path) -> Database:
    """The data folder as every start opens it: migrated, forms pinned, and what was being
    typed when the app last died turned into the edits it stands for."""
    db = open_database(data_dir)
    try:
        ensure_templates(db)
        recover_drafts(db)  # reads one small table; the ORM loads only if a draft is left
    except BaseException:
        db.dispose()
        raise
    return db

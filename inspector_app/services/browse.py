"""Read-only queries for lists and browsers: plain SQL over the cached score columns.

Kept apart from the write-side services and free of pydantic and the ORM, so that
``inspections list`` over 10,000 inspections starts and answers fast (bench/run.py); the
reads themselves are the store's (``store/repo/browse.py``, raw sqlite3).
"""

from __future__ import annotations

from typing import Any

from inspector_app.i18n import current_language
from inspector_app.presenters.labels import (  # noqa: F401 - moved to presenters; re-exported
    finding_status_label,  # until cli.py, services/inspections.py, services/sync.py and
    grade_text,  # ui/editor/editor.py import them from there
    severity_label,
    site_type_label,
    status_label,
)
from inspector_app.store.repo import browse as repo
from inspector_app.workspace import Workspace


def list_sites(ws: Workspace) -> list[dict[str, Any]]:
    """Every site as a plain dict (the same keys as ``sites.site_dict``)."""
    return repo.site_rows(ws.db)


def list_inspections(
    ws: Workspace,
    *,
    status: str | None = None,
    site_type: str | None = None,
    year: int | None = None,
    search: str | None = None,
) -> list[dict[str, Any]]:
    """One row per inspection, newest first.

    A plain read of the cached score columns, without ORM objects: 10,000 rows must list
    in well under a second (bench/run.py), and the GUI's browser model pages over it.
    """
    return repo.inspection_rows(
        ws.db,
        lang=current_language(),
        status=status,
        site_type=site_type,
        year=year,
        search=search,
    )


def count_inspections(ws: Workspace) -> int:
    return repo.count_inspections(ws.db)


def recent_inspections(ws: Workspace, limit: int = 8) -> list[dict[str, Any]]:
    """The inspections edited last, for the File menu and the home screen."""
    rows = list_inspections(ws)
    rows.sort(key=lambda r: r["updated_at"] or "", reverse=True)
    return rows[:limit]


def years(rows: list[dict[str, Any]]) -> list[int]:
    return sorted({int(r["started_on"][:4]) for r in rows}, reverse=True)


def list_findings(
    ws: Workspace, *, inspection_id: str | None = None, open_only: bool = False
) -> list[dict[str, Any]]:
    """Findings with their corrective actions, by deadline.

    ``open_only`` lists what is still to be corrected across all sites: open findings that
    no later inspection has carried forward (复查 keeps one live copy of each finding).
    """
    return repo.finding_rows(ws.db, inspection_id=inspection_id, open_only=open_only)

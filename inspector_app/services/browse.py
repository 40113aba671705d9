"""Read-only queries for lists and browsers: plain SQL over the cached score columns.

Kept apart from the write-side services and free of pydantic and the ORM, so that
``inspections list`` over 10,000 inspections starts and answers fast (bench/run.py).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from inspector_app.i18n import current_language
from inspector_app.presenters.labels import (  # noqa: F401 - moved to presenters; re-exported
    finding_status_label,  # until cli.py, services/inspections.py, services/sync.py and
    grade_text,  # ui/editor/editor.py import them from there
    severity_label,
    site_type_label,
    status_label,
)
from inspector_app.workspace import Workspace

_SITES_SQL = """
SELECT id, code, name, name_en, site_type, district, host_unit, address, contact_name,
       contact_phone, is_sample, revision
FROM site ORDER BY site_type, code
"""


def list_sites(ws: Workspace) -> list[dict[str, Any]]:
    """Every site as a plain dict (the same keys as ``sites.site_dict``)."""
    with ws.db.raw() as con:
        rows = con.execute(_SITES_SQL).fetchall()
    return [
        {
            "id": r[0],
            "code": r[1],
            "name": r[2],
            "name_en": r[3],
            "type": r[4],
            "district": r[5],
            "host_unit": r[6],
            "address": r[7],
            "contact_name": r[8],
            "contact_phone": r[9],
            "sample": bool(r[10]),
            "revision": r[11],
        }
        for r in rows
    ]


def _labels(con: sqlite3.Connection, template_version_id: str) -> tuple[str, dict[str, str]]:
    """Template title and grade id -> label from the pinned JSON, without the model."""
    row = con.execute(
        "SELECT canonical_json FROM template_version WHERE id = ?", (template_version_id,)
    ).fetchone()
    if row is None:
        return "", {}
    data = json.loads(row[0])
    lang = current_language()
    title = data["title"].get(lang) or data["title"]["zh"]
    return title, {g["id"]: g["label"].get(lang) or g["label"]["zh"] for g in data["grades"]}


def _iso_utc(stored: str | None) -> str | None:
    """SQLite keeps UTC datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]'."""
    return None if stored is None else stored[:19].replace(" ", "T") + "Z"


_LIST_SQL = """
SELECT i.id, s.id, s.code, s.name, s.site_type, i.template_id, i.template_version,
       i.template_version_id, i.status, i.score_total, i.grade, i.provisional, i.vetoed,
       i.started_on, i.inspectors, i.revision, i.updated_at
FROM inspection AS i JOIN site AS s ON s.id = i.site_id
WHERE (:status IS NULL OR i.status = :status)
  AND (:site_type IS NULL OR s.site_type = :site_type)
  AND (:year IS NULL OR substr(i.started_on, 1, 4) = :year)
  AND (:search IS NULL OR s.name LIKE :search OR s.code LIKE :search OR i.id LIKE :search)
ORDER BY i.started_on DESC, i.id
"""


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
    params = {
        "status": status,
        "site_type": site_type,
        "year": f"{year:04d}" if year else None,
        "search": f"%{search}%" if search else None,
    }
    labels: dict[str, tuple[str, dict[str, str]]] = {}
    names: dict[str, list[str]] = {}
    out = []
    with ws.db.raw() as con:
        rows = con.execute(_LIST_SQL, params).fetchall()
        for r in rows:
            (
                iid,
                site_id,
                code,
                name,
                stype,
                tid,
                tver,
                tvid,
                status_,
                score,
                grade,
                prov,
                vetoed,
                started,
                inspectors,
                rev,
                updated,
            ) = r
            if tvid not in labels:
                labels[tvid] = _labels(con, tvid)
            title, grades = labels[tvid]
            if inspectors not in names:
                names[inspectors] = json.loads(inspectors)
            out.append(
                {
                    "id": iid,
                    "site": name,
                    "site_id": site_id,
                    "site_code": code,
                    "site_type": stype,
                    "template": tid,
                    "template_version": tver,
                    "status": status_,
                    "score": score,
                    "grade": grade,
                    "grade_label": grades.get(grade, grade),
                    "template_title": title,
                    "provisional": bool(prov),
                    "vetoed": bool(vetoed),
                    "started_on": started,
                    "inspectors": names[inspectors],
                    "revision": rev,
                    "updated_at": _iso_utc(updated),
                }
            )
    return out


def count_inspections(ws: Workspace) -> int:
    with ws.db.raw() as con:
        return int(con.execute("SELECT count(*) FROM inspection").fetchone()[0])


def recent_inspections(ws: Workspace, limit: int = 8) -> list[dict[str, Any]]:
    """The inspections edited last, for the File menu and the home screen."""
    rows = list_inspections(ws)
    rows.sort(key=lambda r: r["updated_at"] or "", reverse=True)
    return rows[:limit]


def years(rows: list[dict[str, Any]]) -> list[int]:
    return sorted({int(r["started_on"][:4]) for r in rows}, reverse=True)


_FINDINGS_SQL = """
SELECT f.id, f.inspection_id, f.item_id, f.severity, f.description, f.requirement, f.deadline,
       f.responsible, f.status, f.carried_from_id, f.resolution_note, f.created_at,
       i.started_on, i.status, i.template_version_id, s.id, s.code, s.name, s.site_type,
       (SELECT count(*) FROM finding_photo fp WHERE fp.finding_id = f.id)
FROM finding AS f
JOIN inspection AS i ON i.id = f.inspection_id
JOIN site AS s ON s.id = i.site_id
WHERE (:inspection IS NULL OR f.inspection_id = :inspection)
  AND (:open_only = 0 OR (f.status = 'open'
       AND NOT EXISTS (SELECT 1 FROM finding AS later WHERE later.carried_from_id = f.id)))
ORDER BY CASE WHEN f.deadline IS NULL THEN 1 ELSE 0 END, f.deadline, f.created_at, f.id
"""


def list_findings(
    ws: Workspace, *, inspection_id: str | None = None, open_only: bool = False
) -> list[dict[str, Any]]:
    """Findings with their corrective actions, by deadline.

    ``open_only`` lists what is still to be corrected across all sites: open findings that
    no later inspection has carried forward (复查 keeps one live copy of each finding).
    """
    keys = (
        "id",
        "inspection_id",
        "item_id",
        "severity",
        "description",
        "requirement",
        "deadline",
        "responsible",
        "status",
        "carried_from",
        "resolution_note",
        "created_at",
        "inspection_date",
        "inspection_status",
        "template_version_id",
        "site_id",
        "site_code",
        "site",
        "site_type",
        "photos",
    )
    with ws.db.raw() as con:
        rows = con.execute(
            _FINDINGS_SQL, {"inspection": inspection_id, "open_only": int(open_only)}
        ).fetchall()
    return [dict(zip(keys, r, strict=True)) for r in rows]

"""The repository of the lists (sites, inspections, findings): plain sqlite3 over the cached
score columns, through ``Database.raw()``.

Deliberately without SQLAlchemy, pydantic or ORM objects: the desktop's window and lists come
up before the ORM is loaded (bench/gui.py) and ``inspections list`` over 10,000 inspections
answers in about half a second (bench/run.py). Rows come back as plain dicts, JSON decoded
here once.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector_app.store.db import Database

_SITES_SQL = """
SELECT id, code, name, name_en, site_type, district, host_unit, address, contact_name,
       contact_phone, is_sample, revision
FROM site ORDER BY site_type, code
"""
_SITE_KEYS = (
    "id",
    "code",
    "name",
    "name_en",
    "type",
    "district",
    "host_unit",
    "address",
    "contact_name",
    "contact_phone",
    "sample",
    "revision",
)


def site_rows(db: Database) -> list[dict[str, Any]]:
    """Every site by type and code, with the keys of ``services.sites.site_dict``."""
    with db.raw() as con:
        rows = con.execute(_SITES_SQL).fetchall()
    out = [dict(zip(_SITE_KEYS, r, strict=True)) for r in rows]
    for row in out:
        row["sample"] = bool(row["sample"])
    return out


def _labels(
    con: sqlite3.Connection, template_version_id: str, lang: str
) -> tuple[str, dict[str, str]]:
    """Template title and grade id -> label from the pinned JSON, without the model."""
    row = con.execute(
        "SELECT canonical_json FROM template_version WHERE id = ?", (template_version_id,)
    ).fetchone()
    if row is None:
        return "", {}
    data = json.loads(row[0])
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


def inspection_rows(
    db: Database,
    *,
    lang: str,
    status: str | None = None,
    site_type: str | None = None,
    year: int | None = None,
    search: str | None = None,
) -> list[dict[str, Any]]:
    """One row per inspection, newest first, the template's title and grade labels in
    ``lang`` (Chinese where the template has none)."""
    params = {
        "status": status,
        "site_type": site_type,
        "year": f"{year:04d}" if year else None,
        "search": f"%{search}%" if search else None,
    }
    labels: dict[str, tuple[str, dict[str, str]]] = {}
    names: dict[str, list[str]] = {}
    out = []
    with db.raw() as con:
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
                labels[tvid] = _labels(con, tvid, lang)
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


def inspection_ids(db: Database) -> set[str]:
    with db.raw() as con:
        return {r[0] for r in con.execute("SELECT id FROM inspection")}


def count_inspections(db: Database) -> int:
    with db.raw() as con:
        return int(con.execute("SELECT count(*) FROM inspection").fetchone()[0])


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
_FINDING_KEYS = (
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


def finding_rows(
    db: Database, *, inspection_id: str | None = None, open_only: bool = False
) -> list[dict[str, Any]]:
    """Findings with their site, inspection and number of photos, by deadline; ``open_only``:
    the open ones no later inspection has carried forward."""
    with db.raw() as con:
        rows = con.execute(
            _FINDINGS_SQL, {"inspection": inspection_id, "open_only": int(open_only)}
        ).fetchall()
    return [dict(zip(_FINDING_KEYS, r, strict=True)) for r in rows]

"""Small builders for service tests (real database, real services)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.services import answers as answers_svc
from inspector_app.services import inspections as svc
from inspector_app.services.sites import upsert_sites
from inspector_app.services.templates import find_template_version, template_of

PILOT = "pilot-base-performance"


def add_site(ws: Any, code: str = "PB-T1", site_type: str = "pilot_base") -> str:
    upsert_sites(
        ws, [{"code": code, "name": f"测试基地{code}", "site_type": site_type}], actor="测试员"
    )
    from inspector_app.services.sites import find_site

    return find_site(ws, code).id


def start(
    ws: Any, template: str = PILOT, code: str = "PB-T1", when: dt.date = dt.date(2024, 10, 1)
) -> tuple[str, ChecklistTemplate]:
    tv = find_template_version(ws, template)
    site_type = template_of(tv).site_type.value
    site_id = add_site(ws, code, site_type)
    insp = svc.start_inspection(
        ws,
        site_id=site_id,
        template_version_id=tv.id,
        inspectors=["王晓明", "李娜"],
        started_on=when,
        actor="测试员",
    )
    return insp.id, template_of(tv)


def best_value(item: Item) -> Any:
    if item.type is AnswerType.YES_NO:
        return item.earns_on
    if item.type is AnswerType.SCORE:
        return item.points
    if item.type is AnswerType.NUMBER:
        v = item.bands[0].min
        return v if item.max_value is None else min(v, item.max_value)
    if item.type is AnswerType.CHOICE:
        return max(item.options, key=lambda o: o.points).id
    if item.type is AnswerType.DATE:
        return "2024-09-30"
    return "现场核查情况良好"


def answer_all(ws: Any, insp_id: str, template: ChecklistTemplate) -> None:
    edits: dict[str, dict[str, Any]] = {i.id: {"value": best_value(i)} for i in template.items()}
    edits.update({v.id: {"value": "no"} for v in template.vetoes})
    answers_svc.answer_many(ws, insp_id, edits, actor="测试员")


def db_fingerprint(path: Path) -> dict[str, Any]:
    """Row counts and the audit head: what 'nothing written' compares."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out: dict[str, Any] = {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
        }
        out["audit_head"] = con.execute(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        out["answers"] = con.execute(
            "SELECT item_id, value_json, not_applicable, comment FROM answer ORDER BY id"
        ).fetchall()
        out["inspections"] = con.execute(
            "SELECT id, status, score_total, grade, revision FROM inspection ORDER BY id"
        ).fetchall()
        return out
    finally:
        con.close()

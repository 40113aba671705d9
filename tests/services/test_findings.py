"""Findings with corrective actions: editing, the open list across sites, re-inspection."""

from __future__ import annotations

import datetime as dt

import pytest

from inspector_app.services import answers as answers_svc
from inspector_app.services import completion as completion_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspections as svc
from inspector_app.services.browse import list_findings
from inspector_app.services.errors import InvalidInput, Locked
from tests.services.helpers import answer_all, start


def test_update_finding_audits_each_field_and_checks_values(ws) -> None:
    insp_id, template = start(ws)
    f = findings_svc.add_finding(ws, insp_id, description="台账不全", actor="测试员")
    item = template.items()[0].id
    findings_svc.update_finding(
        ws,
        f.id,
        actor="测试员",
        severity="major",
        item_id=item,
        requirement="补齐台账",
        deadline=dt.date(2024, 12, 31),
        responsible="孙主任",
    )
    row = list_findings(ws, inspection_id=insp_id)[0]
    assert (row["severity"], row["item_id"], row["deadline"], row["responsible"]) == (
        "major",
        item,
        "2024-12-31",
        "孙主任",
    )
    with ws.db.session() as s:
        from sqlmodel import select

        from inspector_app.store.models import AuditEntry

        fields = [e.field for e in s.exec(select(AuditEntry).where(AuditEntry.entity_id == f.id))]
    assert {"severity", "item_id", "requirement", "deadline", "responsible"} <= set(fields)
    with pytest.raises(InvalidInput, match="severity"):
        findings_svc.update_finding(ws, f.id, actor="测试员", severity="huge")
    with pytest.raises(InvalidInput, match="description"):
        findings_svc.update_finding(ws, f.id, actor="测试员", description=" ")
    with pytest.raises(InvalidInput, match="fields"):
        findings_svc.update_finding(ws, f.id, actor="测试员", colour="red")


def test_open_findings_across_sites_keep_one_live_copy(ws) -> None:
    first, _t = start(ws, when=dt.date(2024, 5, 1))
    kept_open = findings_svc.add_finding(
        ws, first, description="设备台账不全", actor="测试员", deadline=dt.date(2024, 6, 30)
    )
    done = findings_svc.add_finding(ws, first, description="制度未公示", actor="测试员")
    findings_svc.set_finding_status(ws, done.id, "verified", actor="测试员")
    other, _t = start(ws, code="PB-T2", when=dt.date(2024, 5, 2))
    findings_svc.add_finding(
        ws, other, description="安全标识缺失", actor="测试员", deadline=dt.date(2024, 6, 1)
    )
    assert [r["description"] for r in list_findings(ws, open_only=True)] == [
        "安全标识缺失",
        "设备台账不全",
    ]  # earliest deadline first
    second, _t = start(ws, when=dt.date(2024, 7, 1))  # 复查 carries the open one forward
    rows = list_findings(ws, open_only=True)
    carried = [r for r in rows if r["description"] == "设备台账不全"]
    assert len(carried) == 1 and carried[0]["inspection_id"] == second
    assert carried[0]["carried_from"] == kept_open.id


def test_completion_summary_and_locks(ws) -> None:
    insp_id, template = start(ws)
    summary = completion_svc.completion_summary(ws, insp_id)
    assert summary["can_complete"] is False
    assert summary["missing_required"]
    assert any(p["missing"] > 0 for p in summary["missing_photos"])
    answer_all(ws, insp_id, template)
    veto = template.vetoes[0]
    answers_svc.answer_item(ws, insp_id, veto.id, "yes", actor="测试员")
    findings_svc.add_finding(
        ws, insp_id, description="安全隐患", severity="critical", actor="测试员"
    )
    summary = completion_svc.completion_summary(ws, insp_id)
    assert summary["can_complete"] is True
    assert summary["grade"] == template.veto_grade
    assert summary["vetoes"][0]["reason"]
    assert [f["description"] for f in summary["open_findings"]] == ["安全隐患"]
    svc.complete_inspection(ws, insp_id, actor="测试员")
    f = list_findings(ws, inspection_id=insp_id)[0]
    with pytest.raises(Locked):
        findings_svc.update_finding(ws, f["id"], actor="测试员", status="corrected")

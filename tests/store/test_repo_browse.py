"""store/repo/browse.py on a real database: the raw reads behind the lists."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from inspector_app.services import findings as findings_svc
from inspector_app.store.repo import browse as repo
from tests.services.helpers import add_site, start


def test_site_rows_by_type_and_code(ws) -> None:
    add_site(ws, "TT-1", "tech_transfer")
    add_site(ws, "PB-2")
    add_site(ws, "PB-1")
    rows = repo.site_rows(ws.db)
    assert [r["code"] for r in rows] == ["PB-1", "PB-2", "TT-1"]
    assert rows[0]["type"] == "pilot_base" and rows[0]["sample"] is False
    assert rows[0]["revision"] == 1 and rows[0]["name"] == "测试基地PB-1"


def test_inspection_rows_filter_and_label_in_the_language_asked(ws) -> None:
    older, _t = start(ws, code="PB-1", when=dt.date(2023, 5, 1))
    newer, _t = start(ws, code="PB-2", when=dt.date(2024, 10, 1))
    rows = repo.inspection_rows(ws.db, lang="en")
    assert [r["id"] for r in rows] == [newer, older]
    assert rows[0]["inspectors"] == ["王晓明", "李娜"]
    assert rows[0]["updated_at"].endswith("Z") and "T" in rows[0]["updated_at"]
    zh = repo.inspection_rows(ws.db, lang="zh")[0]["template_title"]
    assert rows[0]["template_title"] and rows[0]["template_title"] != zh
    assert [r["id"] for r in repo.inspection_rows(ws.db, lang="zh", year=2023)] == [older]
    assert [r["id"] for r in repo.inspection_rows(ws.db, lang="zh", search="PB-2")] == [newer]
    assert repo.inspection_rows(ws.db, lang="zh", status="completed") == []
    assert repo.count_inspections(ws.db) == 2
    assert repo.inspection_ids(ws.db) == {older, newer}


def test_finding_rows_by_deadline_and_open_only(ws) -> None:
    assert repo.finding_rows(ws.db) == []
    insp, _t = start(ws)
    later = findings_svc.add_finding(
        ws, insp, description="台账不全", deadline=dt.date(2024, 12, 1), actor="甲"
    )
    sooner = findings_svc.add_finding(
        ws, insp, description="制度未公示", deadline=dt.date(2024, 11, 1), actor="甲"
    )
    rows = repo.finding_rows(ws.db, inspection_id=insp)
    assert [r["id"] for r in rows] == [sooner.id, later.id]
    assert rows[0]["site_code"] == "PB-T1" and rows[0]["photos"] == 0
    assert rows[0]["inspection_status"] == "draft" and rows[0]["carried_from"] is None
    findings_svc.set_finding_status(ws, sooner.id, "corrected", actor="甲")
    assert [r["id"] for r in repo.finding_rows(ws.db, open_only=True)] == [later.id]
    assert repo.finding_rows(ws.db, inspection_id="nothing") == []


def test_the_lists_read_without_sqlalchemy() -> None:
    code = (
        "import sys; from inspector_app.store.repo import browse; "
        "print('sqlalchemy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""The sample data: every status, a veto case, a re-inspection; loading twice changes nothing."""

from __future__ import annotations

from collections import Counter

from inspector_app.services import inspection_views as views_svc
from inspector_app.services.browse import list_inspections
from inspector_app.services.demo import load_demo
from inspector_app.services.sites import list_sites
from inspector_app.store import audit
from tests.services.helpers import db_fingerprint


def test_demo_content(demo_ws) -> None:
    sites = list_sites(demo_ws)
    kinds = Counter(s.site_type for s in sites)
    assert kinds["pilot_base"] == 10 and kinds["tech_transfer"] == 6
    assert all("示例" in s.name and s.is_sample for s in sites)
    rows = list_inspections(demo_ws)
    assert len(rows) >= 20
    assert set(Counter(r["status"] for r in rows)) == {"draft", "completed", "signed", "exported"}
    assert any(r["vetoed"] and r["grade"] in ("fail", "poor") for r in rows)
    details = [views_svc.inspection_detail(demo_ws, r["id"]) for r in rows]
    assert any(d["veto_reasons"] for d in details)
    assert any(d["findings"] for d in details)
    assert {f["status"] for d in details for f in d["findings"]} == {
        "open",
        "corrected",
        "verified",
    }
    assert any(f["carried_from"] for d in details for f in d["findings"])
    assert any(len(d["revisions"]) == 2 and d["revisions"][1]["amend_reason"] for d in details)
    assert any(d["signatures"] for d in details)
    assert any(any(i["comment"] for s in d["sections"] for i in s["items"]) for d in details)
    with demo_ws.db.session() as s:
        assert audit.verify_chain(s).ok


def test_demo_twice_changes_nothing(demo_ws) -> None:
    before = db_fingerprint(demo_ws.db.path)
    report = load_demo(demo_ws)
    assert (report.created_sites, report.created_inspections) == (0, 0)
    assert db_fingerprint(demo_ws.db.path) == before

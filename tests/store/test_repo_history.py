"""store/repo/history.py on a real database."""

from __future__ import annotations

from inspector_app.services import findings as findings_svc
from inspector_app.store.repo import history as repo
from tests.services.helpers import start


def test_audit_rows_of_one_inspection_in_order(ws) -> None:
    insp, _t = start(ws)
    findings_svc.add_finding(ws, insp, description="台账不全", actor="甲")
    rows = repo.audit_rows(ws.db, insp)
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    assert set(rows[0]) == set(repo.ENTRY_KEYS)
    assert (rows[0]["entity"], rows[0]["action"]) == ("inspection", "create")
    assert rows[-1]["entity"] == "finding" and rows[-1]["actor"] == "甲"
    assert repo.audit_rows(ws.db, "no-such-inspection") == []


def test_names_of_findings_and_photos(ws) -> None:
    insp, _t = start(ws)
    f = findings_svc.add_finding(ws, insp, description="台账不全", actor="甲")
    known = repo.names(ws.db, insp)
    assert known.findings == {f.id: "台账不全"}
    assert known.carried_from == {} and known.photos == {}

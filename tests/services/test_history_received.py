"""At headquarters, the history of an imported inspection: the entries it arrived with,
marked with the device they came from, beside this folder's own (real folders, a real
package written and read)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from inspector_app.services import answers as answers_svc
from inspector_app.services import inspections as svc
from inspector_app.services.history import (
    describe_received,
    inspection_history,
    load_history,
)
from inspector_app.services.sync import export_package, import_package
from inspector_app.services.templates import sync_forms
from inspector_app.store.db import open_database
from inspector_app.workspace import Workspace
from tests.services.helpers import answer_all, start

LAPTOP = "王晓明 @ LAPTOP-7F3K"


def test_the_history_of_an_imported_inspection_shows_what_it_arrived_with(
    tmp_path: Path,
) -> None:
    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    ldb, hdb = open_database(laptop), open_database(hq)
    for db in (ldb, hdb):
        sync_forms(db)
    iid, template = start(ldb)
    answer_all(ldb, iid, template)
    answers_svc.comment_item(ldb, iid, "s1.equipment-value", "台账齐全", actor="王晓明")
    svc.complete_inspection(ldb, iid, actor="王晓明")
    sent = inspection_history(ldb, iid)
    export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "1.inspkg", device_name=LAPTOP)
    import_package(Workspace(hq, hdb, "总部"), tmp_path / "1.inspkg")

    shown = load_history(hdb, iid)
    assert len(shown.entries) == len(sent) > 30
    assert [(e.actor, e.what, e.new) for e in shown.entries] == [
        (e.actor, e.what, e.new) for e in sent
    ]
    assert all(e.received and e.source == LAPTOP and e.hash_ok for e in shown.entries)
    check = shown.received
    assert (check.entries, check.bad, check.devices) == (len(sent), 0, (LAPTOP,))
    line = describe_received(check)
    assert f"{len(sent)} entries received from {LAPTOP}" in line and "own hash" in line
    assert shown.chain.ok  # this folder's own chain, checked as before

    # HQ's own edit comes after, as this folder's; the laptop, renamed, sends a later version:
    # one device (same id, same key), shown everywhere under its latest name
    svc.amend_inspection(hdb, iid, reason="总部复核", actor="总部")
    again = load_history(hdb, iid).entries
    assert again[-1].actor == "总部" and not again[-1].received and again[-1].source == ""
    svc.amend_inspection(ldb, iid, reason="补充", actor="王晓明")
    renamed = "王晓明 @ NEW-PC"
    export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "2.inspkg", device_name=renamed)
    import_package(Workspace(hq, hdb, "总部"), tmp_path / "2.inspkg")  # a conflict: both amended
    assert {e.source for e in load_history(hdb, iid).entries if e.received} == {renamed}

    # an entry altered in the database after it arrived is shown as such
    con = sqlite3.connect(hdb.path)
    row_id, text = con.execute(
        "SELECT id, entry_json FROM received_history WHERE inspection_id = ? "
        "ORDER BY position LIMIT 1 OFFSET 3",
        (iid,),
    ).fetchone()
    entry = json.loads(text)
    entry["actor"] = "别人"
    con.execute(
        "UPDATE received_history SET entry_json = ? WHERE id = ?",
        (json.dumps(entry, ensure_ascii=False), row_id),
    )
    con.commit()
    con.close()
    tampered = load_history(hdb, iid)
    bad = [e for e in tampered.entries if not e.hash_ok]
    assert [e.actor for e in bad] == ["别人"]
    assert tampered.received.bad == 1
    assert "1 of " in describe_received(tampered.received)
    ldb.dispose()
    hdb.dispose()

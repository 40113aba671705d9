"""Who brought an entry is not for a copier to claim: someone holding a copy of a laptop's
package (and a fresh device key of their own) re-signs it as a version with the same content
as headquarters' own. Real folders, real packages."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from inspector_app.services import answers as answers_svc
from inspector_app.services.history import load_history
from inspector_app.services.sync import export_package, import_package
from inspector_app.services.templates import sync_forms
from inspector_app.store.audit import row_hash
from inspector_app.store.db import open_database
from inspector_app.sync import received, wire
from inspector_app.sync.identity import device_identity
from inspector_app.sync.package import open_package, read_manifest
from inspector_app.workspace import Workspace
from tests.services.helpers import start
from tests.sync.helpers import COMMENT_ITEM, YES_NO_ITEM, repack

LAPTOP = "王晓明 @ LAPTOP-7F3K"


def test_a_copier_cannot_claim_the_entries_of_the_laptops_next_package(tmp_path: Path) -> None:
    """HQ holds the laptop's first package. The copier holds its second one too (not yet at
    HQ): they send its history, minus the first entry, with the rows of the first, a version
    with the same content that HQ keeps to be shown only. When the laptop's second package
    arrives and fast-forwards, its entries are the laptop's: they were shown as the
    copier's device's, since they were first seen in the copier's package."""
    laptop, hq, copier = tmp_path / "laptop", tmp_path / "hq", tmp_path / "copier"
    ldb, hdb = open_database(laptop), open_database(hq)
    for db in (ldb, hdb):
        sync_forms(db)
    iid, _template = start(ldb)
    answers_svc.answer_item(ldb, iid, YES_NO_ITEM, "yes", actor="王晓明")
    first = export_package(
        Workspace(laptop, ldb, "王晓明"), tmp_path / "1.inspkg", device_name=LAPTOP
    )
    import_package(Workspace(hq, hdb, "总部"), first.path)
    answers_svc.comment_item(ldb, iid, COMMENT_ITEM, "台账齐全", actor="王晓明")
    second = export_package(
        Workspace(laptop, ldb, "王晓明"), tmp_path / "2.inspkg", device_name=LAPTOP
    )

    with tempfile.TemporaryDirectory() as tmp:
        later = open_package(second.path, Path(tmp)).read_json(wire.RECORDS_MEMBER)
    history = next(b for b in later["inspections"] if b["inspection"]["id"] == iid)["history"]

    def forge(doc: dict[str, Any]) -> None:  # the first package's rows, the second's history
        bundle = next(b for b in doc["inspections"] if b["inspection"]["id"] == iid)
        bundle["history"] = history[1:]

    device_identity(copier, device_name="总部审核 @ HQ-REVIEW")
    forged = repack(first.path, tmp_path / "forged.inspkg", copier, forge)
    assert import_package(Workspace(hq, hdb, "总部"), forged).merge.same_content == [iid]
    assert import_package(Workspace(hq, hdb, "总部"), second.path).merge.updated == [iid]

    laptop_id = device_identity(laptop).device_id
    with hdb.session() as s:
        lineage = [e for e in received.received_entries(s, iid) if e.lineage]
    assert lineage and {e.device_id for e in lineage} == {laptop_id}
    comment = [e for e in load_history(hdb, iid).entries if e.field == f"{COMMENT_ITEM}.comment"]
    assert [(e.source, e.counted) for e in comment] == [(LAPTOP, True)]
    for db in (ldb, hdb):
        db.dispose()


def test_a_copier_giving_the_laptops_name_is_told_apart_in_the_history(tmp_path: Path) -> None:
    """The copier names its device as the laptop does: the entries it brought (shown only,
    some of its own making) read as coming from another key, not from the laptop."""
    laptop, hq, copier = tmp_path / "laptop", tmp_path / "hq", tmp_path / "copier"
    ldb, hdb = open_database(laptop), open_database(hq)
    for db in (ldb, hdb):
        sync_forms(db)
    iid, _template = start(ldb)
    answers_svc.answer_item(ldb, iid, YES_NO_ITEM, "yes", actor="王晓明")
    first = export_package(
        Workspace(laptop, ldb, "王晓明"), tmp_path / "1.inspkg", device_name=LAPTOP
    )
    import_package(Workspace(hq, hdb, "总部"), first.path)

    def forge(doc: dict[str, Any]) -> None:  # the same rows, a history of its own making
        bundle = next(b for b in doc["inspections"] if b["inspection"]["id"] == iid)
        made = dict(bundle["history"][-1], id=str(uuid.uuid4()), actor="王晓明", new='"no"')
        values = {k: made[k] for k in wire.HISTORY_KEYS if k not in ("prev_hash", "hash")}
        made["hash"] = row_hash(values, made["prev_hash"])
        bundle["history"] = [*bundle["history"][1:], made]

    device_identity(copier, device_name=LAPTOP)
    forged = repack(first.path, tmp_path / "forged.inspkg", copier, forge)
    assert import_package(Workspace(hq, hdb, "总部"), forged).merge.same_content == [iid]

    entries = [e for e in load_history(hdb, iid).entries if e.received]
    theirs = {e.source for e in entries if e.counted}
    copied = {e.source for e in entries if not e.counted}
    assert len(theirs) == len(copied) == 1 and theirs != copied
    laptop_key = read_manifest(first.path).fingerprint
    copier_key = read_manifest(forged).fingerprint
    assert theirs == {f"{LAPTOP} (key {laptop_key})"}
    assert copied == {f"{LAPTOP} (key {copier_key})"}
    for db in (ldb, hdb):
        db.dispose()

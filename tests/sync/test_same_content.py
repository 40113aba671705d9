"""Identical content is not a conflict (docs/sync.md, "The same content from two devices").

Two laptops A and B each load the sample data: the same inspections (fixed ids), made by two
histories, with their own row ids and times. Headquarters imports A's package, then B's.
Real data folders, real package files; the mutations are packages re-signed by B's key.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services import answers as answers_svc
from inspector_app.services import canonical as canonical_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.conflicts import conflict_differences
from inspector_app.services.demo import demo_id, load_demo
from inspector_app.services.sync import export_package, import_package, list_conflicts
from inspector_app.services.templates import sync_forms
from inspector_app.store.audit import row_hash
from inspector_app.store.db import Database, open_database
from inspector_app.sync import bundles, received, wire
from inspector_app.sync.identity import device_identity
from inspector_app.sync.package import read_manifest
from inspector_app.workspace import Workspace
from tests.sync.helpers import repack, workspace

SIGNED = demo_id("inspection", "pb-2024-1")  # signed: frozen revision, signatures, findings
RECHECK = demo_id("inspection", "pb-2024-1-recheck")  # 复查 of it: carried findings, photos
DRAFT = demo_id("inspection", "pb-2024-5")


def _folder(path: Path, *, demo: bool = False) -> Database:
    db = open_database(path)
    sync_forms(db)
    if demo:
        load_demo(db)
    return db


@pytest.fixture(scope="module")
def laptops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A and B with the sample data; A's package of everything, B's of everything and B's
    of the re-inspection alone (with the visit it follows)."""
    root = tmp_path_factory.mktemp("laptops")
    out: dict[str, Any] = {}
    for name in ("a", "b"):
        data = root / name
        db = _folder(data, demo=True)
        out[name] = data
        out[f"{name}.all"] = export_package(Workspace(data, db, name), root / f"{name}.inspkg").path
        db.dispose()
    db = open_database(out["b"])
    out["b.recheck"] = export_package(
        Workspace(out["b"], db, "b"), root / "b-recheck.inspkg", inspection_ids=[RECHECK]
    ).path
    db.dispose()
    yield out


@pytest.fixture(scope="module")
def hq_with_a(laptops, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    """Headquarters with A's package imported. The imports below never change its rows (a
    same content writes none, a conflict keeps the local ones), so the cases share it."""
    data = tmp_path_factory.mktemp("hq") / "data"
    db = _folder(data)
    assert len(import_package(Workspace(data, db, "总部"), laptops["a.all"]).merge.added) == 21
    yield db, data
    db.dispose()


CONTENT_TABLES = (
    "inspection",
    "inspection_revision",
    "answer",
    "photo",
    "finding",
    "finding_photo",
    "signature",
)


def _rows(db: Database) -> dict[str, list[Any]]:
    """What the inspections say here, table by table (not the history, not the conflicts)."""
    with db.raw() as con:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in CONTENT_TABLES
        }


def _copy(src: Path, dst: Path) -> Database:
    shutil.copytree(src, dst)
    return open_database(dst)


def test_two_laptops_with_the_same_sample_data_give_hq_no_conflict(laptops, tmp_path) -> None:
    hq = tmp_path / "hq"
    hdb = _folder(hq)
    import_package(Workspace(hq, hdb, "总部"), laptops["a.all"])
    with hdb.session() as s:
        a_history = bundles.history_of(s, SIGNED)
    result = import_package(Workspace(hq, hdb, "总部"), laptops["b.all"])
    r = result.merge
    assert r.conflicts == [] and r.site_conflicts == 0 and list_conflicts(workspace(hdb)) == []
    assert len(r.same_content) == 21 and not (r.added or r.updated or r.unchanged)
    # nothing of B's rows was written, B's history is kept beside A's, marked with B's device
    a_id, b_id = device_identity(laptops["a"]).device_id, device_identity(laptops["b"]).device_id
    with hdb.session() as s:
        assert bundles.history_of(s, SIGNED) == a_history  # still decides merges
        entries = received.received_entries(s, SIGNED)
    counted = [e for e in entries if e.lineage]
    shown = [e for e in entries if not e.lineage]
    assert {e.device_id for e in counted} == {a_id} and {e.device_id for e in shown} == {b_id}
    assert len(shown) == len(counted) and all(e.hash_ok for e in entries)
    with hdb.raw() as con:
        logged = json.loads(
            con.execute(
                "SELECT new FROM audit_log WHERE action = 'import' ORDER BY seq DESC"
            ).fetchone()[0]
        )
    assert len(logged["same_content"]) == 21
    # a second package of B's, still the same content (B marked its signed ones exported
    # meanwhile): its history is kept once, the entries seen already not twice
    again = import_package(Workspace(hq, hdb, "总部"), laptops["b.recheck"]).merge
    assert again.same_content == [SIGNED, RECHECK] and again.conflicts == []
    with hdb.session() as s:
        ids = [e.entry["id"] for e in received.received_entries(s, SIGNED)]
    assert len(ids) == len(set(ids)) == len(entries) + 1  # B's one export entry is new

    # later: A edits and sends again, HQ fast-forwards (B's kept history does not count);
    # B edits the same draft otherwise, a real conflict
    adb, bdb = _copy(laptops["a"], tmp_path / "a"), _copy(laptops["b"], tmp_path / "b")
    state = views_svc.load_inspection_state(adb, DRAFT)
    item = next(i for i in state.template.items() if i.id not in state.answers and i.scored)
    answers_svc.comment_item(adb, DRAFT, item.id, "A 的补充意见", actor="a")
    answers_svc.comment_item(bdb, DRAFT, item.id, "B 的补充意见", actor="b")
    a2 = export_package(Workspace(tmp_path / "a", adb, "a"), tmp_path / "a2.inspkg").path
    b2 = export_package(Workspace(tmp_path / "b", bdb, "b"), tmp_path / "b2.inspkg").path
    assert import_package(Workspace(hq, hdb, "总部"), a2).merge.updated == [DRAFT]
    second = import_package(Workspace(hq, hdb, "总部"), b2).merge
    assert second.conflicts == [DRAFT] and DRAFT not in second.same_content
    assert views_svc.load_inspection_state(hdb, DRAFT).answers[item.id].comment == "A 的补充意见"
    for db in (adb, bdb, hdb):
        db.dispose()


def _bundle(doc: dict[str, Any], iid: str) -> dict[str, Any]:
    return next(b for b in doc["inspections"] if b["inspection"]["id"] == iid)


def _answer(bundle: dict[str, Any], kind: str = "yes_no") -> dict[str, Any]:
    if kind == "yes_no":
        return next(a for a in bundle["answers"] if a["value_json"] in ('"yes"', '"no"'))
    return next(a for a in bundle["answers"] if a["value_json"] is not None)


def _flip(doc: dict[str, Any]) -> None:
    a = _answer(_bundle(doc, RECHECK))
    a["value_json"] = '"no"' if a["value_json"] == '"yes"' else '"yes"'


def _refreeze(doc: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> None:
    """Change the frozen data of the signed inspection's revision, and rebind its hash and
    the signatures to it, as a forger who knows the format would."""
    bundle = _bundle(doc, SIGNED)
    rev = bundle["revisions"][0]
    data = json.loads(rev["data_json"])
    change(data)
    rev["data_json"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
    rev["data_hash"] = canonical_svc.data_hash(data)
    for g in bundle["signatures"]:
        g["data_hash"] = rev["data_hash"]


def _swap_carried(doc: dict[str, Any]) -> None:
    carried = [f for f in _bundle(doc, RECHECK)["findings"] if f["carried_from_id"]]
    first, second = carried[0], carried[1]
    first["carried_from_id"], second["carried_from_id"] = (
        second["carried_from_id"],
        first["carried_from_id"],
    )


def _set(part: str, iid: str, **values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        bundle = _bundle(doc, iid)
        rows = [bundle["inspection"]] if part == "inspection" else bundle[part]
        rows[0].update(values)

    return edit


def _all(part: str, iid: str, **values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        for row in _bundle(doc, iid)[part]:
            row.update(values)

    return edit


CONTENT = [  # (what changes, the edit, the inspection it is in, what the difference says)
    ("an answer's value", _flip, RECHECK, "· Answer"),
    (
        "an answer's comment",
        lambda d: _answer(_bundle(d, RECHECK)).update(comment="改过"),
        RECHECK,
        "· Comment",
    ),
    (
        "the ticked evidence",
        lambda d: _answer(_bundle(d, RECHECK)).update(evidence_checked="[]"),
        RECHECK,
        "· Evidence checked",
    ),
    (
        "not applicable",
        lambda d: _answer(_bundle(d, RECHECK), "any").update(not_applicable=True, value_json=None),
        RECHECK,
        "· Not applicable",
    ),
    ("the inspectors", _set("inspection", RECHECK, inspectors='["张伟"]'), RECHECK, "Inspectors"),
    (
        "the start date",
        _set("inspection", RECHECK, started_on="2024-12-17"),
        RECHECK,
        "Start date",
    ),
    ("a finding's text", _set("findings", RECHECK, description="另一个问题"), RECHECK, "Finding: "),
    (
        "a finding's deadline",
        _set("findings", RECHECK, deadline="2030-01-01"),
        RECHECK,
        "· Deadline",
    ),
    (
        "a finding's status",
        _set("findings", RECHECK, status="verified", resolution_note="x"),
        RECHECK,
        "· Status",
    ),
    ("what a finding carries forward", _swap_carried, RECHECK, "· Carried from"),
    ("a photo's caption", _set("photos", RECHECK, caption="另一张"), RECHECK, "· Caption"),
    ("a photo's item", _set("photos", RECHECK, item_id=None), RECHECK, "· Item"),
    (
        "a photo's role for a finding",
        _all("finding_photos", RECHECK, role="after"),
        RECHECK,
        "· Photos",
    ),
    ("a signer's name", _set("signatures", SIGNED, signer_name="冒名"), SIGNED, "Signature: 冒名"),
    (
        "a signature's time",
        _set("signatures", SIGNED, signed_at="2024-10-09T08:30:00+00:00"),
        SIGNED,
        "· Signed at",
    ),
    (
        "the frozen data alone",
        lambda d: _refreeze(d, lambda data: data["answers"][0].update(comment="冻结后改")),
        SIGNED,
        "· Frozen data",
    ),
    ("a frozen score", _set("revisions", SIGNED, score_json='{"total": 99}'), SIGNED, "· Score"),
    (
        "the amendment reason",
        _set("revisions", SIGNED, amend_reason="另一个理由"),
        SIGNED,
        "· Reason for the amendment",
    ),
]

BOOKKEEPING = [
    (
        "when the inspection was last written",
        _set("inspection", RECHECK, updated_at="2030-01-01T00:00:00+00:00"),
    ),
    ("when answers were written", _all("answers", RECHECK, updated_at="2030-01-01T00:00:00+00:00")),
    ("row revision counters", _all("answers", RECHECK, revision=7, base_revision=6)),
    (
        "when findings and photos were made",
        lambda d: (
            _all("findings", RECHECK, created_at="2030-01-01T00:00:00+00:00")(d),
            _all("photos", RECHECK, created_at="2030-01-01T00:00:00+00:00")(d),
        ),
    ),
    (
        "when and under which login it was completed",
        _set(
            "revisions", SIGNED, completed_at="2030-01-01T00:00:00+00:00", completed_by="别的账号"
        ),
    ),
    (
        "exported rather than signed",
        _set("inspection", SIGNED, status="exported", exported_at="2030-01-01T00:00:00+00:00"),
    ),
]


@pytest.mark.parametrize(("case", "edit", "changed", "said"), CONTENT, ids=[c[0] for c in CONTENT])
def test_a_change_of_content_is_a_conflict_shown_field_by_field(
    laptops, hq_with_a, tmp_path, case, edit, changed, said
):
    hdb, hdata = hq_with_a
    before = _rows(hdb)
    pkg = repack(laptops["b.recheck"], tmp_path / "b.inspkg", laptops["b"], edit)
    result = import_package(Workspace(hdata, hdb, "总部"), pkg).merge
    assert changed in result.conflicts, case
    assert changed not in result.same_content
    assert _rows(hdb) == before  # the local version stays as it was
    package = read_manifest(pkg).package_id
    (conflict,) = [
        c
        for c in list_conflicts(workspace(hdb))
        if c["package_id"] == package and c["entity_id"] == changed
    ]
    diffs = conflict_differences(hdb, conflict["id"])
    assert any(said in d.what for d in diffs), [d.what for d in diffs]
    assert not any(re.search(r"\bs\d\.[a-z-]+", d.what) for d in diffs)  # titles, not ids


@pytest.mark.parametrize(("case", "edit"), BOOKKEEPING, ids=[c[0] for c in BOOKKEEPING])
def test_bookkeeping_alone_is_the_same_content(laptops, hq_with_a, tmp_path, case, edit):
    hdb, hdata = hq_with_a
    pkg = repack(laptops["b.recheck"], tmp_path / "b.inspkg", laptops["b"], edit)
    result = import_package(Workspace(hdata, hdb, "总部"), pkg).merge
    assert result.conflicts == [], case
    assert sorted(result.same_content) == sorted([SIGNED, RECHECK])


def test_the_same_content_writes_no_row_whatever_history_it_brings(laptops, tmp_path) -> None:
    """A copy of a package re-signed by another key, with a history of its own making: the
    inspection's rows stay byte for byte; the forged entries are only shown, marked with
    the device that signed them."""
    hq = tmp_path / "hq"
    hdb = _folder(hq)
    import_package(Workspace(hq, hdb, "总部"), laptops["a.all"])

    def forge(doc: dict[str, Any]) -> None:
        for bundle in doc["inspections"]:
            for e in bundle["history"]:
                if e["action"] == "answer":
                    e["actor"] = "王晓明"
                    values = {k: e[k] for k in wire.HISTORY_KEYS if k not in ("prev_hash", "hash")}
                    e["hash"] = row_hash(values, e["prev_hash"])

    before = _rows(hdb)
    pkg = repack(laptops["b.recheck"], tmp_path / "forged.inspkg", tmp_path / "thief", forge)
    result = import_package(Workspace(hq, hdb, "总部"), pkg).merge
    assert sorted(result.same_content) == sorted([SIGNED, RECHECK]) and not result.updated
    assert _rows(hdb) == before
    thief = device_identity(tmp_path / "thief").device_id
    with hdb.session() as s:
        shown = [e for e in received.received_entries(s, SIGNED) if e.device_id == thief]
        assert shown and not any(e.lineage for e in shown)
    hdb.dispose()

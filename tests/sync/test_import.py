"""Export and import of inspections through real package files, between real data folders.

"Laptop" is a data folder with the sample data; "HQ" starts empty (or with its own edits).
Every check reads the databases through the services, and compares files byte for byte.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services.browse import list_inspections
from inspector_app.services.demo import demo_id
from inspector_app.services.errors import InvalidInput, NotFound
from inspector_app.services.reports import render_report_bytes
from inspector_app.services.sites import find_site, upsert_sites
from inspector_app.services.sync import (
    PackageRejected,
    export_package,
    import_package,
    list_conflicts,
    preview_import,
    resolve_conflict,
)
from inspector_app.store.audit import row_hash as audit_row_hash
from inspector_app.sync import merge, values, wire
from inspector_app.sync.identity import device_identity
from inspector_app.sync.package import read_manifest, write_package
from inspector_app.workspace import Workspace
from tests.conftest import open_ws, prepared_folder
from tests.services.helpers import db_fingerprint

DRAFT = demo_id("inspection", "pb-2024-5")  # PB-06, a draft partly answered
RECHECK = demo_id("inspection", "pb-2024-1-recheck")  # 复查 with carried findings
SIGNED = demo_id("inspection", "pb-2024-1")


def _folder(path: Path, *, demo: bool = False) -> Workspace:
    return open_ws(prepared_folder(path, demo=demo))


@pytest.fixture(scope="module")
def laptop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path, Path]]:
    """The sample data on a laptop, and one package of all of it (made once)."""
    data = tmp_path_factory.mktemp("laptop") / "data"
    ws = _folder(data, demo=True)
    pkg = tmp_path_factory.mktemp("usb") / "all.inspkg"
    marked = export_package(ws, pkg, actor="张工").marked_exported
    assert marked  # the signed ones are marked exported once they are in a package
    yield ws, data, pkg, marked
    ws.close()


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[tuple[Workspace, Path]]:
    data = tmp_path / "hq"
    ws = _folder(data)
    yield ws, data
    ws.close()


_SENT: list[tuple[Path, tuple[str, ...]]] = []  # built once per test process, then copied


def _sent_once() -> tuple[Path, tuple[str, ...]]:
    if not _SENT or not _SENT[0][0].exists():
        root = Path(tempfile.mkdtemp(prefix="inspector-sent-"))
        atexit.register(shutil.rmtree, root, True)
        ldb, hdb = _folder(root / "laptop", demo=True), _folder(root / "hq")
        marked = export_package(ldb, root / "1.inspkg", actor="张工").marked_exported
        assert len(import_package(hdb, root / "1.inspkg", actor="总部").merge.added) == 21
        ldb.close()
        hdb.close()
        _SENT[:] = [(root, tuple(marked))]
    return _SENT[0]


@pytest.fixture
def sent(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The sample data on a laptop, its first package (``1.inspkg``, and which signed
    inspections it marked exported) and HQ after importing it: built once per test process
    and copied, as ``prepared_folder`` is (the first import itself is tested above)."""
    root, marked = _sent_once()
    for name in ("laptop", "hq"):
        shutil.copytree(root / name, tmp_path / name)
    shutil.copy2(root / "1.inspkg", tmp_path / "1.inspkg")
    ldb, hdb = open_ws(tmp_path / "laptop"), open_ws(tmp_path / "hq")
    yield {"laptop": ldb, "hq": hdb, "first": tmp_path / "1.inspkg", "marked": marked}
    ldb.close()
    hdb.close()


def _counts(ws: Workspace) -> dict[str, int]:
    with ws.db.raw() as con:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("inspection", "answer", "photo", "finding", "finding_photo", "signature")
        }


def test_everything_arrives_and_scores_and_reports_alike(laptop, hq) -> None:
    ldb, ldata, pkg, marked = laptop
    hdb, hdata = hq
    result = import_package(hdb, pkg, actor="总部")
    assert not result.already_imported
    assert len(result.merge.added) == len(list_inspections(ldb)) == 21
    assert _counts(hdb) == _counts(ldb)
    mine = {r["id"]: (r["score"], r["grade"], r["status"]) for r in list_inspections(ldb)}
    theirs = {r["id"]: (r["score"], r["grade"], r["status"]) for r in list_inspections(hdb)}
    # the package left with the signed ones still "signed"; the laptop marked them exported
    for iid in marked:
        assert mine[iid][2] == "exported" and theirs[iid][2] == "signed"
        mine[iid] = (*mine[iid][:2], "signed")
    assert theirs == mine
    for iid in (SIGNED, RECHECK):
        here, there = views_svc.inspection_detail(ldb, iid), views_svc.inspection_detail(hdb, iid)
        assert there["data_hash"] == here["data_hash"] is not None
        assert there["findings"] == here["findings"]
    # photo originals byte-identical, and the report of a signed inspection too
    for p in (ldata / "media" / "originals").rglob("*.*"):
        assert (hdata / p.relative_to(ldata)).read_bytes() == p.read_bytes()
    same = next(i for i, row in mine.items() if row[2] == "completed" and i not in marked)
    theirs_pdf, mine_pdf = render_report_bytes(hdb, same), render_report_bytes(ldb, same)
    if theirs_pdf != mine_pdf:  # say where they differ
        import difflib
        import subprocess

        texts = []
        for name, pdf in (("hq", theirs_pdf), ("laptop", mine_pdf)):
            f = ldata.parent / f"{name}.pdf"
            f.write_bytes(pdf)
            texts.append(
                subprocess.run(
                    ["pdftotext", str(f), "-"], capture_output=True, text=True
                ).stdout.splitlines()
            )
        print("\n".join(difflib.unified_diff(texts[0], texts[1], lineterm="")))
    assert theirs_pdf == mine_pdf
    # the import is one audited step at HQ
    with hdb.db.raw() as con:
        row = con.execute(
            "SELECT actor, new FROM audit_log WHERE action = 'import' AND entity = 'package'"
        ).fetchone()
    assert row[0] == "总部" and json.loads(row[1])["device_id"] == device_identity(ldata).device_id


def test_importing_the_same_package_again_changes_nothing(laptop, hq) -> None:
    _ldb, _ldata, pkg, _m = laptop
    hdb, _hdata = hq
    import_package(hdb, pkg, actor="总部")
    before = db_fingerprint(hdb.db.path)
    again = import_package(hdb, pkg, actor="总部")
    assert again.already_imported
    assert db_fingerprint(hdb.db.path) == before
    assert preview_import(hdb, pkg).already_imported


def test_a_later_package_fast_forwards_an_inspection(tmp_path: Path, sent) -> None:
    ldb, hdb, first, marked = sent["laptop"], sent["hq"], sent["first"], sent["marked"]
    state = views_svc.load_inspection_state(ldb, DRAFT)
    item = next(i for i in state.template.items() if i.id not in state.answers and i.scored)
    answers_svc.comment_item(ldb, DRAFT, item.id, "复核后补充的意见", actor="张工")
    second = tmp_path / "2.inspkg"
    export_package(ldb, second, actor="张工")
    result = import_package(hdb, second, actor="总部")
    # the edited draft; marking the signed ones exported on the laptop annotates them, it
    # does not make a newer version
    assert result.merge.updated == [DRAFT]
    assert len(result.merge.unchanged) == 20 and set(marked) <= set(result.merge.unchanged)
    assert (
        views_svc.load_inspection_state(hdb, DRAFT).answers[item.id].comment == "复核后补充的意见"
    )
    # and an old package after the new one keeps the newer version
    other = tmp_path / "hq2"
    odb = _folder(other)
    import_package(odb, second, actor="总部")
    older = import_package(odb, first, actor="总部")
    assert older.merge.kept_newer == [DRAFT]
    assert (
        views_svc.load_inspection_state(odb, DRAFT).answers[item.id].comment == "复核后补充的意见"
    )
    odb.close()


def test_edits_on_both_sides_are_a_conflict_and_nothing_is_overwritten(
    tmp_path: Path, sent
) -> None:
    ldb, hdb = sent["laptop"], sent["hq"]
    state = views_svc.load_inspection_state(ldb, DRAFT)
    item = next(i for i in state.template.items() if i.id not in state.answers and i.scored)
    answers_svc.comment_item(hdb, DRAFT, item.id, "总部的意见", actor="总部")
    answers_svc.comment_item(ldb, DRAFT, item.id, "现场的意见", actor="张工")
    second = tmp_path / "2.inspkg"
    export_package(ldb, second, actor="张工")
    result = import_package(hdb, second, actor="总部")
    assert result.merge.conflicts == [DRAFT]
    assert views_svc.load_inspection_state(hdb, DRAFT).answers[item.id].comment == "总部的意见"
    conflicts = list_conflicts(hdb)
    assert [(c["entity"], c["entity_id"]) for c in conflicts] == [("inspection", DRAFT)]
    with hdb.db.raw() as con:
        kept = json.loads(con.execute("SELECT incoming_json FROM sync_conflict").fetchone()[0])
    assert any(a["comment"] == "现场的意见" for a in kept["answers"])


def test_a_failure_during_the_merge_leaves_the_database_as_it_was(
    laptop, hq, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ldb, _ldata, pkg, _m = laptop
    hdb, hdata = hq
    before = db_fingerprint(hdb.db.path)
    real = merge._merge_inspection
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk unplugged")
        return real(*args, **kwargs)

    monkeypatch.setattr(merge, "_merge_inspection", failing)
    with pytest.raises(OSError, match="disk unplugged"):
        import_package(hdb, pkg, actor="总部")
    assert calls["n"] == 5
    assert db_fingerprint(hdb.db.path) == before
    assert not (hdata / ".staging").exists()
    monkeypatch.setattr(merge, "_merge_inspection", real)
    assert len(import_package(hdb, pkg, actor="总部").merge.added) == 21


def _repack(
    src: Path,
    out: Path,
    data_dir: Path,
    edit,
    extra: tuple[tuple[str, bytes], ...] = (),
) -> Path:
    """A package with the same members (and ``extra`` ones) but ``edit`` applied to its
    records, validly signed by ``data_dir``'s device key: what a buggy or hostile exporter
    could produce."""
    import tempfile

    from inspector_app.sync.package import open_package, read_manifest

    manifest = read_manifest(src)
    with tempfile.TemporaryDirectory() as tmp:
        opened = open_package(src, Path(tmp))
        doc = opened.read_json(wire.RECORDS_MEMBER)
        edit(doc)
        members: list[tuple[str, bytes | Path]] = [
            (wire.RECORDS_MEMBER, json.dumps(doc, ensure_ascii=False).encode()),
            *extra,
        ]
        for f in manifest.files:
            if f.path != wire.RECORDS_MEMBER:
                members.append((f.path, opened.path_of(f.path).read_bytes()))
        write_package(
            out,
            device_identity(data_dir),
            kind="inspections",
            sequence=1,
            schema_version=manifest.schema_version,
            app_version=manifest.app_version,
            created_at=manifest.created_at,
            summary={},
            audit_head=None,
            members=members,
        )
    return out


def _refused(laptop, hq, tmp_path: Path, edit) -> str:
    """Import the laptop's package with ``edit`` applied to its records (validly signed):
    it must be refused with nothing written at HQ. Returns the reason."""
    _ldb, ldata, pkg, _m = laptop
    hdb, _hdata = hq
    bad = _repack(pkg, tmp_path / "bad.inspkg", ldata, edit)
    before = db_fingerprint(hdb.db.path)
    with pytest.raises(PackageRejected) as info:
        import_package(hdb, bad, actor="总部")
    assert db_fingerprint(hdb.db.path) == before
    return str(info.value)


def _first_with(doc: dict, part: str) -> dict:
    return next(b for b in doc["inspections"] if b[part])


@pytest.mark.parametrize(
    ("case", "edit", "expect"),
    [
        (
            "answer of another inspection",
            lambda d: _first_with(d, "answers")["answers"][0].update(inspection_id="x" * 36),
            "answers[0]: belongs to another inspection",
        ),
        (
            "unknown status",
            lambda d: d["inspections"][0]["inspection"].update(status="approved"),
            "inspection.status: unknown value 'approved'",
        ),
        (
            "a row with an extra field",
            lambda d: d["sites"][0].update(password="x"),
            "sites[0]: fields do not match sites of records format 2 (missing: -; unknown: password)",
        ),
        (
            "a score as text",
            lambda d: d["inspections"][0]["inspection"].update(score_total="95"),
            "inspection.score_total: not a valid Float value",
        ),
        (
            "records changed without their hash",
            lambda d: _first_with(d, "answers")["answers"][0].update(comment="改过"),
            "the inspection's records do not match their hash",
        ),
        (
            "an altered audit entry",
            lambda d: _first_with(d, "history")["history"][0].update(actor="别人"),
            "history[0]: the audit entry was altered",
        ),
        (
            "a template that is not what its hash says",
            lambda d: d["templates"][0].update(canonical_json="{}"),
            "templates[0]: the template does not match its content hash",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_records_are_refused_whole_naming_the_place(
    laptop, hq, tmp_path: Path, case: str, edit, expect: str
) -> None:
    hdata = hq[1]
    message = _refused(laptop, hq, tmp_path, edit)
    assert message.startswith("data/records.json") and expect in message
    # the records are checked before any photo is stored
    assert not [p for p in (hdata / "media").rglob("*") if p.is_file()]


def test_a_hostile_photo_is_refused_with_its_member_named(laptop, hq, tmp_path: Path) -> None:
    """The photo's bytes match the manifest (a valid signature) but are not an image."""
    _ldb, ldata, pkg, _m = laptop
    hdb, _hdata = hq
    junk = b"MZ" + bytes(5000)
    sha = hashlib.sha256(junk).hexdigest()

    def swap(doc: dict) -> None:
        bundle = _first_with(doc, "photos")
        bundle["photos"][0]["sha256"] = sha
        bundle["content_hash"] = wire.bundle_hash(bundle)

    bad = _repack(pkg, tmp_path / "bad.inspkg", ldata, swap, extra=((f"media/{sha}.jpg", junk),))
    before = db_fingerprint(hdb.db.path)
    with pytest.raises(PackageRejected, match=f"media/{sha}.jpg"):
        import_package(hdb, bad, actor="总部")
    assert db_fingerprint(hdb.db.path) == before


def test_a_device_is_pinned_to_its_key(laptop, hq, tmp_path: Path) -> None:
    _ldb, ldata, pkg, _m = laptop
    hdb, _hdata = hq
    import_package(hdb, pkg, actor="总部")
    # a second folder claiming the laptop's device id, with its own key
    impostor = tmp_path / "impostor"
    impostor.mkdir()
    shutil.copytree(ldata / "signing", impostor / "signing", dirs_exist_ok=True)
    device_file = impostor / "signing" / "device.json"
    facts = json.loads(device_file.read_text())
    other = device_identity(tmp_path / "someone-else")
    facts["private_key"] = json.loads(
        (tmp_path / "someone-else" / "signing" / "device.json").read_text()
    )["private_key"]
    device_file.write_text(json.dumps(facts))
    assert device_identity(impostor).device_id == device_identity(ldata).device_id
    assert other.public_key_b64 == device_identity(impostor).public_key_b64
    fake = _repack(pkg, tmp_path / "fake.inspkg", impostor, lambda d: None)
    assert not preview_import(hdb, fake).key_matches
    before = db_fingerprint(hdb.db.path)
    with pytest.raises(PackageRejected, match="signed with another key"):
        import_package(hdb, fake, actor="总部")
    assert db_fingerprint(hdb.db.path) == before


def test_a_site_known_under_another_id_is_matched_by_code(laptop, hq) -> None:
    ldb, _ldata, pkg, _m = laptop
    hdb, _hdata = hq
    # HQ registered PB-02 itself (another id), with another contact person
    upsert_sites(
        hdb,
        [
            {
                "code": "PB-02",
                "name": "威海市总部登记的名称",
                "site_type": "pilot_base",
                "contact_name": "王主任",
            }
        ],
        actor="总部",
    )
    result = import_package(hdb, pkg, actor="总部")
    assert result.merge.site_conflicts == 1
    detail = views_svc.inspection_detail(hdb, SIGNED)
    assert detail["site_code"] == "PB-02" and detail["site"] == "威海市总部登记的名称"
    (conflict,) = list_conflicts(hdb)
    assert conflict["entity"] == "site"
    # HQ decides the laptop's facts are right
    resolve_conflict(hdb, conflict["id"], keep="incoming", actor="总部")
    laptop_name = views_svc.inspection_detail(ldb, SIGNED)["site"]
    assert views_svc.inspection_detail(hdb, SIGNED)["site"] == laptop_name != "威海市总部登记的名称"


def test_exporting_nothing_or_a_missing_photo_file_is_a_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    ws = _folder(data)
    with pytest.raises(InvalidInput, match="no inspection to export"):
        export_package(ws, tmp_path / "x.inspkg", actor="张工")
    assert not (tmp_path / "x.inspkg").exists()
    ws.close()


def _conflicted(tmp_path: Path, sent: dict[str, Any]) -> tuple[Workspace, Workspace, Any, str]:
    """HQ and the laptop both commented the same item of one draft since the first
    package; the second package conflicts. Returns the laptop, HQ, the item, and the
    conflict's id."""
    ldb, hdb = sent["laptop"], sent["hq"]
    state = views_svc.load_inspection_state(ldb, DRAFT)
    item = next(i for i in state.template.items() if i.id not in state.answers and i.scored)
    answers_svc.comment_item(hdb, DRAFT, item.id, "总部的意见", actor="总部")
    answers_svc.comment_item(ldb, DRAFT, item.id, "现场的意见", actor="张工")
    second = tmp_path / "2.inspkg"
    export_package(ldb, second, actor="张工")
    assert import_package(hdb, second, actor="总部").merge.conflicts == [DRAFT]
    (conflict,) = list_conflicts(hdb)
    return ldb, hdb, item, conflict["id"]


def test_taking_the_incoming_version_then_later_packages_fast_forward(tmp_path: Path, sent) -> None:
    ldb, hdb, item, conflict_id = _conflicted(tmp_path, sent)
    done = resolve_conflict(hdb, conflict_id[:8], keep="incoming", actor="总部")
    assert done["resolution"] == "took_incoming"
    assert views_svc.load_inspection_state(hdb, DRAFT).answers[item.id].comment == "现场的意见"
    assert list_conflicts(hdb) == []
    assert [c["resolved"] for c in list_conflicts(hdb, open_only=False)] == ["took_incoming"]
    # HQ's own dropped edit no longer counts: the laptop's next package fast-forwards
    answers_svc.comment_item(ldb, DRAFT, item.id, "再次补充", actor="张工")
    third = tmp_path / "3.inspkg"
    export_package(ldb, third, actor="张工")
    result = import_package(hdb, third, actor="总部")
    assert result.merge.updated == [DRAFT] and not result.merge.conflicts
    assert views_svc.load_inspection_state(hdb, DRAFT).answers[item.id].comment == "再次补充"
    with pytest.raises(InvalidInput, match="resolved already"):
        resolve_conflict(hdb, conflict_id, keep="local", actor="总部")


def test_keeping_the_local_version_records_the_decision(tmp_path: Path, sent) -> None:
    _ldb, hdb, item, conflict_id = _conflicted(tmp_path, sent)
    before = views_svc.load_inspection_state(hdb, DRAFT).answers
    resolve_conflict(hdb, conflict_id, keep="local", actor="总部")
    assert views_svc.load_inspection_state(hdb, DRAFT).answers == before
    assert before[item.id].comment == "总部的意见"
    with hdb.db.raw() as con:
        actor, new = con.execute(
            "SELECT actor, new FROM audit_log WHERE action = 'resolve'"
        ).fetchone()
    assert actor == "总部" and json.loads(new)["resolution"] == "kept_local"
    with pytest.raises(NotFound):
        resolve_conflict(hdb, "nonexistent", keep="local", actor="总部")


# -- what a review found (each test failed before its fix) ---------------------------------------


def test_forwarding_or_exporting_at_hq_does_not_make_the_next_package_a_conflict(
    tmp_path: Path, sent
) -> None:
    ldb, hdb, marked = sent["laptop"], sent["hq"], sent["marked"]
    archive = export_package(hdb, tmp_path / "archive.inspkg", actor="总部")
    assert archive.marked_exported == ()  # received ones are forwarded, not "exported" here
    second = tmp_path / "2.inspkg"
    export_package(ldb, second, actor="张工")
    result = import_package(hdb, second, actor="总部")
    assert result.merge.conflicts == [] and set(marked) <= set(result.merge.unchanged)


def test_keeping_local_sticks_when_the_same_version_arrives_again(tmp_path: Path, sent) -> None:
    ldb, hdb, _item, conflict_id = _conflicted(tmp_path, sent)
    resolve_conflict(hdb, conflict_id, keep="local", actor="总部")
    again = tmp_path / "again.inspkg"
    export_package(ldb, again, actor="张工")  # nothing edited since
    result = import_package(hdb, again, actor="总部")
    assert result.merge.conflicts == [] and result.merge.kept_newer == [DRAFT]
    assert list_conflicts(hdb) == []
    assert len(list_conflicts(hdb, open_only=False)) == 1


def test_an_older_conflict_cannot_undo_a_newer_decision(tmp_path: Path, sent) -> None:
    ldb, hdb, item, first_conflict = _conflicted(tmp_path, sent)
    answers_svc.comment_item(ldb, DRAFT, item.id, "现场的第二次意见", actor="张工")
    third = tmp_path / "3.inspkg"
    export_package(ldb, third, actor="张工")
    import_package(hdb, third, actor="总部")
    newer = next(c["id"] for c in list_conflicts(hdb) if c["id"] != first_conflict)
    resolve_conflict(hdb, newer, keep="incoming", actor="总部")
    with pytest.raises(InvalidInput, match="same as this one or newer"):
        resolve_conflict(hdb, first_conflict, keep="incoming", actor="总部")
    assert (
        views_svc.load_inspection_state(hdb, DRAFT).answers[item.id].comment == "现场的第二次意见"
    )


def test_a_reinspection_carrying_a_finding_of_a_conflicted_visit_waits_as_a_conflict(
    tmp_path: Path, sent
) -> None:
    ldb, hdb, _item, _c = _conflicted(tmp_path, sent)
    # on the laptop the draft gets a finding, then a re-inspection of the site carries it
    findings_svc.add_finding(ldb, DRAFT, description="设备台账缺失", actor="张工")
    draft = views_svc.inspection_detail(ldb, DRAFT)
    visit = svc.start_inspection(
        ldb,
        site_id=find_site(ldb, draft["site_code"]).id,
        template_version_id=draft["template_version_id"],
        inspectors=["张工"],
        started_on=dt.date.fromisoformat(draft["started_on"]) + dt.timedelta(days=30),
        actor="张工",
    )
    assert views_svc.inspection_detail(ldb, visit.id)["previous_inspection"] == DRAFT
    pkg = tmp_path / "4.inspkg"
    export_package(ldb, pkg, actor="张工")
    result = import_package(hdb, pkg, actor="总部")  # no longer a foreign-key crash
    assert set(result.merge.conflicts) == {DRAFT, visit.id}
    # decide the visit first: it has to wait for the draft
    waiting = next(c["id"] for c in list_conflicts(hdb) if c["entity_id"] == visit.id)
    with pytest.raises(InvalidInput, match="decide that inspection's conflict first"):
        resolve_conflict(hdb, waiting, keep="incoming", actor="总部")
    latest = [c for c in list_conflicts(hdb) if c["entity_id"] == DRAFT][-1]["id"]
    resolve_conflict(hdb, latest, keep="incoming", actor="总部")
    resolve_conflict(hdb, waiting, keep="incoming", actor="总部")
    carried = views_svc.inspection_detail(hdb, visit.id)["findings"]
    assert carried == views_svc.inspection_detail(ldb, visit.id)["findings"]
    assert "设备台账缺失" in [f["description"] for f in carried]


def _rehash(doc: dict) -> None:
    for bundle in doc["inspections"]:
        bundle["content_hash"] = wire.bundle_hash(bundle)


def _signed_bundle(doc: dict) -> dict:
    return next(b for b in doc["inspections"] if b["inspection"]["id"] == SIGNED)


def _forge_signed(doc: dict) -> None:
    """A later 'version' of the signed inspection that rewrites what was frozen."""
    bundle = _signed_bundle(doc)
    bundle["revisions"][0]["completed_by"] = "冒名"
    last = bundle["history"][-1]
    entry = {**last, "id": "f" * 36, "seq": last["seq"] + 1, "action": "update"}
    values = {k: entry[k] for k in wire.HISTORY_KEYS if k not in ("prev_hash", "hash")}
    entry["prev_hash"] = last["hash"]
    entry["hash"] = audit_row_hash(values, entry["prev_hash"])
    bundle["history"].append(entry)
    _rehash(doc)


def test_a_later_version_may_not_rewrite_a_frozen_revision(laptop, hq, tmp_path: Path) -> None:
    _ldb, _ldata, pkg, _m = laptop
    hdb, _hdata = hq
    import_package(hdb, pkg, actor="总部")
    forged = _repack(pkg, tmp_path / "forged.inspkg", tmp_path / "other-device", _forge_signed)
    result = import_package(hdb, forged, actor="总部")
    assert SIGNED in result.merge.conflicts and SIGNED not in result.merge.updated
    with hdb.db.raw() as con:
        by = con.execute(
            "SELECT completed_by FROM inspection_revision WHERE inspection_id = ?", (SIGNED,)
        ).fetchall()
    assert "冒名" not in {b[0] for b in by}


def _steal_photo(doc: dict) -> None:
    """Give the signed inspection a photo row carrying the id of another's photo."""
    other = next(b for b in doc["inspections"] if b["photos"] and b["inspection"]["id"] != SIGNED)
    mine = _signed_bundle(doc)
    mine["photos"].append({**other["photos"][0], "inspection_id": SIGNED})
    _rehash(doc)


@pytest.mark.parametrize(
    ("case", "edit", "expect"),
    [
        ("a row id of another inspection", _steal_photo, "belongs to another inspection"),
        (
            "an infinite score",
            lambda d: d["inspections"][0]["inspection"].update(score_total=10**400),
            "score_total: not a valid Float value",
        ),
        (
            "an answer to no item",
            lambda d: _first_with(d, "answers")["answers"][0].update(item_id="no_such_item"),
            "no item no_such_item in the template",
        ),
        (
            "ticks that are not numbers",
            lambda d: _first_with(d, "answers")["answers"][0].update(evidence_checked='"5"'),
            "evidence_checked",
        ),
        (
            "two answers to one item",
            lambda d: _first_with(d, "answers")["answers"].append(
                {**_first_with(d, "answers")["answers"][0], "id": "e" * 36}
            ),
            "appears twice (item_id)",
        ),
        (
            "a completed inspection without its frozen revision",
            lambda d: _signed_bundle(d).update(revisions=[], signatures=[]),
            "the status does not agree with the frozen revisions",
        ),
        (
            "a photo said to be a PNG",
            lambda d: _first_with(d, "photos")["photos"][0].update(media_type="image/png"),
            "is not in the package",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_records_that_would_break_the_app_later_are_refused(
    laptop, hq, tmp_path: Path, case: str, edit, expect: str
) -> None:
    assert expect in _refused(laptop, hq, tmp_path, lambda d: (edit(d), _rehash(d)))


def test_a_photo_file_must_hash_to_its_name(laptop, hq, tmp_path: Path) -> None:
    _ldb, ldata, pkg, _m = laptop
    hdb, _hdata = hq
    manifest = read_manifest(pkg)
    media = [f.path for f in manifest.files if f.path.startswith("media/")]
    import tempfile

    from inspector_app.sync.package import open_package

    with tempfile.TemporaryDirectory() as tmp:
        opened = open_package(pkg, Path(tmp))
        swapped = {media[0]: opened.path_of(media[1]).read_bytes()}
        members: list[tuple[str, bytes | Path]] = [
            (f.path, swapped.get(f.path) or opened.path_of(f.path).read_bytes())
            for f in manifest.files
        ]
        bad = tmp_path / "swapped.inspkg"
        write_package(
            bad,
            device_identity(ldata),
            kind="inspections",
            sequence=1,
            schema_version=manifest.schema_version,
            app_version=manifest.app_version,
            created_at=manifest.created_at,
            summary={},
            audit_head=None,
            members=members,
        )
    with pytest.raises(PackageRejected, match="does not match its record"):
        import_package(hdb, bad, actor="总部")


def test_a_number_that_is_not_finite_is_refused() -> None:
    """``1e400`` in JSON text parses to infinity; 10**400 overflows a float."""
    for value in (float("inf"), float("-inf"), float("nan")):
        with pytest.raises(ValueError):
            values._convert("Float", value)
    with pytest.raises(OverflowError):
        values._convert("Float", 10**400)
    assert values._convert("Float", 92) == 92.0


def test_leftover_staging_is_swept_and_a_racing_second_import_changes_nothing(
    laptop, hq, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector_app.services import package_import
    from inspector_app.store import staging

    _ldb, _ldata, pkg, _m = laptop
    hdb, hdata = hq
    old = hdata / ".staging" / "old"  # no import holds it (tests/sync/test_staging.py)
    old.mkdir(parents=True)
    (old / "part.jpg").write_bytes(b"x")
    with staging.claim(hdata) as running:  # another window's import, still running
        import_package(hdb, pkg, actor="总部")
        assert not old.exists() and running.exists()
    # a second window checked "not imported yet" just before the first one committed
    before = db_fingerprint(hdb.db.path)
    monkeypatch.setattr(package_import, "_device_state", lambda db, manifest: (True, True, False))
    again = import_package(hdb, pkg, actor="总部")
    assert again.already_imported
    assert db_fingerprint(hdb.db.path) == before

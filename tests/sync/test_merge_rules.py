"""The merge decision, rule by rule (issue 15): what a fast-forward writes, when a later
version is refused, and the cases no other test ran. Real data folders, real packages.

A laptop and HQ each start from a prepared folder; the laptop starts one inspection of a
small site, sends it, works on, and sends again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services import photos as photos_svc
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.conflicts import conflict_differences
from inspector_app.services.errors import InvalidInput
from inspector_app.services.history import load_history
from inspector_app.services.sites import upsert_sites
from inspector_app.services.sync import (
    PackageRejected,
    export_package,
    import_package,
    list_conflicts,
    resolve_conflict,
)
from inspector_app.store.repo import sync_records
from inspector_app.sync import wire
from inspector_app.sync.bundles import inspection_bundle, row_of
from inspector_app.sync.package import open_package
from inspector_app.sync.strict import canonical_json
from inspector_app.workspace import Workspace
from tests.conftest import open_ws, prepared_folder
from tests.media import make_jpeg
from tests.services.helpers import add_site, answer_all, start
from tests.sync.helpers import YES_NO_ITEM, repack

WHO = "王晓明"
DEVICE = "王晓明 @ LAPTOP-7F3K"


_PAIRS: dict[bool, tuple[Path, Any]] = {}  # built once per test process, then copied


def _build_pair(root: Path, hq_registered_site: bool) -> tuple[Path, Any]:
    laptop_dir, hq_dir = root / "laptop", root / "hq"
    laptop, hq = open_ws(prepared_folder(laptop_dir)), open_ws(prepared_folder(hq_dir))
    if hq_registered_site:
        add_site(hq, "PB-T1")
    iid, _template = start(laptop)
    answers_svc.answer_item(laptop, iid, YES_NO_ITEM, "yes", actor=WHO)
    first = root / "1.inspkg"
    export_package(laptop, first, actor=WHO, device_name=DEVICE)
    received = import_package(hq, first, actor="总部")
    assert received.merge.added == [iid]
    laptop.close()
    hq.close()
    return root, received


def make_pair(
    tmp_path: Path, *, hq_registered_site: bool = False, fresh: bool = False
) -> dict[str, Any]:
    """A laptop with one started inspection that HQ has received; with
    ``hq_registered_site``, HQ registered the site itself first (its own id, the same code).
    Built once per test process and copied, as ``prepared_folder`` is; ``fresh``: built here
    (a test of that first import must run it, not find it made by another process's code)."""
    import atexit
    import shutil

    laptop_dir, hq_dir = tmp_path / "laptop", tmp_path / "hq"
    if fresh:
        root, received = _build_pair(tmp_path, hq_registered_site)
    else:
        built = _PAIRS.get(hq_registered_site)
        if built is None or not built[0].exists():
            made = Path(tempfile.mkdtemp(prefix="inspector-pair-"))
            atexit.register(shutil.rmtree, made, True)
            built = _PAIRS[hq_registered_site] = _build_pair(made, hq_registered_site)
        root, received = built
        for name, dest in (("laptop", laptop_dir), ("hq", hq_dir)):
            shutil.copytree(root / name, dest)
    laptop, hq = open_ws(laptop_dir), open_ws(hq_dir)
    (iid,) = received.merge.added
    template = views_svc.load_inspection_state(laptop, iid).template
    state = {"laptop": laptop, "hq": hq, "laptop_dir": laptop_dir, "id": iid}
    return state | {"template": template, "tmp": tmp_path, "n": 1, "first": received}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[dict[str, Any]]:
    made = make_pair(tmp_path)
    yield made
    made["laptop"].close()
    made["hq"].close()


def send(p: dict[str, Any], edit: Any = None) -> Any:
    """The laptop's next package (its records changed by ``edit``, re-signed by the laptop),
    imported at HQ; the import result."""
    p["n"] += 1
    pkg = p["tmp"] / f"{p['n']}.inspkg"
    export_package(p["laptop"], pkg, actor=WHO, device_name=DEVICE)
    if edit is not None:
        pkg = repack(pkg, p["tmp"] / f"{p['n']}-edited.inspkg", p["laptop_dir"], edit)
    return import_package(p["hq"], pkg, actor="总部")


def bundle(doc: dict[str, Any], iid: str) -> dict[str, Any]:
    return next(b for b in doc["inspections"] if b["inspection"]["id"] == iid)


def detail(ws: Workspace, iid: str) -> dict[str, Any]:
    return views_svc.inspection_detail(ws, iid)


def signature_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (120, 40), 255).save(out, "PNG")
    return out.getvalue()


def sign(p: dict[str, Any], name: str) -> None:
    """``name`` signs the laptop's inspection as an inspector."""
    signatures_svc.record_signature(
        p["laptop"],
        p["id"],
        signer_name=name,
        role="inspector",
        image_png=signature_png(),
        actor=name,
    )


def complete(p: dict[str, Any]) -> None:
    answer_all(p["laptop"], p["id"], p["template"])
    svc.complete_inspection(p["laptop"], p["id"], actor=WHO)


# -- a fast-forward -----------------------------------------------------------------------------


def test_a_fast_forward_writes_the_inspection_row_and_keeps_the_history(pair) -> None:
    complete(pair)  # status, score and grade change on the laptop
    result = send(pair)
    assert result.merge.updated == [pair["id"]]
    here, there = detail(pair["laptop"], pair["id"]), detail(pair["hq"], pair["id"])
    assert there["status"] == "completed"
    for key in ("score", "grade", "revision", "ended_on", "data_hash", "revisions"):
        assert there[key] == here[key], key
    assert there["score"] is not None and there["score"] > 0
    # the history came with it, marked with the device it came from: the same version
    # again is unchanged, not a conflict
    arrived = load_history(pair["hq"], pair["id"]).entries
    assert len(arrived) == len(load_history(pair["laptop"], pair["id"]).entries)
    assert all(e.received and e.source == DEVICE for e in arrived)
    again = send(pair)
    assert again.merge.unchanged == [pair["id"]]
    assert (again.merge.updated, again.merge.conflicts) == ([], [])


def test_a_completed_then_signed_inspection_fast_forwards_each_time(pair) -> None:
    complete(pair)
    assert send(pair).merge.updated == [pair["id"]]
    for name in ("王晓明", "李娜"):
        sign(pair, name)
    assert detail(pair["laptop"], pair["id"])["status"] == "signed"
    result = send(pair)
    assert result.merge.updated == [pair["id"]] and result.merge.conflicts == []
    there = detail(pair["hq"], pair["id"])
    assert there["status"] == "signed"
    assert [s["signer"] for s in there["signatures"]] == ["王晓明", "李娜"]


def test_a_fast_forward_removes_rows_the_later_version_no_longer_has(pair) -> None:
    laptop, hq, iid = pair["laptop"], pair["hq"], pair["id"]
    jpeg = make_jpeg(pair["tmp"] / "site.jpg")
    photos_svc.add_photos(laptop, iid, [jpeg], actor=WHO)
    (photo,) = photos_svc.list_photos(laptop, iid)
    finding = findings_svc.add_finding(laptop, iid, description="设备台账缺失", actor=WHO)
    photos_svc.link_photo_to_finding(laptop, finding.id, photo.id, actor=WHO)
    assert send(pair).merge.updated == [iid]
    assert [p.id for p, _role in photos_svc.photos_of_finding(hq, finding.id)] == [photo.id]
    # a later version without the link, the photo and the answer (another device's tool
    # could remove them; this app has no command for it yet)
    answers_svc.comment_item(laptop, iid, YES_NO_ITEM, "复核", actor=WHO)

    def drop(doc: dict[str, Any]) -> None:
        b = bundle(doc, iid)
        b["finding_photos"] = []
        b["photos"] = []
        b["answers"] = [a for a in b["answers"] if a["item_id"] != YES_NO_ITEM]

    result = send(pair, drop)
    assert result.merge.updated == [iid]
    assert photos_svc.photos_of_finding(hq, finding.id) == []
    assert photos_svc.list_photos(hq, iid) == []
    assert YES_NO_ITEM not in views_svc.load_inspection_state(hq, iid).answers
    assert [f["id"] for f in detail(hq, iid)["findings"]] == [finding.id]  # the finding stays


def test_a_later_version_lacking_a_finding_kept_here_is_a_conflict(pair) -> None:
    laptop, hq, iid = pair["laptop"], pair["hq"], pair["id"]
    finding = findings_svc.add_finding(laptop, iid, description="设备台账缺失", actor=WHO)
    assert send(pair).merge.updated == [iid]
    answers_svc.comment_item(laptop, iid, YES_NO_ITEM, "复核", actor=WHO)

    def drop(doc: dict[str, Any]) -> None:
        bundle(doc, iid)["findings"] = []

    result = send(pair, drop)
    assert result.merge.conflicts == [iid] and result.merge.updated == []
    assert [f["id"] for f in detail(hq, iid)["findings"]] == [finding.id]
    assert views_svc.load_inspection_state(hq, iid).answers[YES_NO_ITEM].comment is None


def test_a_later_version_changing_a_frozen_revision_is_a_conflict(pair) -> None:
    complete(pair)
    assert send(pair).merge.updated == [pair["id"]]
    frozen = detail(pair["hq"], pair["id"])["revisions"]
    sign(pair, WHO)

    def rewrite(doc: dict[str, Any]) -> None:
        bundle(doc, pair["id"])["revisions"][0]["completed_by"] = "冒名"

    result = send(pair, rewrite)
    assert result.merge.conflicts == [pair["id"]] and result.merge.updated == []
    assert detail(pair["hq"], pair["id"])["revisions"] == frozen


# -- what no other test ran ---------------------------------------------------------------------


def test_an_inspection_following_a_visit_neither_sent_nor_here_is_refused(pair) -> None:
    answers_svc.comment_item(pair["laptop"], pair["id"], YES_NO_ITEM, "复核", actor=WHO)
    before = detail(pair["hq"], pair["id"])

    def orphan(doc: dict[str, Any]) -> None:
        bundle(doc, pair["id"])["inspection"]["previous_inspection_id"] = "0" * 32

    with pytest.raises(PackageRejected, match="neither in the package nor here") as info:
        send(pair, orphan)
    assert f"inspection {pair['id'][:8]}: it follows inspection 00000000," in str(info.value)
    assert detail(pair["hq"], pair["id"]) == before


def test_the_same_version_arriving_while_its_conflict_is_open_is_kept_once(pair) -> None:
    laptop, hq, iid = pair["laptop"], pair["hq"], pair["id"]
    answers_svc.comment_item(hq, iid, YES_NO_ITEM, "总部的意见", actor="总部")
    answers_svc.comment_item(laptop, iid, YES_NO_ITEM, "现场的意见", actor=WHO)
    assert send(pair).merge.conflicts == [iid]
    again = send(pair)  # a new package holding the same version
    assert again.merge.conflicts == [iid]
    assert [c["entity_id"] for c in list_conflicts(hq)] == [iid]
    assert views_svc.load_inspection_state(hq, iid).answers[YES_NO_ITEM].comment == "总部的意见"


def test_a_first_package_brings_its_site_and_template_and_again_changes_nothing(
    tmp_path: Path,
) -> None:
    laptop = open_ws(prepared_folder(tmp_path / "laptop"))
    hq = open_ws(tmp_path / "hq", forms=False)  # an empty folder: no site, no template
    iid, _template = start(laptop)
    other, _other_template = start(laptop, "tech-transfer-performance", code="TT-T1")
    pkg = tmp_path / "1.inspkg"
    export_package(laptop, pkg, actor=WHO, device_name=DEVICE)
    merged = import_package(hq, pkg, actor="总部").merge
    assert sorted(merged.added) == sorted([iid, other])
    merged.added = []
    assert merged.as_dict() == {
        "added": [],
        "updated": [],
        "unchanged": [],
        "kept_newer": [],
        "conflicts": [],
        "same_content": [],
        "sites_added": 2,
        "site_conflicts": 0,
        "templates_added": 2,
    }
    assert merged.changed
    assert detail(hq, iid) == detail(laptop, iid)
    assert detail(hq, other) == detail(laptop, other)
    arrived = load_history(hq, iid).entries
    assert arrived and all(e.received and e.source == DEVICE for e in arrived)
    # the same inspection in a new package: nothing added, nothing changed
    export_package(laptop, tmp_path / "2.inspkg", actor=WHO, device_name=DEVICE)
    again = import_package(hq, tmp_path / "2.inspkg", actor="总部").merge
    assert sorted(again.unchanged) == sorted([iid, other]) and not again.changed
    assert (again.sites_added, again.templates_added) == (0, 0)
    laptop.close()
    hq.close()


def test_a_site_registered_at_hq_is_the_same_site_unless_its_facts_differ(tmp_path) -> None:
    same = make_pair(tmp_path / "same", hq_registered_site=True, fresh=True)
    assert (same["first"].merge.site_conflicts, same["first"].merge.sites_added) == (0, 0)
    assert list_conflicts(same["hq"]) == []
    for ws in (same["laptop"], same["hq"]):
        ws.close()
    # HQ registered PB-T1 under another name: the site is the same, its facts a conflict
    laptop_dir, hq_dir = tmp_path / "other" / "laptop", tmp_path / "other" / "hq"
    laptop, hq = open_ws(prepared_folder(laptop_dir)), open_ws(prepared_folder(hq_dir))
    upsert_sites(
        hq, [{"code": "PB-T1", "name": "总部登记的名称", "site_type": "pilot_base"}], actor="总部"
    )
    iid, _template = start(laptop)
    pkg = tmp_path / "other.inspkg"
    export_package(laptop, pkg, actor=WHO, device_name=DEVICE)
    received = import_package(hq, pkg, actor="总部")
    assert (received.merge.site_conflicts, received.merge.added) == (1, [iid])
    (conflict,) = list_conflicts(hq)
    assert (conflict["entity"], conflict["package_id"]) == ("site", received.package_id)
    assert detail(hq, iid)["site"] == "总部登记的名称"
    # kept against HQ's row, known by the facts that came
    site_id = records_of(hq, iid)["site_id"]  # type: ignore[index]
    with hq.db.transaction() as s:
        local_site = sync_records.site(s, site_id)
        assert local_site is not None
        here = row_of(local_site)
    assert stored_hash(hq, conflict["id"]) == hashlib.sha256(canonical_json(here)).hexdigest()
    # HQ keeps its name; the same facts again are not asked again, other facts are
    resolve_conflict(hq, conflict["id"], keep="local", actor="总部")
    export_package(laptop, tmp_path / "again.inspkg", actor=WHO, device_name=DEVICE)
    assert import_package(hq, tmp_path / "again.inspkg", actor="总部").merge.site_conflicts == 0
    upsert_sites(
        laptop, [{"code": "PB-T1", "name": "现场更正的名称", "site_type": "pilot_base"}], actor=WHO
    )
    export_package(laptop, tmp_path / "other.inspkg", actor=WHO, device_name=DEVICE)
    assert import_package(hq, tmp_path / "other.inspkg", actor="总部").merge.site_conflicts == 1
    newest = next(c for c in list_conflicts(hq) if c["resolved"] is None)
    resolve_conflict(hq, newest["id"], keep="incoming", actor="总部")
    assert detail(hq, iid)["site"] == detail(laptop, iid)["site"] == "现场更正的名称"
    laptop.close()
    hq.close()


def test_site_conflicts_are_counted_each(tmp_path: Path) -> None:
    laptop = open_ws(prepared_folder(tmp_path / "laptop"))
    hq = open_ws(prepared_folder(tmp_path / "hq"))
    for code in ("PB-T1", "PB-T2"):
        upsert_sites(
            hq, [{"code": code, "name": f"总部的{code}", "site_type": "pilot_base"}], actor="总部"
        )
        start(laptop, code=code)
    export_package(laptop, tmp_path / "1.inspkg", actor=WHO, device_name=DEVICE)
    merged = import_package(hq, tmp_path / "1.inspkg", actor="总部").merge
    assert (merged.site_conflicts, merged.sites_added, len(merged.added)) == (2, 0, 2)
    laptop.close()
    hq.close()


def test_keeping_the_local_version_sticks_when_the_same_version_arrives_again(pair) -> None:
    hq, iid = pair["hq"], pair["id"]
    both_comment(pair, "总部的意见", "现场的意见")
    resolve_conflict(hq, conflict_of(hq, iid), keep="local", actor="总部")
    again = send(pair)  # nothing edited since on the laptop
    assert (again.merge.conflicts, again.merge.kept_newer) == ([], [iid])
    assert list_conflicts(hq) == [] and len(list_conflicts(hq, open_only=False)) == 1
    assert comment_at_hq(pair) == "总部的意见"
    # a later version is a new conflict
    answers_svc.comment_item(pair["laptop"], iid, YES_NO_ITEM, "现场的第二次意见", actor=WHO)
    assert send(pair).merge.conflicts == [iid]


def test_a_conflict_records_the_local_version_it_was_kept_against(pair) -> None:
    hq, iid = pair["hq"], pair["id"]
    both_comment(pair, "总部的意见", "现场的意见")
    with hq.db.transaction() as s:
        local = sync_records.inspection(s, iid)
        assert local is not None
        expected = hashlib.sha256(canonical_json(inspection_bundle(s, local))).hexdigest()
    assert stored_hash(hq, conflict_of(hq, iid)) == expected
    visit = reinspect(pair)  # a visit new here: no local version
    assert stored_hash(hq, conflict_of(hq, visit)) == "0" * 64


def test_the_same_edit_on_both_sides_is_no_conflict_and_its_history_is_shown(pair) -> None:
    hq, iid = pair["hq"], pair["id"]
    result = both_comment(pair, "同样的意见", "同样的意见")
    assert (result.merge.same_content, result.merge.conflicts) == ([iid], [])
    assert list_conflicts(hq) == []
    shown = load_history(hq, iid).entries
    from_laptop = [e for e in shown if e.received and e.source == DEVICE]
    assert any(e.actor == WHO and "同样的意见" in str(e.new) for e in from_laptop)
    assert any(e.actor == "总部" and not e.received for e in shown)


def test_a_reinspection_of_a_visit_here_is_added(pair) -> None:
    laptop, iid = pair["laptop"], pair["id"]
    visit = revisit(laptop, iid)
    result = send(pair)
    assert (result.merge.added, result.merge.unchanged) == ([visit], [iid])
    assert records_of(pair["hq"], visit)["previous_inspection_id"] == iid  # type: ignore[index]


def test_a_reinspection_sent_without_the_visit_it_follows_is_added_when_that_is_here(
    pair,
) -> None:
    laptop, iid = pair["laptop"], pair["id"]
    visit = revisit(laptop, iid)

    def only_the_visit(doc: dict[str, Any]) -> None:  # as another exporter may send it
        doc["inspections"] = [b for b in doc["inspections"] if b["inspection"]["id"] == visit]

    assert send(pair, only_the_visit).merge.added == [visit]


def test_a_kept_version_is_known_by_its_content_hash_and_history(pair) -> None:
    """The hash a decision is found by again: it must not change between app versions, or
    a version kept local before an update would come back as a conflict after it."""
    hq, iid = pair["hq"], pair["id"]
    answers_svc.comment_item(hq, iid, YES_NO_ITEM, "总部的意见", actor="总部")
    answers_svc.comment_item(pair["laptop"], iid, YES_NO_ITEM, "现场的意见", actor=WHO)
    pkg = pair["tmp"] / "sent.inspkg"
    export_package(pair["laptop"], pkg, actor=WHO, device_name=DEVICE)
    doc = package_records(pkg)
    sent = bundle(doc, iid)
    edits = [e["id"] for e in sent["history"] if e["action"] not in ("export", "report_signed")]
    expected = hashlib.sha256((sent["content_hash"] + "," + ",".join(edits)).encode()).hexdigest()
    assert import_package(hq, pkg, actor="总部").merge.conflicts == [iid]
    with hq.db.raw() as con:
        (kept,) = con.execute("SELECT incoming_hash FROM sync_conflict").fetchone()
    assert kept == expected


def test_an_incoming_row_with_the_id_of_another_inspections_row_is_refused(pair) -> None:
    hq, laptop, iid = pair["hq"], pair["laptop"], pair["id"]
    other, _template = start(hq, code="PB-T9")  # HQ's own inspection, with a finding
    theirs = findings_svc.add_finding(hq, other, description="总部的问题", actor="总部")
    findings_svc.add_finding(laptop, iid, description="设备台账缺失", actor=WHO)
    before = detail(hq, iid)

    def steal(doc: dict[str, Any]) -> None:
        b = bundle(doc, iid)
        b["findings"][0]["id"] = theirs.id

    with pytest.raises(PackageRejected) as info:
        send(pair, steal)
    assert f"inspection {iid[:8]}: findings {theirs.id[:8]} belongs to another inspection" in str(
        info.value
    )
    assert detail(hq, iid) == before
    assert [f["description"] for f in detail(hq, other)["findings"]] == ["总部的问题"]


def test_two_sites_of_a_package_matching_one_site_here_are_refused(pair) -> None:
    before = detail(pair["hq"], pair["id"])

    def twins(doc: dict[str, Any]) -> None:  # one by its id, the other by its code
        site = doc["sites"][0]
        doc["sites"].append({**site, "id": "1" * 32})
        site["code"] = "PB-T1-X"

    with pytest.raises(PackageRejected, match="two sites in the package match site PB-T1 here"):
        send(pair, twins)
    assert detail(pair["hq"], pair["id"]) == before


def retemplate(doc: dict[str, Any], iid: str, version: str | None = None) -> None:
    """The package's template read otherwise (and, with ``version``, another version of it),
    with the same id: as another exporter could send it."""
    row = doc["templates"][0]
    data = json.loads(row["canonical_json"])
    data["title"]["en"] += " (edited)"
    row["title_en"] = data["title"]["en"]
    if version is not None:
        data["version"] = row["version"] = version
    row["canonical_json"] = json.dumps(data, ensure_ascii=False)
    row["content_hash"] = hashlib.sha256(row["canonical_json"].encode()).hexdigest()
    head = bundle(doc, iid)["inspection"]
    head["template_hash"] = row["content_hash"]
    head["template_version"] = row["version"]


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (None, "version 2024.1 in the package differs from the one here with the same version"),
        ("2099.9", "clashes with another here"),
    ],
    ids=["same version", "same id"],
)
def test_a_template_that_differs_from_the_one_here_is_refused(pair, version, message) -> None:
    answers_svc.comment_item(pair["laptop"], pair["id"], YES_NO_ITEM, "复核", actor=WHO)
    before = detail(pair["hq"], pair["id"])
    with pytest.raises(PackageRejected, match=message):
        send(pair, lambda doc: retemplate(doc, pair["id"], version))
    assert detail(pair["hq"], pair["id"]) == before


def test_an_older_version_than_the_one_here_is_kept_as_it_is(pair) -> None:
    hq, iid = pair["hq"], pair["id"]
    answers_svc.comment_item(pair["laptop"], iid, YES_NO_ITEM, "现场的意见", actor=WHO)
    old = pair["tmp"] / "old.inspkg"
    export_package(pair["laptop"], old, actor=WHO, device_name=DEVICE)
    answers_svc.comment_item(pair["laptop"], iid, YES_NO_ITEM, "现场的第二次意见", actor=WHO)
    assert send(pair).merge.updated == [iid]
    result = import_package(hq, old, actor="总部").merge
    assert (result.kept_newer, result.updated, result.conflicts) == ([iid], [], [])
    assert comment_at_hq(pair) == "现场的第二次意见"


# -- taking a conflict's incoming version -------------------------------------------------------


def both_comment(p: dict[str, Any], hq_says: str, laptop_says: str) -> Any:
    """HQ and the laptop each comment the same item; the laptop's package: a conflict."""
    answers_svc.comment_item(p["hq"], p["id"], YES_NO_ITEM, hq_says, actor="总部")
    answers_svc.comment_item(p["laptop"], p["id"], YES_NO_ITEM, laptop_says, actor=WHO)
    return send(p)


def conflict_of(ws: Workspace, iid: str, nth: int = -1) -> str:
    return [c["id"] for c in list_conflicts(ws) if c["entity_id"] == iid][nth]


def comment_at_hq(p: dict[str, Any]) -> str | None:
    return views_svc.load_inspection_state(p["hq"], p["id"]).answers[YES_NO_ITEM].comment


def test_taking_the_incoming_version_writes_it_with_its_history(pair) -> None:
    hq, iid = pair["hq"], pair["id"]
    photos_svc.add_photos(pair["laptop"], iid, [make_jpeg(pair["tmp"] / "site.jpg")], actor=WHO)
    assert both_comment(pair, "总部的意见", "现场的意见").merge.conflicts == [iid]
    assert photos_svc.list_photos(hq, iid) == []
    resolve_conflict(hq, conflict_of(hq, iid), keep="incoming", actor="总部")
    assert comment_at_hq(pair) == "现场的意见"
    assert list_conflicts(hq) == []
    assert [p.sha256 for p in photos_svc.list_photos(hq, iid)] == [
        p.sha256 for p in photos_svc.list_photos(pair["laptop"], iid)
    ]
    # every entry of the laptop's is marked with the device it came from
    shown = load_history(hq, iid).entries
    comment = next(e for e in shown if "现场的意见" in str(e.new))
    assert comment.received and comment.source == DEVICE
    # the history came with it: the laptop's next version fast-forwards
    answers_svc.comment_item(pair["laptop"], pair["id"], YES_NO_ITEM, "现场的第二次意见", actor=WHO)
    assert send(pair).merge.updated == [pair["id"]]
    assert comment_at_hq(pair) == "现场的第二次意见"


def test_an_older_conflict_cannot_undo_a_newer_decision(pair) -> None:
    both_comment(pair, "总部的意见", "现场的意见")
    older = conflict_of(pair["hq"], pair["id"])
    answers_svc.comment_item(pair["laptop"], pair["id"], YES_NO_ITEM, "现场的第二次意见", actor=WHO)
    assert send(pair).merge.conflicts == [pair["id"]]
    resolve_conflict(pair["hq"], conflict_of(pair["hq"], pair["id"]), keep="incoming", actor="总部")
    with pytest.raises(InvalidInput, match="the local version is the same as this one or newer"):
        resolve_conflict(pair["hq"], older, keep="incoming", actor="总部")
    assert comment_at_hq(pair) == "现场的第二次意见"
    assert [c["id"] for c in list_conflicts(pair["hq"])] == [older]  # still to be decided


def test_taking_a_version_that_rewrites_a_frozen_revision_is_refused(pair) -> None:
    complete(pair)
    assert send(pair).merge.updated == [pair["id"]]
    frozen = detail(pair["hq"], pair["id"])
    sign(pair, WHO)

    def rewrite(doc: dict[str, Any]) -> None:
        bundle(doc, pair["id"])["revisions"][0]["completed_by"] = "冒名"

    assert send(pair, rewrite).merge.conflicts == [pair["id"]]
    with pytest.raises(InvalidInput, match="lacks or changes a frozen revision"):
        resolve_conflict(
            pair["hq"], conflict_of(pair["hq"], pair["id"]), keep="incoming", actor="总部"
        )
    assert detail(pair["hq"], pair["id"]) == frozen


def stored_hash(ws: Workspace, conflict_id: str) -> str:
    """The local version's hash a conflict was kept against."""
    with ws.db.raw() as con:
        (value,) = con.execute(
            "SELECT local_hash FROM sync_conflict WHERE id = ?", (conflict_id,)
        ).fetchone()
    return str(value)


def stored_conflict(ws: Workspace, conflict_id: str) -> tuple[Any, Any]:
    """A kept conflict's incoming version as the database holds it, and how to write it back
    (as a folder kept by an earlier version, or damaged, would hold it)."""
    with ws.db.raw() as con:
        (text,) = con.execute(
            "SELECT incoming_json FROM sync_conflict WHERE id = ?", (conflict_id,)
        ).fetchone()

    def put(doc: dict[str, Any]) -> None:
        doc["content_hash"] = wire.bundle_hash({k: v for k, v in doc.items() if k != "_local"})
        with ws.db.raw() as con:
            con.execute(
                "UPDATE sync_conflict SET incoming_json = ? WHERE id = ?",
                (json.dumps(doc, ensure_ascii=False), conflict_id),
            )
            con.commit()

    return json.loads(text), put


def test_a_conflict_kept_before_formats_were_recorded_is_read_as_format_1(pair) -> None:
    laptop, hq, iid = pair["laptop"], pair["hq"], pair["id"]
    complete(pair)
    assert send(pair).merge.updated == [iid]
    # both amend; the laptop completes again: its version has a second revision
    svc.amend_inspection(hq, iid, reason="总部复核", actor="总部")
    svc.amend_inspection(laptop, iid, reason="补充", actor=WHO)
    answers_svc.comment_item(laptop, iid, YES_NO_ITEM, "现场的意见", actor=WHO)
    svc.complete_inspection(laptop, iid, actor=WHO)
    assert send(pair).merge.conflicts == [iid]
    cid = conflict_of(hq, iid)
    doc, put = stored_conflict(hq, cid)
    # format 1 kept no "_local", and a revision of it may lack organisation and display zone
    second = doc["revisions"][1]
    assert second["revision"] == 2
    del second["organisation"], second["display_zone"], doc["_local"]
    put(doc)
    resolve_conflict(hq, cid, keep="incoming", actor="总部")
    assert comment_at_hq(pair) == "现场的意见"
    assert detail(hq, iid)["revision"] == 2 and detail(hq, iid)["status"] == "completed"


def test_a_conflict_in_a_format_this_app_does_not_know_is_refused(pair) -> None:
    both_comment(pair, "总部的意见", "现场的意见")
    cid = conflict_of(pair["hq"], pair["id"])
    doc, put = stored_conflict(pair["hq"], cid)
    doc["_local"]["format_version"] = 99
    put(doc)
    with pytest.raises(InvalidInput, match="records format 99 is not supported"):
        resolve_conflict(pair["hq"], cid, keep="incoming", actor="总部")
    assert comment_at_hq(pair) == "总部的意见"


def test_a_damaged_kept_version_is_refused_naming_the_place(pair) -> None:
    both_comment(pair, "总部的意见", "现场的意见")
    cid = conflict_of(pair["hq"], pair["id"])
    doc, put = stored_conflict(pair["hq"], cid)
    doc["answers"][0]["item_id"] = 7
    put(doc)
    with pytest.raises(InvalidInput) as info:
        resolve_conflict(pair["hq"], cid, keep="incoming", actor="总部")
    assert str(info.value).startswith(f"{wire.RECORDS_MEMBER}: sync_conflict.answers[0].item_id")
    assert comment_at_hq(pair) == "总部的意见"
    doc["answers"][0]["item_id"] = YES_NO_ITEM
    doc["inspection"]["template_hash"] = "0" * 64
    put(doc)
    with pytest.raises(InvalidInput, match="template version is not here"):
        resolve_conflict(pair["hq"], cid, keep="incoming", actor="总部")


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("inspection", [], "template version is not here"),
        ("template_version_id", [], "sync_conflict.inspection"),
        ("site_id", [], "sync_conflict.inspection"),
    ],
)
def test_a_kept_version_whose_ids_are_not_text_is_refused(pair, where, value, message) -> None:
    both_comment(pair, "总部的意见", "现场的意见")
    cid = conflict_of(pair["hq"], pair["id"])
    doc, put = stored_conflict(pair["hq"], cid)
    if where == "inspection":
        doc["inspection"] = value
    else:
        doc["inspection"][where] = value
    put(doc)
    with pytest.raises(InvalidInput, match=message):
        resolve_conflict(pair["hq"], cid, keep="incoming", actor="总部")
    assert comment_at_hq(pair) == "总部的意见"


def package_records(pkg: Path) -> dict[str, Any]:
    """The records document of a package file, as sent."""
    with tempfile.TemporaryDirectory() as tmp:
        doc: dict[str, Any] = open_package(pkg, Path(tmp)).read_json(wire.RECORDS_MEMBER)
    return doc


def revisit(laptop: Workspace, iid: str) -> str:
    """On the laptop, a re-inspection of the inspection's site 30 days later (it follows
    that inspection and carries its open findings); its id."""
    first = records_of(laptop, iid)
    assert first is not None
    return svc.start_inspection(
        laptop,
        site_id=first["site_id"],
        template_version_id=first["template_version_id"],
        inspectors=[WHO],
        started_on=dt.date.fromisoformat(first["started_on"]) + dt.timedelta(days=30),
        actor=WHO,
    ).id


def records_of(ws: Workspace, iid: str) -> dict[str, Any] | None:
    """The inspection's row here, or None."""
    with ws.db.raw() as con:
        cur = con.execute("SELECT * FROM inspection WHERE id = ?", (iid,))
        row = cur.fetchone()
        return None if row is None else dict(zip([c[0] for c in cur.description], row, strict=True))


def reinspect(p: dict[str, Any]) -> str:
    """On the laptop, the inspection gets a finding and a re-inspection of the site carries
    it; both go to HQ, which has edited the first: two conflicts, the second new here."""
    laptop, iid = p["laptop"], p["id"]
    answers_svc.comment_item(p["hq"], iid, YES_NO_ITEM, "总部的意见", actor="总部")
    answers_svc.comment_item(laptop, iid, YES_NO_ITEM, "现场的意见", actor=WHO)
    findings_svc.add_finding(laptop, iid, description="设备台账缺失", actor=WHO)
    visit = revisit(laptop, iid)
    assert detail(laptop, visit)["previous_inspection"] == iid
    assert set(send(p).merge.conflicts) == {iid, visit}
    return visit


@pytest.mark.parametrize(
    ("hq_registered_site", "kept_before_formats"),
    [(False, False), (True, False), (False, True)],
    ids=["same site", "HQ's own id", "kept before formats were recorded"],
)
def test_a_reinspection_new_here_waits_for_the_visit_it_follows(
    tmp_path, hq_registered_site, kept_before_formats
) -> None:
    p = make_pair(tmp_path, hq_registered_site=hq_registered_site)
    hq, iid = p["hq"], p["id"]
    visit = reinspect(p)
    if kept_before_formats:  # no "_local": the site is the one its records name
        doc, put = stored_conflict(hq, conflict_of(hq, visit))
        del doc["_local"]
        put(doc)
    with pytest.raises(InvalidInput, match="decide that inspection's conflict first"):
        resolve_conflict(hq, conflict_of(hq, visit), keep="incoming", actor="总部")
    assert records_of(hq, visit) is None
    resolve_conflict(hq, conflict_of(hq, iid), keep="incoming", actor="总部")
    resolve_conflict(hq, conflict_of(hq, visit), keep="incoming", actor="总部")
    assert detail(hq, visit)["findings"] == detail(p["laptop"], visit)["findings"]
    there, here = records_of(hq, visit), records_of(p["laptop"], visit)
    assert there and here and there["site_id"] == records_of(hq, iid)["site_id"]  # type: ignore[index]
    assert (there["site_id"] == here["site_id"]) is not hq_registered_site
    # its history is the laptop's, marked with the device it came from
    shown = load_history(hq, visit).entries
    assert shown and all(e.received and e.source == DEVICE for e in shown)
    p["laptop"].close()
    hq.close()


def test_a_reinspection_whose_earlier_visit_is_gone_is_refused(pair) -> None:
    hq = pair["hq"]
    visit = reinspect(pair)
    resolve_conflict(hq, conflict_of(hq, pair["id"]), keep="incoming", actor="总部")
    cid = conflict_of(hq, visit)
    doc, put = stored_conflict(hq, cid)
    doc["inspection"]["previous_inspection_id"] = "0" * 32
    for finding in doc["findings"]:
        finding["carried_from_id"] = None
    put(doc)
    with pytest.raises(InvalidInput, match="the site or the visit it follows is not here yet"):
        resolve_conflict(hq, cid, keep="incoming", actor="总部")
    assert records_of(hq, visit) is None


def test_a_conflict_on_a_reinspection_shows_only_what_differs(pair) -> None:
    hq, laptop = pair["hq"], pair["laptop"]
    visit = reinspect(pair)
    for iid in (pair["id"], visit):
        resolve_conflict(hq, conflict_of(hq, iid), keep="incoming", actor="总部")
    # both edit the re-inspection, which carries the earlier visit's finding
    answers_svc.comment_item(hq, visit, YES_NO_ITEM, "总部的意见", actor="总部")
    answers_svc.comment_item(laptop, visit, YES_NO_ITEM, "现场的意见", actor=WHO)
    assert send(pair).merge.conflicts == [visit]
    shown = [
        (d.part, d.local, d.incoming) for d in conflict_differences(hq, conflict_of(hq, visit))
    ]
    assert shown == [("answer", "总部的意见", "现场的意见")]


def test_a_reinspection_is_compared_with_what_it_carries_as_the_package_says(pair) -> None:
    """The same edit of a re-inspection on both sides is the same content only if what it
    carries forward reads the same: here the earlier visit's finding was edited on both
    sides, so the re-inspection differs too, and its conflict says where."""
    hq, laptop, iid = pair["hq"], pair["laptop"], pair["id"]
    finding = findings_svc.add_finding(laptop, iid, description="设备台账缺失", actor=WHO)
    visit = revisit(laptop, iid)
    assert send(pair).merge.added == [visit]
    findings_svc.update_finding(hq, finding.id, description="总部：台账缺两页", actor="总部")
    findings_svc.update_finding(laptop, finding.id, description="现场：台账缺三页", actor=WHO)
    for ws, who in ((hq, "总部"), (laptop, WHO)):
        answers_svc.comment_item(ws, visit, YES_NO_ITEM, "同样的意见", actor=who)
    result = send(pair).merge
    assert (sorted(result.conflicts), result.same_content) == (sorted([iid, visit]), [])
    (shown,) = conflict_differences(hq, conflict_of(hq, visit))
    assert (shown.part, shown.field) == ("finding", "carried_from")
    assert shown.local == "from the inspection of 2024-10-01: 总部：台账缺两页"
    assert shown.incoming == "from the inspection of 2024-10-01: 现场：台账缺三页"


def test_a_waiting_reinspection_kept_local_is_not_asked_again(pair) -> None:
    hq = pair["hq"]
    visit = reinspect(pair)
    resolve_conflict(hq, conflict_of(hq, visit), keep="local", actor="总部")
    again = send(pair).merge  # the same versions: the first's conflict is still open
    assert (again.conflicts, again.kept_newer) == ([pair["id"]], [visit])
    assert [c["entity_id"] for c in list_conflicts(hq)] == [pair["id"]]
    assert records_of(hq, visit) is None

"""The merge decision, rule by rule (issue 15): what a fast-forward writes, when a later
version is refused, and the cases no other test ran. Real data folders, real packages.

A laptop and HQ each start from a prepared folder; the laptop starts one inspection of a
small site, sends it, works on, and sends again.
"""

from __future__ import annotations

import io
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
from inspector_app.services.sync import (
    PackageRejected,
    export_package,
    import_package,
    list_conflicts,
)
from inspector_app.workspace import Workspace
from tests.conftest import open_ws, prepared_folder
from tests.media import make_jpeg
from tests.services.helpers import answer_all, start
from tests.sync.helpers import YES_NO_ITEM, repack

WHO = "王晓明"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A laptop with one started inspection that HQ has received."""
    laptop_dir, hq_dir = tmp_path / "laptop", tmp_path / "hq"
    laptop, hq = open_ws(prepared_folder(laptop_dir)), open_ws(prepared_folder(hq_dir))
    iid, template = start(laptop)
    answers_svc.answer_item(laptop, iid, YES_NO_ITEM, "yes", actor=WHO)
    first = tmp_path / "1.inspkg"
    export_package(laptop, first, actor=WHO)
    assert import_package(hq, first, actor="总部").merge.added == [iid]
    state = {"laptop": laptop, "hq": hq, "laptop_dir": laptop_dir, "id": iid}
    state |= {"template": template, "tmp": tmp_path, "n": 1}
    yield state
    laptop.close()
    hq.close()


def send(p: dict[str, Any], edit: Any = None) -> Any:
    """The laptop's next package (its records changed by ``edit``, re-signed by the laptop),
    imported at HQ; the import result."""
    p["n"] += 1
    pkg = p["tmp"] / f"{p['n']}.inspkg"
    export_package(p["laptop"], pkg, actor=WHO)
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
    # the history came with it: the same version again is unchanged, not a conflict
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
    assert pair["id"][:8] in str(info.value)
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

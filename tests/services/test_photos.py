"""Photos through the service on a real database and real files: each file on its own,
refused files write nothing, duplicates are not added twice, locked inspections refuse."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from inspector_app.media import ingest, store
from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspections as svc
from inspector_app.services import photos
from inspector_app.services.errors import InvalidInput, Locked, NotFound
from tests.conftest import folder_ws
from tests.media import (
    TAKEN,
    bomb_png,
    exif,
    make_jpeg,
    make_png,
    other_format,
    truncated_copy,
)
from tests.services.helpers import answer_all, db_fingerprint, start

ACTOR = "测试员"


def media_files(data_dir: Path) -> list[Path]:
    root = data_dir / "media"
    return (
        sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    )


def expected_media(photos_added: list) -> list[Path]:  # type: ignore[type-arg]
    out = []
    for p in photos_added:
        for path in photos.photo_files(folder_ws(Path("/x")), p):
            out.append(path.relative_to(Path("/x") / "media"))
    return sorted(out)


def audit_rows(ws, entity: str) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    con = sqlite3.connect(ws.db.path)
    try:
        return con.execute(
            "SELECT action, entity_id, field, old, new FROM audit_log WHERE entity = ? ORDER BY seq",
            (entity,),
        ).fetchall()
    finally:
        con.close()


def test_good_and_hostile_files_in_one_batch(
    ws, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    insp_id, _t = start(ws)
    src = tmp_path / "in"
    good_jpg = make_jpeg(
        src / "IMG_0001.JPG",
        (800, 600),
        exif_data=exif(taken=TAKEN, make="Canon", model="Canon EOS R5"),
    )
    good_png = make_png(src / "sketch.png", (320, 240), mode="RGBA")
    bomb = bomb_png(src / "bomb.png")
    cut = truncated_copy(make_jpeg(tmp_path / "whole.jpg", (1200, 900), seed=3), src / "cut.jpg")
    text = src / "notes.jpg"
    text.write_text("not a photo", encoding="utf-8")
    gif = other_format(src / "anim.gif", "GIF")
    bmp = other_format(src / "scan.bmp", "BMP")
    pano = make_jpeg(src / "pano.jpg", (2500, 2100), seed=5)
    monkeypatch.setattr(ingest, "MAX_PIXELS", 5_000_000)
    hostile = [bomb, cut, text, gif, bmp, pano]

    # the hostile files alone: nothing at all is written
    before = db_fingerprint(ws.db.path)
    report = photos.add_photos(ws, insp_id, hostile, actor=ACTOR)
    assert report.added == [] and report.duplicates == []
    assert [p for p, _r in report.refused] == hostile
    assert db_fingerprint(ws.db.path) == before
    assert media_files(data_dir) == []

    # mixed: each refused with its own reason, the good ones added
    seen: list[tuple[int, int, str]] = []
    report = photos.add_photos(
        ws,
        insp_id,
        [good_jpg, *hostile, good_png],
        actor=ACTOR,
        progress=lambda d, t, text: seen.append((d, t, text)) or True,
    )
    reasons = dict(report.refused)
    assert set(reasons) == set(hostile)
    assert "decompression bomb" in reasons[bomb]
    assert "truncated or damaged" in reasons[cut]
    assert reasons[text] == "not an image: the content is neither JPEG nor PNG"
    assert reasons[gif].startswith("GIF images are not accepted")
    assert reasons[bmp].startswith("BMP images are not accepted")
    assert reasons[pano].startswith("the image has too many pixels: 2500x2100")
    assert len(set(reasons.values())) == len(hostile)
    assert [p.original_name for p in report.added] == ["IMG_0001.JPG", "sketch.png"]
    assert [s[:2] for s in seen] == [(n, 8) for n in range(1, 9)]

    jpg = report.added[0]
    assert jpg.sha256 == hashlib.sha256(good_jpg.read_bytes()).hexdigest()
    assert (jpg.width, jpg.height, jpg.media_type) == (800, 600, "image/jpeg")
    assert jpg.camera == "Canon EOS R5"
    # the camera's clock (no offset written) is its wall time, not an instant: kept as written
    assert jpg.captured_at is None
    assert jpg.captured_local == "2024-10-01 09:30:15" and jpg.captured_offset is None
    assert photos.taken_text(jpg).startswith("2024-10-01 09:30")
    assert photos.get_photo(ws, jpg.id).captured_local == jpg.captured_local
    assert report.added[1].media_type == "image/png"

    after = db_fingerprint(ws.db.path)
    assert after["photo"] == 2 and after["audit_log"] == before["audit_log"] + 2
    assert media_files(data_dir) == expected_media(report.added)  # nothing of the refused
    for p in report.added:
        original, display, thumb = photos.photo_files(folder_ws(data_dir), p)
        assert original.read_bytes() == (good_jpg if p is jpg else good_png).read_bytes()
        assert display.exists() and thumb.exists()
        assert store.verify_original(data_dir, p.sha256, p.media_type)

    created = audit_rows(ws, "photo")
    assert [(a, e) for a, e, *_ in created] == [("create", p.id) for p in report.added]
    assert json.loads(created[0][4])["original_name"] == "IMG_0001.JPG"
    assert json.loads(created[0][4])["sha256"] == jpg.sha256


def test_duplicates_are_not_added_twice(ws, data_dir: Path, tmp_path: Path) -> None:
    insp_id, _t = start(ws)
    a = make_jpeg(tmp_path / "a.jpg", seed=1)
    b = make_jpeg(tmp_path / "b.jpg", seed=2)
    copy = tmp_path / "copy-of-a.jpg"
    copy.write_bytes(a.read_bytes())
    first = photos.add_photos(ws, insp_id, [a, b, copy, a], actor=ACTOR)
    assert [p.original_name for p in first.added] == ["a.jpg", "b.jpg"]
    assert first.duplicates == [copy, a] and first.refused == []
    before = db_fingerprint(ws.db.path)
    again = photos.add_photos(ws, insp_id, [a, b], actor=ACTOR)
    assert again.added == [] and again.duplicates == [a, b]
    assert db_fingerprint(ws.db.path) == before

    # the same photo in another inspection is another row, one set of files
    other_id, _t = start(ws, code="PB-T2")
    other = photos.add_photos(ws, other_id, [a], actor=ACTOR)
    assert len(other.added) == 1 and other.added[0].sha256 == first.added[0].sha256
    assert len(media_files(data_dir)) == 6


def test_camera_card_folder_is_walked_sorted_skipping_hidden(
    ws, data_dir: Path, tmp_path: Path
) -> None:
    insp_id, _t = start(ws)
    card = tmp_path / "card"
    make_jpeg(card / "DCIM" / "101CANON" / "IMG_0100.JPG", seed=3)
    make_jpeg(card / "DCIM" / "100CANON" / "IMG_0002.jpeg", seed=2)
    make_jpeg(card / "DCIM" / "100CANON" / "IMG_0001.JPG", seed=1)
    make_png(card / "DCIM" / "100CANON" / "SKETCH.PNG", seed=4)
    make_jpeg(card / "DCIM" / "100CANON" / ".hidden.jpg", seed=5)
    (card / "DCIM" / "100CANON" / "._IMG_0001.JPG").write_bytes(b"\x00\x05\x16\x07AppleDouble")
    make_jpeg(card / ".Trashes" / "501" / "deleted.jpg", seed=6)
    (card / "DCIM" / "100CANON" / "IMG_0001.CR3").write_bytes(b"raw")
    (card / "MISC").mkdir()
    (card / "MISC" / "notes.txt").write_text("x", encoding="utf-8")
    assert [p.relative_to(card).as_posix() for p in photos.photo_files_in(card)] == [
        "DCIM/100CANON/IMG_0001.JPG",
        "DCIM/100CANON/IMG_0002.jpeg",
        "DCIM/100CANON/SKETCH.PNG",
        "DCIM/101CANON/IMG_0100.JPG",
    ]
    report = photos.add_photos(ws, insp_id, [card], actor=ACTOR)
    assert [p.original_name for p in report.added] == [
        "IMG_0001.JPG",
        "IMG_0002.jpeg",
        "SKETCH.PNG",
        "IMG_0100.JPG",
    ]
    assert report.refused == [] and report.total == 4
    listed = photos.list_photos(ws, insp_id[:8])
    assert [p.id for p in listed] == [p.id for p in report.added]  # the order they were added

    empty = tmp_path / "empty-card"
    (empty / "DCIM").mkdir(parents=True)
    nothing = photos.add_photos(ws, insp_id, [empty, tmp_path / "missing"], actor=ACTOR)
    assert [r for _p, r in nothing.refused] == [
        "no JPEG or PNG photos in this folder",
        "no such file or folder",
    ]


def test_item_link_and_caption(ws, data_dir: Path, tmp_path: Path) -> None:
    insp_id, _t = start(ws)
    a = make_jpeg(tmp_path / "a.jpg", seed=1)
    report = photos.add_photos(
        ws, insp_id, [a], actor=ACTOR, item_id="s1.premises", caption="  车间  外景 "
    )
    p = report.added[0]
    assert p.item_id == "s1.premises" and p.caption == "车间 外景"
    assert [x.id for x in photos.list_photos(ws, insp_id, item_id="s1.premises")] == [p.id]
    assert photos.list_photos(ws, insp_id, item_id="s1.floor-area") == []

    before = db_fingerprint(ws.db.path)
    with pytest.raises(InvalidInput, match="no item 'nope'"):
        photos.add_photos(ws, insp_id, [a], actor=ACTOR, item_id="nope")
    with pytest.raises(NotFound):
        photos.add_photos(ws, "0" * 36, [a], actor=ACTOR)
    assert db_fingerprint(ws.db.path) == before

    changed = photos.set_caption(ws, p.id[:8], "车间东侧", actor=ACTOR)
    assert changed.caption == "车间东侧" and changed.revision == 2
    assert photos.get_photo(ws, p.id).caption == "车间东侧"
    rows = audit_rows(ws, "photo")
    assert rows[-1][:3] == ("update", p.id, "caption")
    assert json.loads(rows[-1][3]) == "车间 外景" and json.loads(rows[-1][4]) == "车间东侧"
    n = len(rows)
    photos.set_caption(ws, p.id, "车间东侧", actor=ACTOR)  # unchanged: no entry
    assert len(audit_rows(ws, "photo")) == n
    assert photos.set_caption(ws, p.id, "  ", actor=ACTOR).caption is None


def test_completed_inspection_refuses_photos_and_writes_nothing(
    ws, data_dir: Path, tmp_path: Path
) -> None:
    insp_id, template = start(ws)
    a = make_jpeg(tmp_path / "a.jpg", seed=1)
    early = photos.add_photos(ws, insp_id, [make_png(tmp_path / "p.png")], actor=ACTOR)
    answer_all(ws, insp_id, template)
    svc.complete_inspection(ws, insp_id, actor=ACTOR)
    before = db_fingerprint(ws.db.path)
    files_before = media_files(data_dir)
    with pytest.raises(Locked, match="cannot be changed; amend it first"):
        photos.add_photos(ws, insp_id, [a], actor=ACTOR)
    with pytest.raises(Locked):
        photos.set_caption(ws, early.added[0].id, "late", actor=ACTOR)
    assert db_fingerprint(ws.db.path) == before
    assert media_files(data_dir) == files_before

    svc.amend_inspection(ws, insp_id, reason="补充照片", actor=ACTOR)
    assert len(photos.add_photos(ws, insp_id, [a], actor=ACTOR).added) == 1


def test_inspection_completed_during_a_batch_stops_it(ws, data_dir: Path, tmp_path: Path) -> None:
    insp_id, template = start(ws)
    files = [make_jpeg(tmp_path / f"{n}.jpg", seed=n) for n in range(3)]
    answer_all(ws, insp_id, template)

    def complete_after_first(done: int, total: int, text: str) -> bool:
        if done == 1:
            svc.complete_inspection(ws, insp_id, actor=ACTOR)
        return True

    with pytest.raises(Locked):
        photos.add_photos(ws, insp_id, files, actor=ACTOR, progress=complete_after_first)
    assert [p.original_name for p in photos.list_photos(ws, insp_id)] == ["0.jpg"]


def test_missing_photos_counts_down(ws, data_dir: Path, tmp_path: Path) -> None:
    insp_id, _t = start(ws)
    missing = photos.missing_photos(ws, insp_id)
    assert missing == {
        "s1.equipment-condition": 2,
        "s1.premises": 2,
        "s4.service-rules": 1,
        "s4.network-listing": 1,
    }  # s4.hazard-notes is hidden until a hazard is reported
    counts = []
    for n in range(3):
        photos.add_photos(
            ws,
            insp_id,
            [make_jpeg(tmp_path / f"{n}.jpg", seed=n)],
            actor=ACTOR,
            item_id="s1.premises",
        )
        counts.append(photos.missing_photos(ws, insp_id)["s1.premises"])
    assert counts == [1, 0, 0]
    photos.add_photos(ws, insp_id, [make_jpeg(tmp_path / "x.jpg", seed=9)], actor=ACTOR)
    assert photos.missing_photos(ws, insp_id)["s1.equipment-condition"] == 2  # not its item

    answers_svc.mark_not_applicable(ws, insp_id, "s4.service-rules", actor=ACTOR)
    answers_svc.answer_item(ws, insp_id, "s4.safety-hazard", "yes", actor=ACTOR)
    missing = photos.missing_photos(ws, insp_id)
    assert "s4.service-rules" not in missing and missing["s4.hazard-notes"] == 1


def test_link_photo_to_finding(ws, data_dir: Path, tmp_path: Path) -> None:
    insp_id, _t = start(ws)
    before_p, after_p = photos.add_photos(
        ws,
        insp_id,
        [make_jpeg(tmp_path / "before.jpg", seed=1), make_jpeg(tmp_path / "after.jpg", seed=2)],
        actor=ACTOR,
    ).added
    finding = findings_svc.add_finding(ws, insp_id, description="消防通道堵塞", actor=ACTOR)
    photos.link_photo_to_finding(ws, finding.id, after_p.id, role="after", actor=ACTOR)
    link = photos.link_photo_to_finding(ws, finding.id, before_p.id, actor=ACTOR)
    assert link.role == "evidence"
    shown = photos.photos_of_finding(ws, finding.id)
    assert [(p.original_name, role) for p, role in shown] == [
        ("before.jpg", "evidence"),
        ("after.jpg", "after"),
    ]
    rows = [r for r in audit_rows(ws, "photo") if r[0] == "link"]
    assert len(rows) == 2 and json.loads(rows[-1][4])["finding"] == finding.id

    n = len(audit_rows(ws, "photo"))
    photos.link_photo_to_finding(ws, finding.id, before_p.id, actor=ACTOR)  # again: no-op
    assert len(audit_rows(ws, "photo")) == n
    photos.link_photo_to_finding(ws, finding.id, before_p.id, role="after", actor=ACTOR)
    assert {r for _p, r in photos.photos_of_finding(ws, finding.id)} == {"after"}

    with pytest.raises(InvalidInput, match="unknown photo role"):
        photos.link_photo_to_finding(ws, finding.id, before_p.id, role="maybe", actor=ACTOR)
    other_id, _t = start(ws, code="PB-T2")
    foreign = photos.add_photos(
        ws, other_id, [make_jpeg(tmp_path / "o.jpg", seed=7)], actor=ACTOR
    ).added[0]
    fp = db_fingerprint(ws.db.path)
    with pytest.raises(InvalidInput, match="belongs to another inspection"):
        photos.link_photo_to_finding(ws, finding.id, foreign.id, actor=ACTOR)
    with pytest.raises(NotFound):
        photos.link_photo_to_finding(ws, "nope", before_p.id, actor=ACTOR)
    with pytest.raises(NotFound):
        photos.photos_of_finding(ws, "nope")
    assert db_fingerprint(ws.db.path) == fp


def test_photos_of_several_findings_in_one_query(ws, data_dir: Path, tmp_path: Path) -> None:
    insp_id, _t = start(ws)
    a, b, c = photos.add_photos(
        ws,
        insp_id,
        [make_jpeg(tmp_path / f"{n}.jpg", seed=n) for n in (1, 2, 3)],
        actor=ACTOR,
    ).added
    f1 = findings_svc.add_finding(ws, insp_id, description="一", actor=ACTOR)
    f2 = findings_svc.add_finding(ws, insp_id, description="二", actor=ACTOR)
    f3 = findings_svc.add_finding(ws, insp_id, description="三（无照片）", actor=ACTOR)
    photos.link_photo_to_finding(ws, f1.id, c.id, role="after", actor=ACTOR)
    photos.link_photo_to_finding(ws, f1.id, a.id, actor=ACTOR)
    photos.link_photo_to_finding(ws, f2.id, b.id, actor=ACTOR)
    photos.link_photo_to_finding(ws, f2.id, a.id, actor=ACTOR)  # one photo, two findings
    batch = photos.photos_of_findings(ws, [f1.id, f2.id, f3.id, f1.id, "unknown"])
    assert list(batch) == [f1.id, f2.id, f3.id, "unknown"]
    for fid in (f1.id, f2.id, f3.id):
        single = [(p.id, role) for p, role in photos.photos_of_finding(ws, fid)]
        assert [(p.id, role) for p, role in batch[fid]] == single
    assert [(p.id, r) for p, r in batch[f1.id]] == [(a.id, "evidence"), (c.id, "after")]
    assert batch[f3.id] == [] and batch["unknown"] == []
    assert photos.photos_of_findings(ws, []) == {}


def test_cancel_through_progress_reports_what_was_done(ws, data_dir: Path, tmp_path: Path) -> None:
    insp_id, _t = start(ws)
    files = [make_jpeg(tmp_path / f"{n}.jpg", seed=n) for n in range(4)]
    calls = []

    def stop_after_two(done: int, total: int, text: str) -> bool:
        calls.append((done, total, text))
        return done < 2

    report = photos.add_photos(ws, insp_id, files, actor=ACTOR, progress=stop_after_two)
    assert calls == [(1, 4, "0.jpg"), (2, 4, "1.jpg")]
    assert report.cancelled and report.remaining == files[2:]
    assert [p.original_name for p in report.added] == ["0.jpg", "1.jpg"]
    assert len(photos.list_photos(ws, insp_id)) == 2
    assert len(media_files(data_dir)) == 6


def test_a_row_only_when_the_files_are_stored(
    ws, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    insp_id, _t = start(ws)
    good = make_jpeg(tmp_path / "good.jpg", seed=1)
    real_put = store._put

    def disk_full_on_original(path: Path, data: bytes) -> bool:
        if "originals" in path.parts:
            raise OSError(28, "No space left on device")
        return real_put(path, data)

    monkeypatch.setattr(store, "_put", disk_full_on_original)
    before = db_fingerprint(ws.db.path)
    report = photos.add_photos(ws, insp_id, [good], actor=ACTOR)
    assert report.refused == [(good, "the photo could not be saved: No space left on device")]
    assert db_fingerprint(ws.db.path) == before
    assert media_files(data_dir) == []  # the copies written before the failure are gone

    monkeypatch.setattr(store, "_put", real_put)
    report = photos.add_photos(ws, insp_id, [good], actor=ACTOR)
    assert (
        len(report.added) == 1
        and photos.photo_files(folder_ws(data_dir), report.added[0]).original.exists()
    )

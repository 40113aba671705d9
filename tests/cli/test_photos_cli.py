"""`photos add` / `photos list` on real files, through ``cli.main`` in this process."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from inspector_app.services import inspections as svc
from tests.conftest import run_main
from tests.media import TAKEN, bomb_png, exif, make_jpeg, truncated_copy
from tests.services.helpers import answer_all, db_fingerprint, start


@pytest.fixture
def draft(ws) -> str:  # type: ignore[no-untyped-def]
    insp_id, _t = start(ws)
    return insp_id


@pytest.fixture(scope="module")
def photo_12mp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("card")
    return make_jpeg(
        d / "IMG_0001.JPG",
        (4000, 3000),
        exif_data=exif(orientation=6, taken=TAKEN, make="Canon", model="Canon EOS R5"),
    )


def stored_files(data_dir: Path) -> list[Path]:
    media = data_dir / "media"
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_add_a_12mp_photo_keeps_the_original(data_dir: Path, draft: str, photo_12mp: Path) -> None:
    out = run_main("photos", "add", draft[:8], str(photo_12mp), data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    sha = hashlib.sha256(photo_12mp.read_bytes()).hexdigest()
    (line,) = out.stdout.splitlines()
    short_id, short_sha, name = line.split()
    assert (len(short_id), short_sha, name) == (8, sha[:12], "IMG_0001.JPG")

    stored = data_dir / "media" / "originals" / sha[:2] / f"{sha}.jpg"
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    assert stored.read_bytes() == photo_12mp.read_bytes()
    assert (data_dir / "media" / "display" / sha[:2] / f"{sha}.jpg").exists()
    assert (data_dir / "media" / "thumbs" / sha[:2] / f"{sha}.jpg").exists()

    shown = run_main("inspections", "show", draft, "--json", data_dir=data_dir)
    assert shown.returncode == 0, shown.stderr
    (photo,) = json.loads(shown.stdout)["photos"]
    assert photo["id"].startswith(short_id) and photo["sha256"] == sha
    assert photo["original_name"] == "IMG_0001.JPG" and photo["camera"] == "Canon EOS R5"
    assert (photo["width"], photo["height"]) == (3000, 4000)
    # the camera wrote no offset: its clock is a wall time, kept and shown as written
    assert photo["captured_at"] is None and photo["captured_local"] is not None
    assert photo["taken_display"].startswith(photo["captured_local"][:16])
    assert photo["item"] is None

    listed = run_main("photos", "list", draft, "--json", data_dir=data_dir)
    assert json.loads(listed.stdout) == [
        {**photo, "media_type": "image/jpeg", "byte_size": photo_12mp.stat().st_size}
    ]
    table = run_main("photos", "list", draft, data_dir=data_dir)
    assert table.returncode == 0 and "IMG_0001.JPG" in table.stdout and "3000x4000" in table.stdout

    again = run_main("photos", "add", draft, str(photo_12mp), data_dir=data_dir)
    assert again.returncode == 0 and again.stdout == ""
    assert "already in this inspection" in again.stderr


def test_bomb_and_truncated_exit_1_and_change_nothing(
    data_dir: Path, draft: str, tmp_path: Path
) -> None:
    bomb = bomb_png(tmp_path / "bomb.png")
    cut = truncated_copy(make_jpeg(tmp_path / "whole.jpg", (1600, 1200)), tmp_path / "cut.jpg")
    before = db_fingerprint(data_dir / "inspector.db")
    out = run_main("photos", "add", draft, str(bomb), str(cut), data_dir=data_dir)
    assert out.returncode == 1
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert lines[0].startswith(f"{bomb}: refused as a possible decompression bomb")
    assert lines[1].startswith(f"{cut}: the image is truncated or damaged")
    assert db_fingerprint(data_dir / "inspector.db") == before
    assert stored_files(data_dir) == []


def test_refused_files_do_not_stop_the_good_ones(
    data_dir: Path, draft: str, tmp_path: Path
) -> None:
    good = make_jpeg(tmp_path / "good.jpg", (800, 600))
    bomb = bomb_png(tmp_path / "bomb.png")
    out = run_main(
        "photos",
        "add",
        draft,
        str(bomb),
        str(good),
        "--item",
        "s1.premises",
        "--caption",
        "厂房外景",
        data_dir=data_dir,
    )
    assert out.returncode == 1
    assert out.stdout.split()[2] == "good.jpg"
    assert str(bomb) in out.stderr and "good.jpg" not in out.stderr
    listed = json.loads(run_main("photos", "list", draft, "--json", data_dir=data_dir).stdout)
    assert [(p["original_name"], p["item"], p["caption"]) for p in listed] == [
        ("good.jpg", "s1.premises", "厂房外景")
    ]
    assert len(stored_files(data_dir)) == 3


def test_completed_inspection_is_locked(ws, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    insp_id, template = start(ws)
    answer_all(ws, insp_id, template)
    svc.complete_inspection(ws, insp_id, actor="测试员")
    good = make_jpeg(tmp_path / "good.jpg")
    before = db_fingerprint(data_dir / "inspector.db")
    out = run_main("photos", "add", insp_id, str(good), data_dir=data_dir)
    assert out.returncode == 1
    assert "cannot be changed; amend it first" in out.stderr
    assert db_fingerprint(data_dir / "inspector.db") == before
    assert stored_files(data_dir) == []


def test_unknown_item_and_usage(data_dir: Path, draft: str, tmp_path: Path) -> None:
    good = make_jpeg(tmp_path / "good.jpg")
    out = run_main("photos", "add", draft, str(good), "--item", "nope", data_dir=data_dir)
    assert out.returncode == 1 and "no item 'nope'" in out.stderr
    assert stored_files(data_dir) == []
    assert run_main("photos", "add", draft, data_dir=data_dir).returncode == 2

"""A device's readable name: "inspector @ computer", carried in the manifest, the latest one
kept at headquarters and shown (real folders, real package files)."""

from __future__ import annotations

import json
from pathlib import Path

from inspector_app.services.sync import export_package, import_package, preview_import
from inspector_app.services.templates import sync_forms
from inspector_app.store.db import open_database
from inspector_app.sync.devices import computer_name, device_names, readable_name
from inspector_app.sync.identity import device_identity
from inspector_app.sync.manifest import MAX_DEVICE_NAME_CHARS
from inspector_app.sync.package import read_manifest
from inspector_app.workspace import Workspace
from tests.conftest import run_cli
from tests.services.helpers import start


def test_a_readable_name_is_inspector_at_computer() -> None:
    assert readable_name("王晓明", "LAPTOP-7F3K") == "王晓明 @ LAPTOP-7F3K"
    assert readable_name("  王 晓明\n", " PC ") == "王 晓明 @ PC"
    assert readable_name("x" * 500, "y" * 500).endswith(" @ " + "y" * 100)
    assert len(readable_name("x" * 500, "y" * 500)) == MAX_DEVICE_NAME_CHARS
    assert readable_name("张伟") == f"张伟 @ {computer_name()}"


def test_the_latest_name_is_kept_the_device_stays_one(tmp_path: Path) -> None:
    laptop, other, hq = tmp_path / "laptop", tmp_path / "other", tmp_path / "hq"
    ldb, odb, hdb = (open_database(p) for p in (laptop, other, hq))
    for db in (ldb, odb, hdb):
        sync_forms(db)
    start(ldb)
    start(odb, code="PB-T2")
    first = export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "1.inspkg")
    assert first.manifest.device_name == f"王晓明 @ {computer_name()}"  # by default, the actor
    import_package(Workspace(hq, hdb, "总部"), first.path)
    renamed = "王晓明 @ NEW-PC"
    second = export_package(
        Workspace(laptop, ldb, "王晓明"), tmp_path / "2.inspkg", device_name=renamed
    )
    assert second.manifest.device_id == first.manifest.device_id  # same id, same key
    assert second.manifest.public_key == first.manifest.public_key
    preview = preview_import(Workspace(hq, hdb, "测试员"), second.path)
    assert preview.known_name == first.manifest.device_name and preview.key_matches
    import_package(Workspace(hq, hdb, "总部"), second.path)
    with hdb.session() as s:
        assert device_names(s)[first.manifest.device_id] == renamed
    # another device giving the same name: the preview says so (the key tells them apart)
    copycat = export_package(Workspace(other, odb, "x"), tmp_path / "3.inspkg", device_name=renamed)
    warned = preview_import(Workspace(hq, hdb, "测试员"), copycat.path)
    assert warned.same_name == 1 and warned.known_name is None and not warned.device_known
    for db in (ldb, odb, hdb):
        db.dispose()


def test_the_command_line_names_the_device_from_the_inspector(tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    db = open_database(laptop)
    sync_forms(db)
    start(db)
    db.dispose()
    out = run_cli("export", "-o", str(tmp_path / "p.inspkg"), "--json", data_dir=laptop)
    assert out.returncode == 0, out.stderr
    name = json.loads(out.stdout)["device"]
    assert name == f"测试员 @ {computer_name()}"  # no inspector in the settings: the login
    assert read_manifest(tmp_path / "p.inspkg").device_name == name
    assert device_identity(laptop).device_name == name  # the folder's device is renamed

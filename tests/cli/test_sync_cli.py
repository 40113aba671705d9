"""`export`, `import`, `conflicts` and `resolve` on real packages, through ``cli.main`` in this
process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from inspector_app.workspace import Workspace
from tests.conftest import run_main
from tests.services.helpers import db_fingerprint


def test_export_import_twice_and_a_damaged_copy(pristine_demo: Path, tmp_path: Path) -> None:
    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    shutil.copytree(pristine_demo, laptop)  # what `demo` makes
    pkg = tmp_path / "usb" / "laptop"  # the suffix is added
    out = run_main("export", "-o", str(pkg), "--json", data_dir=laptop)
    assert out.returncode == 0, out.stderr
    written = json.loads(out.stdout)
    pkg = Path(written["path"])
    assert pkg.suffix == ".inspkg" and pkg.is_file()
    assert written["inspections"] == 21 and written["sequence"] == 1

    dry = run_main("import", str(pkg), "--dry-run", "--json", data_dir=hq)
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    assert preview["device_id"] == written["device_id"] and not preview["device_known"]
    assert preview["summary"]["inspections"] == 21

    first = run_main("import", str(pkg), "--json", data_dir=hq)
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["added"]) == 21
    listed = run_main("inspections", "list", "--json", data_dir=hq)
    assert len(json.loads(listed.stdout)) == 21

    before = db_fingerprint(hq / "inspector.db")
    again = run_main("import", str(pkg), data_dir=hq)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert db_fingerprint(hq / "inspector.db") == before

    # one byte changed in the copy on the stick: refused whole, with the reason
    damaged = tmp_path / "damaged.inspkg"
    data = bytearray(pkg.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    other = tmp_path / "hq2"
    bad = run_main("import", str(damaged), data_dir=other)
    assert bad.returncode == 1
    assert "damaged.inspkg: refused:" in bad.stderr
    listed = run_main("inspections", "list", "--json", data_dir=other)
    assert json.loads(listed.stdout) == []

    conflicts = run_main("conflicts", "--json", data_dir=hq)
    assert conflicts.returncode == 0 and json.loads(conflicts.stdout) == []


def test_export_of_an_unknown_inspection_names_it(pristine_demo: Path, tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    shutil.copytree(pristine_demo, laptop)
    out = run_main(
        "export", "-o", str(tmp_path / "x.inspkg"), "--inspection", "nope123", data_dir=laptop
    )
    assert out.returncode == 1
    assert "nope123" in out.stderr
    assert not (tmp_path / "x.inspkg").exists()


def test_resolve_names_a_missing_conflict_and_refuses_a_bad_choice(tmp_path: Path) -> None:
    hq = tmp_path / "hq"
    out = run_main("resolve", "abcdef12", "--keep", "local", data_dir=hq)
    assert out.returncode == 1 and "abcdef12" in out.stderr
    bad = run_main("resolve", "abcdef12", "--keep", "both", data_dir=hq)
    assert bad.returncode == 2


def test_conflicts_show_their_differences_and_are_decided_together(tmp_path: Path) -> None:
    from inspector_app.i18n import pick
    from inspector_app.services import answers as answers_svc
    from inspector_app.services.sync import export_package, import_package
    from inspector_app.services.templates import sync_forms
    from inspector_app.store.db import open_database
    from tests.services.helpers import start

    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    ldb, hdb = open_database(laptop), open_database(hq)
    for db in (ldb, hdb):
        sync_forms(db)
    ids = [start(ldb, code=code)[0] for code in ("PB-T1", "PB-T2")]
    template = start(ldb, code="PB-T3")[1]
    export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "1.inspkg")
    import_package(Workspace(hq, hdb, "总部"), tmp_path / "1.inspkg")
    for iid in ids:
        answers_svc.comment_item(hdb, iid, "s1.premises", "总部的意见", actor="总部")
        answers_svc.comment_item(ldb, iid, "s1.premises", "现场的意见", actor="王晓明")
    export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "2.inspkg")
    import_package(Workspace(hq, hdb, "总部"), tmp_path / "2.inspkg")
    ldb.dispose()
    hdb.dispose()
    title = pick(template.item("s1.premises").title)

    listed = run_main("conflicts", "--json", data_dir=hq)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 2
    for row in rows:
        assert [(d["what"], d["local"], d["incoming"]) for d in row["differences"]] == [
            (f"{title} · Comment", "总部的意见", "现场的意见")
        ]
    one = run_main("conflicts", rows[0]["id"][:8], data_dir=hq)
    assert one.returncode == 0 and "现场的意见" in one.stdout and title in one.stdout
    assert run_main("resolve", "--keep", "local", data_dir=hq).returncode == 1  # ids or --all
    done = run_main("resolve", "--all", "--keep", "incoming", data_dir=hq)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("the incoming version replaced the local one") == 2
    assert json.loads(run_main("conflicts", "--json", data_dir=hq).stdout) == []
    again = run_main("resolve", rows[0]["id"], rows[1]["id"], "--keep", "local", data_dir=hq)
    assert again.returncode == 1 and again.stderr.count("resolved already") == 2

"""`export`, `import` and `conflicts` through the real entry point, in child processes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.services.helpers import db_fingerprint


def test_export_import_twice_and_a_damaged_copy(tmp_path: Path) -> None:
    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    assert run_cli("demo", data_dir=laptop).returncode == 0
    pkg = tmp_path / "usb" / "laptop"  # the suffix is added
    out = run_cli("export", "-o", str(pkg), "--json", data_dir=laptop)
    assert out.returncode == 0, out.stderr
    written = json.loads(out.stdout)
    pkg = Path(written["path"])
    assert pkg.suffix == ".inspkg" and pkg.is_file()
    assert written["inspections"] == 21 and written["sequence"] == 1

    dry = run_cli("import", str(pkg), "--dry-run", "--json", data_dir=hq)
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    assert preview["device_id"] == written["device_id"] and not preview["device_known"]
    assert preview["summary"]["inspections"] == 21

    first = run_cli("import", str(pkg), "--json", data_dir=hq)
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["added"]) == 21
    listed = run_cli("inspections", "list", "--json", data_dir=hq)
    assert len(json.loads(listed.stdout)) == 21

    before = db_fingerprint(hq / "inspector.db")
    again = run_cli("import", str(pkg), data_dir=hq)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert db_fingerprint(hq / "inspector.db") == before

    # one byte changed in the copy on the stick: refused whole, with the reason
    damaged = tmp_path / "damaged.inspkg"
    data = bytearray(pkg.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    other = tmp_path / "hq2"
    bad = run_cli("import", str(damaged), data_dir=other)
    assert bad.returncode == 1
    assert "damaged.inspkg: refused:" in bad.stderr
    listed = run_cli("inspections", "list", "--json", data_dir=other)
    assert json.loads(listed.stdout) == []

    conflicts = run_cli("conflicts", "--json", data_dir=hq)
    assert conflicts.returncode == 0 and json.loads(conflicts.stdout) == []


def test_export_of_an_unknown_inspection_names_it(tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    assert run_cli("demo", data_dir=laptop).returncode == 0
    out = run_cli(
        "export", "-o", str(tmp_path / "x.inspkg"), "--inspection", "nope123", data_dir=laptop
    )
    assert out.returncode == 1
    assert "nope123" in out.stderr
    assert not (tmp_path / "x.inspkg").exists()


def test_resolve_names_a_missing_conflict_and_refuses_a_bad_choice(tmp_path: Path) -> None:
    hq = tmp_path / "hq"
    out = run_cli("resolve", "abcdef12", "--keep", "local", data_dir=hq)
    assert out.returncode == 1 and "abcdef12" in out.stderr
    bad = run_cli("resolve", "abcdef12", "--keep", "both", data_dir=hq)
    assert bad.returncode == 2

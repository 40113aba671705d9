"""The command line on real files: in this process (``run_main``), and through the real entry
point in child processes where the process is what is tested (``run_cli``)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import demo_copy
from tests.conftest import FORMS, ROOT, run_cli, run_main
from tests.services.helpers import db_fingerprint


@pytest.fixture(scope="module")
def demo_dir(pristine_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(pristine_demo, tmp_path_factory, "cli-demo")


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("inspector-app")
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("inspector-app ")


def test_the_installed_command_runs_a_command_on_a_data_folder(demo_dir: Path) -> None:
    """The `inspector-app` script, as a person types it: a command that opens the data
    folder, its output in the console's encoding."""
    script = Path(sys.executable).with_name("inspector-app")
    out = subprocess.run(
        [str(script), "--data-dir", str(demo_dir), "--lang", "zh", "inspections", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "次检查" in out.stdout and "暂定" in out.stdout


def test_forms_validate_bundled() -> None:
    out = run_main("forms", "validate", *sorted(str(p) for p in FORMS.glob("*.yaml")))
    assert out.returncode == 0, out.stderr
    assert out.stdout.count(": OK") == 3


def test_forms_validate_broken_names_file_and_line(tmp_path: Path) -> None:
    src = (FORMS / "pilot-base-performance.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    lines = src.splitlines()
    n = next(i for i, line in enumerate(lines) if line.strip().startswith("type: score"))
    lines[n] = lines[n].replace("type: score", "type: scor")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_main("forms", "validate", str(FORMS / "instrument-sharing.yaml"), str(broken))
    assert out.returncode == 1
    assert f"{broken}:{n + 1}: " in out.stderr
    assert "instrument-sharing.yaml: OK" in out.stdout


def test_demo_list_and_show_agree(demo_dir: Path) -> None:
    out = run_main("inspections", "list", "--json", data_dir=demo_dir)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) >= 20
    assert len({r["status"] for r in rows}) >= 3
    for key in ("id", "site", "template", "status", "score", "grade"):
        assert all(key in r for r in rows)
    for r in rows:
        shown = run_main("inspections", "show", r["id"], "--json", data_dir=demo_dir)
        assert shown.returncode == 0, shown.stderr
        d = json.loads(shown.stdout)
        assert (d["score"], d["grade"], d["status"]) == (r["score"], r["grade"], r["status"])
    # and one in a child process, as a person would run it (python -m inspector_app)
    one = json.loads(
        run_cli("inspections", "show", rows[0]["id"], "--json", data_dir=demo_dir).stdout
    )
    assert one["score"] == rows[0]["score"]


def test_demo_twice_changes_nothing(demo_dir: Path) -> None:
    before = db_fingerprint(demo_dir / "inspector.db")
    out = run_main("demo", data_dir=demo_dir)
    assert out.returncode == 0
    assert "nothing changed" in out.stdout
    assert db_fingerprint(demo_dir / "inspector.db") == before


def test_show_text_has_sections_vetoes_and_findings(demo_dir: Path) -> None:
    rows = json.loads(run_main("inspections", "list", "--json", data_dir=demo_dir).stdout)
    vetoed = next(r for r in rows if r["vetoed"])
    out = run_main("inspections", "show", vetoed["id"][:8], data_dir=demo_dir, lang="zh")
    assert out.returncode == 0, out.stderr
    assert "一票否决" in out.stdout and "不合格" in out.stdout
    assert "基础条件" in out.stdout or "组织管理" in out.stdout


def test_doctor_json(demo_dir: Path) -> None:
    out = run_main("doctor", "--json", data_dir=demo_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["journal_mode"] == "wal" and report["synchronous"] == "FULL"
    assert report["foreign_keys"] is True and report["integrity_check"] == "ok"
    assert report["schema_revision"] == report["schema_head"]
    assert {t["id"] for t in report["templates"]} >= {
        "pilot-base-performance",
        "tech-transfer-performance",
        "instrument-sharing",
    }
    assert report["audit_chain"]["ok"] is True


def test_database_is_in_wal_mode(demo_dir: Path) -> None:
    con = sqlite3.connect(demo_dir / "inspector.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_data_dir_from_environment(tmp_path: Path) -> None:
    d = tmp_path / "from-env"
    out = run_main("sites", "list", "--json", env={"INSPECTOR_DATA_DIR": str(d)})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
    assert (d / "inspector.db").exists()


def test_sites_import_bad_type_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    d = tmp_path / "data"
    good = tmp_path / "good.csv"
    good.write_text("code,name,type\nPB-1,甲基地,pilot_base\n", encoding="utf-8")
    assert run_main("sites", "import", str(good), data_dir=d).returncode == 0
    before = db_fingerprint(d / "inspector.db")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,type\nPB-2,乙基地,pilot_base\nPB-3,丙,spaceport\n", encoding="utf-8")
    out = run_main("sites", "import", str(bad), data_dir=d)
    assert out.returncode == 1
    assert f"{bad}:3: unknown site type 'spaceport'" in out.stderr
    assert db_fingerprint(d / "inspector.db") == before


def test_sites_import_malformed_xlsx(tmp_path: Path) -> None:
    bad = tmp_path / "sites.xlsx"
    bad.write_bytes(b"\x00\x01 garbage")
    out = run_main("sites", "import", str(bad), data_dir=tmp_path / "d")
    assert out.returncode == 1
    assert "sites.xlsx" in out.stderr and "Excel" in out.stderr


def test_inspection_workflow_and_refusals(tmp_path: Path) -> None:
    d = tmp_path / "data"
    sites = tmp_path / "s.csv"
    sites.write_text("code,name,type\nTT-9,测试技术转移中心,tech_transfer\n", encoding="utf-8")
    assert run_main("sites", "import", str(sites), data_dir=d).returncode == 0
    out = run_main(
        "inspections",
        "start",
        "--site",
        "TT-9",
        "--template",
        "tech-transfer-performance",
        "--inspector",
        "王晓明",
        "--date",
        "2024-11-01",
        data_dir=d,
    )
    assert out.returncode == 0, out.stderr
    insp = out.stdout.strip()
    detail = json.loads(run_main("inspections", "show", insp, "--json", data_dir=d).stdout)
    items = [i for s in detail["sections"] for i in s["items"]]
    score_item = next(i for i in items if i["type"] == "score")
    before = db_fingerprint(d / "inspector.db")
    out = run_main(
        "inspections",
        "answer",
        insp,
        score_item["id"],
        str(score_item["max_points"] + 5),
        data_dir=d,
    )
    assert out.returncode == 1
    assert score_item["id"] in out.stderr and "outside" in out.stderr
    assert db_fingerprint(d / "inspector.db") == before
    out = run_main(
        "inspections", "answer", insp, score_item["id"], "1", "--comment", "材料不全", data_dir=d
    )
    assert out.returncode == 0, out.stderr
    out = run_main("inspections", "complete", insp, data_dir=d)
    assert out.returncode == 1 and "required answers are missing" in out.stderr
    out = run_main(
        "findings",
        "add",
        insp,
        "--description",
        "合同未登记",
        "--severity",
        "major",
        "--deadline",
        "2024-12-31",
        "--responsible",
        "周主任",
        data_dir=d,
    )
    assert out.returncode == 0, out.stderr
    bad_date = run_main("findings", "add", insp, "--description", "x", "--deadline", "soon")
    assert bad_date.returncode == 2
    assert "expected a date as YYYY-MM-DD, got 'soon'" in bad_date.stderr


def test_answer_to_completed_inspection_is_refused(demo_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(demo_dir, copy)
    rows = json.loads(
        run_main("inspections", "list", "--json", "--status", "completed", data_dir=copy).stdout
    )
    target = rows[0]
    detail = json.loads(
        run_main("inspections", "show", target["id"], "--json", data_dir=copy).stdout
    )
    item = next(i for s in detail["sections"] for i in s["items"] if i["type"] == "yes_no")
    before = db_fingerprint(copy / "inspector.db")
    out = run_main("inspections", "answer", target["id"], item["id"], "no", data_dir=copy)
    assert out.returncode == 1
    assert "amend" in out.stderr
    assert db_fingerprint(copy / "inspector.db") == before


def test_messages_are_chinese_by_default(tmp_path: Path) -> None:
    out = run_main("inspections", "show", "no-such-inspection", data_dir=tmp_path / "d", lang="")
    assert out.returncode == 1
    assert "错误" in out.stderr and "no-such-inspection" in out.stderr


def test_no_subcommand_starts_the_desktop(tmp_path: Path) -> None:
    out = run_cli(
        data_dir=tmp_path / "d",
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "INSPECTOR_EXIT_AFTER_SHOW": "1",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
        },
    )
    assert out.returncode == 0, out.stderr
    assert "window-ready" in out.stdout
    assert (tmp_path / "d" / "inspector.db").exists()


def test_the_command_line_alone_starts_no_desktop(tmp_path: Path) -> None:
    """``cli.main`` is given the desktop by the entry points (desktop.py, python -m); on
    its own, no command is a usage error, and the data folder is not even opened."""
    out = run_main(data_dir=tmp_path / "d")
    assert out.returncode == 2
    assert "a command is needed here" in out.stderr
    assert not (tmp_path / "d" / "inspector.db").exists()


def test_usage_error_exits_2() -> None:
    out = run_main("inspections", "list", "--status", "lost")
    assert out.returncode == 2


def test_a_group_without_its_action_prints_its_help_and_exits_2() -> None:
    out = run_main("inspections")
    assert out.returncode == 2
    assert out.stdout.startswith("usage: inspector-app inspections [-h] ACTION ...")


def test_runs_from_repo_root_layout() -> None:
    assert (ROOT / "forms").is_dir() and (ROOT / "resources" / "fonts").is_dir()


# -- a frozen build that lacks a module (build.spec) ------------------------------------------


def _lacking(*args: object, **kwargs: object) -> int:
    raise ModuleNotFoundError(
        "No module named 'reportlab.graphics.barcode.code128'",
        name="reportlab.graphics.barcode.code128",
    )


def test_a_missing_module_in_the_build_is_a_message_not_a_traceback(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector_app import paths
    from inspector_app.cli import doctor

    monkeypatch.setattr(paths, "is_frozen", lambda: True)
    monkeypatch.setattr(doctor, "cmd_doctor", _lacking)
    out = run_main("--data-dir", str(data_dir), "doctor")
    assert out.returncode == 1
    assert "reportlab.graphics.barcode.code128" in out.stderr and "Traceback" not in out.stderr


def test_from_source_a_missing_module_is_still_a_traceback(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector_app.cli import doctor

    monkeypatch.setattr(doctor, "cmd_doctor", _lacking)
    with pytest.raises(ModuleNotFoundError):
        run_main("--data-dir", str(data_dir), "doctor")

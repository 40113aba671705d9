"""A data folder given for a run keeps its own settings and changes no default (issue 9 #11)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

from inspector_app.paths import resolve_data_dir
from inspector_app.settings import (
    Settings,
    load_settings,
    save_settings,
    use_data_folder,
    user_settings_path,
)
from tests.conftest import open_ws, run_cli
from tests.ui.test_workflows import PILOT, seed_site


def _user_settings() -> bytes:
    """The per-user settings of this laptop: names, organisation, no data folder chosen."""
    save_settings(
        Settings(inspectors=["王晓明"], organisation="每用户的机构"), user_settings_path()
    )
    return user_settings_path().read_bytes()


def test_settings_saved_in_a_given_folder_stay_in_it(make_app: Any, data_dir: Path) -> None:
    before = _user_settings()
    seed_site(data_dir)
    folder = resolve_data_dir(data_dir)
    app = make_app(data_dir)  # the folder given as with --data-dir
    assert app.settings.inspectors == ["王晓明"]  # a new folder starts from the user's names
    app.edit_settings()
    dialog = app.window.dialog
    assert dialog.data_dir.isReadOnly() and dialog.data_dir.text() == str(folder)
    dialog.inspectors.setText("李娜、张伟")
    dialog.organisation.setText("威海市科技服务中心")
    dialog.accept()

    own = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    assert own["inspectors"] == ["李娜", "张伟"]
    assert own["organisation"] == "威海市科技服务中心" and own["data_dir"] == ""
    assert user_settings_path().read_bytes() == before  # no default changed
    use_data_folder(None)
    assert load_settings().data_dir == "" and load_settings().inspectors == ["王晓明"]

    app.close()
    again = make_app(data_dir)  # the next run on that folder has its settings back
    assert again.settings.inspectors == ["李娜", "张伟"]
    assert again.settings.organisation == "威海市科技服务中心"


def test_the_cli_reads_the_settings_of_a_given_folder(data_dir: Path, tmp_path: Path) -> None:
    from inspector_app.services import inspections as svc
    from inspector_app.services.sites import find_site
    from inspector_app.services.templates import find_template_version

    before = _user_settings()
    seed_site(data_dir)
    ws = open_ws(data_dir)
    insp = svc.start_inspection(
        ws,
        site_id=find_site(ws, "PB-K1").id,
        template_version_id=find_template_version(ws, PILOT).id,
        inspectors=["李娜"],
        started_on=dt.date(2024, 10, 1),
        actor="测试员",
    )
    ws.close()
    save_settings(
        Settings(inspectors=["李娜"], organisation="数据文件夹的机构"), data_dir / "settings.json"
    )

    pdf = tmp_path / "report.pdf"
    r = run_cli("report", insp.id, "-o", str(pdf), data_dir=data_dir)  # --data-dir
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "数据文件夹的机构" in text and "每用户的机构" not in text

    env = {"INSPECTOR_DATA_DIR": str(data_dir), "INSPECTOR_PASSPHRASE": "folder passphrase"}
    r = run_cli("keys", "init", env=env)  # INSPECTOR_DATA_DIR: the folder's names
    assert r.returncode == 0, r.stderr
    shown = json.loads(run_cli("keys", "show", "--json", env=env).stdout)
    assert [person["subject_cn"] for person in shown] == ["李娜"]
    assert user_settings_path().read_bytes() == before

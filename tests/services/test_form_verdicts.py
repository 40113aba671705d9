"""Each forms/ file is judged once (issue 9, item 8): a valid one is pinned, an invalid one
keeps its verdict and messages, so a start parses neither again, however slow it was to
judge, and still reports the invalid one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from inspector_app import i18n, paths
from inspector_app.services.startup import ensure_templates
from inspector_app.services.templates import list_templates, sync_forms
from tests.conftest import DATA, ROOT, open_ws

MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")

# One start in a fresh process: which modules it needed, what it reported, how long it took.
START = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from inspector_app.services.startup import ensure_templates, open_workspace
from inspector_app.settings import Settings
ws, _recovery = open_workspace(Path(sys.argv[1]), actor="start", settings=Settings())
issues = ensure_templates(ws)  # what the window asks (after the start did its work)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "parsed": "yaml" in sys.modules or "pydantic" in sys.modules,
    "issues": [str(i) for i in issues],
}))
"""


def _start(data: Path, forms: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", START, str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, paths.FORMS_DIR_ENV: str(forms), "INSPECTOR_LANG": "en"},
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _forms(tmp_path: Path) -> Path:
    forms = tmp_path / "forms"
    forms.mkdir()
    shutil.copy(DATA / "mini.yaml", forms / "mini.yaml")
    (forms / "broken.yaml").write_text(
        MINI.replace("points: 60\n", "points: 61\n", 1), encoding="utf-8"
    )
    return forms


def test_a_second_start_parses_nothing_and_still_reports_the_invalid_file(tmp_path: Path) -> None:
    forms, data = _forms(tmp_path), tmp_path / "data"
    first = _start(data, forms)
    assert first["parsed"]
    assert len(first["issues"]) == 1 and first["issues"][0].startswith(f"{forms / 'broken.yaml'}:")
    second = _start(data, forms)
    assert not second["parsed"], "a start with unchanged forms/ parsed a template"
    assert second["issues"] == first["issues"]


def test_an_alias_bomb_in_forms_is_judged_once(tmp_path: Path) -> None:
    """Today every start of the desktop took 7 s with it in forms/."""
    forms, data = _forms(tmp_path), tmp_path / "data"
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    (forms / "bomb.yaml").write_text(bomb, encoding="utf-8")
    first = _start(data, forms)
    assert any("bomb.yaml:2: b[0]: YAML aliases" in i for i in first["issues"])
    second = _start(data, forms)
    assert not second["parsed"] and second["issues"] == first["issues"]
    assert second["seconds"] < 2


def test_a_changed_file_is_judged_again(ws, tmp_path: Path) -> None:
    forms = _forms(tmp_path)
    assert len(ensure_templates(ws, forms)) == 1
    (forms / "broken.yaml").write_text(MINI.replace("id: mini", "id: fixed"), encoding="utf-8")
    assert ensure_templates(ws, forms) == []
    assert {"mini", "fixed"} <= {t.template_id for t in list_templates(ws)}
    # the verdict on the old content is forgotten with the file
    (forms / "broken.yaml").unlink()
    assert sync_forms(ws, forms).issues == []


def test_a_verdict_is_given_again_in_another_language(tmp_path: Path) -> None:
    forms, data = _forms(tmp_path), tmp_path / "data"
    ws = open_ws(data)
    try:
        i18n.set_language("en")
        (english,) = ensure_templates(ws, forms)
        i18n.set_language("zh")
        (chinese,) = ensure_templates(ws, forms)
        assert "add up to" in english.message and "合计" in chinese.message
        assert chinese.line == english.line
    finally:
        ws.close()


def test_sync_forms_reports_a_kept_verdict_every_time(ws, tmp_path: Path) -> None:
    """`forms list` and `doctor` go through sync_forms: the invalid file is said each time."""
    forms = _forms(tmp_path)
    first = sync_forms(ws, forms).issues
    assert len(first) == 1
    assert sync_forms(ws, forms).issues == first

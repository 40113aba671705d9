"""Kill the app mid-edit; the inspection reopens exactly as the screen last showed it saved."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services.sites import upsert_sites
from inspector_app.services.templates import find_template_version, sync_forms
from inspector_app.ui.editor.tree import summary
from tests.conftest import ROOT, open_ws

# The real app in a child: answers item after item by keyboard and reports each one
# only when the window says it is saved (no text still waiting to be written).
CHILD = r"""
import json, sys
from PySide6.QtWidgets import QApplication
from inspector_app.ui.app import InspectorApp
from inspector_app.domain.checklists.scoring import normalize_answer
from inspector_app.ui.fonts import install_fonts
from tests.ui.keys import next_item, type_answer

qapp = QApplication([])
install_fonts(qapp)
app = InspectorApp(qapp, sys.argv[1], actor="crash")
editor = app.window.open_inspection(sys.argv[2])
app.window.activateWindow()
qapp.processEvents()
editor.panel.focus_answer()
print("ready", flush=True)
while True:
    item = editor._index[editor.current]
    type_answer(item)
    while editor.has_pending():  # typed input: on disk as a draft a moment later
        qapp.processEvents()
    if "保存" in editor.header.save_label.text():
        typed = editor.typed.pending.get((item.id, "value"))
        if typed is not None:  # on disk as a draft, not yet an edit: recovered at the start
            value, na = normalize_answer(item, typed.strip() or None), False
        else:
            view = editor.answers[item.id]
            value, na = view.value, view.not_applicable
        print("ack", json.dumps([item.id, value, na], ensure_ascii=False), flush=True)
    before = editor.current
    next_item(item)
    qapp.processEvents()
    if editor.current == before:
        print("done", flush=True)
        qapp.processEvents()
"""


def _prepare(data_dir: Path) -> str:
    ws = open_ws(data_dir)
    sync_forms(ws)
    upsert_sites(
        ws,
        [{"code": "PB-C1", "name": "崩溃测试中试基地", "site_type": "pilot_base"}],
        actor="测试员",
    )
    from inspector_app.services.sites import find_site

    insp = svc.start_inspection(
        ws,
        site_id=find_site(ws, "PB-C1").id,
        template_version_id=find_template_version(ws, "pilot-base-performance").id,
        inspectors=["王晓明"],
        started_on=dt.date(2024, 10, 1),
        actor="测试员",
    )
    ws.close()
    return insp.id


def test_killed_mid_edit_reopens_with_every_saved_answer(
    make_app: Any, data_dir: Path, tmp_path: Path
) -> None:
    inspection_id = _prepare(data_dir)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONUNBUFFERED": "1",
        "XDG_CONFIG_HOME": str(tmp_path / "child-config"),
    }
    acked: dict[str, tuple[Any, bool]] = {}
    rng = random.Random(11)
    for _round in range(2):  # kill twice, at random points, continuing where it stopped
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), inspection_id],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        assert child.stdout is not None
        target = rng.randint(6, 14)
        new = 0
        deadline = time.monotonic() + 90
        while new < target and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line or line.startswith("done"):
                break
            if line.startswith("ack "):
                item_id, value, na = json.loads(line[4:])
                acked[item_id] = (value, na)
                new += 1
        time.sleep(rng.random() * 0.05)  # land the kill somewhere in the next edit
        child.send_signal(signal.SIGKILL)
        _out, err = child.communicate()
        assert new == target, f"the child stopped early: {err[-2000:]}"

    app = make_app(data_dir)
    editor = app.window.open_inspection(inspection_id)
    assert editor is not None
    for item_id, (value, na) in acked.items():
        view = editor.answers[item_id]
        assert (view.value, view.not_applicable) == (value, na), item_id
        assert editor.tree.rows[item_id].text(1) == summary(editor._index[item_id], view)
    with app.ws.db.session() as s:
        from inspector_app.store import audit

        assert audit.verify_chain(s).ok


# The real window: type into a text item's answer and into its comment, then report.
TYPING_CHILD = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from inspector_app.domain.checklists.schema import AnswerType
from inspector_app.ui.app import InspectorApp
from inspector_app.ui.fonts import install_fonts
from tests.ui.keys import focused, type_text

qapp = QApplication([])
install_fonts(qapp)
app = InspectorApp(qapp, sys.argv[1], actor="crash")
editor = app.window.open_inspection(sys.argv[2])
item = next(i for s in editor.template.sections for i in s.items
            if i.type is AnswerType.TEXT and not i.show_if)
editor.select_item(item.id)
qapp.processEvents()
type_text(focused(), "车间整洁，记录完整")
editor.focus_comment()
type_text(focused(), "负责人在场")
print("typed", item.id, flush=True)
qapp.exec()  # the event loop runs on, as in the real app, until the kill
"""


def test_text_typed_150_ms_before_a_kill_is_there(
    make_app: Any, data_dir: Path, tmp_path: Path
) -> None:
    inspection_id = _prepare(data_dir)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "child-config"),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", TYPING_CHILD, str(data_dir), inspection_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    time.sleep(0.15)
    child.send_signal(signal.SIGKILL)
    _out, err = child.communicate()
    assert line.startswith("typed "), err[-2000:]
    item_id = line.split()[1]

    app = make_app(data_dir)  # the next start turns what was typed into its edits
    editor = app.window.open_inspection(inspection_id)
    assert editor is not None
    assert editor.answers[item_id].value == "车间整洁，记录完整"
    assert editor.answers[item_id].comment == "负责人在场"
    state = views_svc.load_inspection_state(app.ws, inspection_id)
    assert state.answers[item_id].value == "车间整洁，记录完整"
    from inspector_app.services.drafts import pending_drafts

    assert not pending_drafts(app.ws)
    with app.ws.db.session() as s:
        from inspector_app.store import audit

        assert audit.verify_chain(s).ok

"""Killing the process mid-work loses nothing that was acknowledged (RELIABILITY D17, D20)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from inspector_app.services import inspection_views as views_svc
from tests.services.helpers import start

CHILD = r"""
import sys
from pathlib import Path
from inspector_app.services import answers as answers_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.startup import open_workspace
from inspector_app.settings import Settings

ws, _recovery = open_workspace(Path(sys.argv[1]), actor="crash", settings=Settings())
insp_id, item_id = sys.argv[2], sys.argv[3]
n = 0
while True:
    n += 1
    answers_svc.comment_item(ws, insp_id, item_id, f"edit {n}", actor="crash")
    print(n, flush=True)   # acknowledged only after the commit returned
"""


def test_sigkill_at_random_moments_loses_no_acknowledged_edit(ws, data_dir: Path) -> None:
    insp_id, template = start(ws)
    item_id = template.items()[0].id
    ws.close()
    rng = random.Random(7)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for _round in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), insp_id, item_id],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        acked = 0
        deadline = time.monotonic() + 60
        target = rng.randint(5, 40)
        while acked < target and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acked = int(line)
        time.sleep(rng.random() * 0.02)  # land the kill at a random point of the next edit
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert acked == target
        con = sqlite3.connect(data_dir / "inspector.db")
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        con.close()
        from tests.conftest import open_ws

        reopened = open_ws(data_dir)
        d = views_svc.inspection_detail(reopened, insp_id)
        comment = next(
            i["comment"] for s in d["sections"] for i in s["items"] if i["id"] == item_id
        )
        assert int(comment.split()[1]) >= acked
        from inspector_app.store import audit

        with reopened.db.session() as s:
            assert audit.verify_chain(s).ok
        reopened.close()

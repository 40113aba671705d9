"""The report in the desktop: built in the background, previewed, saved, signed."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from inspector_app.services import inspections as svc
from inspector_app.services.signing import ensure_demo_identity
from tests.services.helpers import answer_all
from tests.ui.test_workflows import _open_new, seed_site


def test_preview_save_and_sign(make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any) -> None:
    seed_site(data_dir)
    ensure_demo_identity(data_dir, "demo-passphrase")
    app = make_app(data_dir)
    win = app.window
    editor = _open_new(app)
    inspection_id = editor.state.id
    answer_all(app.db, inspection_id, editor.template)
    svc.complete_inspection(app.db, inspection_id, actor="测试员")
    win.open_inspection(inspection_id)
    win.report_current()
    dialog = win.dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=30000)
    assert len(dialog.pages) == dialog.result.page_count >= 2
    assert not dialog.pages[0].pixmap().isNull()
    assert "未签名" in dialog.status.text()

    saved = dialog.save_as(tmp_path / "unsigned.pdf")
    assert saved is not None and saved.read_bytes() == Path(dialog.result.path).read_bytes()
    assert dialog.folder_button.isEnabled()

    signed = tmp_path / "signed.pdf"
    dialog.sign(signed, passphrase="demo-passphrase")
    qtbot.waitUntil(lambda: signed.exists() and "已签名" in dialog.status.text(), timeout=30000)
    out = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True)
    assert "Signature is Valid" in out.stdout
    dialog.close()


def test_wrong_passphrase_is_reported_and_nothing_written(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    seed_site(data_dir)
    ensure_demo_identity(data_dir, "demo-passphrase")
    app = make_app(data_dir)
    editor = _open_new(app)
    answer_all(app.db, editor.state.id, editor.template)
    svc.complete_inspection(app.db, editor.state.id, actor="测试员")
    app.window.open_inspection(editor.state.id)
    app.window.report_current()
    dialog = app.window.dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=30000)
    target = tmp_path / "never.pdf"
    dialog.sign(target, passphrase="not-the-passphrase")
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
        ),
        timeout=30000,
    )
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            assert "口令" in w.text() or "passphrase" in w.text().lower()
            w.close()
    assert not target.exists()
    dialog.close()

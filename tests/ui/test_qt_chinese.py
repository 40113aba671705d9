"""Qt's own dialogs speak Chinese in the Chinese UI: the file dialog's "Look in:" and
"Files of type:" among them (issue 9 #15)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QLabel,
    QMessageBox,
    QWidget,
)

from tests.ui.test_workflows import seed_site

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{3,}")


def shown_texts(dialog: QWidget) -> list[str]:
    """Labels, button texts and tool tips a user reads in the dialog."""
    texts = [w.text() for w in dialog.findChildren(QLabel) if w.isVisibleTo(dialog)]
    for b in dialog.findChildren(QAbstractButton):
        if b.isVisibleTo(dialog):
            texts += [b.text(), b.toolTip()]
    return [t for t in texts if t]


def english(texts: list[str], allowed: tuple[str, ...] = ()) -> list[str]:
    return [t for t in texts if WORD.search(t) and not CJK.search(t) and t not in allowed]


def grab_modal(action: Any) -> list[str]:
    """Run ``action`` (which opens a modal Qt dialog with exec()) and read that dialog."""
    seen: list[str] = []

    def read() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, read)
            return
        seen.extend(shown_texts(modal))
        modal.reject()

    QTimer.singleShot(20, read)
    action()
    return seen


def test_file_dialogs_and_message_boxes_are_chinese(
    make_app: Any, data_dir: Path, tmp_path: Path
) -> None:
    from inspector_app.ui.photos import choose_files, choose_folder

    seed_site(data_dir)
    app = make_app(data_dir)  # the Chinese UI
    window = app.window
    opened = grab_modal(lambda: choose_files(window))  # what Ctrl+P opens
    assert "查找范围(&L)：" in opened and "文件类型(&T)：" in opened
    assert english(opened) == []
    assert english(grab_modal(lambda: choose_folder(window))) == []
    saved = grab_modal(
        lambda: QFileDialog.getSaveFileName(window, "x", str(tmp_path / "a.pdf"), "PDF (*.pdf)")
    )
    assert "查找范围(&L)：" in saved and english(saved) == []
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "x",
        "中文",
        QMessageBox.StandardButton.Ok
        | QMessageBox.StandardButton.Cancel
        | QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No,
        window,
    )
    box.setDetailedText("细节")
    assert english(grab_modal(box.exec)) == []

    app.set_language("en")  # and back to Qt's English when the app switches
    assert "&Look in:" in grab_modal(lambda: choose_files(app.window))

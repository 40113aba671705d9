"""Every interactive widget on every screen and dialog has an accessible name (issue 9 #20).

The screens: the welcome page, the browser's tabs, the editor on a draft showing every
answer type and every side tab, the editor on a completed inspection; the dialogs: every
dialog class (tests/ui/dialog_factories.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from tests.ui.accessibility import unnamed_controls
from tests.ui.dialog_factories import FACTORIES, make_world, show


def _editor_screens(window: Any, inspection_id: str) -> tuple[list[str], set[str]]:
    """The editor on each item (so each answer type is shown), then on each side tab."""
    editor = window.open_inspection(inspection_id)
    found: list[str] = []
    shown_types = set()
    for item_id in editor.order():
        item = editor._index[item_id]
        kind = getattr(getattr(item, "type", None), "value", "veto")
        if kind in shown_types:
            continue
        shown_types.add(kind)
        editor.select_item(item_id, focus=False)
        QApplication.processEvents()
        found += [f"{kind}: {u}" for u in unnamed_controls(window)]
    for tab in range(editor.side.count()):
        editor.side.setCurrentIndex(tab)
        QApplication.processEvents()
        found += [f"side tab {tab}: {u}" for u in unnamed_controls(window)]
    return sorted(set(found)), shown_types


def test_every_control_has_an_accessible_name(
    make_app: Any, data_dir: Path, tmp_path: Path, qtbot: Any
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    welcome = make_app(empty)
    assert welcome.window.current_page() is welcome.window.welcome
    problems = [f"welcome: {u}" for u in unnamed_controls(welcome.window)]
    welcome.close()

    world = make_world(make_app, data_dir, tmp_path)
    window = world.window
    for tab in range(window.browser.tabs.count()):
        window.browser.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        problems += [f"browser tab {tab}: {u}" for u in unnamed_controls(window)]
    draft, kinds = _editor_screens(window, world.draft_id)
    completed, read_only_kinds = _editor_screens(window, world.completed_id)
    every = {"veto", "yes_no", "score", "number", "choice", "text", "date"}
    assert kinds | read_only_kinds >= every  # each answer type shown (dates: read-only)
    problems += [f"draft {u}" for u in draft] + [f"completed {u}" for u in completed]
    window.close_editor(reload=False)

    for name, factory in FACTORIES.items():
        dialog = factory(world)
        show(dialog, qtbot)
        problems += [f"{name}: {u}" for u in unnamed_controls(dialog)]
        dialog.reject()
    assert problems == [], "\n".join(problems)

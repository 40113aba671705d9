"""Every desktop write is an operation (issue 10): it runs through ``Operations.do`` or
``Operations.run``, which announce what it changed, so every screen showing it refreshes."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtTest import QTest

from inspector_app.services.changes import Changes
from tests.ui.dialog_factories import make_world

UI = Path(__file__).resolve().parents[2] / "inspector_app" / "ui"

# The services that write to the data folder (the database, media, keys, packages).
WRITES = {
    "answer_item", "mark_not_applicable", "comment_item", "set_evidence_checked",
    "restore_answer", "answer_many", "save_draft", "drop_draft", "apply_draft",
    "add_finding", "update_finding", "set_finding_status", "link_photo_to_finding",
    "set_caption", "add_photos", "start_inspection", "complete_inspection",
    "amend_inspection", "record_signature", "load_demo", "import_sites", "upsert_sites",
    "import_package", "export_package", "sign_report", "resolve_conflicts",
    "resolve_conflict", "mark_exported", "init_identity", "ensure_identity",
    "import_certificate", "sync_forms", "store_templates", "init_ca", "issue_certificate",
}  # fmt: skip
# Calls inside which a write may be named: the operations themselves, and the editor's
# ``_edit`` (a service edit it hands to ``_commit``, which runs it through ``ops.do``) and
# ``_draft`` (which runs its draft write through ``ops.do``).
EDITOR_WRAPPERS = {"_edit", "_draft"}


def _service_names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The local names of service modules (``answers_svc``) and of functions imported from
    them (``add_photos``), anywhere in the module (imports inside functions too)."""
    modules, functions = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "inspector_app.services":
                modules |= {a.asname or a.name for a in node.names}
            elif node.module.startswith("inspector_app.services."):
                functions |= {a.asname or a.name for a in node.names if a.name in WRITES}
        elif isinstance(node, ast.Import):
            modules |= {
                a.asname
                for a in node.names
                if a.asname and a.name.startswith("inspector_app.services")
            }
    return modules, functions


def _is_write(node: ast.AST, modules: set[str], functions: set[str]) -> str | None:
    if (
        isinstance(node, ast.Attribute)
        and node.attr in WRITES
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    ):
        return node.attr
    if isinstance(node, ast.Name) and node.id in functions:
        return node.id
    return None


def _is_operation(call: ast.AST) -> bool:
    """``ops.do(...)``, ``self.ops.run(...)``, or the editor's ``self._edit(...)``."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return False
    owner = call.func.value
    owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
    return call.func.attr in EDITOR_WRAPPERS or (
        call.func.attr in ("do", "run") and owner_name == "ops"
    )


def _passed_to_operations(tree: ast.AST) -> set[str]:
    """Names of local functions handed to an operation (``def work(...)``, then
    ``ops.run(self, work, ...)``)."""
    names = set()
    for call in ast.walk(tree):
        if _is_operation(call):
            assert isinstance(call, ast.Call)
            for arg in (*call.args, *(k.value for k in call.keywords)):
                if isinstance(arg, ast.Name):
                    names.add(arg.id)
    return names


def _inside_an_operation(node: ast.AST, parents: dict[ast.AST, ast.AST], passed: set[str]) -> bool:
    up = parents.get(node)
    while up is not None:
        if _is_operation(up):
            return True
        if isinstance(up, ast.FunctionDef) and up.name in passed:
            return True
        up = parents.get(up)
    return False


def _unwrapped_writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    modules, functions = _service_names(tree)
    passed = _passed_to_operations(tree)
    out = []
    for node in ast.walk(tree):
        name = _is_write(node, modules, functions)
        if name and not _inside_an_operation(node, parents, passed):
            out.append((node.lineno, f"{path.relative_to(UI)}:{node.lineno} {name}"))
    return [text for _line, text in sorted(out)]


def test_every_desktop_write_is_an_operation() -> None:
    found = []
    for path in sorted(UI.rglob("*.py")):
        found += _unwrapped_writes(path)
    assert found == [], "writes outside Operations.do/run: " + ", ".join(found)


def test_the_checker_sees_a_write_outside_an_operation(tmp_path: Path) -> None:
    bad = UI / "_probe_for_the_test.py"
    bad.write_text(
        "from inspector_app.services import inspections as svc, answers as answers_svc\n"
        "def f(self):\n"
        "    from inspector_app.services.demo import load_demo\n"
        "    svc.complete_inspection(self.ws, i, actor=a)\n"
        "    self.ops.do(lambda: svc.complete_inspection(self.ws, i, actor=a), changes=c)\n"
        "    self.ops.run(self, lambda _p: load_demo(ws, actor=a), changes=c)\n"
        "    self._commit(i, self._edit(answers_svc.answer_item, i, v))\n"
        "    self.load_demo()\n"
        "    load_demo(ws, actor=a)\n"
        "    def work(p):\n"
        "        return load_demo(ws, actor=a)\n"
        "    self.ops.run(self, work, changes=c)\n"
        "    def stray(p):\n"
        "        return load_demo(ws, actor=a)\n",
        encoding="utf-8",
    )
    try:
        assert _unwrapped_writes(bad) == [
            "_probe_for_the_test.py:4 complete_inspection",
            "_probe_for_the_test.py:9 load_demo",
            "_probe_for_the_test.py:14 load_demo",
        ]
    finally:
        bad.unlink()


# -- what the operations announce, in the real window ----------------------------------------


def _yes_no(editor: Any) -> str:
    from inspector_app.domain.checklists.schema import AnswerType

    return next(
        i.id
        for i in editor.template.items()
        if i.type == AnswerType.YES_NO and not i.show_if and i.id not in editor.answers
    )


def test_an_edit_announces_its_inspection_and_the_editor_keeps_its_undo(
    make_app: Any, tmp_path: Path
) -> None:
    w = make_world(make_app, tmp_path / "data", tmp_path)
    window = w.window
    heard: list[tuple[Changes, object]] = []
    window.ops.workspace_changed.connect(lambda c, s: heard.append((c, s)))
    editor = window.open_inspection(w.draft_id)
    item = _yes_no(editor)
    editor.select_item(item)
    assert editor.apply_answer(item, "yes")
    assert [(c.inspections, s) for c, s in heard] == [(frozenset({w.draft_id}), editor)]
    assert editor.undo_stack.canUndo()  # its own write: no reload, the undo step stays


def test_a_write_from_another_screen_reloads_the_editor_showing_it(
    make_app: Any, tmp_path: Path
) -> None:
    from inspector_app.services import answers as answers_svc

    w = make_world(make_app, tmp_path / "data", tmp_path)
    window = w.window
    editor = window.open_inspection(w.draft_id)
    item = _yes_no(editor)
    editor.select_item(item)
    assert editor.apply_answer(item, "yes")
    window.ops.do(  # as the conflicts dialog or a package import would
        lambda: answers_svc.comment_item(w.ws, w.draft_id, item, "另一个窗口写的", actor="总部"),
        changes=lambda _r: Changes.of(inspections=[w.draft_id]),
    )
    assert editor.answers[item].comment == "另一个窗口写的"
    QTest.qWait(50)  # the undo steps go once the stack is idle
    assert not editor.undo_stack.canUndo()  # they described a past another write replaced


def test_the_browser_reads_its_lists_again_after_a_write_it_shows(
    make_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(make_app, tmp_path / "data", tmp_path)
    window = w.window
    reads: list[int] = []
    monkeypatch.setattr(window, "reload", lambda: reads.append(1))
    window.ops.announce(Changes.of(inspections=[w.draft_id]))
    assert reads == [1]
    window.open_inspection(w.draft_id)
    window.ops.announce(Changes.of(inspections=[w.completed_id]))
    assert reads == [1]  # hidden behind the editor: read again when it closes
    window.close_editor()
    assert reads == [1, 1]


def test_opening_waits_for_no_disk_write_and_the_recent_list_follows(
    make_app: Any, tmp_path: Path, qtbot: Any
) -> None:
    from inspector_app.settings import load_settings

    w = make_world(make_app, tmp_path / "data", tmp_path)
    w.window.open_inspection(w.draft_id)
    assert w.draft_id not in load_settings().recent  # not yet on disk: opening was not slowed
    qtbot.waitUntil(lambda: w.draft_id in load_settings().recent, timeout=5000)
    w.window.open_inspection(w.completed_id)
    w.app.close()  # closing saves what is still due
    assert load_settings().recent[0] == w.completed_id

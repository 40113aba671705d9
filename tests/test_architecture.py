"""Qt stays inside inspector_app/ui (ARCHITECTURE: layers import downward only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "inspector_app"


def _imports_pyside(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] == "PySide6" for a in node.names):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "PySide6"
        ):
            lines.append(node.lineno)
    return lines


def test_no_pyside6_outside_ui() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui":
            continue
        offenders += [f"{rel}:{line}" for line in _imports_pyside(path)]
    assert offenders == [], f"PySide6 imported outside inspector_app/ui: {offenders}"


def test_checker_sees_an_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom PySide6.QtCore import QObject\n", encoding="utf-8")
    assert _imports_pyside(bad) == [2]


def test_core_runs_without_qt_loaded() -> None:
    """Importing the CLI and services must not pull PySide6 in at run time either."""
    code = (
        "import sys, inspector_app.cli, inspector_app.services.inspections, "
        "inspector_app.services.demo, inspector_app.services.doctor; "
        "print('PySide6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

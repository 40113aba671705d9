"""The exit codes are named (cli/exit_codes.py) and their numbers are the interface; every
command module is in the parser."""

from __future__ import annotations

import ast
from pathlib import Path

from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.parser import COMMAND_MODULES
from tests.conftest import run_main

CLI = Path(__file__).resolve().parents[2] / "inspector_app" / "cli"


def test_the_numbers_never_change() -> None:
    assert {c.name: c.value for c in ExitCode} == {
        "OK": 0,
        "REFUSED": 1,
        "USAGE": 2,
        "INTERRUPTED": 130,
    }


def test_argparse_exits_with_the_usage_code() -> None:
    assert run_main("inspections", "list", "--status", "lost").returncode == ExitCode.USAGE
    assert run_main("--version").returncode == ExitCode.OK


def _bare_numbers(path: Path) -> list[int]:
    """Lines that return a literal number, or choose between two."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Return) and node.value is not None:
            values = [node.value]
            if isinstance(node.value, ast.IfExp):
                values = [node.value.body, node.value.orelse]
            if any(isinstance(v, ast.Constant) and isinstance(v.value, int) for v in values):
                found.append(node.lineno)
    return sorted(found)


def test_commands_return_named_exit_codes() -> None:
    bare = {p.name: lines for p in sorted(CLI.glob("*.py")) if (lines := _bare_numbers(p))}
    assert bare == {}


def test_the_checker_sees_a_bare_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x):\n    if x:\n        return 2\n    return 1 if x else 0\n")
    assert _bare_numbers(bad) == [3, 4]


def test_every_command_module_is_in_the_parser() -> None:
    registering = {p.stem for p in CLI.glob("*.py") if "\ndef register(" in p.read_text("utf-8")}
    assert registering == {m.__name__.rsplit(".", 1)[1] for m in COMMAND_MODULES}

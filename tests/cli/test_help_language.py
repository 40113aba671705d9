"""--help and usage errors in the language of the run, argparse's own words included
(issue 9 #15)."""

from __future__ import annotations

import argparse
import ast
import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT, run_cli, run_main

ENGLISH = ("usage:", "show this help message", "positional arguments", "options:", "error:")


def argparse_msgids() -> set[str]:
    """Every message this Python's argparse passes to its ``_`` or ``ngettext``."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
            found |= {a.value for a in node.args if isinstance(a, ast.Constant)}
    return {m for m in found if isinstance(m, str)}


def test_every_argparse_message_has_its_chinese() -> None:
    from inspector_app.cli.text import argparse_messages
    from inspector_app.i18n import set_language

    catalogue = json.loads((ROOT / "resources" / "i18n" / "zh_CN.json").read_text("utf-8"))
    wanted = argparse_msgids()
    assert len(wanted) > 30
    assert sorted(wanted - set(catalogue)) == []
    set_language("en")
    assert sorted(wanted - set(argparse_messages())) == []


@pytest.mark.parametrize(
    ("args", "run"),
    [(("--help",), run_cli), (("inspections", "list", "--help"), run_main)],
    ids=["child process", "in process"],
)
def test_help_is_chinese(args: tuple[str, ...], run: Callable[..., Any]) -> None:
    out = run(*args, lang="")  # the default language
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("用法：inspector-app")
    for chinese in ("显示此帮助信息并退出", "选项"):
        assert chinese in out.stdout
    assert [w for w in ENGLISH if w in out.stdout] == []
    if args == ("--help",):
        assert "位置参数" in out.stdout and "显示版本号并退出" in out.stdout
        assert "show program's version" not in out.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("inspections", "list", "--status", "lost"), "无效的选择：'lost'"),
        (("inspections", "start"), "缺少以下必需参数：--site, --template"),
        (("no-such-command",), "参数 COMMAND：无效的选择"),
        (("inspections", "list", "--year", "soon"), "无效的 int 值：'soon'"),
    ],
)
def test_usage_errors_are_chinese(args: tuple[str, ...], says: str) -> None:
    out = run_main(*args, lang="zh")
    assert out.returncode == 2
    assert says in out.stderr and "用法：" in out.stderr and "：错误：" in out.stderr
    assert [w for w in (*ENGLISH, "invalid", "required") if w in out.stderr] == []


@pytest.mark.parametrize("lang", [["--lang", "en"], ["--lang=en"]])
def test_english_stays_english(lang: list[str]) -> None:
    out = run_main(*lang, "--help", lang="")
    assert out.stdout.startswith("usage: inspector-app")
    assert "show this help message and exit" in out.stdout and "用法" not in out.stdout
    bad = run_main(*lang, "inspections", "start", lang="")
    assert bad.returncode == 2
    assert "error: the following arguments are required: --site, --template" in bad.stderr

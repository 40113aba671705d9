"""Every user-visible message goes through one function and has its Chinese translation."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from inspector_app import i18n
from inspector_app.i18n import _

PACKAGE = Path(__file__).resolve().parent.parent / "inspector_app"
CATALOGUE = Path(__file__).resolve().parent.parent / "resources" / "i18n" / "zh_CN.json"


def messages_in_code() -> dict[str, str]:
    """Every literal passed to ``_()`` in the package, with where it is used."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "tr")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(
                    node.args[0].value, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                )
    return found


def test_every_message_has_a_chinese_translation() -> None:
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    missing = {m: where for m, where in messages_in_code().items() if not catalogue.get(m)}
    assert missing == {}, "add these to resources/i18n/zh_CN.json"


def test_catalogue_has_no_stale_entries() -> None:
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert sorted(set(catalogue) - set(messages_in_code())) == []


def test_placeholders_match() -> None:
    import string

    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    fmt = string.Formatter()
    for msgid, text in catalogue.items():
        want = sorted({f for _, f, _, _ in fmt.parse(msgid) if f})
        got = sorted({f for _, f, _, _ in fmt.parse(text) if f})
        assert want == got, msgid


def test_switching_language() -> None:
    i18n.set_language("zh")
    assert _("Draft") == "草稿"
    i18n.set_language("en")
    assert _("Draft") == "Draft"
    i18n.set_language(None)
    assert i18n.current_language() == "zh"

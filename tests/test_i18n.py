"""Every user-visible message goes through one function and has its Chinese translation."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from inspector_app import i18n
from inspector_app.i18n import _

PACKAGE = Path(__file__).resolve().parent.parent / "inspector_app"
CATALOGUE = Path(__file__).resolve().parent.parent / "resources" / "i18n" / "zh_CN.json"


def _translates(func: ast.expr) -> bool:
    """``_(…)``, ``tr(…)`` or a translator's ``t.tr(…)`` (``i18n.Translator``)."""
    if isinstance(func, ast.Name):
        return func.id in ("_", "tr")
    return isinstance(func, ast.Attribute) and func.attr == "tr"


def messages_in_code() -> dict[str, str]:
    """Every literal passed to ``_()`` (or a ``Translator``) in the package, with where it is
    used."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _translates(node.func)
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


def test_a_translator_keeps_its_language_whatever_the_process_shows() -> None:
    english, chinese, current = i18n.Translator("en"), i18n.Translator("zh-CN"), i18n.CURRENT
    title = {"zh": "中试基地", "en": "Pilot base"}
    i18n.set_language("zh")
    assert (english.tr("Draft"), english.pick(title)) == ("Draft", "Pilot base")
    assert (current.tr("Draft"), current.pick(title)) == ("草稿", "中试基地")
    i18n.set_language("en")
    assert (chinese.tr("Page {page} of {pages}", page=1, pages=2), chinese.pick(title)) == (
        "第 1 页 共 2 页",
        "中试基地",
    )
    assert current.tr("Draft") == "Draft" and current.language == "en"
    assert i18n.current_language() == "en"  # a translator never switched the process

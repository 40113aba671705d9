"""The one translation function for every user-visible string.

Messages are written in English in the code (the msgid) and looked up in the catalogue
``resources/i18n/zh_CN.json``. Chinese is the default language; English is the second.
``tests/test_i18n.py`` fails when a message used in the code has no Chinese entry.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from inspector_app import paths

LANG_ENV = "INSPECTOR_LANG"
SUPPORTED = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_language: str | None = None


def normalize_language(value: str | None) -> str:
    if not value:
        return DEFAULT_LANGUAGE
    value = value.strip().lower().replace("-", "_")
    if value.startswith("en"):
        return "en"
    return "zh"


def current_language() -> str:
    if _language is not None:
        return _language
    return normalize_language(os.environ.get(LANG_ENV))


def set_language(lang: str | None) -> str:
    """Switch the language for the rest of the process; ``None`` restores the default."""
    global _language
    _language = None if lang is None else normalize_language(lang)
    return current_language()


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    path = paths.i18n_dir() / "zh_CN.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _(message: str, /, **kwargs: Any) -> str:
    """Translate ``message`` into the current language, then format it with ``kwargs``."""
    text = catalogue(current_language()).get(message, message)
    return text.format(**kwargs) if kwargs else text


def tr(message: str, /, lang: str | None = None, **kwargs: Any) -> str:
    """``_()`` in a given language, without switching the process's language (the desktop
    may sign an English report while it shows Chinese); ``lang=None`` is ``_()``."""
    if lang is None:
        return _(message, **kwargs)
    text = catalogue(normalize_language(lang)).get(message, message)
    return text.format(**kwargs) if kwargs else text


def pick(text: dict[str, str] | Any, lang: str | None = None) -> str:
    """Choose the right side of a bilingual ``{zh, en}`` text from a template."""
    lang = lang or current_language()
    if isinstance(text, dict):
        return text.get(lang) or text.get("zh") or text.get("en") or ""
    zh = getattr(text, "zh", None)
    en = getattr(text, "en", None)
    return (en if lang == "en" else zh) or zh or en or ""

"""The one translation function for every user-visible string.

Messages are written in English in the code (the msgid) and looked up in the catalogue
``resources/i18n/zh_CN.json``. Chinese is the default language; English is the second.
``tests/test_i18n.py`` fails when a message used in the code has no Chinese entry.

There is one *process language*: the desktop's own switch and the CLI's ``--lang`` at
startup set it (``set_language``), and ``_()`` follows it. Nothing else sets it: text in
another language (an English report while the window shows Chinese) is made with a
``Translator`` for that language, passed in explicitly, which reads the catalogue and never
the process language. ``Translator()`` without a language follows the process language.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
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
    """Switch the language for the rest of the process; ``None`` restores the default.

    Only for the desktop's language switch and the CLI's startup: text in another language
    is made with a ``Translator``, never by switching the process."""
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


@dataclass(frozen=True, slots=True)
class Translator:
    """Messages and bilingual template texts in one language, chosen by the caller.

    ``Translator("en").tr("Draft")`` is "Draft" whatever the process language; ``.pick``
    chooses the side of a ``{zh, en}`` text. ``Translator()`` (``CURRENT``) follows the
    process language at each call, for text shown in the window or on the terminal.
    """

    lang: str | None = None  # None: the process language, read at each call

    def __post_init__(self) -> None:
        if self.lang is not None:
            object.__setattr__(self, "lang", normalize_language(self.lang))

    @property
    def language(self) -> str:
        return self.lang if self.lang is not None else current_language()

    def tr(self, message: str, /, **kwargs: Any) -> str:
        """``message`` (an English msgid) in this language, formatted with ``kwargs``."""
        text = catalogue(self.language).get(message, message)
        return text.format(**kwargs) if kwargs else text

    def pick(self, text: dict[str, str] | Any) -> str:
        """The side of a bilingual ``{zh, en}`` text in this language."""
        return pick(text, self.language)


CURRENT = Translator()  # follows the process language

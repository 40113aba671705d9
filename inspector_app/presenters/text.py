"""The small rules every label and sentence follows: one line, the dash for nothing, numbers
as people write them, yes and no, "label: value"."""

from __future__ import annotations

from typing import Any

from inspector_app.i18n import CURRENT, Translator

NONE = "—"
SHORT = 60  # characters of text shown in a table cell; the rest is "…"
SEP = " · "


def shorten(text: str, limit: int = SHORT) -> str:
    """One line, at most ``limit`` characters; a cut ends in "…"."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def yes_no(value: Any, t: Translator = CURRENT) -> str:
    if value is True or value == "yes":
        return t.tr("Yes")
    if value is False or value == "no":
        return t.tr("No")
    return plain(value, t)


def plain(value: Any, t: Translator = CURRENT) -> str:
    """Any value, when nothing more is known about it."""
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return yes_no(value, t)
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, list):
        return "、".join(plain(v, t) for v in value)
    if isinstance(value, dict):
        return SEP.join(f"{k}: {plain(v, t)}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


def labelled(label: str, value: str, t: Translator = CURRENT) -> str:
    return t.tr("{label}: {value}", label=label, value=value)

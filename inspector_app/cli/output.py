"""How the command line prints: tables, JSON, lines on stderr, a progress line.

Everything goes through ``sys.stdout`` / ``sys.stderr`` as they are when it prints: ``main``
wraps them in ``SafeStream`` (cli/checks.py) for the run. Data in a table is escaped with
``safe``; JSON with ``json_safe``.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

from inspector_app.cli.checks import json_safe, safe
from inspector_app.i18n import _


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[safe(c) for c in row] for row in rows]  # data: control characters escaped
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())


def print_json(data: Any) -> None:
    """Indented JSON; a long list gets one compact row per line (the C encoder: fast).
    Chinese stays readable; control, format and bidi characters are \\u escapes (json_safe)."""
    if isinstance(data, list) and len(data) > 50:
        body = ",\n".join(json.dumps(row, ensure_ascii=False) for row in data)
        print(json_safe(f"[\n{body}\n]"))
    else:
        print(json_safe(json.dumps(data, ensure_ascii=False, indent=2)))


def warn(text: object) -> None:
    """One line on stderr: what is not the command's result (a warning, a problem with one
    input, a refusal), already in the run's language."""
    print(text, file=sys.stderr)


def error(message: object) -> None:
    """``error: MESSAGE`` on stderr: the command was refused."""
    warn(_("error: {message}", message=message))


def problem(message: object) -> None:
    """``problem: MESSAGE`` on stderr: what a check found (an identity, a signature)."""
    warn(_("problem: {message}", message=message))


def progress_to_stderr(done: int, total: int, what: str) -> None:
    """``WHAT done/total`` on one line of a terminal, rewritten in place; nothing when stderr
    is not a terminal."""
    if sys.stderr.isatty():  # the carriage return is the CLI's own: written as it is
        write = getattr(sys.stderr, "write_trusted", sys.stderr.write)
        write(f"\r{what} {done}/{total}" + ("" if done < total else "\n"))

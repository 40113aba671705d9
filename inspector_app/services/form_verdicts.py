"""Each file of forms/ judged once: a valid one is pinned (its SHA-256 in ``forms_seen``), an
invalid one keeps its verdict and messages (``forms_invalid``), so a start parses neither
again and the desktop can still say which templates were not loaded and why.

Kept in the data folder's small facts (``store/meta.py``, plain sqlite3): a start with
unchanged forms/ reads them without the ORM. ``services.startup`` asks before anything is
parsed, ``services.templates`` records what parsing found.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from inspector_app.domain.checklists.errors import TemplateIssue
from inspector_app.i18n import current_language
from inspector_app.limits import TEMPLATE_BYTES
from inspector_app.store.meta import get_value, set_value
from inspector_app.workspace import Workspace

# SHA-256 of every forms/ file already pinned: a start with unchanged forms parses nothing.
FORMS_SEEN = "forms_seen"
# The verdict on every invalid forms/ file, by fingerprint: {"lang": ..., "issues": [[line,
# message], ...]}; kept while the file is there, re-judged when it changes (or the language).
FORMS_INVALID = "forms_invalid"


def fingerprint(path: Path) -> str:
    """The SHA-256 of a template file's bytes; a file too large to be a template (or not a
    regular file) is named by its size and time instead, and never read."""
    try:
        st = os.stat(path)
        if stat.S_ISREG(st.st_mode) and st.st_size <= TEMPLATE_BYTES:
            with open(path, "rb") as fh:
                data = fh.read(TEMPLATE_BYTES + 1)
            if len(data) <= TEMPLATE_BYTES:
                return hashlib.sha256(data).hexdigest()
        return f"unread:{st.st_mode:o}:{st.st_size}:{st.st_mtime_ns}"
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def fingerprints(files: list[Path]) -> dict[Path, str]:
    return {p: fingerprint(p) for p in files}


def seen_forms(ws: Workspace) -> set[str]:
    return set(get_value(ws.db, FORMS_SEEN, []))


def invalid_forms(ws: Workspace) -> dict[str, Any]:
    value = get_value(ws.db, FORMS_INVALID, {})
    return value if isinstance(value, dict) else {}


def _judged(verdict: Any) -> bool:
    """A verdict in the current language (messages are kept as they were written)."""
    return isinstance(verdict, dict) and verdict.get("lang") == current_language()


def unjudged(raw: dict[Path, str], seen: set[str], invalid: dict[str, Any]) -> list[Path]:
    """The files of ``raw`` that are neither pinned nor known to be invalid: to be parsed."""
    return [p for p, h in raw.items() if h not in seen and not _judged(invalid.get(h))]


def cached_issues(
    raw: dict[Path, str], seen: set[str], invalid: dict[str, Any]
) -> list[TemplateIssue]:
    """The kept messages of the files of ``raw`` known to be invalid."""
    out: list[TemplateIssue] = []
    for path, h in raw.items():
        verdict = invalid.get(h)
        if h in seen or not isinstance(verdict, dict):
            continue
        for line, message in verdict.get("issues", []):
            out.append(TemplateIssue(str(path), int(line), str(message)))
    return out


def record_verdicts(
    ws: Workspace,
    raw: dict[Path, str],
    judged: list[Path],
    issues: list[TemplateIssue],
    pinned: set[str],
) -> None:
    """Remember what parsing ``judged`` found: ``pinned`` fingerprints join ``forms_seen``;
    the files with ``issues`` are kept as invalid with their messages. Verdicts on files no
    longer in the folder are dropped."""
    seen = seen_forms(ws)
    if pinned - seen:
        set_value(ws.db, FORMS_SEEN, sorted(seen | pinned))
        seen |= pinned
    by_file: dict[str, list[list[Any]]] = {}
    for issue in issues:
        by_file.setdefault(issue.file, []).append([issue.line, issue.message])
    invalid = invalid_forms(ws)
    updated = {h: v for h, v in invalid.items() if h in raw.values() and h not in seen}
    for path in judged:
        found = by_file.get(str(path))
        if found and raw[path] not in seen:
            updated[raw[path]] = {"lang": current_language(), "issues": found}
        else:
            updated.pop(raw[path], None)
    if updated != invalid:
        set_value(ws.db, FORMS_INVALID, updated)

"""Values as people read them: answers as the checklist shows them, labels for statuses,
severities and roles, items named by their titles. Shared by the history window
(``services.history``), the differences of a package conflict (``services.conflicts``) and
the report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from inspector_app import timefmt
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.i18n import _, pick
from inspector_app.services import browse
from inspector_app.services.browse import status_label

NONE = "—"
SHORT = 60  # characters of text shown in a table cell; the rest is "…"
SEP = " · "

# -- formatting rules ----------------------------------------------------------------------


def shorten(text: str, limit: int = SHORT) -> str:
    """One line, at most ``limit`` characters; a cut ends in "…"."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def local_time(utc_iso: str) -> str:
    """A UTC timestamp (ISO 8601) in the display zone, to the second (``timefmt``)."""
    try:
        moment = dt.datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return str(utc_iso)
    return timefmt.format_instant(moment, seconds=True)


def decode(text: str | None) -> Any:
    """A value as the log wrote it (JSON); text that is not JSON stays as it is."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def number(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def yes_no(value: Any) -> str:
    if value is True or value == "yes":
        return _("Yes")
    if value is False or value == "no":
        return _("No")
    return plain(value)


def plain(value: Any) -> str:
    """Any value, when nothing more is known about it."""
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, list):
        return "、".join(plain(v) for v in value)
    if isinstance(value, dict):
        return SEP.join(f"{k}: {plain(v)}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


def answer_value(item: Item | None, value: Any, *, veto: bool = False) -> str:
    """An answer as the checklist shows it: 是/否, points, a number with its unit, the
    option's label, a date or the text."""
    if value is None:
        return NONE
    if veto:
        if value == "yes":
            return _("Triggered")
        if value == "no":
            return _("Not triggered")
        return plain(value)
    if item is None:
        return yes_no(value) if value in ("yes", "no") else plain(value)
    if item.type is AnswerType.YES_NO:
        return yes_no(value)
    if item.type is AnswerType.SCORE and isinstance(value, (int, float)):
        return _("{points:g} points", points=value)
    if item.type is AnswerType.NUMBER and isinstance(value, (int, float)):
        return f"{number(value)} {pick(item.unit)}" if item.unit else number(value)
    if item.type is AnswerType.CHOICE:
        for option in item.options:
            if option.id == value:
                return pick(option.label)
    return plain(value)


def evidence_value(item: Item | None, value: Any) -> str:
    """Ticked on-site evidence: the evidence's names (indexes when the item has none)."""
    if isinstance(value, str):
        value = decode(value)  # stored as JSON text inside the JSON of the log
    if not isinstance(value, list) or not value:
        return NONE if not value else plain(value)
    names = []
    for index in value:
        if item is not None and isinstance(index, int) and 0 <= index < len(item.evidence):
            names.append(pick(item.evidence[index]))
        else:
            names.append(f"#{plain(index)}")
    return "、".join(names)


def revision_value(value: Any) -> str:
    """An amendment: ``{"revision": 2, "reason": ...}`` -> "第 2 版：理由"; 1 -> "第 1 版"."""
    if isinstance(value, dict) and "revision" in value:
        reason = value.get("reason")
        if reason:
            return _("Revision {rev}: {reason}", rev=value["revision"], reason=reason)
        return _("Revision {rev}", rev=value["revision"])
    if isinstance(value, int) and not isinstance(value, bool):
        return _("Revision {rev}", rev=value)
    return plain(value)


def status_value(value: Any) -> str:
    """An inspection status, or ``{"status": ..., "package": ...}`` from an export."""
    if isinstance(value, dict) and "status" in value:
        extra = [plain(v) for k, v in value.items() if k != "status" and v not in (None, "")]
        return SEP.join([status_label(str(value["status"])), *extra])
    if isinstance(value, str):
        return status_label(value)
    return plain(value)


def severity_label(value: Any) -> str:
    return browse.severity_label(value) if isinstance(value, str) else plain(value)


def finding_status_label(value: Any) -> str:
    return browse.finding_status_label(value) if isinstance(value, str) else plain(value)


def role_label(value: Any) -> str:
    labels = {"inspector": _("inspector"), "site_representative": _("site representative")}
    return labels.get(value, plain(value)) if isinstance(value, str) else plain(value)


def labelled(label: str, value: str) -> str:
    return _("{label}: {value}", label=label, value=value)


@dataclass
class Naming:
    """What the rows need to name things: the pinned template and the findings."""

    template: ChecklistTemplate | None
    site_code: str = ""
    site_name: str = ""
    findings: dict[str, str] = dataclass_field(default_factory=dict)  # id -> description
    carried_from: dict[str, str] = dataclass_field(default_factory=dict)  # source finding -> date
    photos: dict[str, str] = dataclass_field(default_factory=dict)  # id -> original file name

    def item(self, item_id: str | None) -> Item | None:
        if self.template is None or not item_id:
            return None
        try:
            return self.template.item(item_id)
        except KeyError:
            return None

    def is_veto(self, item_id: str) -> bool:
        if self.template is None:
            return False
        return any(v.id == item_id for v in self.template.vetoes)

    def title(self, item_id: str | None) -> str:
        """An item's or veto's title in the pinned template; the raw id otherwise."""
        if not item_id:
            return NONE
        item = self.item(item_id)
        if item is not None:
            return pick(item.title)
        if self.template is not None:
            for v in self.template.vetoes:
                if v.id == item_id:
                    return _("Veto: {title}", title=pick(v.title))
        return item_id

    def finding(self, finding_id: str, fallback: Any = None) -> str:
        text = self.findings.get(finding_id)
        if not text and isinstance(fallback, dict):
            text = fallback.get("description")
        return _("Finding: {title}", title=shorten(text or finding_id[:8], 16))


ANSWER_PARTS: dict[str, Callable[[], str]] = {
    "value": lambda: _("Answer"),
    "comment": lambda: _("Comment"),
    "not_applicable": lambda: _("Not applicable"),
    "evidence_checked": lambda: _("Evidence checked"),
}


FINDING_FIELDS: dict[str, Callable[[], str]] = {
    "description": lambda: _("Description"),
    "severity": lambda: _("Severity"),
    "item_id": lambda: _("Item"),
    "requirement": lambda: _("Requirement"),
    "deadline": lambda: _("Deadline"),
    "responsible": lambda: _("Responsible"),
    "status": lambda: _("Status"),
    "resolution_note": lambda: _("Resolution note"),
}


def finding_value(name: str, value: Any, ctx: Naming) -> str:
    """One field of a finding: severity and status by their labels, an item by its title."""
    if name == "severity":
        return severity_label(value)
    if name == "status":
        return finding_status_label(value)
    if name in ("item_id", "item"):
        return ctx.title(value) if isinstance(value, str) else plain(value)
    return plain(value)


def photo_role_label(value: Any) -> str:
    """A photo's role for a finding: as found (evidence) or after correction (复查)."""
    labels = {"evidence": _("as found"), "after": _("after correction")}
    return labels.get(value, plain(value)) if isinstance(value, str) else plain(value)

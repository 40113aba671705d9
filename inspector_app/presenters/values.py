"""Answers and logged values as people read them: answers as the checklist shows them, the
ticked evidence by name, revisions, statuses and finding fields; items named by their titles
in the inspection's pinned template (``Naming``). Shared by the history (``history``), the
differences of a package conflict (``services.conflicts``) and the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.i18n import CURRENT, Translator
from inspector_app.presenters.labels import finding_status_label, severity_label, status_label
from inspector_app.presenters.text import NONE, SEP, number, plain, shorten, yes_no

Label = Callable[..., str]  # called with a Translator, or with nothing for the process language


def decode(text: str | None) -> Any:
    """A value as the log wrote it (JSON); text that is not JSON stays as it is."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def answer_value(
    item: Item | None, value: Any, *, veto: bool = False, t: Translator = CURRENT
) -> str:
    """An answer as the checklist shows it: 是/否, points, a number with its unit, the
    option's label, a date or the text."""
    if value is None:
        return NONE
    if veto:
        if value == "yes":
            return t.tr("Triggered")
        if value == "no":
            return t.tr("Not triggered")
        return plain(value, t)
    if item is None:
        return yes_no(value, t) if value in ("yes", "no") else plain(value, t)
    if item.type is AnswerType.YES_NO:
        return yes_no(value, t)
    if item.type is AnswerType.SCORE and isinstance(value, (int, float)):
        return t.tr("{points:g} points", points=value)
    if item.type is AnswerType.NUMBER and isinstance(value, (int, float)):
        return f"{number(value)} {t.pick(item.unit)}" if item.unit else number(value)
    if item.type is AnswerType.CHOICE:
        for option in item.options:
            if option.id == value:
                return t.pick(option.label)
    return plain(value, t)


def evidence_value(item: Item | None, value: Any, t: Translator = CURRENT) -> str:
    """Ticked on-site evidence: the evidence's names (indexes when the item has none)."""
    if isinstance(value, str):
        value = decode(value)  # stored as JSON text inside the JSON of the log
    if not isinstance(value, list) or not value:
        return NONE if not value else plain(value, t)
    names = []
    for index in value:
        if item is not None and isinstance(index, int) and 0 <= index < len(item.evidence):
            names.append(t.pick(item.evidence[index]))
        else:
            names.append(f"#{plain(index, t)}")
    return "、".join(names)


def revision_value(value: Any, t: Translator = CURRENT) -> str:
    """An amendment: ``{"revision": 2, "reason": ...}`` -> "第 2 版：理由"; 1 -> "第 1 版"."""
    if isinstance(value, dict) and "revision" in value:
        reason = value.get("reason")
        if reason:
            return t.tr("Revision {rev}: {reason}", rev=value["revision"], reason=reason)
        return t.tr("Revision {rev}", rev=value["revision"])
    if isinstance(value, int) and not isinstance(value, bool):
        return t.tr("Revision {rev}", rev=value)
    return plain(value, t)


def status_value(value: Any, t: Translator = CURRENT) -> str:
    """An inspection status, or ``{"status": ..., "package": ...}`` from an export."""
    if isinstance(value, dict) and "status" in value:
        extra = [plain(v, t) for k, v in value.items() if k != "status" and v not in (None, "")]
        return SEP.join([status_label(str(value["status"]), t), *extra])
    if isinstance(value, str):
        return status_label(value, t)
    return plain(value, t)


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

    def title(self, item_id: str | None, t: Translator = CURRENT) -> str:
        """An item's or veto's title in the pinned template; the raw id otherwise."""
        if not item_id:
            return NONE
        item = self.item(item_id)
        if item is not None:
            return t.pick(item.title)
        if self.template is not None:
            for v in self.template.vetoes:
                if v.id == item_id:
                    return t.tr("Veto: {title}", title=t.pick(v.title))
        return item_id

    def finding(self, finding_id: str, fallback: Any = None, t: Translator = CURRENT) -> str:
        text = self.findings.get(finding_id)
        if not text and isinstance(fallback, dict):
            text = fallback.get("description")
        return t.tr("Finding: {title}", title=shorten(text or finding_id[:8], 16))


ANSWER_PARTS: dict[str, Label] = {
    "value": lambda t=CURRENT: t.tr("Answer"),
    "comment": lambda t=CURRENT: t.tr("Comment"),
    "not_applicable": lambda t=CURRENT: t.tr("Not applicable"),
    "evidence_checked": lambda t=CURRENT: t.tr("Evidence checked"),
}


FINDING_FIELDS: dict[str, Label] = {
    "description": lambda t=CURRENT: t.tr("Description"),
    "severity": lambda t=CURRENT: t.tr("Severity"),
    "item_id": lambda t=CURRENT: t.tr("Item"),
    "requirement": lambda t=CURRENT: t.tr("Requirement"),
    "deadline": lambda t=CURRENT: t.tr("Deadline"),
    "responsible": lambda t=CURRENT: t.tr("Responsible"),
    "status": lambda t=CURRENT: t.tr("Status"),
    "resolution_note": lambda t=CURRENT: t.tr("Resolution note"),
}


def finding_value(name: str, value: Any, ctx: Naming, t: Translator = CURRENT) -> str:
    """One field of a finding: severity and status by their labels, an item by its title."""
    if name == "severity":
        return severity_label(value, t)
    if name == "status":
        return finding_status_label(value, t)
    if name in ("item_id", "item"):
        return ctx.title(value, t) if isinstance(value, str) else plain(value, t)
    return plain(value, t)

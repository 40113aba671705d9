"""The words of the vocabulary (``domain.vocab``): inspection and finding statuses,
severities, signature and photo roles, site types, grades and the template's weights.

An unknown value is shown as it is stored; a value that is not text at all (a logged value
of another shape) as ``text.plain`` shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspector_app.i18n import CURRENT, Translator
from inspector_app.presenters.text import plain

if TYPE_CHECKING:  # the lists label their rows without loading pydantic (services.browse)
    from inspector_app.domain.checklists.schema import ChecklistTemplate


def status_label(status: str, t: Translator = CURRENT) -> str:
    return {
        "draft": t.tr("Draft"),
        "completed": t.tr("Completed"),
        "signed": t.tr("Signed"),
        "exported": t.tr("Exported"),
    }.get(status, status)


def grade_label(template: ChecklistTemplate, grade_id: str, t: Translator = CURRENT) -> str:
    """A grade's name in the template (its id when the template has no such grade)."""
    try:
        return t.pick(template.grade(grade_id).label)
    except KeyError:
        return grade_id


def grade_text(label: str, provisional: bool, vetoed: bool = False, t: Translator = CURRENT) -> str:
    """A grade as the lists show it: "良好（暂定）" while required answers are missing (the
    result is provisional), "不合格 ⚠" when a veto item was triggered."""
    text = t.tr("{grade} (provisional)", grade=label) if provisional else label
    return text + (" ⚠" if vetoed else "")


def site_type_label(value: str, t: Translator = CURRENT) -> str:
    labels = {
        "pilot_base": t.tr("Pilot-scale test base"),
        "tech_transfer": t.tr("Technology-transfer agency"),
        "platform": t.tr("Platform"),
    }
    return labels.get(value, value)


def severity_label(value: Any, t: Translator = CURRENT) -> str:
    if not isinstance(value, str):
        return plain(value, t)
    return {
        "minor": t.tr("Minor"),
        "major": t.tr("Major"),
        "critical": t.tr("Critical"),
    }.get(value, value)


def finding_status_label(value: Any, t: Translator = CURRENT) -> str:
    if not isinstance(value, str):
        return plain(value, t)
    return {
        "open": t.tr("To be corrected"),
        "corrected": t.tr("Corrected"),
        "verified": t.tr("Verified"),
    }.get(value, value)


def role_label(value: Any, t: Translator = CURRENT) -> str:
    """A signer's role, as a sentence names it ("inspector", "site representative")."""
    if not isinstance(value, str):
        return plain(value, t)
    labels = {"inspector": t.tr("inspector"), "site_representative": t.tr("site representative")}
    return labels.get(value, plain(value, t))


def photo_role_label(value: Any, t: Translator = CURRENT) -> str:
    """A photo's role for a finding: as found (evidence) or after correction (复查)."""
    if not isinstance(value, str):
        return plain(value, t)
    labels = {"evidence": t.tr("as found"), "after": t.tr("after correction")}
    return labels.get(value, plain(value, t))


def weights_label(source: str, t: Translator = CURRENT) -> str:
    """Where a template's points come from (a ``WeightSource``), as the report's cover says."""
    if source == "sourced":
        return t.tr("Sourced weights (from the cited rules)")
    if source == "mixed":
        return t.tr("Partly sample weights (not official)")
    return t.tr("Sample weights (not official)")

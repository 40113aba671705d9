"""One vocabulary: every enum the app stores, and the rules that go with it.

The inspection's status machine lives here and nowhere else: which statuses may be edited,
signed or amended, and which moves between them are allowed. The store keeps the values as
text; the sync checks, the services and the screens all read them from here.
"""

from __future__ import annotations

from enum import StrEnum

from inspector_app.domain.checklists.schema import SiteType

__all__ = [
    "AMENDABLE",
    "EDITABLE",
    "SIGNABLE",
    "TRANSITIONS",
    "FindingSeverity",
    "FindingStatus",
    "InspectionStatus",
    "PhotoRole",
    "SignatureRole",
    "SiteType",
    "allowed",
]


class InspectionStatus(StrEnum):
    DRAFT = "draft"  # 草稿: answers may change
    COMPLETED = "completed"  # 已完成: frozen as a revision, awaiting signatures
    SIGNED = "signed"  # 已签字: every listed inspector signed the revision
    EXPORTED = "exported"  # 已导出: left in a package for headquarters


class FindingSeverity(StrEnum):
    MINOR = "minor"  # 一般
    MAJOR = "major"  # 较重
    CRITICAL = "critical"  # 严重


class FindingStatus(StrEnum):
    OPEN = "open"  # 待整改
    CORRECTED = "corrected"  # 已整改
    VERIFIED = "verified"  # 已验证


class SignatureRole(StrEnum):
    INSPECTOR = "inspector"  # 检查人员
    SITE_REPRESENTATIVE = "site_representative"  # 被检查单位代表


class PhotoRole(StrEnum):
    """What a photo shows for a finding."""

    EVIDENCE = "evidence"  # 问题照片
    AFTER = "after"  # 整改后照片


_S = InspectionStatus

# status -> the statuses it may move to (and the action that moves it)
TRANSITIONS: dict[InspectionStatus, frozenset[InspectionStatus]] = {
    _S.DRAFT: frozenset({_S.COMPLETED}),  # complete
    _S.COMPLETED: frozenset({_S.SIGNED, _S.DRAFT}),  # every inspector signs; amend
    _S.SIGNED: frozenset({_S.EXPORTED, _S.DRAFT}),  # export; amend
    _S.EXPORTED: frozenset({_S.EXPORTED, _S.DRAFT}),  # exported again; amend
}

EDITABLE: frozenset[str] = frozenset({_S.DRAFT.value})
# a revision frozen: its report may be signed, and it may be reopened as a new revision
SIGNABLE: frozenset[str] = frozenset({_S.COMPLETED.value, _S.SIGNED.value, _S.EXPORTED.value})
AMENDABLE: frozenset[str] = SIGNABLE


def allowed(old: str, new: str) -> bool:
    """Whether an inspection may move from ``old`` to ``new`` (unknown values: no)."""
    try:
        return InspectionStatus(new) in TRANSITIONS[InspectionStatus(old)]
    except ValueError:
        return False

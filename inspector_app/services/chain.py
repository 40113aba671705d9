"""What the history window can vouch for: this folder's hash chain, and what was checked of
the entries received from other devices.

The chain is global: one chain runs through every entry of the data folder (sites,
templates, all inspections), so its status speaks for the whole audit log, not for the one
inspection whose history is shown. Entries received in packages are not in it: each one's
own hash (over its fields and the hash it names as its predecessor on its device) was checked
when it arrived and is checked again when shown (``sync.received``), which proves the entry
was not altered, not that none was left out (docs/sync.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector_app.i18n import _
from inspector_app.presenters.text import NONE, SEP
from inspector_app.store import audit
from inspector_app.store.repo import maintenance
from inspector_app.workspace import Workspace

if TYPE_CHECKING:
    from inspector_app.services.history import HistoryEntry


@dataclass(frozen=True)
class ChainStatus:
    """The hash chain of the whole data folder's audit log (not of one inspection)."""

    ok: bool
    entries: int  # entries in the whole log
    first_bad_seq: int | None = None
    problem: str | None = None  # translated
    head: str = audit.GENESIS  # hash of the last good entry


def _problem(text: str | None) -> str | None:
    known = {
        "missing or reordered row": _("an entry is missing or out of order"),
        "link to the previous row is broken": _("the link to the previous entry is broken"),
        "row content does not match its hash": _("the entry's content does not match its hash"),
    }
    return None if text is None else known.get(text, text)


def chain_status(ws: Workspace) -> ChainStatus:
    """Check the audit log's hash chain with ``audit.verify_chain``.

    The chain is global to the data folder: every entry (sites, templates, every
    inspection) is linked into one chain, so this says whether the whole audit log is
    intact, not only the entries of one inspection. ``entries`` counts the whole log;
    ``first_bad_seq`` is the first entry whose sequence, link or hash is wrong.
    """
    with ws.db.session() as s:
        check = audit.verify_chain(s)
        total = maintenance.audit_entries(s)
    return ChainStatus(
        ok=check.ok,
        entries=total,
        first_bad_seq=check.first_bad_seq,
        problem=_problem(check.problem),
        head=check.head,
    )


@dataclass(frozen=True)
class ReceivedCheck:
    """The entries of one inspection received from other devices: not part of this folder's
    chain; each one's own hash is checked (on import, and again when shown)."""

    entries: int
    bad: int  # whose own hash does not match any more
    devices: tuple[str, ...]  # readable names, in order of appearance
    shown_only: int  # kept to be shown, not counting in merges


def received_check(entries: list[HistoryEntry]) -> ReceivedCheck:
    """Count the received entries of a timeline, and those whose own hash fails."""
    got = [e for e in entries if e.received]
    return ReceivedCheck(
        entries=len(got),
        bad=sum(1 for e in got if not e.hash_ok),
        devices=tuple(dict.fromkeys(e.source for e in got)),
        shown_only=sum(1 for e in got if not e.counted),
    )


def describe_received(check: ReceivedCheck) -> str:
    """What was checked of the received entries, or "" when there are none."""
    if not check.entries:
        return ""
    devices = "、".join(check.devices)
    if check.bad:
        return _(
            "{bad} of {n} entries received from {devices} do not match their own hash: "
            "they were altered after they arrived",
            bad=check.bad,
            n=check.entries,
            devices=devices,
        )
    return _(
        "{n} entries received from {devices}: each entry's own hash checks, as on import; "
        "they are not linked into this folder's chain, so an entry left out by the sender "
        "cannot be seen",
        n=check.entries,
        devices=devices,
    )


def describe_chain(status: ChainStatus) -> str:
    """One line for people: intact with the count (of the whole log), or where it breaks."""
    if status.ok:
        return SEP.join(
            [
                _("Hash chain intact"),
                _("Audit log (whole data folder) intact, {n} entries", n=status.entries),
                _("head {head}", head=status.head[:16]),
            ]
        )
    return SEP.join(
        [
            _(
                "Hash chain broken at entry {seq}: {problem}",
                seq=status.first_bad_seq,
                problem=status.problem or NONE,
            ),
            _("Audit log (whole data folder): {n} entries", n=status.entries),
        ]
    )

"""The repository of inspections, answers, findings and signatures (store/repo/): real SQLite
files through the ``ws`` fixture, what is written is what is read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from inspector_app.domain.checklists.scoring import score_inspection
from inspector_app.domain.inspection import Answer, Finding, Signature, data_hash
from inspector_app.services import answers as answers_svc
from inspector_app.services import inspections as svc
from inspector_app.services.drafts import pending_drafts, save_draft
from inspector_app.services.templates import find_template_version
from inspector_app.store import audit
from inspector_app.store.repo import answers as answers_repo
from inspector_app.store.repo import canonical as canonical_repo
from inspector_app.store.repo import drafts as drafts_repo
from inspector_app.store.repo import findings as findings_repo
from inspector_app.store.repo import inspections as repo
from inspector_app.store.repo import signatures as signatures_repo
from tests.services.helpers import answer_all, start

ITEM = "s1.premises"  # a yes/no item of the pilot base's template
OTHER = "s1.equipment-value"  # a number item
T0 = dt.datetime(2024, 10, 1, 8, 30, tzinfo=dt.UTC)


def test_an_inspection_reads_back_as_it_was_written_and_by_a_prefix(ws) -> None:
    iid, _template = start(ws)
    with ws.db.transaction() as tx:
        insp = repo.get(tx, iid)
        assert insp is not None
        assert insp.inspectors == ("王晓明", "李娜") and insp.status == "draft"
        changed = dataclasses.replace(
            insp, ended_on=dt.date(2024, 10, 2), amend_reason="复核", revision=3, base_revision=2
        )
        repo.save(tx, changed)
    with ws.db.session() as tx:
        again = repo.get(tx, iid)
        assert again is not None
        assert (again.ended_on, again.amend_reason, again.revision, again.base_revision) == (
            dt.date(2024, 10, 2),
            "复核",
            3,
            2,
        )
        assert again.inspectors == ("王晓明", "李娜")
        assert repo.by_prefix(tx, iid[:8]) == [again]
        assert repo.get(tx, iid[:8]) is None and repo.by_prefix(tx, "zzzzzz") == []
        assert repo.exists(tx, iid) and not repo.exists(tx, iid[:8])


def test_the_score_columns_hold_what_set_score_gives(ws) -> None:
    iid, template = start(ws)
    answer_all(ws, iid, template)
    with ws.db.transaction() as tx:
        result = score_inspection(template, answers_repo.for_scoring(tx, iid))
        repo.set_score(tx, iid, result, T0)
    with ws.db.session() as tx:
        insp = repo.get(tx, iid)
        assert insp is not None
        assert (insp.score_total, insp.grade, insp.provisional, insp.vetoed) == (
            result.total,
            result.grade,
            result.provisional,
            result.vetoed,
        )
        assert insp.updated_at.replace(tzinfo=dt.UTC) == T0
        assert result.total > 0 and not result.provisional


def test_the_previous_visit_is_the_latest_started_on_or_before(ws) -> None:
    first, _t = start(ws, when=dt.date(2024, 3, 1))
    tv = find_template_version(ws, "pilot-base-performance")
    with ws.db.session() as tx:
        site_id = svc.find_inspection(tx, first).site_id
    later = svc.start_inspection(
        ws,
        site_id=site_id,
        template_version_id=tv.id,
        inspectors=["王晓明"],
        started_on=dt.date(2024, 9, 1),
        actor="测试员",
    )
    assert later.previous_inspection_id == first
    with ws.db.session() as tx:
        assert repo.previous_visit(tx, site_id, dt.date(2024, 2, 1)) is None
        found = repo.previous_visit(tx, site_id, dt.date(2024, 5, 1))
        assert found is not None and found.id == first
        found = repo.previous_visit(tx, site_id, dt.date(2024, 9, 1))
        assert found is not None and found.id == later.id


def test_a_pinned_template_is_parsed_once_and_an_unknown_one_is_none(ws) -> None:
    tv = find_template_version(ws, "pilot-base-performance")
    with ws.db.session() as tx:
        parsed = repo.template(tx, tv.id)
        assert parsed is not None and parsed.id == "pilot-base-performance"
        assert repo.template(tx, tv.id) is parsed  # cached by content hash
        assert repo.parsed_template(tx, tv.id, tv.content_hash) is parsed
        assert repo.template(tx, "no-such-version") is None
        pin = repo.template_pin(tx, tv.id)
        assert pin is not None
        assert (pin.template_id, pin.version, pin.content_hash) == (
            tv.template_id,
            tv.version,
            tv.content_hash,
        )
        assert repo.template_pin(tx, "no-such-version") is None


def test_an_answer_reads_back_with_its_stored_encodings_and_version(ws) -> None:
    iid, _template = start(ws)
    a = Answer(
        id="a-1",
        inspection_id=iid,
        item_id=ITEM,
        value="yes",
        comment="良好",
        evidence=(0, 2),
        revision=1,
        updated_at=T0,
        value_json='"yes"',
        evidence_json="[0, 2]",
    )
    with ws.db.transaction() as tx:
        answers_repo.save(tx, a, created=True)
    with ws.db.session() as tx:
        back = answers_repo.answer(tx, iid, ITEM)
        assert back == a and back is not None
        assert (back.value_json, back.evidence_json, back.version) == (
            '"yes"',
            "[0, 2]",
            a.version,
        )
        assert answers_repo.answers(tx, iid) == {ITEM: a}
        scored = answers_repo.for_scoring(tx, iid)[ITEM]
        assert (scored.value, scored.not_applicable) == ("yes", False)
    cleared = dataclasses.replace(
        a, value=None, value_json=None, not_applicable=True, revision=2, base_revision=1
    )
    with ws.db.transaction() as tx:
        answers_repo.save(tx, cleared, created=False)
    with ws.db.session() as tx:
        back = answers_repo.answer(tx, iid, ITEM)
        assert back == cleared and back is not None and back.version != a.version
        assert answers_repo.answer(tx, iid, OTHER) is None


def test_the_edit_target_reads_the_inspection_its_template_drafts_and_answer(ws) -> None:
    iid, _template = start(ws)
    tv = find_template_version(ws, "pilot-base-performance")
    answers_svc.answer_item(ws, iid, ITEM, "yes", actor="测试员")
    with ws.db.session() as tx:
        target = answers_repo.edit_target(tx, iid, ITEM)
        assert target is not None
        assert target.inspection == repo.get(tx, iid)
        assert target.content_hash == tv.content_hash
        assert target.drafts == 0
        assert target.answer == answers_repo.answer(tx, iid, ITEM)
        none_yet = answers_repo.edit_target(tx, iid, OTHER)
        assert none_yet is not None and none_yet.answer is None
        assert answers_repo.edit_target(tx, iid[:8], ITEM) is None  # exactly the id
    save_draft(ws, iid, OTHER, "value", "12", actor="测试员")
    with ws.db.session() as tx:
        assert answers_repo.edit_target(tx, iid, OTHER).drafts == 1  # type: ignore[union-attr]
        assert answers_repo.edit_target(tx, iid, ITEM).drafts == 0  # type: ignore[union-attr]
        assert answers_repo.edit_target(tx, iid, None).drafts == 1  # type: ignore[union-attr]


def test_a_draft_is_discarded_by_its_item_and_kind_only(ws) -> None:
    iid, _template = start(ws)
    save_draft(ws, iid, OTHER, "value", "12", actor="测试员")
    save_draft(ws, iid, OTHER, "comment", "正在写", actor="测试员")
    with ws.db.transaction() as tx:
        drafts_repo.discard_in(tx, iid, OTHER, "value")
        drafts_repo.discard_in(tx, iid, ITEM, "comment")
    assert [(d.item_id, d.kind) for d in pending_drafts(ws, iid)] == [(OTHER, "comment")]


def test_an_edit_over_a_draft_discards_it_and_one_without_reads_no_more(ws) -> None:
    iid, _template = start(ws)
    save_draft(ws, iid, OTHER, "value", "1", actor="测试员")
    answers_svc.answer_item(ws, iid, OTHER, 12, actor="测试员")
    assert pending_drafts(ws, iid) == []
    save_draft(ws, iid, OTHER, "comment", "正在写", actor="测试员")
    answers_svc.answer_item(ws, iid, OTHER, 13, actor="测试员")  # a value: the comment stays
    assert [(d.item_id, d.kind) for d in pending_drafts(ws, iid)] == [(OTHER, "comment")]


def test_one_answer_edit_is_a_handful_of_statements_and_no_orm_flush(ws) -> None:
    """The hot path of the desktop (issue 10): BEGIN, one read of the inspection, template,
    drafts and answer, the audit entry (its head, its row), the answer, what scoring reads,
    the score columns, COMMIT."""
    from sqlalchemy import event

    iid, _template = start(ws)
    answers_svc.answer_item(ws, iid, ITEM, "no", actor="测试员")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.split()[0].upper())

    event.listen(ws.db.engine, "before_cursor_execute", seen)
    flushes: list[object] = []
    from sqlalchemy.orm import Session

    def flushed(*args: object) -> None:
        flushes.append(args)

    event.listen(Session, "before_flush", flushed)
    try:
        seen_version = answers_svc.answer_view(
            answers_svc.answer_item(ws, iid, ITEM, "yes", actor="测试员").answer
        ).version
    finally:
        event.remove(ws.db.engine, "before_cursor_execute", seen)
        event.remove(Session, "before_flush", flushed)
    assert statements == ["BEGIN", "SELECT", "SELECT", "INSERT", "UPDATE", "SELECT", "UPDATE"]
    assert flushes == [] and seen_version


def test_findings_are_read_in_their_order_and_written_whole(ws) -> None:
    iid, _template = start(ws)
    first = Finding(id="f-1", inspection_id=iid, description="甲", created_at=T0, updated_at=T0)
    second = Finding(
        id="f-0",
        inspection_id=iid,
        description="乙",
        severity="major",
        item_id=ITEM,
        deadline=dt.date(2024, 12, 31),
        created_at=T0 + dt.timedelta(seconds=1),
        updated_at=T0,
    )
    with ws.db.transaction() as tx:
        findings_repo.add(tx, second)
        findings_repo.add(tx, first)
        findings_repo.save(
            tx, dataclasses.replace(first, status="corrected", resolution_note="已改", revision=2)
        )
    with ws.db.session() as tx:
        got = findings_repo.findings(tx, iid)
        assert [f.id for f in got] == ["f-1", "f-0"]  # by creation, not by id
        assert got[1] == second
        assert (got[0].status, got[0].resolution_note, got[0].revision) == ("corrected", "已改", 2)
        assert findings_repo.findings(tx, iid, open_only=True) == [second]
        assert findings_repo.get(tx, "f-0") == second and findings_repo.get(tx, "nope") is None
        assert repo.open_finding_count(tx, iid) == 1


def test_a_re_inspection_carries_the_open_findings_in_the_order_they_were_written(ws) -> None:
    """A package lists rows in the order written: the carried findings must follow the
    originals' order, not their random ids (created in the same second)."""
    first, _t = start(ws, when=dt.date(2024, 3, 1))
    ids = ["f-c", "f-a", "f-d", "f-b"]
    with ws.db.transaction() as tx:
        for n, fid in enumerate(ids):
            status = "verified" if n == 2 else "open"
            findings_repo.add(
                tx,
                Finding(id=fid, inspection_id=first, description=fid, status=status, created_at=T0),
            )
    with ws.db.session() as tx:
        assert [f.id for f in findings_repo.open_as_written(tx, first)] == ["f-c", "f-a", "f-b"]
        site_id = svc.find_inspection(tx, first).site_id
    tv = find_template_version(ws, "pilot-base-performance")
    again = svc.start_inspection(
        ws,
        site_id=site_id,
        template_version_id=tv.id,
        inspectors=["王晓明"],
        started_on=dt.date(2024, 9, 1),
        actor="测试员",
    )
    with ws.db.session() as tx:
        carried = findings_repo.open_as_written(tx, again.id)
    assert [f.carried_from_id for f in carried] == ["f-c", "f-a", "f-b"]


def test_signatures_are_read_by_revision_in_their_order(ws) -> None:
    iid, template = start(ws)
    answer_all(ws, iid, template)
    svc.complete_inspection(ws, iid, actor="测试员")

    def sig(n: int, revision: int) -> Signature:
        return Signature(
            id=f"s-{n}",
            inspection_id=iid,
            inspection_revision=revision,
            data_hash="h" * 64,
            signer_name=f"签字人{n}",
            role="inspector",
            signed_at=T0 - dt.timedelta(minutes=n),
            image_png=b"\x89PNG\r\n\x1a\n" + bytes([n]),
            created_at=T0,
        )

    with ws.db.transaction() as tx:
        for s in (sig(1, 1), sig(2, 1), sig(3, 2)):
            signatures_repo.add(tx, s)
    with ws.db.session() as tx:
        assert signatures_repo.signatures(tx, iid, 1) == [sig(2, 1), sig(1, 1)]
        assert [s.id for s in signatures_repo.signatures(tx, iid)] == ["s-3", "s-2", "s-1"]
        assert signatures_repo.signatures(tx, iid, 3) == []


def test_a_completion_freezes_the_canonical_data_and_its_hash(ws) -> None:
    iid, template = start(ws)
    answer_all(ws, iid, template)
    snap = svc.complete_inspection(ws, iid, actor="测试员", ended_on=dt.date(2024, 10, 2))
    with ws.db.session() as tx:
        insp = repo.get(tx, iid)
        assert insp is not None
        data = canonical_repo.canonical(tx, insp)
        frozen = repo.revision(tx, iid, 1)
        assert frozen is not None and repo.revisions(tx, iid) == [frozen]
        assert repo.revision(tx, iid, 2) is None
    assert frozen.data_hash == snap.data_hash == data_hash(data)
    assert frozen.score == json.loads(snap.score_json) and frozen.score["total"] > 0
    assert data["ended_on"] == "2024-10-02" and data["inspectors"] == ["王晓明", "李娜"]
    assert [a["item"] for a in data["answers"]] == sorted(a["item"] for a in data["answers"])


@pytest.mark.parametrize("edits", [1, 5])
def test_edits_keep_the_audit_chain_whole(ws, edits: int) -> None:
    iid, _template = start(ws)
    for n in range(edits):
        answers_svc.answer_item(ws, iid, OTHER, n + 1, actor="测试员")
        answers_svc.comment_item(ws, iid, OTHER, f"第{n}次", actor="测试员")
    with ws.db.session() as tx:
        check = audit.verify_chain(tx)
    assert check.ok and check.rows >= 1 + 2 * edits

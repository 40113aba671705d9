"""Typed input kept as drafts: recovered into audited edits at the next start."""

from __future__ import annotations

import pytest

from inspector_app import limits
from inspector_app.services import answers as answers_svc
from inspector_app.services import draft_recovery, drafts
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services.errors import InvalidInput
from inspector_app.store import audit
from tests.conftest import open_ws
from tests.services.helpers import answer_all, start


def _kinds(template, kind):
    return next(i for i in template.items() if i.type.value == kind and not i.show_if)


def test_a_start_turns_drafts_into_audited_edits(ws, data_dir) -> None:
    insp_id, template = start(ws)
    text, score = _kinds(template, "text"), _kinds(template, "score")
    drafts.save_draft(ws, insp_id, text.id, "value", "现场记录", actor="王晓明")
    drafts.save_draft(ws, insp_id, text.id, "comment", "补充说明", actor="王晓明")
    drafts.save_draft(ws, insp_id, score.id, "value", f"{score.points:g}", actor="王晓明")
    ws.close()
    again = open_ws(data_dir)
    try:
        state = views_svc.load_inspection_state(again, insp_id)
        assert state.answers[text.id].value == "现场记录"
        assert state.answers[text.id].comment == "补充说明"
        assert state.answers[score.id].value == score.points
        assert state.score.total > 0
        assert drafts.pending_drafts(again) == []
        with again.db.session() as s:
            assert audit.verify_chain(s).ok
    finally:
        again.close()


def test_a_refused_or_frozen_draft_is_dropped_with_its_reason(ws) -> None:
    insp_id, template = start(ws)
    score = _kinds(template, "score")
    drafts.save_draft(ws, insp_id, score.id, "value", f"{score.points * 10:g}", actor="甲")
    result = draft_recovery.recover_drafts(ws)
    assert result.applied == [] and len(result.dropped) == 1
    assert views_svc.load_inspection_state(ws, insp_id).answers.get(score.id) is None

    answer_all(ws, insp_id, template)
    svc.complete_inspection(ws, insp_id, actor="甲")
    text = _kinds(template, "text")
    drafts.save_draft(ws, insp_id, text.id, "comment", "晚到的文字", actor="甲")
    result = draft_recovery.recover_drafts(ws)
    assert [d.item_id for d, _why in result.dropped] == [text.id]
    assert drafts.pending_drafts(ws) == []


def test_an_edit_replaces_the_draft_in_the_same_transaction(ws) -> None:
    insp_id, template = start(ws)
    text = _kinds(template, "text")
    drafts.save_draft(ws, insp_id, text.id, "value", "草稿", actor="甲")
    drafts.save_draft(ws, insp_id, text.id, "comment", "评论草稿", actor="甲")
    answers_svc.answer_item(ws, insp_id, text.id, "定稿", actor="甲")
    assert [(d.item_id, d.kind) for d in drafts.pending_drafts(ws)] == [(text.id, "comment")]
    answers_svc.comment_item(ws, insp_id, text.id, "定稿评论", actor="甲")
    assert drafts.pending_drafts(ws) == []


def test_a_draft_is_capped(ws) -> None:
    insp_id, template = start(ws)
    text = _kinds(template, "text")
    with pytest.raises(InvalidInput, match=str(limits.COMMENT)):
        drafts.save_draft(ws, insp_id, text.id, "comment", "字" * (limits.COMMENT + 1), actor="甲")
    with pytest.raises(InvalidInput):
        drafts.save_draft(ws, insp_id, text.id, "other", "x", actor="甲")
    assert drafts.pending_drafts(ws) == []


def _plant(data_dir, rows) -> None:
    """Drafts written straight into the database file, as someone holding the folder (or a
    crafted database) could: without the foreign key, any kind, any bytes."""
    import sqlite3

    con = sqlite3.connect(data_dir / "inspector.db")
    con.execute("PRAGMA foreign_keys=OFF")
    con.executemany(
        "INSERT INTO text_draft (inspection_id, item_id, kind, text, actor, updated_at) "
        "VALUES (?, ?, ?, ?, ?, '2026-01-01 00:00:00.000000')",
        rows,
    )
    con.commit()
    con.close()


def _entries(ws) -> int:
    with ws.db.raw() as con:
        return con.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def test_a_planted_draft_is_dropped_and_never_outlives_a_start(ws, data_dir) -> None:
    """Only what the editor writes is recovered: a draft naming its inspection by a prefix,
    another kind, an untyped item, an unknown inspection or item, bytes that are not UTF-8 or
    an over-long name is dropped with its reason; none comes back at the next start to undo
    the inspector's later edits, and a start never fails on one."""
    insp_id, template = start(ws)
    text = _kinds(template, "text")
    yes_no = _kinds(template, "yes_no")
    before = _entries(ws)
    ws.close()
    _plant(
        data_dir,
        [
            (insp_id[:8], text.id, "comment", "zombie", "甲"),
            (insp_id, yes_no.id, "evil", "yes", "甲"),
            (insp_id, yes_no.id, "value", "yes", "甲"),
            (insp_id, template.vetoes[0].id, "value", "yes", "甲"),
            ("00000000-0000-4000-8000-000000000000", text.id, "comment", "x", "甲"),
            (insp_id, "no.such.item", "value", "x", "甲"),
            (insp_id, text.id, "value", "x", "甲" * (limits.ACTOR + 1)),
        ],
    )
    import sqlite3

    con = sqlite3.connect(data_dir / "inspector.db")
    con.execute(
        "INSERT INTO text_draft VALUES (?, ?, 'comment', CAST(X'FFFE41' AS TEXT), '甲', "
        "'2026-01-01 00:00:00.000000')",
        (insp_id, text.id),
    )
    con.commit()
    con.close()
    again = open_ws(data_dir)
    try:
        assert drafts.pending_drafts(again) == []
        assert _entries(again) == before  # nothing planted became an edit
        answers_svc.comment_item(again, insp_id, text.id, "检查员后来写的", actor="王晓明")
    finally:
        again.close()
    third = open_ws(data_dir)
    try:
        state = views_svc.load_inspection_state(third, insp_id)
        assert state.answers[text.id].comment == "检查员后来写的"
        assert state.answers.get(yes_no.id) is None
        assert not state.score.vetoed
    finally:
        third.close()


def test_the_dropped_drafts_say_why(ws, data_dir) -> None:
    insp_id, template = start(ws)
    text = _kinds(template, "text")
    ws.close()
    _plant(data_dir, [(insp_id[:8], text.id, "comment", "zombie", "甲")])
    again = open_ws(data_dir)
    try:
        _plant(data_dir, [(insp_id, "no.such.item", "value", "x", "甲")])
        result = draft_recovery.recover_drafts(again)
        assert result.applied == []
        assert [(d.item_id, why) for d, why in result.dropped] == [
            ("no.such.item", f"{template.id} has no item 'no.such.item'")
        ]
    finally:
        again.close()


def test_many_planted_drafts_are_dropped_at_once(ws, data_dir) -> None:
    """A table of thousands of drafts for items no template has does not hold up the start
    (one refused edit each took 2 ms: 20,000 of them, 38 s)."""
    import time

    insp_id, _template = start(ws)
    ws.close()
    _plant(data_dir, [(insp_id, f"x{n}", "value", "1", "甲") for n in range(5000)])
    t0 = time.perf_counter()
    again = open_ws(data_dir)
    seconds = time.perf_counter() - t0
    try:
        assert drafts.pending_drafts(again) == []
        assert seconds < 4, seconds
    finally:
        again.close()


def test_the_command_line_says_what_typed_text_it_could_not_save(ws, data_dir) -> None:
    """A desktop died with a comment typed; meanwhile the inspection was completed: the next
    command says the comment was not saved, and why (it was dropped without a word)."""
    from tests.conftest import run_cli

    insp_id, template = start(ws)
    text = _kinds(template, "text")
    answer_all(ws, insp_id, template)
    svc.complete_inspection(ws, insp_id, actor="甲")
    ws.close()
    _plant(data_dir, [(insp_id, text.id, "comment", "完成后才到的文字", "甲")])
    run = run_cli("inspections", "list", data_dir=data_dir)
    assert run.returncode == 0, run.stderr
    assert (
        f"warning: what was typed for item {text.id} of inspection {insp_id[:8]} was not saved: "
        in run.stderr
    )
    assert "cannot be changed" in run.stderr
    again = run_cli("inspections", "list", data_dir=data_dir)
    assert "warning" not in again.stderr  # said once: the draft is gone


def test_a_command_line_run_leaves_a_running_desktops_drafts_alone(ws, data_dir) -> None:
    from inspector_app.store.locks import try_hold
    from tests.conftest import run_cli

    insp_id, template = start(ws)
    text = _kinds(template, "text")
    drafts.save_draft(ws, insp_id, text.id, "value", "正在输入", actor="王晓明")
    desktop = try_hold(data_dir / drafts.DESKTOP_LOCK)  # as a desktop showing the folder does
    assert desktop is not None
    try:
        shown = run_cli("inspections", "show", insp_id, "--json", data_dir=data_dir)
        assert shown.returncode == 0, shown.stderr
        assert [d.text for d in drafts.pending_drafts(ws)] == ["正在输入"]  # still the desktop's
    finally:
        desktop.release()
    shown = run_cli("inspections", "show", insp_id, "--json", data_dir=data_dir)
    assert shown.returncode == 0, shown.stderr
    assert drafts.pending_drafts(ws) == []  # no desktop: a crash's, turned into the edit
    assert views_svc.load_inspection_state(ws, insp_id).answers[text.id].value == "正在输入"

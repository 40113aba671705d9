"""A package conflict read field by field, and several decided at once (real folders, real
package files)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector_app import i18n
from inspector_app.i18n import pick
from inspector_app.services import inspection_views as views_svc
from inspector_app.services.conflicts import conflict_differences, resolve_conflicts
from inspector_app.services.sync import list_conflicts
from inspector_app.store.db import Database
from tests.sync.helpers import COMMENT_ITEM, YES_NO_ITEM, two_conflicts, workspace


@pytest.fixture
def conflicted(tmp_path: Path) -> Iterator[dict[str, Any]]:
    made = two_conflicts(tmp_path)
    yield made
    made["laptop"].dispose()
    made["hq"].dispose()


def _by_entity(db: Database, iid: str) -> str:
    return next(c["id"] for c in list_conflicts(workspace(db)) if c["entity_id"] == iid)


def test_a_conflict_shows_each_changed_field_by_the_item_title(conflicted) -> None:
    db, t = conflicted["hq"], conflicted["template"]
    diffs = conflict_differences(db, _by_entity(db, conflicted["first"]))
    shown = {(d.what, d.local, d.incoming) for d in diffs}
    comment_title = pick(t.item(COMMENT_ITEM).title)
    premises_title = pick(t.item(YES_NO_ITEM).title)
    assert (f"{comment_title} · Comment", "总部的意见", "现场的意见") in shown
    assert (f"{premises_title} · Answer", "Yes", "No") in shown
    assert ("Finding: 设备台账缺失", "—", "Major · To be corrected") in shown
    # the score follows the answer; nothing that is the same is listed, no internal id shown
    assert {d.part for d in diffs} == {"answer", "finding", "inspection"}
    assert all(COMMENT_ITEM not in d.what and YES_NO_ITEM not in d.what for d in diffs)
    assert not any("Start date" in d.what or "updated" in d.what for d in diffs)
    # the other conflict differs in its comment alone
    other = conflict_differences(db, _by_entity(db, conflicted["second"]))
    assert [(d.what, d.local, d.incoming) for d in other] == [
        (f"{comment_title} · Comment", "总部的意见", "现场的意见")
    ]
    # and in Chinese
    i18n.set_language("zh")
    zh = {
        (d.what, d.local, d.incoming)
        for d in conflict_differences(db, _by_entity(db, conflicted["first"]))
    }
    assert (f"{t.item(YES_NO_ITEM).title.zh} · 答案", "是", "否") in zh
    assert ("问题：设备台账缺失", "—", "较重 · 待整改") in zh


def test_one_decision_for_all_open_conflicts_each_audited(conflicted) -> None:
    db, data = conflicted["hq"], conflicted["hq_dir"]
    before = views_svc.load_inspection_state(db, conflicted["first"]).answers[COMMENT_ITEM].comment
    done = resolve_conflicts(db, data, None, keep="local", actor="总部")
    assert len(done.done) == 2 and done.refused == []
    assert list_conflicts(workspace(db)) == []
    assert (
        views_svc.load_inspection_state(db, conflicted["first"]).answers[COMMENT_ITEM].comment
        == before
    )
    with db.raw() as con:
        decided = [
            json.loads(r[0])
            for r in con.execute("SELECT new FROM audit_log WHERE action = 'resolve'").fetchall()
        ]
    assert sorted(d["entity_id"] for d in decided) == sorted(
        [conflicted["first"], conflicted["second"]]
    )
    assert {d["resolution"] for d in decided} == {"kept_local"}
    # nothing left to decide: an empty result, and a named one that is decided is refused
    again = resolve_conflicts(db, data, [done.done[0]["id"]], keep="incoming", actor="总部")
    assert again.done == [] and "resolved already" in again.refused[0][1]


def test_taking_the_incoming_versions_of_several(conflicted) -> None:
    db, data = conflicted["hq"], conflicted["hq_dir"]
    ids = [c["id"] for c in list_conflicts(workspace(db))]
    done = resolve_conflicts(db, data, ids, keep="incoming", actor="总部")
    assert len(done.done) == 2 and not done.refused
    for iid in (conflicted["first"], conflicted["second"]):
        assert (
            views_svc.load_inspection_state(db, iid).answers[COMMENT_ITEM].comment == "现场的意见"
        )

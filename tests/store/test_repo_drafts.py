"""store/repo/drafts.py on a real database."""

from __future__ import annotations

import pytest

from inspector_app.domain.drafts import Draft
from inspector_app.store.repo import drafts as repo
from tests.services.helpers import start


@pytest.fixture
def two(ws) -> tuple[str, str]:
    """Two inspections to draft in; ``_d`` names them i-1 and i-2."""
    first, _t = start(ws, code="PB-1")
    second, _t = start(ws, code="PB-2")
    IDS.update({"i-1": first, "i-2": second})
    return first, second


IDS: dict[str, str] = {}


def _d(item: str, kind: str = "value", text: str = "x", inspection: str = "i-1") -> Draft:
    return Draft(IDS[inspection], item, kind, text, "甲")


def test_save_replaces_the_draft_of_its_item_and_kind(db, two) -> None:
    repo.save(db, _d("a", text="现"))
    repo.save(db, _d("a", text="现场"))
    repo.save(db, _d("a", "comment", "评论"))
    repo.save(db, _d("b", inspection="i-2"))
    rows = repo.stored(db)
    assert [r.draft for r in rows] == [
        _d("a", text="现场"),
        _d("a", "comment", "评论"),
        _d("b", inspection="i-2"),
    ]
    assert all(r.readable for r in rows)
    assert [r.draft.item_id for r in repo.stored(db, two[1])] == ["b"]


def test_drop_discard_in_and_drop_keys(db, two) -> None:
    for item in "abcd":
        repo.save(db, _d(item))
    repo.drop(db, two[0], "a", "value")
    with db.transaction() as tx:
        repo.discard_in(tx, two[0], "b", "value")
    with db.transaction() as tx:  # rolled back: the draft stays
        repo.discard_in(tx, two[0], "c", "value")
        tx.rollback()
    left = repo.stored(db)
    assert [r.draft.item_id for r in left] == ["c", "d"]
    repo.drop_keys(db, [left[0].key])
    assert [r.draft.item_id for r in repo.stored(db)] == ["d"]


def test_bytes_that_are_not_utf8_are_read_but_not_readable(db, two) -> None:
    with db.raw() as con:
        con.execute(
            "INSERT INTO text_draft (inspection_id, item_id, kind, text, actor, updated_at) "
            "VALUES (?, 'a', 'value', CAST(X'FF41' AS TEXT), '甲', '2024-01-01 00:00:00')",
            (two[0],),
        )
    (row,) = repo.stored(db)
    assert not row.readable
    assert row.draft.text == "\ufffdA" and row.draft.actor == "甲"

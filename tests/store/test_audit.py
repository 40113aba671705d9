"""The hash-chained audit log finds an edited, deleted or reordered row."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError

from inspector_app.store import audit


def _fill(db, n: int = 5) -> None:
    with db.transaction() as s:
        for i in range(n):
            audit.append(
                s,
                actor="测试员",
                action="answer",
                entity="answer",
                entity_id=f"e{i}",
                field="x",
                old=i,
                new=i + 1,
            )


def _raw(db) -> sqlite3.Connection:
    con = sqlite3.connect(db.path)
    con.execute("DROP TRIGGER audit_log_no_update")  # what an attacker with the file can do
    con.execute("DROP TRIGGER audit_log_no_delete")
    return con


def _check(db):
    with db.session() as s:
        return audit.verify_chain(s)


def test_intact_chain(db) -> None:
    _fill(db)
    check = _check(db)
    assert check.ok and check.rows == 5 and check.head != audit.GENESIS


def test_update_and_delete_are_refused_by_triggers(db) -> None:
    _fill(db, 2)
    con = sqlite3.connect(db.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET new='9' WHERE seq=1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM audit_log WHERE seq=1")
    con.close()


def test_edited_row_is_found_at_its_seq(db) -> None:
    _fill(db)
    con = _raw(db)
    con.execute("UPDATE audit_log SET new='999' WHERE seq=3")
    con.commit()
    con.close()
    check = _check(db)
    assert not check.ok and check.first_bad_seq == 3


def test_deleted_row_is_found(db) -> None:
    _fill(db)
    con = _raw(db)
    con.execute("DELETE FROM audit_log WHERE seq=2")
    con.commit()
    con.close()
    check = _check(db)
    assert not check.ok and check.first_bad_seq == 2


def test_reordered_rows_are_found(db) -> None:
    _fill(db)
    con = _raw(db)
    con.execute("UPDATE audit_log SET seq=100 WHERE seq=2")
    con.execute("UPDATE audit_log SET seq=2 WHERE seq=4")
    con.execute("UPDATE audit_log SET seq=4 WHERE seq=100")
    con.commit()
    con.close()
    check = _check(db)
    assert not check.ok and check.first_bad_seq == 2


def test_a_fork_of_the_chain_is_impossible(db) -> None:
    _fill(db, 1)
    with db.session() as s:
        first = s.get(audit.AuditEntry, 1)
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(
            audit.AuditEntry(
                seq=7,
                ts="x",
                actor="x",
                action="x",
                entity="x",
                entity_id="x",
                prev_hash=first.prev_hash,
                hash="0" * 64,
            )
        )

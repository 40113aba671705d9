"""The status machine and the vocabulary are one table; every move is pinned here."""

from __future__ import annotations

import itertools

import pytest

from inspector_app.domain import vocab
from inspector_app.domain.vocab import InspectionStatus as S

MOVES = {
    (S.DRAFT, S.COMPLETED),  # complete
    (S.COMPLETED, S.SIGNED),  # every listed inspector signed
    (S.COMPLETED, S.DRAFT),  # amend
    (S.SIGNED, S.EXPORTED),  # in a package for headquarters
    (S.SIGNED, S.DRAFT),
    (S.EXPORTED, S.EXPORTED),  # in a later package again
    (S.EXPORTED, S.DRAFT),
}


@pytest.mark.parametrize(("old", "new"), list(itertools.product(S, S)), ids=str)
def test_every_move_is_allowed_exactly_when_listed(old: S, new: S) -> None:
    assert vocab.allowed(old.value, new.value) is ((old, new) in MOVES)


def test_unknown_values_move_nowhere() -> None:
    assert not vocab.allowed("approved", "draft")
    assert not vocab.allowed("draft", "approved")


def test_what_each_status_permits() -> None:
    assert {"draft"} == vocab.EDITABLE
    assert vocab.SIGNABLE == vocab.AMENDABLE == {"completed", "signed", "exported"}


def test_the_stored_values_do_not_change() -> None:
    """They are in every database and package: a rename would orphan them."""
    assert [s.value for s in S] == ["draft", "completed", "signed", "exported"]
    assert [s.value for s in vocab.FindingSeverity] == ["minor", "major", "critical"]
    assert [s.value for s in vocab.FindingStatus] == ["open", "corrected", "verified"]
    assert [s.value for s in vocab.SignatureRole] == ["inspector", "site_representative"]
    assert [s.value for s in vocab.PhotoRole] == ["evidence", "after"]
    assert [s.value for s in vocab.SiteType] == ["pilot_base", "tech_transfer", "platform"]

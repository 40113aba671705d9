"""One test per scoring rule that mutation testing found unpinned (issue 15).

Each asserts the exact outcome, so that changing the rule (a comparison, a constant, a
branch) fails here: ``make mutate`` checks that it does.
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction
from typing import Any

import pytest

from inspector_app import limits
from inspector_app.domain.checklists.schema import ChecklistTemplate
from inspector_app.domain.checklists.scoring import (
    Answer,
    AnswerError,
    ItemScore,
    SectionScore,
    is_visible,
    item_points,
    normalize_answer,
    read_number,
    score_inspection,
)
from tests.domain.test_scoring import FULL, MINI

NA = Answer(None, not_applicable=True)


def _text(zh: str) -> dict[str, str]:
    return {"zh": zh, "en": zh}


def template(*sections: dict[str, Any], total: float = 100, **extra: Any) -> ChecklistTemplate:
    """A small template built in the test: sections as given, two grades."""
    return ChecklistTemplate.model_validate(
        {
            "id": "t",
            "version": "1",
            "title": _text("模板"),
            "site_type": "pilot_base",
            "total_points": total,
            "weights": {"source": "sample", "note": _text("示例")},
            "grades": [
                {"id": "good", "label": _text("好"), "min": 0.6 * total},
                {"id": "bad", "label": _text("差"), "min": 0},
            ],
            "veto_grade": "bad",
            "sections": list(sections),
            **extra,
        }
    )


def section(ident: str, points: float, *items: dict[str, Any]) -> dict[str, Any]:
    return {"id": ident, "title": _text(ident), "points": points, "items": list(items)}


def yes_no(ident: str, points: float, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "title": _text(ident), "type": "yes_no", "points": points, **extra}


def number(ident: str, points: float, bands: list[tuple[float, float]], **extra: Any) -> Any:
    return {
        "id": ident,
        "title": _text(ident),
        "type": "number",
        "points": points,
        "unit": _text("个"),
        "bands": [{"min": m, "points": p} for m, p in bands],
        **extra,
    }


# -- normalize_answer -----------------------------------------------------------------------


def test_a_fractional_score_stays_fractional_and_a_whole_one_becomes_an_int() -> None:
    team = MINI.item("s1.team")
    for given in (7.5, "7.5", "7.50"):
        kept = normalize_answer(team, given)
        assert kept == 7.5
        assert type(kept) is float
    for given in (7, 7.0, "7", "7.0"):
        kept = normalize_answer(team, given)
        assert kept == 7
        assert type(kept) is int
    assert normalize_answer(team, 0) == 0
    assert normalize_answer(team, 10) == 10  # the item's points are the top of the range


def test_a_fractional_number_answer_is_kept_whole() -> None:
    equip = MINI.item("s1.equip")
    assert normalize_answer(equip, 12.25) == 12.25
    assert normalize_answer(equip, "1200") == 1200
    assert type(normalize_answer(equip, "1200")) is int


def test_text_and_date_answers_are_kept() -> None:
    notes = MINI.item("s1.lab-area")
    assert normalize_answer(notes, "东侧 200 平方米") == "东侧 200 平方米"
    assert normalize_answer(notes, 12) == "12"
    assert normalize_answer(notes, "") == ""
    assert normalize_answer(MINI.item("s2.date"), "2024-05-01") == "2024-05-01"
    assert normalize_answer(MINI.item("s2.level"), "mid") == "mid"
    assert normalize_answer(notes, None) is None


def test_a_text_answer_at_the_cap_is_kept_and_one_more_is_refused() -> None:
    notes = MINI.item("s1.lab-area")
    at_cap = "字" * limits.TEXT_ANSWER
    assert normalize_answer(notes, at_cap) == at_cap
    with pytest.raises(AnswerError, match="at most 4,000"):
        normalize_answer(notes, at_cap + "字")


def test_false_is_no_and_true_is_yes() -> None:
    lab = MINI.item("s1.lab")
    assert normalize_answer(lab, False) == "no"
    assert normalize_answer(lab, True) == "yes"
    assert normalize_answer(lab, " N ") == "no"
    assert [normalize_answer(lab, v) for v in ("yes", " YES ", "y", "是")] == ["yes"] * 4
    assert [normalize_answer(lab, v) for v in ("no", "No", "n", "否")] == ["no"] * 4
    with pytest.raises(AnswerError, match="yes or no"):
        normalize_answer(lab, 0)


def test_a_number_above_max_value_is_refused_and_the_bounds_themselves_taken() -> None:
    t = template(
        section("s", 100, number("n", 100, [(10, 100), (0, 0)], min_value=0, max_value=50))
    )
    item = t.item("n")
    assert normalize_answer(item, 50) == 50
    assert normalize_answer(item, 0) == 0
    with pytest.raises(AnswerError, match="above the maximum 50"):
        normalize_answer(item, 50.5)
    with pytest.raises(AnswerError, match="below the minimum 0"):
        normalize_answer(item, -0.5)


def test_a_score_just_outside_the_range_is_refused() -> None:
    team = MINI.item("s1.team")
    with pytest.raises(AnswerError, match="outside 0 to 10"):
        normalize_answer(team, 10.5)
    with pytest.raises(AnswerError, match="outside 0 to 10"):
        normalize_answer(team, -0.5)
    with pytest.raises(AnswerError, match=r"not a multiple of 0\.5"):
        normalize_answer(team, 0.25)


# -- read_number ----------------------------------------------------------------------------


def test_read_number_takes_the_limits_and_refuses_one_past_them() -> None:
    top = limits.NUMBER_MAGNITUDE
    assert read_number(top) == top
    assert read_number(-top) == -top
    assert read_number(" 42 ") == 42.0
    with pytest.raises(AnswerError, match="too large"):
        read_number(top + 1)
    with pytest.raises(AnswerError, match="too large"):
        read_number(str(top + 1))
    digits = "123456789.123456"  # NUMBER_DIGITS, six of them decimals
    assert len(digits) - 1 == limits.NUMBER_DIGITS
    assert read_number(digits) == float(digits)
    with pytest.raises(AnswerError, match="significant digits"):
        read_number("1" + digits)
    # trailing zeros are not significant
    assert read_number(digits + "0000") == float(digits)
    assert read_number("1" + "0" * 11) == 1e11
    small = "0." + "0" * (limits.NUMBER_DECIMALS - 1) + "1"
    assert read_number(small) == float(small)
    with pytest.raises(AnswerError, match="decimal places"):
        read_number("0." + "0" * limits.NUMBER_DECIMALS + "1")
    assert read_number("0." + "0" * (limits.NUMBER_DECIMALS + 3)) == 0.0  # zero, however written
    for bad in (True, None, [1], "1e", float("inf")):
        with pytest.raises(AnswerError):
            read_number(bad)
    assert read_number(" " * 10 + "5") == 5.0
    assert read_number("0" * (limits.NUMBER_CHARS - 1) + "1") == 1.0  # at the length cap
    # trailing zeros after the point are not decimals either, but a seventh decimal is
    assert read_number("0.0000010") == 0.000001
    with pytest.raises(AnswerError, match="decimal places"):
        read_number("0.00000010")
    with pytest.raises(AnswerError, match="1000000000001 is too large"):
        read_number(10**12 + 1)
    # a float or typed text past the limit is named too (the second check's message)
    with pytest.raises(AnswerError, match=r"^10000000000000\.0 is too large"):
        read_number(1e13)
    with pytest.raises(AnswerError, match=r"^'1e400' is too large"):
        read_number("1e400")
    with pytest.raises(AnswerError, match="too long"):
        read_number("1" * (limits.NUMBER_CHARS + 1))
    assert math.isclose(read_number(2.5), 2.5)


# -- item_points ----------------------------------------------------------------------------


def test_a_no_earns_nothing_unless_the_item_earns_on_no() -> None:
    lab = MINI.item("s1.lab")
    assert item_points(lab, "no") == 0
    assert item_points(lab, "yes") == 10
    t = template(section("s", 100, yes_no("safe", 100, earns_on="no")))
    assert item_points(t.item("safe"), "no") == 100
    assert item_points(t.item("safe"), "yes") == 0
    r = score_inspection(MINI, {**FULL, "s1.lab": Answer("no")})
    assert r.items["s1.lab"].points == 0
    assert r.sections[0].points == 30
    assert r.total == 90


def test_a_number_below_every_band_earns_nothing() -> None:
    t = template(section("s", 100, number("n", 100, [(10, 100), (5, 50)])))
    item = t.item("n")
    assert item_points(item, 4) == 0
    assert item_points(item, 5) == 50  # a band's min is inside it
    assert item_points(item, 9.5) == 50
    assert item_points(item, 10) == 100
    assert score_inspection(t, {"n": Answer(4)}).total == 0


def test_choice_points_and_an_unknown_option_earns_nothing() -> None:
    level = MINI.item("s2.level")
    assert item_points(level, "mid") == 30
    assert item_points(level, "low") == 0
    assert item_points(level, "nonsense") == 0
    assert item_points(MINI.item("s1.team"), 7.5) == Fraction(15, 2)
    assert item_points(MINI.item("s1.lab-area"), "text") == 0


# -- is_visible -----------------------------------------------------------------------------


def test_a_conditional_item_is_hidden_while_what_it_depends_on_is_unanswered_or_na() -> None:
    area = MINI.item("s1.lab-area")
    assert is_visible(area, {}) is False
    assert is_visible(area, {"s1.lab": Answer(None)}) is False
    assert is_visible(area, {"s1.lab": Answer("yes", not_applicable=True)}) is False
    assert is_visible(area, {"s1.lab": Answer("no")}) is False
    assert is_visible(area, {"s1.lab": Answer("yes")}) is True
    assert is_visible(MINI.item("s1.lab"), {}) is True  # unconditional
    r = score_inspection(MINI, {**FULL, "s1.lab": NA})
    assert r.items["s1.lab-area"] == ItemScore("s1.lab-area", 0.0, 0, False, False, False)


# -- score_inspection: sections -------------------------------------------------------------


def test_a_section_with_one_applicable_point_counts() -> None:
    t = template(
        section("big", 99, yes_no("a", 99)),
        section("one", 1, yes_no("b", 1)),
    )
    r = score_inspection(t, {"a": Answer("yes"), "b": Answer("no")})
    assert r.total == 99
    assert r.sections[1].applicable is True
    assert r.sections[1].percent == 0
    r = score_inspection(t, {"a": Answer("yes"), "b": Answer("yes")})
    assert r.total == 100
    assert r.sections[1] == SectionScore("one", 1.0, 1, 100.0, True, 1, 1, 0)


def test_section_counts_of_answered_and_not_applicable_items() -> None:
    answers = {**FULL, "s1.equip": NA}
    del answers["s1.team"]
    r = score_inspection(MINI, answers)
    s1, s2 = r.sections
    # s1.equip n/a; s1.lab answered; s1.lab-area shown, unanswered (optional); s1.team missing
    assert s1 == SectionScore("s1", 20.0, 40, 50.0, True, 1, 4, 1)
    assert s2 == SectionScore("s2", 60.0, 60, 100.0, True, 2, 2, 0)
    r = score_inspection(MINI, {**FULL, "s1.lab": Answer("no")})
    # the hidden conditional item counts as not applicable
    assert (r.sections[0].answered, r.sections[0].not_applicable) == (3, 1)


def test_a_section_with_nothing_applicable_is_flagged_and_shows_zero() -> None:
    answers = {**FULL, "s1.equip": NA, "s1.lab": NA, "s1.team": NA}
    r = score_inspection(MINI, answers)
    assert r.sections[0] == SectionScore("s1", 0.0, 40, 0.0, False, 0, 4, 4)
    assert r.sections[1].applicable is True
    assert r.total == 100


def test_an_item_that_may_not_be_na_counts_even_when_marked_na() -> None:
    data = copy.deepcopy(MINI.model_dump(mode="json", by_alias=True, exclude_none=True))
    data["sections"][0]["items"][1]["na_allowed"] = False
    t = ChecklistTemplate.model_validate(data)
    r = score_inspection(t, {**FULL, "s1.lab": Answer(None, not_applicable=True)})
    assert r.items["s1.lab"].applicable is True
    assert r.items["s1.lab"].answered is False
    assert "s1.lab" in r.missing_required
    assert r.sections[0].points == 30


def test_an_unanswered_item_earns_nothing_and_is_not_answered() -> None:
    answers = dict(FULL)
    del answers["s1.team"]
    r = score_inspection(MINI, answers)
    assert r.items["s1.team"] == ItemScore("s1.team", 0.0, 10, True, True, False)
    assert r.items["s1.lab"] == ItemScore("s1.lab", 10.0, 10, True, True, True)
    assert r.items["s1.equip"] == ItemScore("s1.equip", 20.0, 20, True, True, True)
    na = score_inspection(MINI, {**FULL, "s1.team": Answer(5, not_applicable=True)})
    assert na.items["s1.team"] == ItemScore("s1.team", 0.0, 10, True, False, False)
    assert na.sections[0].points == 40  # 30 of the applicable 30


def test_an_optional_item_left_empty_is_not_missing_but_a_required_one_is() -> None:
    answers = {k: v for k, v in FULL.items() if k != "s2.date"}
    r = score_inspection(MINI, answers)
    assert r.missing_required == ["s2.date"]
    assert r.provisional is True
    assert r.total == 100  # a date carries no points
    r = score_inspection(MINI, {**FULL, "s1.lab": Answer("yes")})
    assert r.missing_required == []
    assert r.provisional is False


def test_the_total_rescales_to_total_points_and_rounds_half_up() -> None:
    t = template(
        section("a", 120, yes_no("a1", 60), yes_no("a2", 60)),
        section("b", 80, yes_no("b1", 80)),
        total=200,
    )
    r = score_inspection(t, {"a1": Answer("yes"), "a2": Answer("no"), "b1": Answer("yes")})
    assert r.total == 140  # 60 + 80 of 200
    r = score_inspection(t, {"a1": Answer("yes"), "a2": Answer("no"), "b1": NA})
    assert r.total == 100  # b drops out: a's half, rescaled to the whole
    assert r.max_total == 200
    t3 = template(section("a", 3, yes_no("x", 1), yes_no("y", 1), yes_no("z", 1)), total=3)
    r = score_inspection(t3, {"x": Answer("yes"), "y": Answer("no"), "z": Answer("no")})
    assert r.total == 1
    assert r.sections[0].percent == 33.33
    # 2/3 of 1 point is 0.6666…: rounded half up to 0.67, never truncated
    t1 = template(section("a", 1, yes_no("x", 0.5), yes_no("y", 0.5)), total=1)
    r = score_inspection(t1, {"x": Answer("yes"), "y": Answer("no")})
    assert r.total == 0.5
    half = template(section("a", 0.125, number("n", 0.125, [(1, 0.125), (0, 0.005)])), total=0.125)
    assert score_inspection(half, {"n": Answer(0)}).items["n"].points == 0.01  # 0.005 -> 0.01


def test_nothing_applicable_anywhere_scores_zero_not_a_division_error() -> None:
    answers = {k: NA for k in ("s1.equip", "s1.lab", "s1.team", "s2.level")}
    r = score_inspection(MINI, {**answers, "v-fraud": Answer("no")})
    assert r.total == 0
    assert r.grade == "fail"
    assert [s.applicable for s in r.sections] == [False, False]


def test_grades_are_the_first_band_the_rounded_total_reaches() -> None:
    t = template(
        section(
            "a", 100, {**yes_no("x", 100), "type": "score", "step": 0.01, "guidance": _text("g")}
        )
    )
    assert score_inspection(t, {"x": Answer(60)}).grade == "good"
    assert score_inspection(t, {"x": Answer(59.99)}).grade == "bad"
    assert score_inspection(t, {"x": Answer(0)}).grade == "bad"


def test_a_veto_answered_yes_fails_and_one_left_empty_is_missing() -> None:
    r = score_inspection(MINI, {**FULL, "v-fraud": Answer(True)})
    assert (r.vetoed, r.grade, r.total) == (True, "fail", 100)
    assert [v.veto_id for v in r.vetoes] == ["v-fraud"]
    assert r.vetoes[0].title_zh == "提供虚假材料"
    assert r.vetoes[0].title_en == "Falsified materials"
    assert r.vetoes[0].reason_en == "Falsified materials fail the evaluation"
    clean = score_inspection(MINI, FULL)
    assert (clean.vetoed, clean.vetoes, clean.grade) == (False, [], "excellent")
    no_answer = {k: v for k, v in FULL.items() if k != "v-fraud"}
    r = score_inspection(MINI, no_answer)
    assert (r.missing_required, r.provisional, r.vetoed) == (["v-fraud"], True, False)


def test_the_result_as_a_dict_carries_every_field() -> None:
    d = score_inspection(MINI, {**FULL, "v-fraud": Answer("yes")}).to_dict()
    assert set(d) == {
        "total",
        "max_total",
        "grade",
        "provisional",
        "vetoed",
        "vetoes",
        "missing_required",
        "sections",
    }
    assert (d["total"], d["max_total"], d["grade"], d["provisional"], d["vetoed"]) == (
        100,
        100,
        "fail",
        False,
        True,
    )
    assert d["vetoes"][0]["veto_id"] == "v-fraud"
    assert d["sections"][0]["section_id"] == "s1"
    assert d["missing_required"] == []

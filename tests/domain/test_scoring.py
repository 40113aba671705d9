"""The scoring engine: worked examples and properties that must hold for any template."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector_app.domain.checklists.loader import load_template
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.domain.checklists.scoring import (
    Answer,
    AnswerError,
    item_points,
    normalize_answer,
    score_inspection,
)
from tests.conftest import DATA, plain_id

MINI = load_template(DATA / "mini.yaml").template

FULL = {
    "s1.equip": Answer(1200),
    "s1.lab": Answer("yes"),
    "s1.team": Answer(10),
    "s2.level": Answer("high"),
    "s2.date": Answer("2024-05-01"),
    "v-fraud": Answer("no"),
}


def score(**changes: Answer) -> Any:
    answers = dict(FULL)
    answers.update({k.replace("__", "."): v for k, v in changes.items()})
    return score_inspection(MINI, answers)


def test_full_marks() -> None:
    r = score()
    assert (r.total, r.grade, r.provisional, r.vetoed) == (100, "excellent", False, False)
    assert [s.points for s in r.sections] == [40, 60]


def test_band_choice_and_score_points() -> None:
    r = score(s1__equip=Answer(500), s1__team=Answer(7.5), s2__level=Answer("mid"))
    # s1: 10 + 10 + 7.5 = 27.5 of 40; s2: 30 of 60
    assert r.total == 57.5
    assert r.grade == "fail"
    assert r.sections[0].percent == 68.75


def test_not_applicable_leaves_both_sides_and_section_keeps_weight() -> None:
    r = score(s1__lab=Answer(None, not_applicable=True), s1__equip=Answer(500))
    # s1: (10 + 10) of the applicable 30 -> 40 * 20/30
    assert r.sections[0].points == pytest.approx(26.67)
    assert r.sections[0].max_points == 40
    assert r.total == pytest.approx(86.67)
    assert r.items["s1.lab"].applicable is False


def test_hidden_conditional_item_is_out_of_the_count() -> None:
    r = score(s1__lab=Answer("no"))
    assert r.items["s1.lab-area"].visible is False
    r2 = score(s1__lab=Answer("yes"))
    assert r2.items["s1.lab-area"].visible is True


def test_all_na_section_drops_out_and_total_rescales() -> None:
    na = Answer(None, not_applicable=True)
    r = score(s1__equip=na, s1__lab=na, s1__team=na)
    assert r.sections[0].applicable is False
    assert r.total == 100  # s2 full marks, rescaled to the whole
    r2 = score(s1__equip=na, s1__lab=na, s1__team=na, s2__level=Answer("mid"))
    assert r2.total == 50


def test_missing_required_makes_result_provisional() -> None:
    answers = dict(FULL)
    del answers["s1.team"]
    r = score_inspection(MINI, answers)
    assert r.provisional is True
    assert r.missing_required == ["s1.team"]
    assert r.total == 90  # unanswered earns nothing
    del answers["v-fraud"]
    assert "v-fraud" in score_inspection(MINI, answers).missing_required


def test_optional_text_does_not_make_provisional() -> None:
    r = score(s1__lab=Answer("yes"))
    assert "s1.lab-area" not in r.missing_required


def test_veto_fails_whatever_the_points() -> None:
    r = score_inspection(MINI, {**FULL, "v-fraud": Answer("yes")})
    assert r.total == 100
    assert r.grade == "fail"
    assert r.vetoed is True
    assert r.vetoes[0].reason_zh == "弄虚作假一票否决"


@pytest.mark.parametrize(
    ("total_choice", "grade"), [("high", "excellent"), ("mid", "pass"), ("low", "fail")]
)
def test_grade_bands_from_template(total_choice: str, grade: str) -> None:
    assert score(s2__level=Answer(total_choice)).grade == grade


def test_grade_band_edges() -> None:
    # 40 + 30 of 60 -> 70 -> pass; 75 is good
    r = score(s2__level=Answer("mid"))
    assert (r.total, r.grade) == (70, "pass")


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        ("s1.team", 11, "outside"),
        ("s1.team", -1, "outside"),
        ("s1.team", 7.3, "multiple"),
        ("s1.equip", -5, "below the minimum"),
        ("s1.equip", "lots", "number"),
        ("s1.equip", float("nan"), "finite"),
        ("s2.level", "best", "not one of"),
        ("s1.lab", "maybe", "yes or no"),
        ("s2.date", "2024-13-01", "date"),
    ],
)
def test_bad_answers_are_refused(item: str, value: Any, message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        normalize_answer(MINI.item(item), value)


def test_yes_no_spellings() -> None:
    item = MINI.item("s1.lab")
    assert [normalize_answer(item, v) for v in ("Y", "是", True, "no", "否")] == [
        "yes",
        "yes",
        "yes",
        "no",
        "no",
    ]


# -- properties over generated templates --------------------------------------------------


def _partition(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    parts = max(1, min(parts, total))
    cuts = (
        sorted(draw(st.sets(st.integers(1, total - 1), min_size=parts - 1, max_size=parts - 1)))
        if parts > 1
        else []
    )
    edges = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(edges)]


def _item(draw: st.DrawFn, ident: str, points: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["yes_no", "score", "number", "choice"]))
    base: dict[str, Any] = {
        "id": ident,
        "title": {"zh": "项", "en": "item"},
        "type": kind,
        "points": points,
        "required": draw(st.booleans()),
    }
    if kind == "yes_no":
        base["earns_on"] = draw(st.sampled_from(["yes", "no"]))
    elif kind == "score":
        base["guidance"] = {"zh": "按情况打分", "en": "as found"}
    elif kind == "number":
        lows = sorted(draw(st.sets(st.integers(0, 1000), min_size=1, max_size=4)), reverse=True)
        pts = sorted(
            draw(st.lists(st.integers(0, points), min_size=len(lows) - 1, max_size=len(lows) - 1)),
            reverse=True,
        )
        base["unit"] = {"zh": "个", "en": "pcs"}
        base["bands"] = [{"min": m, "points": p} for m, p in zip(lows, [points, *pts], strict=True)]
    else:
        others = draw(st.lists(st.integers(0, points), min_size=1, max_size=3))
        base["options"] = [
            {"id": f"o{n}", "label": {"zh": "选", "en": "opt"}, "points": p}
            for n, p in enumerate([points, *others])
        ]
    return base


@st.composite
def templates(draw: st.DrawFn) -> ChecklistTemplate:
    sections = []
    for si, sp in enumerate(_partition(draw, 100, draw(st.integers(1, 5)))):
        items = [
            _item(draw, f"s{si}.i{ii}", ip)
            for ii, ip in enumerate(_partition(draw, sp, draw(st.integers(1, 4))))
        ]
        sections.append(
            {"id": f"s{si}", "title": {"zh": "节", "en": "section"}, "points": sp, "items": items}
        )
    return ChecklistTemplate.model_validate(
        {
            "id": "gen",
            "version": "1",
            "title": {"zh": "生成", "en": "generated"},
            "site_type": "pilot_base",
            "weights": {"source": "sample", "note": {"zh": "示例", "en": "sample"}},
            "grades": [
                {"id": "a", "label": {"zh": "优秀", "en": "A"}, "min": 90},
                {"id": "b", "label": {"zh": "合格", "en": "B"}, "min": 60},
                {"id": "f", "label": {"zh": "不合格", "en": "F"}, "min": 0},
            ],
            "veto_grade": "f",
            "vetoes": [
                {
                    "id": "veto",
                    "title": {"zh": "否决", "en": "veto"},
                    "reason": {"zh": "原因", "en": "reason"},
                }
            ],
            "sections": sections,
        }
    )


def _value(draw: st.DrawFn, item: Item) -> Any:
    if item.type is AnswerType.YES_NO:
        return draw(st.sampled_from(["yes", "no"]))
    if item.type is AnswerType.SCORE:
        return draw(st.integers(0, int(item.points / item.step))) * item.step
    if item.type is AnswerType.NUMBER:
        return draw(st.integers(-10, 1200))
    return draw(st.sampled_from([o.id for o in item.options]))


def _answer(draw: st.DrawFn, item: Item) -> Answer | None:
    kind = draw(st.sampled_from(["missing", "na", "value", "value"]))
    if kind == "missing":
        return None
    if kind == "na":
        return Answer(None, not_applicable=True)
    return Answer(_value(draw, item))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[ChecklistTemplate, dict[str, Answer]]:
    t = draw(templates())
    answers = {}
    for item in t.items():
        a = _answer(draw, item)
        if a is not None:
            answers[item.id] = a
    veto = draw(st.sampled_from([None, "no", "yes"]))
    if veto:
        answers["veto"] = Answer(veto)
    return t, answers


PROPS = settings(max_examples=300, deadline=None)


@PROPS
@given(scenarios())
def test_total_is_within_bounds(case: tuple[ChecklistTemplate, dict[str, Answer]]) -> None:
    t, answers = case
    r = score_inspection(t, answers)
    assert 0 <= r.total <= 100
    for s in r.sections:
        assert 0 <= s.points <= s.max_points + 1e-9


@PROPS
@given(scenarios(), st.data())
def test_raising_one_items_points_never_lowers_total(
    case: tuple[ChecklistTemplate, dict[str, Answer]], data: st.DataObject
) -> None:
    t, answers = case
    item = data.draw(st.sampled_from(t.items()))
    a, b = _value(data.draw, item), _value(data.draw, item)
    lo, hi = sorted([a, b], key=lambda v: item_points(item, v))
    r_lo = score_inspection(t, {**answers, item.id: Answer(lo)})
    r_hi = score_inspection(t, {**answers, item.id: Answer(hi)})
    assert r_hi.total >= r_lo.total


@PROPS
@given(scenarios())
def test_veto_always_dominates(case: tuple[ChecklistTemplate, dict[str, Answer]]) -> None:
    t, answers = case
    r = score_inspection(t, {**answers, "veto": Answer("yes")})
    assert r.grade == t.veto_grade
    assert r.vetoed and r.vetoes[0].veto_id == "veto"


@PROPS
@given(scenarios(), st.data())
def test_not_applicable_keeps_total_in_bounds(
    case: tuple[ChecklistTemplate, dict[str, Answer]], data: st.DataObject
) -> None:
    t, answers = case
    item = data.draw(st.sampled_from(t.items()))
    r = score_inspection(t, {**answers, item.id: Answer(None, not_applicable=True)})
    assert 0 <= r.total <= 100
    assert r.items[item.id].applicable is False


@PROPS
@given(scenarios())
def test_unanswered_required_items_are_exactly_the_missing_ones(
    case: tuple[ChecklistTemplate, dict[str, Answer]],
) -> None:
    t, answers = case
    r = score_inspection(t, answers)
    expected = [i.id for i in t.items() if i.required and i.id not in answers]
    if "veto" not in answers:
        expected.append("veto")
    assert r.missing_required == expected
    assert r.provisional == bool(expected)


# -- the caps of a number or text answer (limits; docs/design.md, "Limits") ---------------------
# Literal numbers on purpose: moving a cap in limits.py (or turning a < into <=) fails here.


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10**12, 10**12),  # the largest magnitude
        (-(10**12), -(10**12)),
        ("1e12", 10**12),
        (1e12, 10**12),
        ("123456789.123456", 123456789.123456),  # 15 significant digits
        ("0.000001", 0.000001),  # 6 decimals
        ("1200", 1200),  # trailing zeros are not significant
        ("  7.50 ", 7.5),
        (0, 0),
        ("0.0000000", 0),  # zero, written with many zeros
    ],
    ids=plain_id,
)
def test_numbers_within_the_caps_are_taken(value: Any, expected: Any) -> None:
    item = MINI.item("s1.equip").model_copy(update={"min_value": None})
    got = normalize_answer(item, value)
    assert got == expected and type(got) is type(expected)
    assert normalize_answer(item, got) == got  # the normal form is a fixed point


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**12 + 1, "too large"),
        (-(10**12) - 1, "too large"),
        ("1000000000000.5", "too large"),
        ("1e400", "too large"),  # a finite Decimal, an infinite float
        (10**400, "too large"),  # float() of it raises OverflowError
        ("1" + "0" * 400, "too long for a number"),
        ("9" * 5000, "too long for a number"),  # int() of it raises ValueError
        ("1234567890.123456", "more than 15 significant digits"),
        (0.12345678901234568, "more than 15 significant digits"),
        ("0.0000001", "more than 6 decimal places"),
        ("1e-7", "more than 6 decimal places"),
        (1e-320, "more than 6 decimal places"),  # a denormal
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("-inf", "finite"),
        ("NaN", "finite"),
        ("sNaN", "finite"),
        (True, "expected a number"),
        ("12 万", "expected a number"),
        ([1], "expected a number"),
    ],
    ids=plain_id,
)
def test_numbers_beyond_the_caps_are_refused_never_overflow(value: Any, message: str) -> None:
    for item_id in ("s1.equip", "s1.team"):
        item = MINI.item(item_id).model_copy(update={"min_value": None, "points": 10**12})
        with pytest.raises(AnswerError, match=message):
            normalize_answer(item, value)


def test_a_refused_number_is_shown_short() -> None:
    with pytest.raises(AnswerError) as info:
        normalize_answer(MINI.item("s1.equip"), "9" * 5000)
    assert len(str(info.value)) < 120
    with pytest.raises(AnswerError, match="a 1,001-digit number"):
        normalize_answer(MINI.item("s1.equip"), 10**1000)


def test_a_text_answer_is_capped_at_4000_characters() -> None:
    item = MINI.item("s1.lab-area")
    assert normalize_answer(item, "字" * 4000) == "字" * 4000
    with pytest.raises(AnswerError, match="4,001 characters; at most 4,000"):
        normalize_answer(item, "字" * 4001)

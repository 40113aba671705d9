"""The scoring engine: one pure function from a template and answers to a result.

Rules (see docs/forms.md, "Scoring"):
- item points -> section subtotal -> total. A section's subtotal is its weight times the
  share of its applicable points earned, so an item marked not applicable (不适用) leaves
  both sides and the section keeps its weight.
- An item hidden by its condition counts as not applicable. A section whose items are all
  not applicable drops out, and the total is rescaled over the sections that remain.
- A required item without an answer earns nothing and makes the result provisional.
- A triggered veto item (一票否决) makes the grade the template's ``veto_grade``
  whatever the points, with the reason.
Arithmetic is exact (fractions); only the reported figures are rounded to 0.01.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple

from inspector_app import limits
from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.i18n import _


@dataclass(frozen=True)
class Answer:
    """What an inspector gave for one item or veto; ``value`` is None when unanswered."""

    value: Any = None
    not_applicable: bool = False


class AnswerError(ValueError):
    """An answer that the item cannot take (out of range, unknown option, wrong type)."""


class ItemScore(NamedTuple):
    """One item's score (a tuple: made for every item of every rescore, and cheap so)."""

    item_id: str
    points: float
    max_points: float
    visible: bool
    applicable: bool
    answered: bool


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    points: float  # the section's subtotal on its own weight
    max_points: float
    percent: float
    applicable: bool
    answered: int
    total_items: int
    not_applicable: int


@dataclass(frozen=True)
class VetoHit:
    veto_id: str
    title_zh: str
    title_en: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class ScoreResult:
    total: float
    max_total: float
    grade: str
    provisional: bool
    vetoed: bool
    vetoes: list[VetoHit] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    sections: list[SectionScore] = field(default_factory=list)
    items: dict[str, ItemScore] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "max_total": self.max_total,
            "grade": self.grade,
            "provisional": self.provisional,
            "vetoed": self.vetoed,
            "vetoes": [vars(v) for v in self.vetoes],
            "missing_required": list(self.missing_required),
            "sections": [vars(s) for s in self.sections],
        }


# Both are pure functions of an immutable value, called for every item of every rescore (an
# answer edit rescores the whole inspection): remembered, an edit of a 35-item template
# spends a third of the time scoring (bench/gui.py).
def _round_half_up(numerator: int, denominator: int) -> float:
    d = Decimal(numerator) / Decimal(denominator)
    return float(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _fraction(x: float) -> Fraction:
    return Fraction(x).limit_denominator(10**6)


# wrapped here rather than decorated: mutation testing (`make mutate`) reaches plain functions
_rounded = lru_cache(maxsize=4096)(_round_half_up)
_frac = lru_cache(maxsize=4096)(_fraction)


def _round(value: Fraction) -> float:
    """``_round_half_up``, remembered by numerator and denominator: hashing a Fraction
    itself takes a modular inverse, and every item of every rescore is rounded."""
    return _rounded(value.numerator, value.denominator)


ZERO = Fraction(0)
UNANSWERED = Answer()


def _add(parts: dict[int, int], value: Fraction) -> None:
    """Add ``value`` to an exact sum kept as integer numerators by denominator: adding two
    Fractions reduces by a gcd each time, and a rescore adds two per item."""
    d = value.denominator
    parts[d] = parts.get(d, 0) + value.numerator


def _sum(parts: dict[int, int]) -> Fraction:
    """The exact value of a sum kept by ``_add``."""
    fractions = [Fraction(n, d) for d, n in parts.items()]
    return sum(fractions[1:], fractions[0]) if fractions else ZERO


def read_number(value: Any) -> float:
    """A number answer as given (an int, a float or typed text) checked against the caps in
    ``limits``: finite, at most ``NUMBER_MAGNITUDE`` in size, at most ``NUMBER_DIGITS``
    significant digits and ``NUMBER_DECIMALS`` decimals. Raises ``AnswerError`` otherwise;
    never OverflowError, however long the number."""
    if isinstance(value, bool):
        raise AnswerError(_("expected a number, got {value}", value=limits.shown(value)))
    if isinstance(value, str):
        if len(value.strip()) > limits.NUMBER_CHARS:
            raise AnswerError(
                _(
                    "{value} is too long for a number (at most {n} characters)",
                    value=limits.shown(value),
                    n=limits.NUMBER_CHARS,
                )
            )
        try:
            exact = Decimal(value.strip())
        except InvalidOperation:
            raise AnswerError(
                _("expected a number, got {value}", value=limits.shown(value))
            ) from None
    elif isinstance(value, int):
        if abs(value) > limits.NUMBER_MAGNITUDE:  # before any conversion: 10**400 is an int
            raise AnswerError(_too_large(value))
        exact = Decimal(value)
    elif isinstance(value, float):
        exact = Decimal(repr(value)) if math.isfinite(value) else Decimal(str(value))
    else:
        raise AnswerError(_("expected a number, got {value}", value=limits.shown(value)))
    if not exact.is_finite():
        raise AnswerError(_("expected a finite number, got {value}", value=limits.shown(value)))
    if abs(exact) > Decimal(limits.NUMBER_MAGNITUDE):
        raise AnswerError(_too_large(value))
    _sign, digits, exponent = exact.as_tuple()
    assert isinstance(exponent, int)  # finite
    # trailing zeros are not significant: 1200 has two digits, 7.50 has two
    while len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    if len(digits) > limits.NUMBER_DIGITS:
        raise AnswerError(
            _(
                "{value} has more than {n} significant digits",
                value=limits.shown(value),
                n=limits.NUMBER_DIGITS,
            )
        )
    if exponent < -limits.NUMBER_DECIMALS and any(digits):
        raise AnswerError(
            _(
                "{value} has more than {n} decimal places",
                value=limits.shown(value),
                n=limits.NUMBER_DECIMALS,
            )
        )
    return float(exact)


def _too_large(value: Any) -> str:
    return _(
        "{value} is too large (at most {max:g} either side of 0)",
        value=limits.shown(value),
        max=limits.NUMBER_MAGNITUDE,
    )


def normalize_answer(item: Item, value: Any) -> Any:
    """Check and normalise a raw answer for ``item``; raise ``AnswerError`` if it cannot take it."""
    if value is None:
        return None
    t = item.type
    if t is AnswerType.YES_NO:
        if value is True or (
            isinstance(value, str) and value.strip().lower() in {"yes", "y", "是"}
        ):
            return "yes"
        if value is False or (
            isinstance(value, str) and value.strip().lower() in {"no", "n", "否"}
        ):
            return "no"
        raise AnswerError(_("expected yes or no, got {value!r}", value=value))
    if t in (AnswerType.SCORE, AnswerType.NUMBER):
        number = read_number(value)
        if t is AnswerType.SCORE:
            if not 0 <= number <= item.points:
                raise AnswerError(
                    _("score {value:g} is outside 0 to {max:g}", value=number, max=item.points)
                )
            steps = number / item.step
            if abs(steps - round(steps)) > 1e-9:
                raise AnswerError(
                    _("score {value:g} is not a multiple of {step:g}", value=number, step=item.step)
                )
        else:
            if item.min_value is not None and number < item.min_value:
                raise AnswerError(
                    _("{value:g} is below the minimum {min:g}", value=number, min=item.min_value)
                )
            if item.max_value is not None and number > item.max_value:
                raise AnswerError(
                    _("{value:g} is above the maximum {max:g}", value=number, max=item.max_value)
                )
        return int(number) if number.is_integer() else number
    if t is AnswerType.CHOICE:
        ids = {o.id for o in item.options}
        if str(value) not in ids:
            raise AnswerError(
                _("{value!r} is not one of {options}", value=value, options=", ".join(sorted(ids)))
            )
        return str(value)
    if t is AnswerType.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise AnswerError(
                _("expected a date as YYYY-MM-DD, got {value!r}", value=value)
            ) from None
    text = str(value)
    problem = limits.length_problem(_("the answer"), text, limits.TEXT_ANSWER)
    if problem:
        raise AnswerError(problem)
    return text


def item_points(item: Item, value: Any) -> Fraction:
    """Points an answered, applicable item earns (value already normalised)."""
    t = item.type
    if t is AnswerType.YES_NO:
        return _frac(item.points) if value == item.earns_on else ZERO
    if t is AnswerType.SCORE:
        return _frac(float(value))
    if t is AnswerType.NUMBER:
        for band in item.bands:
            if float(value) >= band.min:
                return _frac(band.points)
        return ZERO
    if t is AnswerType.CHOICE:
        for o in item.options:
            if o.id == value:
                return _frac(o.points)
    return ZERO


def is_visible(item: Item, answers: Mapping[str, Answer]) -> bool:
    cond = item.show_if
    if cond is None:
        return True
    other = answers.get(cond.item)
    if other is None or other.not_applicable:
        return False
    return cond.matches(other.value)


def score_inspection(template: ChecklistTemplate, answers: Mapping[str, Answer]) -> ScoreResult:
    """Score ``answers`` (by item or veto id) against ``template``. Pure: no I/O, no clock."""
    items: dict[str, ItemScore] = {}
    sections: list[SectionScore] = []
    missing: list[str] = []
    earned_total = ZERO
    weight_total = ZERO

    for section in template.sections:
        earned_parts: dict[int, int] = {}
        possible_parts: dict[int, int] = {}
        answered = na = 0
        for item in section.items:
            ans = answers.get(item.id, UNANSWERED)
            visible = is_visible(item, answers)
            applicable = visible and not (ans.not_applicable and item.na_allowed)
            has_value = ans.value is not None
            pts = ZERO
            if applicable:
                scored = item.scored
                if scored:
                    _add(possible_parts, _frac(item.points))
                if has_value:
                    answered += 1
                    if scored:
                        pts = item_points(item, ans.value)
                        _add(earned_parts, pts)
                elif item.required:
                    missing.append(item.id)
            else:
                na += 1
            items[item.id] = ItemScore(
                item.id, _round(pts), item.points, visible, applicable, has_value and applicable
            )
        earned = _sum(earned_parts)
        possible = _sum(possible_parts)
        weight = _frac(section.points)
        if possible > 0:
            subtotal = weight * earned / possible
            earned_total += subtotal
            weight_total += weight
            percent = 100 * earned / possible
            sections.append(
                SectionScore(
                    section.id,
                    _round(subtotal),
                    section.points,
                    _round(percent),
                    True,
                    answered,
                    len(section.items),
                    na,
                )
            )
        else:
            sections.append(
                SectionScore(
                    section.id, 0.0, section.points, 0.0, False, answered, len(section.items), na
                )
            )

    total_points = _frac(template.total_points)
    total = earned_total * total_points / weight_total if weight_total else ZERO

    hits: list[VetoHit] = []
    for veto in template.vetoes:
        ans = answers.get(veto.id, UNANSWERED)
        if ans.value is None:
            missing.append(veto.id)
        elif ans.value in ("yes", True):
            hits.append(
                VetoHit(veto.id, veto.title.zh, veto.title.en, veto.reason.zh, veto.reason.en)
            )

    rounded_total = _round(total)
    if hits:
        grade = template.veto_grade
    else:
        grade = next(g.id for g in template.grades if rounded_total >= g.min)
    return ScoreResult(
        total=rounded_total,
        max_total=template.total_points,
        grade=grade,
        provisional=bool(missing),
        vetoed=bool(hits),
        vetoes=hits,
        missing_required=missing,
        sections=sections,
        items=items,
    )

"""The checklist template schema: what a file in forms/ may say.

A template is an indicator tree (指标体系): sections (一级指标) with points, items
(二级指标) with an answer type and points, veto items (一票否决) and grade bands. The
rules that make the weights explicit (sections add up to the total, items add up to their
section) are checked here, so the scoring engine can trust what it is given.
See docs/forms.md for the format with examples.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from inspector_app import limits
from inspector_app.i18n import _

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


def _sane_number(x: float) -> float:
    """A number the scoring can compute with: finite (no .inf, .nan), at most
    ``limits.NUMBER_MAGNITUDE`` either side of 0, and 0 or at least 10^-NUMBER_DECIMALS in size
    (no denormals such as 1e-320, which overflow when divided by)."""
    if not math.isfinite(x):
        raise ValueError(_("{value} is not a finite number", value=x))
    if abs(x) > limits.NUMBER_MAGNITUDE:
        raise ValueError(
            _("{value:g} is too large (at most {max:g})", value=x, max=limits.NUMBER_MAGNITUDE)
        )
    if x and abs(x) < 10.0**-limits.NUMBER_DECIMALS:
        raise ValueError(
            _(
                "{value:g} is too small (0, or at least {min:g} either side of 0)",
                value=x,
                min=10.0**-limits.NUMBER_DECIMALS,
            )
        )
    return x


# Every number in a template: points, thresholds, steps, bounds.
Number = Annotated[float, AfterValidator(_sane_number)]


class SiteType(StrEnum):
    PILOT_BASE = "pilot_base"  # 中试基地
    TECH_TRANSFER = "tech_transfer"  # 技术转移服务机构
    PLATFORM = "platform"  # 创新平台 / 大型科研仪器开放共享


class AnswerType(StrEnum):
    YES_NO = "yes_no"
    SCORE = "score"
    NUMBER = "number"
    CHOICE = "choice"
    TEXT = "text"
    DATE = "date"


SCORED_TYPES = frozenset(
    {AnswerType.YES_NO, AnswerType.SCORE, AnswerType.NUMBER, AnswerType.CHOICE}
)


class WeightSource(StrEnum):
    SOURCED = "sourced"  # taken from a cited evaluation rule
    SAMPLE = "sample"  # our proposal: shown as 示例权重, never as official
    MIXED = "mixed"  # template level only: some sections sourced, some sample


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(_Strict):
    """A bilingual text; Chinese is required, English is the second language."""

    zh: Annotated[str, Field(min_length=1, max_length=limits.TEMPLATE_TEXT)]
    en: Annotated[str, Field(min_length=1, max_length=limits.TEMPLATE_TEXT)]


class Citation(_Strict):
    id: Identifier
    title: str = Field(min_length=1, max_length=limits.TEMPLATE_TEXT)
    tag: Literal["official", "mirror", "third_party", "proposal"]
    url: str | None = Field(default=None, max_length=limits.TEMPLATE_TEXT)
    note: str | None = Field(default=None, max_length=limits.TEMPLATE_TEXT)


class Weights(_Strict):
    source: WeightSource
    note: Text
    citations: list[Citation] = Field(default_factory=list)

    @field_validator("citations")
    @classmethod
    def _unique_citations(cls, citations: list[Citation]) -> list[Citation]:
        return check_citations(citations)


class GradeBand(_Strict):
    id: Identifier
    label: Text
    min: Number = Field(ge=0)


class ShowIf(_Strict):
    """Show an item only when another item's answer matches (conditional item)."""

    item: Identifier
    equals: str | Number | bool | None = None
    in_: list[str | Number] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> ShowIf:
        return check_show_if(self)

    def matches(self, value: Any) -> bool:
        if value is None:
            return False
        if self.in_ is not None:
            return any(_same(value, v) for v in self.in_)
        return _same(value, self.equals)


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, bool) or isinstance(a, bool):
        return _yes_no(a) == _yes_no(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return str(a) == str(b)


def _yes_no(v: Any) -> str:
    if v is True:
        return "yes"
    if v is False:
        return "no"
    return str(v)


class Band(_Strict):
    """A threshold band for a number item: the first band whose ``min`` the value reaches."""

    min: Number
    points: Number = Field(ge=0)
    label: Text | None = None


class Option(_Strict):
    id: Identifier
    label: Text
    points: Number = Field(ge=0, default=0)


class Item(_Strict):
    """An item (二级指标 / 核查项)."""

    id: Identifier
    title: Text
    type: AnswerType
    points: Number = Field(ge=0, default=0)
    required: bool = True
    na_allowed: bool = True
    help: Text | None = None
    guidance: Text | None = None  # written scoring guidance (评分标准)
    evidence: list[Text] = Field(default_factory=list)  # 现场核查材料
    photos_required: int = Field(ge=0, le=50, default=0)
    show_if: ShowIf | None = None
    weight_source: WeightSource | None = None
    # yes_no: which answer earns the points
    earns_on: Literal["yes", "no"] = "yes"
    # score: the step an inspector may give (0.5 lets 7.5 of 10)
    step: Number = Field(gt=0, default=0.5)
    # number: unit, allowed range and the bands that turn the value into points
    unit: Text | None = None
    min_value: Number | None = None
    max_value: Number | None = None
    bands: list[Band] = Field(default_factory=list)
    # choice
    options: list[Option] = Field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES

    @model_validator(mode="after")
    def _type_rules(self) -> Item:
        return check_item(self)


class Veto(_Strict):
    """A veto item (一票否决): answered yes when triggered; then the grade fails."""

    id: Identifier
    title: Text
    reason: Text
    source: Identifier | None = None  # a citation id
    evidence: list[Text] = Field(default_factory=list)
    help: Text | None = None


class Section(_Strict):
    """A section (一级指标) with its points and items."""

    id: Identifier
    title: Text
    points: Number = Field(gt=0)
    weight_source: WeightSource = WeightSource.SAMPLE
    source: Identifier | None = None
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_add_up(self) -> Section:
        return check_section(self)


class ChecklistTemplate(_Strict):
    """A checklist template version, as loaded from forms/*.yaml."""

    schema_version: Literal[1] = 1
    id: Identifier
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", max_length=32)
    title: Text
    description: Text | None = None
    site_type: SiteType
    total_points: Number = Field(gt=0, default=100)
    effective: dt.date | None = None
    weights: Weights
    grades: list[GradeBand] = Field(min_length=2)
    veto_grade: Identifier
    vetoes: list[Veto] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    @field_validator("grades")
    @classmethod
    def _grades_descend(cls, grades: list[GradeBand]) -> list[GradeBand]:
        return check_grades(grades)

    @model_validator(mode="after")
    def _whole_template(self) -> ChecklistTemplate:
        return check_template(self)

    # -- lookups used by scoring, services and the UI -------------------------------------
    def items(self) -> list[Item]:
        return [i for s in self.sections for i in s.items]

    def item(self, item_id: str) -> Item:
        for i in self.items():
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def veto(self, veto_id: str) -> Veto:
        for v in self.vetoes:
            if v.id == veto_id:
                return v
        raise KeyError(veto_id)

    def grade(self, grade_id: str) -> GradeBand:
        for g in self.grades:
            if g.id == grade_id:
                return g
        raise KeyError(grade_id)

    @property
    def uses_sample_weights(self) -> bool:
        return self.weights.source is not WeightSource.SOURCED


# -- the rules, as plain functions (each model's validator calls one; mutation testing,
# `make mutate`, reaches plain functions only) ------------------------------------------


def check_citations(citations: list[Citation]) -> list[Citation]:
    ids = [c.id for c in citations]
    if len(set(ids)) != len(ids):
        raise ValueError(_("citation ids must be unique"))
    return citations


def check_show_if(cond: ShowIf) -> ShowIf:
    if (cond.equals is None) == (cond.in_ is None):
        raise ValueError(_("give exactly one of 'equals' or 'in'"))
    return cond


def check_item(item: Item) -> Item:
    """The rules of one item's type: points, guidance, unit and bands, options, show_if."""
    t = item.type
    if t in SCORED_TYPES and item.points <= 0:
        raise ValueError(_("a {type} item needs points greater than 0", type=t.value))
    if t not in SCORED_TYPES and item.points:
        raise ValueError(_("a {type} item carries no points", type=t.value))
    if t is AnswerType.SCORE and item.guidance is None:
        raise ValueError(_("a score item needs written scoring guidance ('guidance')"))
    if t is AnswerType.SCORE:
        steps = item.points / item.step
        if abs(steps - round(steps)) > 1e-9:
            raise ValueError(
                _(
                    "the points {points:g} are not a multiple of the step {step:g}: full marks "
                    "could not be given",
                    points=item.points,
                    step=item.step,
                )
            )
    if t is AnswerType.NUMBER:
        if item.unit is None:
            raise ValueError(_("a number item needs a 'unit'"))
        if not item.bands:
            raise ValueError(_("a number item needs 'bands' that map values to points"))
        mins = [b.min for b in item.bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError(_("number bands must be listed from the highest 'min' down"))
        if max(b.points for b in item.bands) != item.points:
            raise ValueError(_("the best band must earn the item's points"))
        if any(b.points > item.points for b in item.bands):
            raise ValueError(_("a band cannot earn more than the item's points"))
        if (
            item.min_value is not None
            and item.max_value is not None
            and item.min_value > item.max_value
        ):
            raise ValueError(_("min_value is greater than max_value"))
    elif item.bands or item.unit is not None:
        raise ValueError(_("'bands' and 'unit' belong to number items only"))
    if t is AnswerType.CHOICE:
        if len(item.options) < 2:
            raise ValueError(_("a choice item needs at least two options"))
        ids = [o.id for o in item.options]
        if len(set(ids)) != len(ids):
            raise ValueError(_("option ids must be unique"))
        if max(o.points for o in item.options) != item.points:
            raise ValueError(_("the best option must earn the item's points"))
        if any(o.points > item.points for o in item.options):
            raise ValueError(_("an option cannot earn more than the item's points"))
    elif item.options:
        raise ValueError(_("'options' belong to choice items only"))
    if item.show_if is not None and item.show_if.item == item.id:
        raise ValueError(_("an item cannot depend on itself"))
    return item


def check_section(section: Section) -> Section:
    """A section's scored items add up to its points."""
    total = sum(i.points for i in section.items if i.scored)
    if abs(total - section.points) > 1e-9:
        raise ValueError(
            _(
                "the items' points add up to {total:g}, not the section's {points:g}",
                total=total,
                points=section.points,
            )
        )
    return section


def check_grades(grades: list[GradeBand]) -> list[GradeBand]:
    """Grade ids unique, bands from the highest minimum down to 0."""
    ids = [g.id for g in grades]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(_("grade id {id!r} is given twice", id=duplicate))
    mins = [g.min for g in grades]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        raise ValueError(_("grade bands must be listed from the highest 'min' down"))
    if mins[-1] != 0:
        raise ValueError(_("the last grade band must start at 0"))
    return grades


def check_template(t: ChecklistTemplate) -> ChecklistTemplate:
    """Sections add up to the total, the veto grade exists, the top grade fits, sources are cited."""
    total = sum(s.points for s in t.sections)
    if abs(total - t.total_points) > 1e-9:
        raise ValueError(
            _(
                "the sections' points add up to {total:g}, not total_points {points:g}",
                total=total,
                points=t.total_points,
            )
        )
    if t.veto_grade not in {g.id for g in t.grades}:
        raise ValueError(_("veto_grade {grade!r} is not one of the grade ids", grade=t.veto_grade))
    if t.grades[0].min > t.total_points:
        raise ValueError(_("the top grade band starts above total_points"))
    citations = {c.id for c in t.weights.citations}
    for v in t.vetoes:
        if v.source and v.source not in citations:
            raise ValueError(
                _("veto {id!r} cites unknown source {source!r}", id=v.id, source=v.source)
            )
    for s in t.sections:
        if s.source and s.source not in citations:
            raise ValueError(
                _("section {id!r} cites unknown source {source!r}", id=s.id, source=s.source)
            )
    return t

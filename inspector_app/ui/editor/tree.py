"""The checklist editor's indicator tree: the veto items, then each section and its items,
with each answer in short, the points it earns and what is still missing.

The tree only shows; ``ChecklistEditor`` follows its current row and fills it again from
the answers and the score after each edit (``show_answers``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item, Veto
from inspector_app.domain.checklists.scoring import ScoreResult
from inspector_app.i18n import _, pick
from inspector_app.services.answers import AnswerView
from inspector_app.ui.plain import plain_tip

ID_ROLE = Qt.ItemDataRole.UserRole + 1
NO_ANSWER = AnswerView()  # one object for every unanswered item (rows compare by identity)
VETO_SECTION = "__veto__"


def summary(item: Item | Veto, view: AnswerView) -> str:
    if view.not_applicable:
        return _("n/a")
    value = view.value
    if value is None:
        return "—"
    if isinstance(item, Veto):
        return _("Triggered") if value == "yes" else _("Not triggered")
    if item.type is AnswerType.YES_NO:
        return _("Yes") if value == "yes" else _("No")
    if item.type is AnswerType.CHOICE:
        for o in item.options:
            if o.id == value:
                return pick(o.label)
    if item.type is AnswerType.TEXT:
        text = str(value).replace("\n", " ")
        return text if len(text) <= 12 else text[:12] + "…"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


class IndicatorTree(QTreeWidget):
    """One row per item (its id in ``ID_ROLE``) under a row per section."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Indicator tree"))
        self.setColumnCount(3)
        self.setHeaderLabels([_("Indicator"), _("Answer / progress"), _("Points")])
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        # sized in fill() to the widest points a row can show: ResizeToContents measured
        # every row and repainted the header after each answer
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 110)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setUniformRowHeights(True)
        self.rows: dict[str, QTreeWidgetItem] = {}  # item id -> its row
        self.section_rows: dict[str, QTreeWidgetItem] = {}  # section id (or VETO_SECTION)
        self.shown: dict[str, tuple[object, ...]] = {}  # item id -> what its row shows
        # item id -> (answer, item score, missing) its row was last made from; an edit
        # replaces one answer, so the other rows are not even summarised again
        self._inputs: dict[str, tuple[object, ...]] = {}
        self._colour = 0

    def fill(self, template: ChecklistTemplate) -> None:
        self.clear()
        self.rows = {}
        self.section_rows = {}
        self.shown = {}
        self._inputs = {}
        bold = QFont(self.font())
        bold.setBold(True)
        if template.vetoes:
            top = QTreeWidgetItem([_("Veto items (一票否决)"), "", ""])
            top.setData(0, ID_ROLE, VETO_SECTION)
            top.setFont(0, bold)
            self.addTopLevelItem(top)
            self.section_rows[VETO_SECTION] = top
            for veto in template.vetoes:
                row = QTreeWidgetItem([pick(veto.title), "", ""])
                row.setData(0, ID_ROLE, veto.id)
                row.setToolTip(0, plain_tip(pick(veto.title)))
                top.addChild(row)
                self.rows[veto.id] = row
        for section in template.sections:
            top = QTreeWidgetItem([pick(section.title), "", ""])
            top.setData(0, ID_ROLE, section.id)
            top.setFont(0, bold)
            self.addTopLevelItem(top)
            self.section_rows[section.id] = top
            for item in section.items:
                row = QTreeWidgetItem([pick(item.title), "", ""])
                row.setData(0, ID_ROLE, item.id)
                row.setToolTip(0, plain_tip(pick(item.title)))
                top.addChild(row)
                self.rows[item.id] = row
        self.expandAll()
        self._fit_points_column(template)

    def _fit_points_column(self, template: ChecklistTemplate) -> None:
        """Column 2 as wide as its header or the widest "points/max" a row can show (a
        section's, written in the widest digit), whichever is wider."""
        metrics = self.fontMetrics()
        widest = max("0123456789", key=metrics.horizontalAdvance)
        texts = [f"{s.points:.2f}/{s.points:g}" for s in template.sections] + [
            f"{i.points:g}/{i.points:g}" for i in template.items()
        ]
        width = max((metrics.horizontalAdvance(re.sub(r"\d", widest, t)) for t in texts), default=0)
        header = self.header()
        header.resizeSection(2, max(width + 16, header.sectionSizeHint(2)))

    def show_answers(
        self,
        template: ChecklistTemplate,
        index: Mapping[str, Item | Veto],
        score: ScoreResult,
        answers: Mapping[str, AnswerView],
        text_colour: QColor,
    ) -> None:
        """Every row from the answers and the score: hidden by a condition, the answer in
        short, the points; a missing required answer in red, a not-applicable one grey."""
        r = score
        missing = set(r.missing_required)
        grey = QBrush(QColor("#999"))
        red = QBrush(QColor("#b00020"))
        normal = QBrush(text_colour)
        if self._colour != text_colour.rgba():  # another palette: every row anew
            self._colour, self._inputs = text_colour.rgba(), {}
        for item_id, row in self.rows.items():
            view = answers.get(item_id, NO_ANSWER)
            iscore = r.items.get(item_id)
            inputs = (view, iscore, item_id in missing)
            seen = self._inputs.get(item_id)
            if seen is not None and seen[0] is view and seen[1:] == inputs[1:]:
                continue  # the same answer (the very object), score and flag: the same row
            self._inputs[item_id] = inputs
            item = index[item_id]
            points = None
            if iscore and isinstance(item, Item) and item.scored:
                points = f"{iscore.points:g}/{item.points:g}" if iscore.applicable else "—"
            brush = red if item_id in missing else grey if view.not_applicable else normal
            second = red if isinstance(item, Veto) and view.value == "yes" else brush
            shown = (
                bool(iscore and not iscore.visible),
                summary(item, view),
                points,
                brush.color().rgba(),
                second.color().rgba(),
            )
            if self.shown.get(item_id) == shown:
                continue  # an edit changes a row or two: the others are left as they are
            self.shown[item_id] = shown
            if row.isHidden() != shown[0]:  # setHidden lays out and repaints the whole tree
                row.setHidden(shown[0])
            row.setText(1, shown[1])
            if points is not None:
                row.setText(2, points)
            row.setForeground(0, brush)
            row.setForeground(1, second)
        sections = {sec.section_id: sec for sec in r.sections}
        for section in template.sections:
            row = self.section_rows[section.id]
            sc = sections[section.id]
            visible = [i for i in section.items if r.items[i.id].visible]
            answered = sum(1 for i in visible if answers.get(i.id, NO_ANSWER).answered)
            self._set(row, 1, f"{answered}/{len(visible)}")
            self._set(row, 2, f"{sc.points:.2f}/{sc.max_points:g}" if sc.applicable else "—")
        if template.vetoes:
            answered = sum(1 for v in template.vetoes if answers.get(v.id, NO_ANSWER).answered)
            self._set(self.section_rows[VETO_SECTION], 1, f"{answered}/{len(template.vetoes)}")

    @staticmethod
    def _set(row: QTreeWidgetItem, column: int, text: str) -> None:
        if row.text(column) != text:  # an unchanged row is not repainted
            row.setText(column, text)


def first_shown_child(row: QTreeWidgetItem) -> QTreeWidgetItem | None:
    """A section row's first item row that its condition does not hide."""
    children = (row.child(i) for i in range(row.childCount()))
    return next((c for c in children if c is not None and not c.isHidden()), None)

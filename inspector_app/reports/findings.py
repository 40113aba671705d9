"""三、问题与整改: each finding with its corrective action and before/after photos."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table

from inspector_app.reports.flowables import Columns
from inspector_app.reports.format import (
    CELL_PAD,
    NONE,
    fmt_date,
    grid_style,
    mm,
    para,
    split_in_row,
)
from inspector_app.reports.items import ItemsPart
from inspector_app.reports.layout import FRAME_WIDTH, SHADE, SHADE_DARK
from inspector_app.reports.model import ReportFinding

FINDING_COLS = [27 * mm, FRAME_WIDTH - 27 * mm]


class FindingsPart(ItemsPart):
    """A finding's table is built as an item's is: long texts clipped to below the table,
    photos in a grid (``ItemsPart.clip``, ``full_texts``, ``photo_grid``)."""

    # -- 三、findings --------------------------------------------------------------------------

    def findings(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            CondPageBreak(50 * mm),
            self.h1(self.t.tr("Findings and corrective actions")),
        ]
        if not d.findings:
            out.append(para(self.t.tr("No findings were recorded in this inspection."), s.body))
            return out
        still_open = sum(1 for f in d.findings if f.status == "open")
        line = self.t.tr(
            "{n} findings, {open} still to be corrected.", n=len(d.findings), open=still_open
        )
        carried = sum(1 for f in d.findings if f.carried)
        if carried:
            line += self.gap + self.t.tr(
                "{carried} of them carried forward from the previous inspection (re-inspection).",
                carried=carried,
            )
        out.append(para(line, s.body))
        out.append(Spacer(1, 2 * mm))
        for f in d.findings:
            out += self.finding_table(f)
            out.append(Spacer(1, 4 * mm))
        return out

    def finding_table(self, f: ReportFinding) -> list[Flowable]:
        s = self.s
        long: list[tuple[str, str]] = []
        name = self.t.tr("Finding {n}", n=f.number)
        head = (
            name
            + ("　" if self.lang == "zh" else " · ")
            + self.t.tr("{label}: {value}", label=self.t.tr("Severity"), value=f.severity_label)
        )
        rows: list[list[Any]] = [[para(head, s.cell), ""]]
        fields: list[tuple[str, str | None]] = [
            (self.t.tr("Description"), f.description),
            (self.t.tr("Related item"), f.item_label),
            (self.t.tr("Requirement"), f.requirement),
            (self.t.tr("Deadline"), fmt_date(f.deadline)),
            (self.t.tr("Responsible"), f.responsible),
            (self.t.tr("Status"), f.status_label),
            (self.t.tr("Resolution note"), f.resolution_note),
        ]
        fields = [(label, self.clip(value, f"{name} {label}", long)) for label, value in fields]
        if f.carried:
            origin = (
                self.t.tr("from the inspection of {date}", date=fmt_date(f.carried_from_date))
                if f.carried_from_date
                else NONE
            )
            fields.append((self.t.tr("Re-inspection"), origin))
        for label, value in fields:
            if value:
                rows.append([para(label, s.cell_label), para(value, s.cell)])
        last_field = len(rows) - 1
        extra: list[tuple[Any, ...]] = [
            ("SPAN", (0, 0), (-1, 0)),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE_DARK),
            ("BACKGROUND", (0, 1), (0, last_field), SHADE),
        ]
        if f.before or f.after:
            # 整改前 | 整改后: the photos as found beside the photos after correction
            width = FRAME_WIDTH
            heads = [
                [para(self.t.tr("Before correction"), s.cell_center)],
                [para(self.t.tr("After correction"), s.cell_center)],
            ]
            rows.append([Columns(heads, width / 2, pad=CELL_PAD, divider=True), ""])
            for n in range(max(len(f.before), len(f.after))):
                pair = [
                    f.before[n] if n < len(f.before) else None,
                    f.after[n] if n < len(f.after) else None,
                ]
                note = self.t.tr("No photo") if n == 0 else None
                rows.append([self.photo_grid(pair, 2, width, divider=True, placeholder=note), ""])
            for r in range(last_field + 1, len(rows)):
                extra += [
                    ("SPAN", (0, r), (-1, r)),
                    ("LEFTPADDING", (0, r), (-1, r), 0),
                    ("RIGHTPADDING", (0, r), (-1, r), 0),
                    ("TOPPADDING", (0, r), (-1, r), 0),
                    ("BOTTOMPADDING", (0, r), (-1, r), 0),
                ]
            extra.append(("BACKGROUND", (0, last_field + 1), (-1, last_field + 1), SHADE))
            extra.append(("NOSPLIT", (0, last_field + 1), (-1, last_field + 2)))  # heads + photos
        in_row = split_in_row([(value, FINDING_COLS[1]) for _label, value in fields])
        if not in_row:
            extra.append(("NOSPLIT", (0, 0), (-1, min(2, last_field))))  # no lone header
        table = Table(rows, colWidths=FINDING_COLS, style=grid_style(*extra), splitInRow=in_row)
        return [table, *self.full_texts(long)]

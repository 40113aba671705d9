"""二、检查项明细: every item with its answer, points, comment, evidence and photos."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from inspector_app.reports.flowables import (
    Cell,
    Columns,
    GridBlock,
    JpegSource,
    MissingPhoto,
    Photo,
    Row,
)
from inspector_app.reports.format import (
    CELL_PAD,
    LONG_TEXT,
    NONE,
    Part,
    chunks,
    chunks_of,
    fmt_points,
    mm,
    numeral,
    para,
)
from inspector_app.reports.layout import FRAME_WIDTH, SHADE, SHADE_DARK, Para
from inspector_app.reports.model import ReportItem, ReportPhoto, ReportSection

ITEM_COLS = [13 * mm, 70 * mm, 60 * mm, 27 * mm]  # no., item, result, points


class ItemsPart(Part):
    # -- 二、items -----------------------------------------------------------------------------

    def items(self) -> list[Flowable]:
        d = self.d
        out: list[Flowable] = [CondPageBreak(60 * mm), self.h1(self.t.tr("Checklist items"))]
        for sec in d.sections:
            out += self.section_items(sec)
        return out

    def section_items(self, sec: ReportSection) -> list[Flowable]:
        s = self.s
        if sec.applicable:
            result = self.t.tr(
                "{points} of {max} points, {percent}",
                points=fmt_points(sec.points),
                max=fmt_points(sec.max_points),
                percent=f"{sec.percent:.1f}%",
            )
        else:
            result = self.t.tr("Not applicable")
        title = self.t.tr("({n}) {title}", n=numeral(sec.number, self.lang), title=sec.title)
        heading = Para(
            f'{escape(title)}<font size="9.5" color="#6b6b73">　{escape(result)}</font>', s.h2
        )
        head = GridBlock(
            [
                Row(
                    [
                        Cell([para(self.t.tr("No."), s.cell_head)], SHADE_DARK),
                        Cell([para(self.t.tr("Item"), s.cell_head)], SHADE_DARK),
                        Cell([para(self.t.tr("Result"), s.cell_head)], SHADE_DARK),
                        Cell([para(self.t.tr("Points"), s.cell_head)], SHADE_DARK),
                    ],
                    ITEM_COLS,
                )
            ],
            pad=CELL_PAD,
        )
        blocks = [self.item_table(item) for item in sec.items]
        # keep the heading, the column heads and the first item together
        first = blocks[0] if blocks else []
        out: list[Flowable] = [KeepTogether([heading, head, *first[:1]]), *first[1:]]
        for block in blocks[1:]:
            out += block
        return out

    def clip(self, text: str | None, label: str, sink: list[tuple[str, str]]) -> str | None:
        """``text`` for a table cell; a long one is cut and kept in ``sink`` for below."""
        if text is None or len(text) <= LONG_TEXT:
            return text
        sink.append((label, text))
        return text[: LONG_TEXT // 4].rstrip() + "… " + self.t.tr("(full text below the table)")

    def full_texts(self, texts: list[tuple[str, str]]) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = []
        for label, text in texts:
            out.append(Spacer(1, 3))
            out.append(para(self.t.tr("{label} (full text)", label=label), s.cell_label))
            out += [para(chunk, s.cell) for chunk in chunks_of(text)]
        if out:
            out.append(Spacer(1, 4))
        return out

    def item_table(self, item: ReportItem) -> list[Flowable]:
        """The item's rows (answer and points; comment and evidence; photos two by two),
        then any text too long for a cell."""
        s = self.s
        long: list[tuple[str, str]] = []
        answer = self.clip(item.answer, f"{item.number} {self.t.tr('Result')}", long)
        comment = self.clip(item.comment, f"{item.number} {self.t.tr('Comment')}", long)
        muted = item.state in ("not_applicable", "hidden", "unanswered")
        points = (
            NONE
            if item.points is None
            else f"{fmt_points(item.points)} / {fmt_points(item.max_points)}"
        )
        rows = [
            Row(
                [
                    Cell([para(item.number, s.cell_center)]),
                    Cell([para(item.title, s.cell)]),
                    Cell(
                        [para(answer, s.cell_label if muted else s.cell)], SHADE if muted else None
                    ),
                    Cell([para(points, s.cell_center)]),
                ],
                ITEM_COLS,
            )
        ]
        wide = ITEM_COLS[1] + ITEM_COLS[2] + ITEM_COLS[3]
        details = []
        if comment:
            details.append(self.t.tr("{label}: {value}", label=self.t.tr("Comment"), value=comment))
        if item.evidence:  # 已核查材料: only what was ticked (nothing ticked says nothing)
            evidence = self.clip(
                self.evidence(item), f"{item.number} {self.t.tr('Evidence checked')}", long
            )
            details.append(
                self.t.tr("{label}: {value}", label=self.t.tr("Evidence checked"), value=evidence)
            )
        widths = [ITEM_COLS[0], wide]
        if details:
            rows.append(Row([Cell([]), Cell([para(d, s.cell) for d in details])], widths, True))
        for pair in chunks(item.photos, 2):
            grid = self.photo_grid(pair, 2, wide - 2 * CELL_PAD)
            rows.append(Row([Cell([]), Cell([grid])], widths, True))
        # the answer stays with its comment and evidence
        block = GridBlock(rows, keep=2 if details else 1, pad=CELL_PAD)
        return [block, *self.full_texts(long)]

    def evidence(self, item: ReportItem) -> str:
        sep = "、" if self.lang == "zh" else "; "
        return self.t.tr(
            "{names} ({n} of {total})",
            names=sep.join(item.evidence),
            n=len(item.evidence),
            total=item.evidence_total,
        )

    # -- photos ------------------------------------------------------------------------------

    def photo_cell(self, photo: ReportPhoto, width: float) -> list[Flowable]:
        """A photo scaled into ``width`` with its caption, capture time and short hash."""
        s = self.s
        max_w, max_h = width - 2 * CELL_PAD, (width - 2 * CELL_PAD) * 0.75
        image: Flowable
        if photo.display_path is not None:
            try:
                source = JpegSource(photo.display_path.read_bytes(), key=photo.sha256)
                image = Photo(source, max_w, max_h)
            except (OSError, ValueError):
                image = MissingPhoto(self.t.tr("Photo file missing"), max_w, max_h * 0.4)
        else:
            image = MissingPhoto(self.t.tr("Photo file missing"), max_w, max_h * 0.4)
        taken = (
            self.t.tr("Taken {time}", time=photo.taken)
            if photo.taken
            else self.t.tr("Capture time unknown")
        )
        return [
            image,
            Spacer(1, 2),
            para(photo.caption, s.caption),
            para(f"{taken} · SHA-256 {photo.short_hash}", s.caption),
        ]

    def photo_grid(
        self,
        photos: Sequence[ReportPhoto | None],
        columns: int,
        width: float,
        *,
        divider: bool = False,
        placeholder: str | None = None,
    ) -> Columns:
        """Photos side by side in ``width``; ``None`` leaves a column empty (or with the
        ``placeholder`` note); ``divider`` draws the line between before and after."""
        col = width / columns
        cells: list[list[Flowable]] = [
            self.photo_cell(p, col)
            if p is not None
            else ([para(placeholder, self.s.caption)] if placeholder else [])
            for p in photos
        ]
        cells += [[] for _ in range(columns - len(cells))]
        return Columns(cells, col, pad=CELL_PAD, divider=divider)

    # -- other photos ------------------------------------------------------------------------

    def other_photos(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(80 * mm), self.h1(self.t.tr("Other photos"))]
        for pair in chunks(self.d.other_photos, 2):
            out.append(self.photo_grid(pair, 2, FRAME_WIDTH))
        return out

"""The inspection report as a PDF: reportlab platypus, A4, in the 公文 manner.

Cover (organisation in red over a red rule, title, report number, the site, the visit, the
template and its weights, the result, the QR code), then 一、评价结果 (section table, bar
chart, veto items), 二、检查项明细 (every item with its answer, points, comment, evidence and
photos), 三、问题与整改 (findings with before/after photos), and last the signatures with
the empty box reserved for the digital signature. Header and footer ("第 X 页 共 Y 页") on
every page, a diagonal 草稿 watermark on drafts.

Deterministic: invariant mode, the PDF's dates and ID from the data, photos embedded as their
JPEG bytes named by content, no clock and no randomness, so one inspection revision gives
byte-identical files. ``render_pdf`` is pure: data in, bytes out.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from inspector_app import __version__
from inspector_app.i18n import _
from inspector_app.reports.charts import qr_code, section_chart
from inspector_app.reports.layout import (
    FRAME_WIDTH,
    GRID,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RED,
    RULE,
    SHADE,
    SHADE_DARK,
    Cell,
    Columns,
    GridBlock,
    JpegSource,
    MissingPhoto,
    PageFurniture,
    Para,
    Photo,
    Row,
    SignatureField,
    Styles,
    numbered_canvas,
    pdf_date,
    styles,
)
from inspector_app.reports.model import (
    RenderedReport,
    ReportData,
    ReportFinding,
    ReportItem,
    ReportPhoto,
    ReportSection,
    SignatureBox,
    as_report_time,
)

NONE = "—"
mm = 72 / 25.4
_BUILD_LOCK = threading.Lock()  # rl_config is process-wide while a build runs

ITEM_COLS = [13 * mm, 70 * mm, 60 * mm, 27 * mm]  # no., item, result, points
SECTION_COLS = [13 * mm, 83 * mm, 24 * mm, 24 * mm, 26 * mm]  # no., section, points, max, %
FINDING_COLS = [27 * mm, FRAME_WIDTH - 27 * mm]
SIGN_COLS = [36 * mm, 32 * mm, 62 * mm, 40 * mm]  # role, signer, signature, time
CELL_PAD = 4
# Characters a table cell shows of one text; a longer text is printed in full below its
# table, in paragraphs that split across pages cheaply (a table row that splits re-wraps the
# whole cell on every page: 24 s for a 20,000-character answer).
LONG_TEXT = 400
CHUNK = 300


# -- small formatting helpers ----------------------------------------------------------------


def numeral(n: int, lang: str) -> str:
    """一、二、三 … for Chinese headings, 1, 2, 3 for English."""
    if lang != "zh":
        return str(n)
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def fmt_points(value: float) -> str:
    return f"{value:g}"


def fmt_score(value: float) -> str:
    return f"{value:.2f}"


def fmt_time(moment: Any) -> str:
    return as_report_time(moment).strftime("%Y-%m-%d %H:%M")


def fmt_date(day: Any) -> str:
    return day.isoformat() if day else NONE


def long_date(day: Any) -> str:
    return _("{year}-{month:02d}-{day:02d}", year=day.year, month=day.month, day=day.day)


def para(text: str | None, style: Any, *, blank: bool = False) -> Paragraph:
    """User text is escaped (a description may hold < or &); line breaks are kept. Missing
    text shows as a dash, or stays empty with ``blank`` (a line to write on)."""
    body = escape(text or ("" if blank else NONE)).replace("\n", "<br/>")
    return Para(body, style)


def chunks_of(text: str, size: int = CHUNK) -> list[str]:
    """``text`` as pieces of at most about ``size`` characters, cut after a sentence where
    possible: each piece is one paragraph, so a long text wraps in linear time."""
    out: list[str] = []
    for line in text.splitlines() or [""]:
        while len(line) > size:
            cut = -1
            for marks in ("。！？；.!?;", "，、, "):  # a sentence's end, else a clause's
                cut = max(line.rfind(m, size // 2, size) for m in marks)
                if cut > 0:
                    break
            cut = cut + 1 if cut > 0 else size
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return [c for c in out if c.strip()]


def split_in_row(texts: Sequence[tuple[str | None, float]]) -> int:
    """1 when a cell's text may be taller than half a page, so its row must be allowed to
    split across pages (reportlab's ``splitInRow``); 0 otherwise, so rows stay whole.

    Counts a full-width character per font size: an overestimate for Latin text.
    """
    limit = 0.5 * (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)
    for text, width in texts:
        if not text:
            continue
        per_line = max(1, int((width - 2 * CELL_PAD) / 9.5))
        lines = sum(len(line) // per_line + 1 for line in text.splitlines())
        if lines * 13.5 > limit:
            return 1
    return 0


def plain_style(*commands: tuple[Any, ...]) -> TableStyle:
    """A table style that names the CJK face: even an empty string cell sets a font, and
    reportlab's default would be Helvetica, not embedded."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), styles().font), *commands])


def grid_style(*extra: tuple[Any, ...]) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), styles().font),
            ("GRID", (0, 0), (-1, -1), GRID, RULE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


class _Builder:
    def __init__(self, data: ReportData) -> None:
        self.d = data
        self.s: Styles = styles()
        self.lang = data.language
        self.box: SignatureBox | None = None
        self._heading = 0
        self.gap = "" if self.lang == "zh" else " "  # between sentences

    def vetoes_open(self) -> bool:
        return any(v.unanswered for v in self.d.vetoes)

    # -- structure --------------------------------------------------------------------------

    def story(self) -> list[Flowable]:
        out: list[Flowable] = []
        out += self.cover()
        out.append(PageBreak())
        out += self.summary()
        out += self.items()
        out += self.findings()
        if self.d.other_photos:
            out += self.other_photos()
        out += self.signatures()  # last: the digital signature box is on the last page
        return out

    def h1(self, title: str) -> Paragraph:
        self._heading += 1
        text = _("{n}. {title}", n=numeral(self._heading, self.lang), title=title)
        return Para(escape(text), self.s.h1)

    # -- cover -------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            Spacer(1, 6 * mm),
            para(d.organisation, s.org),
            Spacer(1, 2 * mm),
            HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=0, spaceAfter=1.2),
            HRFlowable(width="100%", thickness=0.5, color=RED, spaceBefore=0, spaceAfter=8 * mm),
            para(d.title, s.title),
            para(_("Report No. {number}", number=d.report_number), s.number),
            Spacer(1, 7 * mm),
        ]
        out.append(self.cover_facts())
        out.append(Spacer(1, 5 * mm))
        out.append(self.cover_result())
        out.append(Spacer(1, 4 * mm))
        notes = []
        if d.draft:
            notes.append(_("Draft: the inspection is not completed; the score may still change."))
        if d.weights_source != "sourced":
            notes.append(
                _(
                    "The points and grade bands are sample weights proposed by the project team, not official weights."
                )
            )
        notes.append(_("Times are China Standard Time (UTC+8)."))
        out += [para(n, s.note) for n in notes]
        return out

    def cover_facts(self) -> Table:
        d, s = self.d, self.s
        when = fmt_date(d.started_on)
        if d.ended_on and d.ended_on != d.started_on:
            when = f"{fmt_date(d.started_on)} – {fmt_date(d.ended_on)}"
        revision = f"{_('Revision {rev}', rev=d.revision)} · {d.status_label}"
        if d.amend_reason:  # in full under the results; a line or two here
            reason = d.amend_reason if len(d.amend_reason) <= 120 else d.amend_reason[:120] + "…"
            revision += "\n" + _("Amended: {reason}", reason=reason)
        rows: list[tuple[str, str | None]] = [
            (_("Inspected site"), d.site_name),
            (_("Site code"), d.site_code),
            (_("Site type"), d.site_type_label),
            (_("Host unit"), d.site_host_unit),
            (_("Address"), d.site_address),
            (_("Inspection date"), when),
            (
                _("Inspectors"),
                "、".join(d.inspectors) if self.lang == "zh" else ", ".join(d.inspectors),
            ),
            (
                _("Checklist template"),
                _(
                    "{title} (version {version})",
                    title=d.template_title,
                    version=d.template_version,
                ),
            ),
            (_("Weights"), d.weights_label),
            (_("Revision"), revision),
        ]
        if d.reinspection and d.previous_inspection_date:
            rows.insert(
                6,
                (
                    _("Re-inspection"),
                    _(
                        "Follow-up of the inspection of {date}",
                        date=fmt_date(d.previous_inspection_date),
                    ),
                ),
            )
        data = [[para(k, s.cell_label), para(v, s.cell)] for k, v in rows]
        return Table(
            data,
            colWidths=[32 * mm, FRAME_WIDTH - 32 * mm],
            style=grid_style(("BACKGROUND", (0, 0), (0, -1), SHADE)),
        )

    def cover_result(self) -> Table:
        d, s = self.d, self.s
        score = f"{fmt_score(d.total)} / {fmt_points(d.max_total)}"
        if d.provisional:
            score += " " + _("(provisional)")
        if d.vetoed:
            hits = [v for v in d.vetoes if v.triggered]
            lines = [f"{_('Triggered: {title}', title=v.title)}\n{v.reason}" for v in hits]
            veto_text = "\n".join([*lines, _("A triggered veto fails the inspection")])
        elif self.vetoes_open():
            veto_text = _("Not every veto item is answered yet.")
        else:
            veto_text = _("Not triggered")
        hash_note = (
            _("(frozen at completion)")
            if d.data_hash_frozen
            else _("(current draft data, not frozen)")
        )
        left = Table(
            [
                [para(_("Total"), s.cell_label), para(score, s.big)],
                [para(_("Grade"), s.cell_label), para(d.grade_label, s.big)],
                [
                    para(_("Veto items (一票否决)"), s.cell_label),
                    para(veto_text, s.cell_alert if d.vetoed else s.cell),
                ],
                [
                    para(_("Data SHA-256"), s.cell_label),
                    Para(
                        f"{d.data_hash[:32]}<br/>{d.data_hash[32:]}<br/>"
                        f'<font color="#6b6b73">{escape(hash_note)}</font>',
                        s.cell,
                    ),
                ],
            ],
            colWidths=[32 * mm, 98 * mm],
            style=grid_style(("BACKGROUND", (0, 0), (0, -1), SHADE)),
        )
        qr = [
            qr_code(d.qr_payload, 34 * mm),
            para(_("Scan to check the report number and the data SHA-256"), s.caption),
        ]
        return Table(
            [[left, qr]],
            colWidths=[130 * mm, FRAME_WIDTH - 130 * mm],
            style=plain_style(
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 4 * mm),
            ),
        )

    # -- 一、results ---------------------------------------------------------------------------

    def summary(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [self.h1(_("Results"))]
        sentence = _(
            "Total {score} of {max} points; grade: {grade}.",
            score=fmt_score(d.total),
            max=fmt_points(d.max_total),
            grade=d.grade_label,
        )
        if d.provisional:
            sentence += self.gap + _("The score is provisional: required answers are missing.")
        if d.vetoed:
            sentence += self.gap + _("A veto item was triggered: the grade is a fail.")
        elif self.vetoes_open():
            sentence += self.gap + _("Not every veto item is answered yet.")
        else:
            sentence += self.gap + _("No veto item was triggered.")
        out.append(para(sentence, s.body))
        if d.amend_reason:
            out += [
                para(chunk, s.body)
                for chunk in chunks_of(_("Amended: {reason}", reason=d.amend_reason))
            ]
        out.append(Spacer(1, 3 * mm))
        out.append(self.section_table())
        out.append(Spacer(1, 4 * mm))
        applicable = [sec for sec in d.sections if sec.applicable]
        chart = section_chart(
            [sec.title for sec in applicable],
            [sec.percent for sec in applicable],
            FRAME_WIDTH,
            axis_label=_("Percent"),
        )
        out.append(
            KeepTogether([para(_("Share of each section's points earned (%)"), s.h2), chart])
        )
        if d.vetoes:
            out.append(Spacer(1, 2 * mm))
            out.append(self.veto_table())
        return out

    def section_table(self) -> Table:
        d, s = self.d, self.s
        head = [
            para(_("No."), s.cell_head),
            para(_("Section"), s.cell_head),
            para(_("Points"), s.cell_head),
            para(_("Max"), s.cell_head),
            para(_("Percent"), s.cell_head),
        ]
        rows = [head]
        for sec in d.sections:
            pct = f"{sec.percent:.1f}%" if sec.applicable else _("Not applicable")
            rows.append(
                [
                    para(str(sec.number), s.cell_center),
                    para(sec.title, s.cell),
                    para(fmt_points(sec.points), s.cell_right),
                    para(fmt_points(sec.max_points), s.cell_right),
                    para(pct, s.cell_right),
                ]
            )
        pct_total = d.total / d.max_total * 100 if d.max_total else 0
        rows.append(
            [
                "",
                para(_("Total"), s.cell),
                para(fmt_score(d.total), s.cell_right),
                para(fmt_points(d.max_total), s.cell_right),
                para(f"{pct_total:.1f}%", s.cell_right),
            ]
        )
        return Table(
            rows,
            colWidths=SECTION_COLS,
            repeatRows=1,
            style=grid_style(
                ("BACKGROUND", (0, 0), (-1, 0), SHADE_DARK),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
            ),
        )

    def veto_table(self) -> Flowable:
        d, s = self.d, self.s
        rows: list[list[Any]] = [
            [
                para(_("No."), s.cell_head),
                para(_("Veto item"), s.cell_head),
                para(_("Result"), s.cell_head),
            ]
        ]
        extra = []
        for n, v in enumerate(d.vetoes, start=1):
            text = v.title + (f"\n{v.reason}" if v.triggered else "")
            rows.append(
                [para(str(n), s.cell_center), para(text, s.cell), para(v.answer, s.cell_center)]
            )
            if v.triggered:
                extra.append(("BACKGROUND", (2, n), (2, n), colors_veto()))
        table = Table(
            rows,
            colWidths=[13 * mm, FRAME_WIDTH - 13 * mm - 34 * mm, 34 * mm],
            repeatRows=1,
            style=grid_style(("BACKGROUND", (0, 0), (-1, 0), SHADE_DARK), *extra),
        )
        return KeepTogether([para(_("Veto items (一票否决)"), s.h2), table])

    # -- 二、items -----------------------------------------------------------------------------

    def items(self) -> list[Flowable]:
        d = self.d
        out: list[Flowable] = [CondPageBreak(60 * mm), self.h1(_("Checklist items"))]
        for sec in d.sections:
            out += self.section_items(sec)
        return out

    def section_items(self, sec: ReportSection) -> list[Flowable]:
        s = self.s
        if sec.applicable:
            result = _(
                "{points} of {max} points, {percent}",
                points=fmt_points(sec.points),
                max=fmt_points(sec.max_points),
                percent=f"{sec.percent:.1f}%",
            )
        else:
            result = _("Not applicable")
        title = _("({n}) {title}", n=numeral(sec.number, self.lang), title=sec.title)
        heading = Para(
            f'{escape(title)}<font size="9.5" color="#6b6b73">　{escape(result)}</font>', s.h2
        )
        head = GridBlock(
            [
                Row(
                    [
                        Cell([para(_("No."), s.cell_head)], SHADE_DARK),
                        Cell([para(_("Item"), s.cell_head)], SHADE_DARK),
                        Cell([para(_("Result"), s.cell_head)], SHADE_DARK),
                        Cell([para(_("Points"), s.cell_head)], SHADE_DARK),
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
        return text[: LONG_TEXT // 4].rstrip() + "… " + _("(full text below the table)")

    def full_texts(self, texts: list[tuple[str, str]]) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = []
        for label, text in texts:
            out.append(Spacer(1, 3))
            out.append(para(_("{label} (full text)", label=label), s.cell_label))
            out += [para(chunk, s.cell) for chunk in chunks_of(text)]
        if out:
            out.append(Spacer(1, 4))
        return out

    def item_table(self, item: ReportItem) -> list[Flowable]:
        """The item's rows (answer and points; comment and evidence; photos two by two),
        then any text too long for a cell."""
        s = self.s
        long: list[tuple[str, str]] = []
        answer = self.clip(item.answer, f"{item.number} {_('Result')}", long)
        comment = self.clip(item.comment, f"{item.number} {_('Comment')}", long)
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
            details.append(_("{label}: {value}", label=_("Comment"), value=comment))
        if item.evidence_total and (item.evidence or item.state == "answered"):
            evidence = self.clip(
                self.evidence(item), f"{item.number} {_('Evidence checked')}", long
            )
            details.append(_("{label}: {value}", label=_("Evidence checked"), value=evidence))
        widths = [ITEM_COLS[0], wide]
        if details:
            rows.append(Row([Cell([]), Cell([para(d, s.cell) for d in details])], widths, True))
        for pair in _chunks(item.photos, 2):
            grid = self.photo_grid(pair, 2, wide - 2 * CELL_PAD)
            rows.append(Row([Cell([]), Cell([grid])], widths, True))
        # the answer stays with its comment and evidence
        block = GridBlock(rows, keep=2 if details else 1, pad=CELL_PAD)
        return [block, *self.full_texts(long)]

    def evidence(self, item: ReportItem) -> str:
        if not item.evidence:
            return _("none of {total} ticked", total=item.evidence_total)
        sep = "、" if self.lang == "zh" else "; "
        return _(
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
                image = MissingPhoto(_("Photo file missing"), max_w, max_h * 0.4)
        else:
            image = MissingPhoto(_("Photo file missing"), max_w, max_h * 0.4)
        taken = (
            _("Taken {time}", time=fmt_time(photo.captured_at))
            if photo.captured_at
            else _("Capture time unknown")
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

    # -- 三、findings --------------------------------------------------------------------------

    def findings(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            CondPageBreak(50 * mm),
            self.h1(_("Findings and corrective actions")),
        ]
        if not d.findings:
            out.append(para(_("No findings were recorded in this inspection."), s.body))
            return out
        still_open = sum(1 for f in d.findings if f.status == "open")
        line = _("{n} findings, {open} still to be corrected.", n=len(d.findings), open=still_open)
        carried = sum(1 for f in d.findings if f.carried)
        if carried:
            line += self.gap + _(
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
        name = _("Finding {n}", n=f.number)
        head = (
            name
            + ("　" if self.lang == "zh" else " · ")
            + _("{label}: {value}", label=_("Severity"), value=f.severity_label)
        )
        rows: list[list[Any]] = [[para(head, s.cell), ""]]
        fields: list[tuple[str, str | None]] = [
            (_("Description"), f.description),
            (_("Related item"), f.item_label),
            (_("Requirement"), f.requirement),
            (_("Deadline"), fmt_date(f.deadline)),
            (_("Responsible"), f.responsible),
            (_("Status"), f.status_label),
            (_("Resolution note"), f.resolution_note),
        ]
        fields = [(label, self.clip(value, f"{name} {label}", long)) for label, value in fields]
        if f.carried:
            origin = (
                _("from the inspection of {date}", date=fmt_date(f.carried_from_date))
                if f.carried_from_date
                else NONE
            )
            fields.append((_("Re-inspection"), origin))
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
                [para(_("Before correction"), s.cell_center)],
                [para(_("After correction"), s.cell_center)],
            ]
            rows.append([Columns(heads, width / 2, pad=CELL_PAD, divider=True), ""])
            for n in range(max(len(f.before), len(f.after))):
                pair = [
                    f.before[n] if n < len(f.before) else None,
                    f.after[n] if n < len(f.after) else None,
                ]
                note = _("No photo") if n == 0 else None
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

    # -- other photos ------------------------------------------------------------------------

    def other_photos(self) -> list[Flowable]:
        out: list[Flowable] = [CondPageBreak(80 * mm), self.h1(_("Other photos"))]
        for pair in _chunks(self.d.other_photos, 2):
            out.append(self.photo_grid(pair, 2, FRAME_WIDTH))
        return out

    # -- 四、signatures ------------------------------------------------------------------------

    def signatures(self) -> list[Flowable]:
        d, s = self.d, self.s
        intro = _(
            "This report shows revision {rev} of the inspection; data SHA-256: {hash}",
            rev=d.revision,
            hash=d.data_hash,
        )
        rows: list[list[Any]] = [
            [
                para(_("Role"), s.cell_head),
                para(_("Signer"), s.cell_head),
                para(_("Signature"), s.cell_head),
                para(_("Signing time"), s.cell_head),
            ]
        ]
        for role, name, sig in self.signature_rows():
            image: Any = ""
            when = ""
            if sig is not None:
                reader = ImageReader(io.BytesIO(sig.image_png))
                image = Photo(
                    reader, SIGN_COLS[2] - 2 * CELL_PAD, 17 * mm, mask="auto", frame=False
                )
                when = fmt_time(sig.signed_at)
            rows.append(
                [
                    para(role, s.cell_center),
                    para(name, s.cell_center, blank=True),
                    image,
                    para(when, s.cell_center, blank=True),
                ]
            )
        table = Table(
            rows,
            colWidths=SIGN_COLS,
            rowHeights=[None] + [21 * mm] * (len(rows) - 1),
            style=grid_style(
                ("BACKGROUND", (0, 0), (-1, 0), SHADE_DARK),
                ("ALIGN", (2, 1), (2, -1), "CENTER"),
            ),
        )
        day = d.ended_on or d.started_on
        field = SignatureField(
            _("Digital signature"),
            _("reserved for the signer's certificate signature (PAdES)"),
            [d.organisation, long_date(day)],
            self._box_drawn,
        )
        return [
            CondPageBreak(120 * mm),
            self.h1(_("Signatures")),
            KeepTogether(
                [
                    para(intro, s.note),
                    Spacer(1, 3 * mm),
                    table,
                    Spacer(1, 8 * mm),
                    field,
                ]
            ),
        ]

    def signature_rows(self) -> Iterator[tuple[str, str, Any]]:
        """Each inspector, then the site's representative: signed, or a blank to sign."""
        d = self.d
        by_name = {(g.role, g.name): g for g in d.signatures}
        used: set[tuple[str, str]] = set()
        labels = {
            "inspector": _capitalised(_("inspector")),
            "site_representative": _("Site representative"),
        }
        for name in d.inspectors:
            key = ("inspector", name)
            used.add(key)
            yield labels["inspector"], name, by_name.get(key)
        reps = [g for g in d.signatures if g.role == "site_representative"]
        for g in reps:
            used.add((g.role, g.name))
            yield labels["site_representative"], g.name, g
        if not reps:
            yield labels["site_representative"], d.site_representative or "", None
        for g in d.signatures:  # anyone else who signed this revision
            if (g.role, g.name) not in used:
                yield g.role_label, g.name, g

    def _box_drawn(self, page: int, box: tuple[float, float, float, float]) -> None:
        self.box = SignatureBox(page=page, box=box)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def colors_veto() -> Any:
    from reportlab.lib import colors

    return colors.Color(0.98, 0.85, 0.83)


def _chunks(seq: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


class _Sink:
    """Where reportlab writes the finished PDF: it hands over the whole document in one
    ``write``; keeping that bytes object saves two copies of it (a report with photos runs
    to tens of megabytes) that a ``BytesIO`` and its ``getvalue`` would make."""

    data = b""

    def write(self, data: bytes) -> None:
        self.data += data


@contextmanager
def _build_config() -> Iterator[None]:
    """For this build only: binary streams (no ASCII85: smaller, faster) and no attribute
    checks on the chart's shapes (ours are fixed; the checks cost a tenth of the build)."""
    saved = rl_config.useA85, rl_config.shapeChecking
    rl_config.useA85, rl_config.shapeChecking = 0, 0
    try:
        yield
    finally:
        rl_config.useA85, rl_config.shapeChecking = saved


def render_pdf(data: ReportData) -> RenderedReport:
    """The report of ``data`` as PDF bytes, its page count and the signature box."""
    s = styles()
    builder = _Builder(data)
    furniture = PageFurniture(
        header_left=data.title,
        header_right=_("Report No. {number}", number=data.report_number),
        footer=lambda page, pages: _("Page {page} of {pages}", page=page, pages=pages),
        watermark=_("DRAFT") if data.draft else None,
        pdf_date=pdf_date(data.issued_at),
    )
    out = _Sink()
    with _BUILD_LOCK, _build_config():
        doc = BaseDocTemplate(
            out,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            invariant=1,
            pageCompression=1,
            initialFontName=s.font,
            title=f"{data.title} {data.report_number}",
            author=data.organisation,
            subject=data.site_name,
            # the document ID is a digest of these: fixed for one report revision
            keywords=[data.report_number, data.data_hash, data.language],
            creator=f"Inspector {__version__}",
            lang="zh-CN" if data.language == "zh" else "en",
        )
        frame = Frame(
            MARGIN_LEFT,
            MARGIN_BOTTOM,
            FRAME_WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        doc.build(builder.story(), canvasmaker=numbered_canvas(furniture))
        pages = doc.page
    if builder.box is None:  # pragma: no cover - the field is always in the story
        raise RuntimeError("the signature field was not drawn")
    return RenderedReport(out.data, pages, builder.box)

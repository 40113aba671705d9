"""The cover, 一、评价结果 (section table, chart, veto items) and the conclusion."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table
from reportlab.platypus.flowables import HRFlowable

from inspector_app.reports.charts import qr_code, section_chart
from inspector_app.reports.format import (
    Part,
    chunks_of,
    colors_veto,
    fmt_date,
    fmt_points,
    fmt_score,
    grid_style,
    mm,
    para,
    plain_style,
)
from inspector_app.reports.layout import FRAME_WIDTH, RED, SHADE, SHADE_DARK, Para

SECTION_COLS = [13 * mm, 83 * mm, 24 * mm, 24 * mm, 26 * mm]  # no., section, points, max, %


class CoverPart(Part):
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
            para(self.t.tr("Report No. {number}", number=d.report_number), s.number),
            Spacer(1, 7 * mm),
        ]
        out.append(self.cover_facts())
        out.append(Spacer(1, 5 * mm))
        out.append(self.cover_result())
        out.append(Spacer(1, 4 * mm))
        notes = []
        if d.draft:
            notes.append(
                self.t.tr("Draft: the inspection is not completed; the score may still change.")
            )
        if d.weights_source != "sourced":
            notes.append(
                self.t.tr(
                    "The points and grade bands are sample weights proposed by the project team, not official weights."
                )
            )
        if d.zone_label:
            notes.append(self.t.tr("Times are {zone}.", zone=d.zone_label))
        out += [para(n, s.note) for n in notes]
        return out

    def cover_facts(self) -> Table:
        d, s = self.d, self.s
        when = fmt_date(d.started_on)
        if d.ended_on and d.ended_on != d.started_on:
            when = f"{fmt_date(d.started_on)} – {fmt_date(d.ended_on)}"
        revision = f"{self.t.tr('Revision {rev}', rev=d.revision)} · {d.status_label}"
        if d.amend_reason:  # in full under the results; a line or two here
            reason = d.amend_reason if len(d.amend_reason) <= 120 else d.amend_reason[:120] + "…"
            revision += "\n" + self.t.tr("Amended: {reason}", reason=reason)
        rows: list[tuple[str, str | None]] = [
            (self.t.tr("Inspected site"), d.site_name),
            (self.t.tr("Site code"), d.site_code),
            (self.t.tr("Site type"), d.site_type_label),
            (self.t.tr("Host unit"), d.site_host_unit),
            (self.t.tr("Address"), d.site_address),
            (self.t.tr("Inspection date"), when),
            (
                self.t.tr("Inspectors"),
                "、".join(d.inspectors) if self.lang == "zh" else ", ".join(d.inspectors),
            ),
            (
                self.t.tr("Checklist template"),
                self.t.tr(
                    "{title} (version {version})",
                    title=d.template_title,
                    version=d.template_version,
                ),
            ),
            (self.t.tr("Weights"), d.weights_label),
            (self.t.tr("Revision"), revision),
        ]
        if d.reinspection and d.previous_inspection_date:
            rows.insert(
                6,
                (
                    self.t.tr("Re-inspection"),
                    self.t.tr(
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
            score += " " + self.t.tr("(provisional)")
        if d.vetoed:
            hits = [v for v in d.vetoes if v.triggered]
            lines = [f"{self.t.tr('Triggered: {title}', title=v.title)}\n{v.reason}" for v in hits]
            veto_text = "\n".join([*lines, self.t.tr("A triggered veto fails the inspection")])
        elif self.vetoes_open():
            veto_text = self.t.tr("Not every veto item is answered yet.")
        else:
            veto_text = self.t.tr("Not triggered")
        hash_note = (
            self.t.tr("(frozen at completion)")
            if d.data_hash_frozen
            else self.t.tr("(current draft data, not frozen)")
        )
        left = Table(
            [
                [para(self.t.tr("Total"), s.cell_label), para(score, s.big)],
                [para(self.t.tr("Grade"), s.cell_label), para(d.grade_label, s.big)],
                [
                    para(self.t.tr("Veto items (一票否决)"), s.cell_label),
                    para(veto_text, s.cell_alert if d.vetoed else s.cell),
                ],
                [
                    para(self.t.tr("Data SHA-256"), s.cell_label),
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
            para(self.t.tr("Scan to check the report number and the data SHA-256"), s.caption),
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
        out: list[Flowable] = [self.h1(self.t.tr("Results"))]
        sentence = self.t.tr(
            "Total {score} of {max} points; grade: {grade}.",
            score=fmt_score(d.total),
            max=fmt_points(d.max_total),
            grade=d.grade_label,
        )
        if d.provisional:
            sentence += self.gap + self.t.tr(
                "The score is provisional: required answers are missing."
            )
        if d.vetoed:
            sentence += self.gap + self.t.tr("A veto item was triggered: the grade is a fail.")
        elif self.vetoes_open():
            sentence += self.gap + self.t.tr("Not every veto item is answered yet.")
        else:
            sentence += self.gap + self.t.tr("No veto item was triggered.")
        out.append(para(sentence, s.body))
        if d.amend_reason:
            out += [
                para(chunk, s.body)
                for chunk in chunks_of(self.t.tr("Amended: {reason}", reason=d.amend_reason))
            ]
        out += self.missing()
        out.append(Spacer(1, 3 * mm))
        out.append(self.section_table())
        out.append(Spacer(1, 4 * mm))
        applicable = [sec for sec in d.sections if sec.applicable]
        chart = section_chart(
            [sec.title for sec in applicable],
            [sec.percent for sec in applicable],
            FRAME_WIDTH,
            axis_label=self.t.tr("Percent"),
        )
        out.append(
            KeepTogether(
                [para(self.t.tr("Share of each section's points earned (%)"), s.h2), chart]
            )
        )
        if d.vetoes:
            out.append(Spacer(1, 2 * mm))
            out.append(self.veto_table())
        return out

    def missing(self) -> list[Flowable]:
        """What the inspection still lacks, by item: required answers, required photos."""
        d, s = self.d, self.s
        sep = "；" if self.lang == "zh" else "; "
        out: list[Flowable] = []
        if d.missing_answers:
            out.append(
                para(
                    self.t.tr(
                        "Required answers missing ({n}): {items}",
                        n=len(d.missing_answers),
                        items=sep.join(d.missing_answers),
                    ),
                    s.body_alert,
                )
            )
        if d.missing_photos:
            items = sep.join(
                self.t.tr("{item} ({n} missing)", item=label, n=n) for label, n in d.missing_photos
            )
            out.append(
                para(
                    self.t.tr(
                        "Required photos missing ({n}): {items}",
                        n=sum(n for _label, n in d.missing_photos),
                        items=items,
                    ),
                    s.body_alert,
                )
            )
        return out

    def conclusion(self) -> list[Flowable]:
        """评价结论: the score, the grade, the veto result and the main findings, in words."""
        d, s = self.d, self.s
        out: list[Flowable] = [CondPageBreak(60 * mm), self.h1(self.t.tr("Conclusion"))]
        grade = d.grade_label + (self.t.tr(" (provisional)") if d.provisional else "")
        text = self.t.tr(
            "On site, {site} scored {score} of {max} points: {grade}.",
            site=d.site_name,
            score=fmt_score(d.total),
            max=fmt_points(d.max_total),
            grade=grade,
        )
        if d.vetoed:
            hits = "、".join(v.title for v in d.vetoes if v.triggered)
            text += self.gap + self.t.tr(
                "Veto triggered ({items}): the result is a fail.", items=hits
            )
        elif self.vetoes_open():
            text += self.gap + self.t.tr("Not every veto item is answered yet.")
        else:
            text += self.gap + self.t.tr("No veto item was triggered.")
        out.append(para(text, s.body))
        severity = {"critical": 0, "major": 1, "minor": 2}
        main = sorted(d.findings, key=lambda f: (severity.get(f.severity, 3), f.number))[:5]
        if main:
            out.append(para(self.t.tr("Main findings:"), s.body))
            for f in main:
                line = self.t.tr(
                    "{n}. {description} ({severity}, {status}{deadline})",
                    n=f.number,
                    description=f.description
                    if len(f.description) <= 120
                    else f.description[:120] + "…",
                    severity=f.severity_label,
                    status=f.status_label,
                    deadline=self.t.tr(", correct by {date}", date=fmt_date(f.deadline))
                    if f.deadline and f.status == "open"
                    else "",
                )
                out.append(para(line, s.body))
            if len(d.findings) > len(main):
                out.append(
                    para(
                        self.t.tr(
                            "{n} further findings: see part three.", n=len(d.findings) - len(main)
                        ),
                        s.note,
                    )
                )
        else:
            out.append(para(self.t.tr("No findings were recorded in this inspection."), s.body))
        out += self.missing()
        return out

    def section_table(self) -> Table:
        d, s = self.d, self.s
        head = [
            para(self.t.tr("No."), s.cell_head),
            para(self.t.tr("Section"), s.cell_head),
            para(self.t.tr("Points"), s.cell_head),
            para(self.t.tr("Max"), s.cell_head),
            para(self.t.tr("Percent"), s.cell_head),
        ]
        rows = [head]
        for sec in d.sections:
            pct = f"{sec.percent:.1f}%" if sec.applicable else self.t.tr("Not applicable")
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
                para(self.t.tr("Total"), s.cell),
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
                para(self.t.tr("No."), s.cell_head),
                para(self.t.tr("Veto item"), s.cell_head),
                para(self.t.tr("Result"), s.cell_head),
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
        return KeepTogether([para(self.t.tr("Veto items (一票否决)"), s.h2), table])

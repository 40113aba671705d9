"""四、签字确认: the drawn signatures, the box for the digital signature, the seal area."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from reportlab.lib.utils import ImageReader
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table

from inspector_app.reports.flowables import Photo, SignatureField
from inspector_app.reports.format import CELL_PAD, Part, capitalised, grid_style, mm, para
from inspector_app.reports.layout import SHADE_DARK
from inspector_app.reports.model import SignatureBox

SIGN_COLS = [36 * mm, 32 * mm, 62 * mm, 40 * mm]  # role, signer, signature, time


class SignaturesPart(Part):
    # -- 四、signatures ------------------------------------------------------------------------

    def signatures(self) -> list[Flowable]:
        d, s = self.d, self.s
        intro = self.t.tr(
            "This report shows revision {rev} of the inspection; data SHA-256: {hash}",
            rev=d.revision,
            hash=d.data_hash,
        )
        rows: list[list[Any]] = [
            [
                para(self.t.tr("Role"), s.cell_head),
                para(self.t.tr("Signer"), s.cell_head),
                para(self.t.tr("Signature"), s.cell_head),
                para(self.t.tr("Signing time"), s.cell_head),
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
                when = sig.signed_at
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
        # 盖章处: the organisation seals the printed report and dates it by hand; the digital
        # signature carries its own time, so no printed date can disagree with it
        field = SignatureField(
            self.t.tr("Digital signature"),
            self.t.tr("reserved for the signer's certificate signature (PAdES)"),
            self._box_drawn,
            organisation=d.organisation,
            seal_label=self.t.tr("Seal here"),
            date_line=self.t.tr("Date: ____________"),
        )
        return [
            CondPageBreak(120 * mm),
            self.h1(self.t.tr("Signatures")),
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
            "inspector": capitalised(self.t.tr("inspector")),
            "site_representative": self.t.tr("Site representative"),
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

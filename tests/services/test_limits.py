"""Every free text has one cap (inspector_app.limits), enforced by the services: the text at
the cap is taken, one character more is refused with a message naming the field, the place
and the cap, and nothing is written (docs/design.md, "Limits")."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services import photos
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.demo_images import signature_png
from inspector_app.services.errors import InvalidInput, NotFound
from inspector_app.services.sites import import_sites
from inspector_app.services.templates import find_template_version, sync_forms
from tests.conftest import DATA
from tests.media import make_jpeg
from tests.services.helpers import add_site, answer_all, db_fingerprint, start

A = "测试员"


def _refused(ws: Any, call: Callable[[], Any], message: str) -> None:
    before = db_fingerprint(ws.db.path)
    with pytest.raises(InvalidInput) as info:
        call()
    assert message in str(info.value)
    assert db_fingerprint(ws.db.path) == before


def test_answer_texts_and_comments(ws) -> None:
    insp, template = start(ws)
    text_item = next(i.id for i in template.items() if i.type.value == "text")
    answers_svc.comment_item(ws, insp, "s1.equipment-value", "评" * 4000, actor=A)
    _refused(
        ws,
        lambda: answers_svc.comment_item(ws, insp, "s1.equipment-value", "评" * 120_000, actor=A),
        "item s1.equipment-value: the comment is 120,000 characters; at most 4,000",
    )
    _refused(
        ws,
        lambda: answers_svc.answer_many(ws, insp, {text_item: {"comment": "x" * 4001}}, actor=A),
        f"item {text_item}: the comment is 4,001 characters; at most 4,000",
    )
    answers_svc.answer_item(ws, insp, text_item, "答" * 4000, actor=A)
    _refused(
        ws,
        lambda: answers_svc.answer_item(ws, insp, text_item, "答" * 10_000_000, actor=A),
        f"item {text_item}: the answer is 10,000,000 characters; at most 4,000",
    )


def test_number_answers_never_overflow(ws) -> None:
    insp, _template = start(ws)
    for value, message in (
        ("1" + "0" * 400, "too long for a number"),
        (10**400, "a 401-digit number is too large"),
        (float("inf"), "expected a finite number"),
        ("1e400", "'1e400' is too large"),
    ):
        _refused(
            ws,
            lambda value=value: answers_svc.answer_item(
                ws, insp, "s1.equipment-value", value, actor=A
            ),
            message,
        )


def test_inspectors_amend_reason_and_signer(ws) -> None:
    site = add_site(ws)
    tv = find_template_version(ws, "pilot-base-performance").id

    def begin(names: list[str]) -> Any:
        return svc.start_inspection(
            ws,
            site_id=site,
            template_version_id=tv,
            inspectors=names,
            started_on=dt.date(2024, 10, 1),
            actor=A,
        )

    _refused(ws, lambda: begin(["王" * 51]), "the name of inspector 1 is 51 characters; at most 50")
    _refused(ws, lambda: begin(["甲", "乙" * 60]), "the name of inspector 2 is 60 characters")
    _refused(ws, lambda: begin([f"人{n}" for n in range(11)]), "at most 10 inspectors, not 11")
    insp = begin([f"人{n}" for n in range(9)] + ["王" * 50]).id
    template = views_svc.load_inspection_state(ws, insp).template
    answer_all(ws, insp, template)
    svc.complete_inspection(ws, insp, actor=A)
    png = signature_png("王", "seed")

    def sign(name: str) -> Any:
        return signatures_svc.record_signature(
            ws, insp, signer_name=name, role="site_representative", image_png=png, actor=A
        )

    _refused(ws, lambda: sign("签" * 51), "the signer's name is 51 characters; at most 50")
    sign("签" * 50)
    _refused(
        ws,
        lambda: svc.amend_inspection(ws, insp, reason="因" * 1001, actor=A),
        "the reason is 1,001 characters; at most 1,000",
    )
    svc.amend_inspection(ws, insp, reason="因" * 1000, actor=A)


def test_findings(ws) -> None:
    insp, _t = start(ws)
    for field, cap, what in (
        ("description", 2000, "description"),
        ("requirement", 2000, "requirement"),
        ("responsible", 50, "responsible person"),
    ):
        values = {"description": "问题", field: "字" * (cap + 1)}
        _refused(
            ws,
            lambda values=values: findings_svc.add_finding(ws, insp, actor=A, **values),
            f"finding: the {what} is {cap + 1:,} characters; at most {cap:,}",
        )
    f = findings_svc.add_finding(
        ws, insp, description="述" * 2000, requirement="求" * 2000, responsible="人" * 50, actor=A
    )
    for field, cap in (("resolution_note", 2000), ("responsible", 50), ("description", 2000)):
        _refused(
            ws,
            lambda field=field, cap=cap: findings_svc.update_finding(
                ws, f.id, actor=A, **{field: "字" * (cap + 1)}
            ),
            f"is {cap + 1:,} characters; at most {cap:,}",
        )
    findings_svc.set_finding_status(ws, f.id, "corrected", note="改" * 2000, actor=A)


def test_photo_caption_and_file_name(ws, data_dir: Path, tmp_path: Path) -> None:
    insp, _t = start(ws)
    jpg = make_jpeg(tmp_path / "a.jpg")
    _refused(
        ws,
        lambda: photos.add_photos(ws, insp, [jpg], actor=A, caption="注" * 201),
        "the caption is 201 characters; at most 200",
    )
    # a name in another encoding than UTF-8 is kept readable, not refused (and not a crash
    # when SQLite encodes it)
    odd = Path(tmp_path / "caf\udce9.jpg")
    shutil.copy(jpg, odd)
    report = photos.add_photos(ws, insp, [odd], actor=A, caption="注" * 200)
    assert [p.original_name for p in report.added] == ["caf\ufffd.jpg"]
    # a name longer than 255 characters (a file system may allow 255 bytes only: so no file)
    long = photos.original_name(Path("长" * 300 + ".jpeg"))
    assert len(long) == 255 and long.endswith("….jpeg") and long.startswith("长" * 249)
    assert photos.original_name(Path("x" * 300)) == "x" * 254 + "…"


def test_site_list_fields_are_capped_by_their_columns(ws, tmp_path: Path) -> None:
    csv = tmp_path / "sites.csv"
    csv.write_text(
        f"code,name,type,address\nPB-1,{'名' * 201},pilot_base,{'址' * 301}\n", encoding="utf-8"
    )
    before = db_fingerprint(ws.db.path)
    with pytest.raises(InvalidInput) as info:
        import_sites(ws, csv, actor=A)
    assert f"{csv}:2: name is longer than 200 characters" in str(info.value)
    assert f"{csv}:2: address is longer than 300 characters" in str(info.value)
    assert db_fingerprint(ws.db.path) == before


def test_a_template_with_a_non_finite_number_never_reaches_an_inspection(
    ws, tmp_path: Path
) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    (forms / "mini.yaml").write_text(
        text.replace("{min: 300, points: 10}", "{min: .nan, points: 10}"), encoding="utf-8"
    )
    result = sync_forms(ws, forms)
    assert result.added == []
    assert [str(i) for i in result.issues] == [
        f"{forms / 'mini.yaml'}:31: sections[0].items[0].bands[1].min: nan is not a finite number"
    ]
    with pytest.raises(NotFound):
        find_template_version(ws, "mini")

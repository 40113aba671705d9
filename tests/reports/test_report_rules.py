"""What a report must say and keep (issue 9, items 4 and 21): the same bytes for a revision
whatever happens to the inspection later, what is still missing, evidence only when ticked,
the conclusion and the seal area. Real PDFs, read back with pdftotext."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from inspector_app.services import answers as answers_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services.browse import list_inspections
from inspector_app.services.reports import render_report_bytes, report_data
from inspector_app.services.sync import export_package, import_package
from inspector_app.services.templates import sync_forms
from inspector_app.store.db import open_database
from inspector_app.workspace import Workspace
from tests.conftest import prepared_folder
from tests.services.helpers import start


def _text(pdf: bytes, tmp_path: Path, name: str = "r.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def test_a_revision_gives_the_same_bytes_after_export_and_at_headquarters(
    demo_db: Any, tmp_path: Path
) -> None:
    signed = [r["id"] for r in list_inspections(demo_db) if r["status"] == "signed"]
    before = {i: render_report_bytes(demo_db, i, lang="zh") for i in signed}
    package = tmp_path / "out.inspkg"
    result = export_package(Workspace(demo_db.path.parent, demo_db, "测试员"), package)
    assert set(signed) <= set(result.marked_exported)
    after = {i: render_report_bytes(demo_db, i, lang="zh") for i in signed}
    assert after == before
    assert "已签字" in _text(before[signed[0]], tmp_path) and "已导出" not in _text(
        after[signed[0]], tmp_path
    )

    hq_dir = tmp_path / "hq"
    hq = open_database(hq_dir)
    try:
        sync_forms(hq)
        import_package(Workspace(hq_dir, hq, "总部"), package)
        at_hq = {i: render_report_bytes(hq, i, lang="zh") for i in signed}
    finally:
        hq.dispose()
    assert at_hq == before


def test_a_draft_says_which_required_answers_and_photos_are_missing(
    db: Any, tmp_path: Path
) -> None:
    insp_id, template = start(db)
    data = report_data(db, insp_id, lang="zh")
    assert data.missing_answers and data.missing_photos
    text = _text(render_report_bytes(db, insp_id, lang="zh"), tmp_path).replace("\n", "")
    required = next(i for i in template.items() if i.required and not i.show_if)
    assert "缺少必填答案" in text and required.title.zh[:8] in text
    photo_item = next(i for i in template.items() if i.photos_required and not i.show_if)
    assert "缺少必需照片" in text and f"缺 {photo_item.photos_required} 张" in text


def test_evidence_is_printed_only_when_something_was_ticked(db: Any, tmp_path: Path) -> None:
    insp_id, template = start(db)
    ticked, unticked = [i for i in template.items() if len(i.evidence) >= 1 and not i.show_if][:2]
    answers_svc.set_evidence_checked(db, insp_id, ticked.id, [0], actor="测试员")
    answers_svc.answer_item(db, insp_id, unticked.id, _any_answer(unticked), actor="测试员")
    text = _text(render_report_bytes(db, insp_id, lang="zh"), tmp_path)
    assert text.count("已核查材料") == 1
    assert ticked.evidence[0].zh[:6] in text.replace("\n", "")
    assert "均未勾选" not in text


def _any_answer(item: Any) -> Any:
    from tests.services.helpers import best_value

    return best_value(item)


def test_the_conclusion_and_the_seal_area(demo_db: Any, tmp_path: Path) -> None:
    vetoed = next(r for r in list_inspections(demo_db) if r["vetoed"])
    text = _text(render_report_bytes(demo_db, vetoed["id"], lang="zh"), tmp_path)
    conclusion = text[text.index("评价结论") :].replace("\n", "")
    assert "一票否决" in conclusion and "不合格" in conclusion
    assert f"{vetoed['score']:.2f}" in conclusion
    assert "主要问题" in conclusion or "未发现问题" in conclusion
    seal = text[text.index("数字签名") :]
    assert "盖章处" in seal and "年" in seal and "月" in seal
    # no printed date beside the organisation that could disagree with the signing date
    org = text.splitlines()[text.splitlines().index("盖章处") + 2 :][:3]
    assert not any(line.startswith("20") for line in org), org


def test_demo_reports_are_signed_by_their_own_inspectors(data_dir: Path, tmp_path: Path) -> None:
    from inspector_app.services.report_signing import sign_report

    db = open_database(prepared_folder(data_dir, demo=True))
    try:
        rows = [r for r in list_inspections(db) if r["status"] in ("signed", "completed")]
        for row in rows[:2]:
            res = sign_report(
                db, data_dir, row["id"], tmp_path / f"{row['id']}.pdf", passphrase="demo-passphrase"
            )
            assert res.signer in views_svc.inspection_detail(db, row["id"])["inspectors"]
            assert not res.self_signed
            # an independent reader finds the signed file well formed (one incremental update)
            check = subprocess.run(
                ["qpdf", "--check", str(res.path)], capture_output=True, text=True
            )
            assert check.returncode == 0, check.stdout + check.stderr
            assert "No syntax or stream encoding errors" in check.stdout
    finally:
        db.dispose()


def test_the_signed_report_is_the_report_of_its_revision(db: Any, tmp_path: Path) -> None:
    """Signing signs the revision's own report: the organisation it was completed under,
    byte for byte the report the preview shows, whatever the settings say by then."""
    from inspector_app.services.report_signing import sign_report
    from inspector_app.settings import Settings, save_settings
    from tests.services.helpers import answer_all

    save_settings(Settings(organisation="威海市科技服务中心"))
    insp_id, template = start(db)
    answer_all(db, insp_id, template)
    svc.complete_inspection(db, insp_id, actor="王晓明")
    save_settings(Settings(organisation="另一个单位"))
    unsigned = render_report_bytes(db, insp_id, lang="zh")
    assert "威海市科技服务中心" in _text(unsigned, tmp_path)
    signed = sign_report(
        db,
        db.path.parent,
        insp_id,
        tmp_path / "signed.pdf",
        passphrase="correct horse battery",
        lang="zh",
        signer="王晓明",
    )
    pdf = signed.path.read_bytes()
    assert pdf.startswith(unsigned)  # the signature is one incremental update on top
    assert "另一个单位" not in _text(pdf, tmp_path, "s.pdf")

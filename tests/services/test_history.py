"""The readable timeline of an inspection's audit log, and the hash chain's status."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from inspector_app import i18n
from inspector_app.i18n import Translator, pick
from inspector_app.presenters import text as rules
from inspector_app.presenters import times, values
from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspections as svc
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.demo_images import signature_png
from inspector_app.services.errors import NotFound
from inspector_app.services.history import (
    HistoryEntry,
    chain_status,
    describe_chain,
    inspection_history,
    load_history,
)
from tests.services.helpers import answer_all, start

REASON = "场地面积核对有误，重新测量"
COMMENT = "设备台账与现场一致"
FINDING = "设备台账不全"


def build(ws) -> tuple[str, object, str]:
    """A whole life: answers, comment, not applicable, finding and its status, complete,
    amend with a reason, changed answers, complete again, both inspectors sign."""
    iid, t = start(ws)
    answer_all(ws, iid, t)
    answers_svc.comment_item(ws, iid, "s1.equipment-value", COMMENT, actor="王晓明")
    answers_svc.mark_not_applicable(ws, iid, "s1.floor-area", actor="王晓明")
    f = findings_svc.add_finding(
        ws,
        iid,
        description=FINDING,
        severity="major",
        item_id="s1.equipment-value",
        deadline=dt.date(2024, 12, 31),
        actor="李娜",
    )
    findings_svc.set_finding_status(ws, f.id, "corrected", actor="李娜")
    svc.complete_inspection(ws, iid, actor="王晓明")
    svc.amend_inspection(ws, iid, reason=REASON, actor="王晓明")
    answers_svc.answer_item(ws, iid, "s1.premises", "no", actor="李娜")
    answers_svc.answer_item(ws, iid, "s1.licences", "one", actor="李娜")
    svc.complete_inspection(ws, iid, actor="王晓明")
    for name in ("王晓明", "李娜"):
        signatures_svc.record_signature(
            ws,
            iid,
            signer_name=name,
            role="inspector",
            image_png=signature_png(name, name),
            actor=name,
        )
    return iid, t, f.id


def one(entries: list[HistoryEntry], **match: object) -> HistoryEntry:
    found = [e for e in entries if all(getattr(e, k) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def tamper(ws, sql: str) -> None:
    """What someone with the file can do: drop the triggers, then change the log."""
    con = sqlite3.connect(ws.db.path)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute(sql)
    con.commit()
    con.close()


def test_timeline_in_order_with_actors_titles_and_readable_values(ws) -> None:
    iid, t, finding_id = build(ws)
    entries = inspection_history(ws, iid)

    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    first = entries[0]
    assert (first.raw_action, first.entity, first.actor, first.what) == (
        "create",
        "inspection",
        "测试员",
        "Inspection",
    )
    assert (
        first.new_full
        == f"测试基地PB-T1（PB-T1） · {pick(t.title)} {t.version} · 王晓明、李娜 · 2024-10-01"
    )
    assert first.new == rules.shorten(first.new_full)

    title = pick(t.item("s1.equipment-value").title)
    comment = one(entries, field="s1.equipment-value.comment")
    assert (comment.actor, comment.action, comment.what) == (
        "王晓明",
        "Fill in",
        f"{title} · Comment",
    )
    assert (comment.old, comment.new) == ("—", COMMENT)

    area = t.item("s1.floor-area")
    na = one(entries, field="s1.floor-area.not_applicable")
    assert (na.what, na.old, na.new) == (f"{pick(area.title)} · Not applicable", "No", "Yes")
    cleared = [e for e in entries if e.field == "s1.floor-area.value"]
    assert cleared[-1].new == "—" and cleared[-1].old.endswith(pick(area.unit))
    assert cleared[-1].seq > na.seq

    created = one(entries, entity="finding", raw_action="create")
    assert (created.actor, created.what) == ("李娜", f"Finding: {FINDING}")
    assert created.new_full == f"Major · Item: {title} · Deadline: 2024-12-31"
    status = one(entries, entity="finding", field="status")
    assert status.entity_id == finding_id
    assert (status.action, status.what) == ("Edit", f"Finding: {FINDING} · Status")
    assert (status.old, status.new) == ("To be corrected", "Corrected")

    completes = [e for e in entries if e.raw_action == "complete"]
    assert [(c.what, c.old, c.new) for c in completes] == [
        ("Inspection · Status", "Draft", "Completed")
    ] * 2
    assert [c.revision for c in completes] == [1, 2]

    amend = one(entries, raw_action="amend")
    assert (amend.action, amend.actor, amend.revision) == ("Amend", "王晓明", 2)
    assert (amend.old, amend.new) == ("Revision 1", f"Revision 2: {REASON}")
    assert amend.raw_new == {"revision": 2, "reason": REASON}

    premises = [e for e in entries if e.field == "s1.premises.value"]
    changed = premises[-1]
    assert (changed.old, changed.new, changed.actor, changed.revision) == ("Yes", "No", "李娜", 2)
    assert (changed.raw_old, changed.raw_new) == ("yes", "no")
    assert changed.what == f"{pick(t.item('s1.premises').title)} · Answer"

    licences = t.item("s1.licences")
    labels = {o.id: pick(o.label) for o in licences.options}
    choice = [e for e in entries if e.field == "s1.licences.value"][-1]
    assert (choice.old_full, choice.new_full) == (labels["both"], labels["one"])  # labels, not ids

    team = t.item("s1.team")
    score = one(entries, field="s1.team.value")
    assert score.new == f"{team.points:g} points"

    veto = one(entries, field=f"{t.vetoes[0].id}.value")
    assert veto.what == f"Veto: {pick(t.vetoes[0].title)} · Answer" and veto.new == "Not triggered"

    signs = [e for e in entries if e.raw_action == "sign"]
    assert [s.what for s in signs] == [
        "Signature: 王晓明 (inspector)",
        "Signature: 李娜 (inspector)",
    ]
    assert all(s.new.startswith("Revision 2 · data hash ") for s in signs)
    signed = entries[-1]
    assert (signed.raw_action, signed.old, signed.new) == ("status", "Completed", "Signed")

    order = [
        first,
        comment,
        na,
        created,
        status,
        completes[0],
        amend,
        changed,
        completes[1],
        *signs,
        signed,
    ]
    assert [e.seq for e in order] == sorted(e.seq for e in order)
    assert {e.revision for e in entries if e.seq < amend.seq} == {1}
    assert {e.revision for e in entries if e.seq >= amend.seq} == {2}


def test_times_are_in_the_display_zone_and_utc_kept(ws) -> None:
    from zoneinfo import ZoneInfo

    iid, _t = start(ws)
    entry = inspection_history(ws, iid)[0]
    assert entry.utc.endswith("+00:00")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", entry.when)
    utc = dt.datetime.fromisoformat(entry.utc)
    shanghai = utc.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert entry.when == shanghai  # the display zone, not the computer's


def test_in_chinese_answers_read_是_否_and_items_by_their_chinese_titles(ws) -> None:
    iid, _t, _f = build(ws)
    i18n.set_language("zh")
    entries = inspection_history(ws, iid)
    changed = [e for e in entries if e.field == "s1.premises.value"][-1]
    assert (changed.old, changed.new) == ("是", "否")
    comment = one(entries, field="s1.equipment-value.comment")
    assert comment.what == "中试设备原值 · 备注"
    complete = next(e for e in entries if e.raw_action == "complete")
    assert (complete.old, complete.new) == ("草稿", "已完成")
    assert one(entries, field="s1.equipment-value.value").new == "1000 万元"


def test_entries_of_another_inspection_are_left_out(ws) -> None:
    a, _ta = start(ws, code="PB-T1")
    b, _tb = start(ws, code="PB-T2")
    answers_svc.answer_item(ws, a, "s1.premises", "yes", actor="王晓明")
    answers_svc.answer_item(ws, b, "s1.premises", "no", actor="李娜")
    answers_svc.comment_item(ws, b, "s1.team", "另一次检查", actor="李娜")
    history_a = inspection_history(ws, a)
    history_b = inspection_history(ws, b)
    with ws.db.raw() as con:
        count_a = con.execute(
            "SELECT count(*) FROM audit_log WHERE inspection_id = ?", (a,)
        ).fetchone()[0]
        sites = con.execute("SELECT count(*) FROM audit_log WHERE entity = 'site'").fetchone()[0]
    assert len(history_a) == count_a and sites > 0  # site entries belong to no inspection
    assert {e.seq for e in history_a}.isdisjoint(e.seq for e in history_b)
    assert [e.actor for e in history_a if e.raw_action == "answer"] == ["王晓明"]
    assert not any("另一次检查" in e.new for e in history_a)
    assert [e.raw_action for e in history_b] == ["create", "answer", "answer"]


def test_a_finding_carried_forward_names_the_earlier_inspection(ws) -> None:
    first, _t = start(ws, when=dt.date(2024, 10, 1))
    findings_svc.add_finding(ws, first, description=FINDING, actor="王晓明")
    second, _t = start(ws, when=dt.date(2025, 10, 1))
    carried = one(inspection_history(ws, second), raw_action="carry_forward")
    assert (carried.action, carried.what) == ("Carry forward", f"Finding: {FINDING}")
    assert carried.new == "from the inspection of 2024-10-01"


def test_long_text_is_shortened_and_kept_whole(ws) -> None:
    iid, _t = start(ws)
    text = "现场核查发现" * 40
    answers_svc.comment_item(ws, iid, "s1.team", text, actor="王晓明")
    entry = one(inspection_history(ws, iid), field="s1.team.comment")
    assert entry.new.endswith("…") and len(entry.new) == rules.SHORT
    assert entry.new_full == text and entry.raw_new == text


def test_formatting_rules() -> None:
    assert rules.plain(None) == "—"
    assert rules.plain(True) == "Yes"
    assert rules.plain(["a", "b"]) == "a、b"
    assert values.revision_value({"revision": 3, "reason": "补充材料"}) == "Revision 3: 补充材料"
    assert values.revision_value(2) == "Revision 2"
    assert values.status_value({"status": "exported", "package": "p.zip"}) == "Exported · p.zip"
    assert rules.shorten("a  b\nc") == "a b c"
    assert rules.shorten("x" * 100, 10) == "x" * 9 + "…"
    assert values.decode('"yes"') == "yes" and values.decode("not json") == "not json"
    assert times.local_time("garbage") == "garbage"
    zh = Translator("zh")  # the same rules in a language given explicitly
    assert rules.plain(True, zh) == "是" and values.revision_value(2, zh) == "第 2 版"


def test_an_id_prefix_and_load_history(ws) -> None:
    iid, t, _f = build(ws)
    assert [e.seq for e in inspection_history(ws, iid[:8])] == [
        e.seq for e in inspection_history(ws, iid)
    ]
    loaded = load_history(ws, iid[:8])
    assert loaded.inspection_id == iid and loaded.site_code == "PB-T1"
    assert (loaded.status, loaded.revision) == ("signed", 2)
    assert loaded.template_title.startswith(pick(t.title))
    assert [e.seq for e in loaded.entries] == [e.seq for e in inspection_history(ws, iid)]
    assert loaded.chain.ok
    with pytest.raises(NotFound):
        load_history(ws, "no-such-inspection")
    assert inspection_history(ws, "no-such-inspection") == []


def test_chain_status_of_an_intact_log(ws) -> None:
    build(ws)
    status = chain_status(ws)
    with ws.db.raw() as con:
        total, head = con.execute(
            "SELECT count(*), (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) FROM audit_log"
        ).fetchone()
    assert status.ok and status.entries == total and status.head == head
    assert status.first_bad_seq is None and status.problem is None
    text = describe_chain(status)
    assert f"{total} entries" in text and head[:16] in text and "whole data folder" in text


def test_chain_status_finds_an_edited_entry_of_the_inspection(ws) -> None:
    iid, _t, _f = build(ws)
    amend = one(inspection_history(ws, iid), raw_action="amend")
    with ws.db.raw() as con:
        total = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    tamper(
        ws,
        f'UPDATE audit_log SET new = \'{{"revision": 2, "reason": "x"}}\' WHERE seq = {amend.seq}',
    )
    status = chain_status(ws)
    assert not status.ok and status.first_bad_seq == amend.seq and status.entries == total
    assert status.problem == "the entry's content does not match its hash"
    assert f"broken at entry {amend.seq}" in describe_chain(status)
    # the timeline still reads what the file now says
    assert one(inspection_history(ws, iid), raw_action="amend").new == "Revision 2: x"


def test_chain_status_finds_a_deleted_entry(ws) -> None:
    iid, _t, _f = build(ws)
    victim = one(inspection_history(ws, iid), field="s1.equipment-value.comment").seq
    tamper(ws, f"DELETE FROM audit_log WHERE seq = {victim}")
    status = chain_status(ws)
    assert not status.ok and status.first_bad_seq == victim
    assert status.problem == "an entry is missing or out of order"


def test_photo_entries_name_the_file_the_item_and_the_finding(ws) -> None:
    """Entries shaped as services/photos.py writes them: added, caption edited, linked."""
    from inspector_app.store import audit
    from inspector_app.store.models import Photo

    iid, t = start(ws)
    finding = findings_svc.add_finding(ws, iid, description=FINDING, actor="王晓明")
    title = pick(t.item("s1.premises").title)
    with ws.db.transaction() as s:
        photo = Photo(inspection_id=iid, item_id="s1.premises", sha256="ab" * 32)
        photo.original_name = "IMG_0001.jpg"
        s.add(photo)
        s.flush()
        common = {"actor": "王晓明", "entity": "photo", "entity_id": photo.id, "inspection_id": iid}
        audit.append(
            s,
            action="create",
            new={"original_name": "IMG_0001.jpg", "item": "s1.premises", "caption": "车间全景"},
            **common,
        )
        audit.append(s, action="update", field="caption", old="车间全景", new="中试车间", **common)
        audit.append(
            s,
            action="link",
            field="finding",
            new={"finding": finding.id, "role": "after", "original_name": "IMG_0001.jpg"},
            **common,
        )
    added, caption, linked = [e for e in inspection_history(ws, iid) if e.entity == "photo"]
    assert (added.action, added.what) == ("Add photo", "Photo: IMG_0001.jpg")
    assert (added.old, added.new_full) == ("—", f"{title} · 车间全景")
    assert caption.what == "Photo: IMG_0001.jpg · Caption"
    assert (caption.old, caption.new) == ("车间全景", "中试车间")
    assert linked.what == f"Photo: IMG_0001.jpg · Finding: {FINDING}"
    assert (linked.action, linked.old, linked.new) == ("Link photo", "—", "after correction")


def test_a_signed_report_reads_as_a_sentence_not_as_raw_fields(demo_ws, tmp_path) -> None:
    """The history showed 'report_signed · inspection · report · certificate_sh…' in the
    Chinese desktop after the report was signed (the walk of issue 9)."""
    from inspector_app.services.browse import list_inspections
    from inspector_app.services.report_signing import sign_report

    row = next(r for r in list_inspections(demo_ws) if r["status"] == "signed")
    out = tmp_path / "签署的报告.pdf"
    signed = sign_report(demo_ws, row["id"], out, passphrase="demo-passphrase", lang="zh")
    i18n.set_language("zh")
    try:
        entry = load_history(demo_ws, row["id"]).entries[-1]
    finally:
        i18n.set_language("en")
    assert entry.action == "签署报告"
    assert entry.what.startswith("报告编号 ") and "第 1 版" in entry.what
    assert f"{signed.signer} 数字签名" in entry.new_full
    assert "签署的报告.pdf" in entry.new_full
    shown = " ".join([entry.action, entry.what, entry.old_full, entry.new_full])
    for raw in ("report_signed", "inspection", "certificate_sha256", "{"):
        assert raw not in shown, shown

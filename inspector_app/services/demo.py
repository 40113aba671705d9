"""Sample data (示例): sites, inspections in every status, findings, a veto case, a re-inspection.

There is no public list of Weihai's registered pilot bases and agencies, so every name is
invented and marked 示例. Everything is derived from fixed seeds and fixed UUIDs, so loading
twice changes nothing, and the answers go through the same services an inspector uses.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from inspector_app.domain.checklists.schema import AnswerType, ChecklistTemplate, Item
from inspector_app.services import answers as answers_svc
from inspector_app.services import findings as findings_svc
from inspector_app.services import inspection_views as views_svc
from inspector_app.services import inspections as svc
from inspector_app.services import signatures as signatures_svc
from inspector_app.services.demo_images import demo_photo, signature_png
from inspector_app.services.sites import upsert_sites
from inspector_app.services.templates import find_template_version, template_of
from inspector_app.store.repo import browse as browse_repo
from inspector_app.store.repo import sites as sites_repo
from inspector_app.workspace import Workspace

NAMESPACE = uuid.UUID("6f1c2a0e-7f55-4d7e-9a51-3d0b8e0c2b11")
DISTRICTS = ["环翠区", "文登区", "荣成市", "乳山市", "高区", "经区", "临港区", "南海新区"]
INSPECTORS = [["王晓明", "李娜"], ["张伟", "刘洋"], ["陈静", "赵磊"]]

# a demo site: code, name, host unit (None: none)
SiteSeed = tuple[str, str, str | None]
PILOT_BASES: list[SiteSeed] = [
    ("PB-01", "示例·威海海洋生物医药中试基地", "示例·威海蓝海生物科技有限公司"),
    ("PB-02", "示例·高端医疗器械中试基地", "示例·威海精诚医疗器械有限公司"),
    ("PB-03", "示例·碳纤维复合材料中试基地", "示例·威海拓宇新材料股份有限公司"),
    ("PB-04", "示例·海洋食品精深加工中试基地", "示例·荣成海味食品有限公司"),
    ("PB-05", "示例·智能装备中试基地", "示例·威海智造装备有限公司"),
    ("PB-06", "示例·新一代信息技术中试基地", "示例·威海云图信息技术有限公司"),
    ("PB-07", "示例·新能源电池材料中试基地", "示例·乳山储能材料有限公司"),
    ("PB-08", "示例·精细化工中试基地", "示例·威海临港化工科技有限公司"),
    ("PB-09", "示例·中药现代化中试基地", "示例·文登本草药业有限公司"),
    ("PB-10", "示例·船舶与海工装备中试基地", "示例·南海新区海工装备有限公司"),
]
AGENCIES: list[SiteSeed] = [
    ("TT-01", "示例·威海市技术转移中心", "示例·威海市科技服务集团"),
    ("TT-02", "示例·山东大学（威海）技术转移中心", "示例·山东大学（威海）"),
    ("TT-03", "示例·哈工大（威海）科技成果转化中心", "示例·哈尔滨工业大学（威海）"),
    ("TT-04", "示例·威海知识产权运营服务有限公司", None),
    ("TT-05", "示例·半岛科技成果转化服务有限公司", None),
    ("TT-06", "示例·威海海洋科技成果交易所", "示例·威海海洋产业研究院"),
]
PLATFORMS: list[SiteSeed] = [
    ("PF-01", "示例·威海市大型科研仪器共享平台", "示例·威海市科学技术局"),
    ("PF-02", "示例·海洋检测仪器开放共享中心", "示例·威海海洋产业研究院"),
]


@dataclass
class DemoReport:
    created_sites: int = 0
    created_inspections: int = 0


@dataclass(frozen=True)
class Plan:
    key: str
    site_code: str
    template: str
    date: dt.date
    quality: float  # 0..1: how well the site does
    status: str  # draft | completed | signed | exported
    team: int = 0
    answered_share: float = 1.0  # drafts are partly filled
    veto: str | None = None  # a veto item id that is triggered
    amend: bool = False
    follow_up_of: str | None = None  # re-inspection (复查) of another plan's inspection


def demo_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"demo:{kind}:{key}"))


def _sites() -> list[dict[str, str]]:
    out = []
    for group, site_type in (
        (PILOT_BASES, "pilot_base"),
        (AGENCIES, "tech_transfer"),
        (PLATFORMS, "platform"),
    ):
        for n, (code, name, host) in enumerate(group):
            district = DISTRICTS[(n + len(code)) % len(DISTRICTS)]
            out.append(
                {
                    "code": code,
                    "name": name,
                    "site_type": site_type,
                    "district": district,
                    "host_unit": host or "",
                    "address": f"山东省威海市{district}示例路{10 + n}号",
                    "contact_name": ["孙", "周", "吴", "郑", "冯", "褚"][n % 6] + "主任",
                    "contact_phone": f"0631-5{n:02d}{len(code)}000",
                }
            )
    return out


def _plans() -> list[Plan]:
    # last year's round for two bases first, for year-over-year views
    plans: list[Plan] = [
        Plan(
            "pb-2023-0",
            "PB-01",
            "pilot-base-performance",
            dt.date(2023, 11, 14),
            0.85,
            "exported",
            team=1,
        ),
        Plan(
            "pb-2023-2",
            "PB-03",
            "pilot-base-performance",
            dt.date(2023, 11, 20),
            0.72,
            "exported",
            team=2,
        ),
    ]
    statuses = [
        "exported",
        "signed",
        "signed",
        "completed",
        "completed",
        "draft",
        "exported",
        "signed",
        "completed",
        "draft",
    ]
    qualities = [0.95, 0.55, 0.82, 0.7, 0.9, 0.6, 0.88, 0.75, 0.45, 0.8]
    for n, (code, *_rest) in enumerate(PILOT_BASES):
        plans.append(
            Plan(
                f"pb-2024-{n}",
                code,
                "pilot-base-performance",
                dt.date(2024, 10, 8) + dt.timedelta(days=3 * n),
                qualities[n],
                statuses[n],
                team=n % 3,
                answered_share=0.6 if statuses[n] == "draft" else 1.0,
                veto=None if n != 8 else "first",
            )
        )
    # re-inspection (复查) of PB-02, which scored low and left open findings
    plans.append(
        Plan(
            "pb-2024-1-recheck",
            "PB-02",
            "pilot-base-performance",
            dt.date(2024, 12, 16),
            0.74,
            "completed",
            team=1,
            follow_up_of="pb-2024-1",
        )
    )
    agency_status = ["exported", "signed", "completed", "draft", "signed", "completed"]
    agency_quality = [0.92, 0.78, 0.66, 0.7, 0.84, 0.5]
    for n, (code, *_rest) in enumerate(AGENCIES):
        plans.append(
            Plan(
                f"tt-2024-{n}",
                code,
                "tech-transfer-performance",
                dt.date(2024, 11, 4) + dt.timedelta(days=2 * n),
                agency_quality[n],
                agency_status[n],
                team=(n + 1) % 3,
                answered_share=0.5 if agency_status[n] == "draft" else 1.0,
                veto="first" if n == 5 else None,
                amend=n == 1,
            )
        )
    for n, (code, *_rest) in enumerate(PLATFORMS):
        plans.append(
            Plan(
                f"pf-2025-{n}",
                code,
                "instrument-sharing",
                dt.date(2025, 3, 10) + dt.timedelta(days=7 * n),
                [0.86, 0.62][n],
                ["completed", "draft"][n],
                team=n,
                answered_share=[1.0, 0.4][n],
            )
        )
    return plans


def _value(item: Item, rng: random.Random, q: float, on: dt.date) -> object:
    good = rng.random() < q
    t = item.type
    if t is AnswerType.YES_NO:
        return item.earns_on if good else ("no" if item.earns_on == "yes" else "yes")
    if t is AnswerType.SCORE:
        raw = item.points * min(1.0, max(0.0, rng.gauss(q, 0.12)))
        return round(raw / item.step) * item.step
    if t is AnswerType.NUMBER:
        bands = item.bands  # highest first
        idx = 0 if good else min(len(bands) - 1, 1 + int(rng.random() * (len(bands) - 1)))
        band = bands[idx]
        upper = bands[idx - 1].min if idx > 0 else band.min * 1.5 + 10
        value = band.min + (upper - band.min) * rng.random() * 0.9
        if item.max_value is not None:
            value = min(value, item.max_value)
        if item.min_value is not None:
            value = max(value, item.min_value)
        unit = item.unit.zh if item.unit else ""
        return int(value) if unit in ("人", "家", "次", "项") else round(value, 1)  # counts
    if t is AnswerType.CHOICE:
        ranked = sorted(item.options, key=lambda o: -o.points)
        return ranked[0].id if good else ranked[min(len(ranked) - 1, 1 + rng.randrange(2))].id
    if t is AnswerType.DATE:
        return (on - dt.timedelta(days=rng.randrange(30, 400))).isoformat()
    return rng.choice(
        [
            "现场查看，资料齐全，运行正常。",
            "已核对台账与实物，基本一致。",
            "相关制度已建立，执行记录完整。",
        ]
    )


def _fill(ws: Workspace, insp_id: str, template: ChecklistTemplate, plan: Plan) -> None:
    rng = random.Random(plan.key)
    edits: dict[str, dict[str, object]] = {}
    items = template.items()
    answered = items if plan.answered_share >= 1 else items[: int(len(items) * plan.answered_share)]
    for item in answered:
        if item.na_allowed and not item.required and rng.random() < 0.08:
            edits[item.id] = {"not_applicable": True}
            continue
        edit: dict[str, object] = {"value": _value(item, rng, plan.quality, plan.date)}
        if item.evidence:
            edit["evidence_checked"] = _ticks(len(item.evidence), rng, plan.quality)
        if rng.random() < 0.2:
            edit["comment"] = rng.choice(
                [
                    "佐证材料已现场核验。",
                    "建议补充近两年数据。",
                    "与上年相比有明显提升。",
                    "部分记录不完整，已提醒整改。",
                ]
            )
        edits[item.id] = edit
    if plan.answered_share >= 1:
        veto_id = template.vetoes[0].id if plan.veto == "first" and template.vetoes else None
        for v in template.vetoes:
            edits[v.id] = {"value": "yes" if v.id == veto_id else "no"}
    # conditional items whose condition is not met are hidden: answering them is harmless
    answers_svc.answer_many(ws, insp_id, edits, actor="demo")


def _ticks(n: int, rng: random.Random, q: float) -> str:
    import json

    return json.dumps([i for i in range(n) if rng.random() < q + 0.1])


def _findings(
    ws: Workspace, insp_id: str, template: ChecklistTemplate, plan: Plan, contact: str
) -> None:
    detail = views_svc.inspection_detail(ws, insp_id)
    weak = [
        it
        for sec in detail["sections"]
        for it in sec["items"]
        if it["max_points"]
        and it["visible"]
        and not it["not_applicable"]
        and it["value"] is not None
        and it["points"] < it["max_points"] * 0.6
    ]
    rng = random.Random(plan.key + ":findings")
    statuses = ["open", "open", "corrected", "verified"]
    for n, it in enumerate(weak[:4]):
        severity = ["major", "minor", "critical", "minor"][n % 4]
        f = findings_svc.add_finding(
            ws,
            insp_id,
            item_id=it["id"],
            severity=severity,
            actor="demo",
            description=f"{it['title']}：得分{it['points']:g}/{it['max_points']:g}，未达到要求。",
            requirement=f"针对“{it['title']}”制定整改方案，补充佐证材料。",
            deadline=plan.date + dt.timedelta(days=[30, 60, 90][rng.randrange(3)]),
            responsible=contact,
        )
        status = statuses[n % 4] if plan.status != "draft" else "open"
        if plan.key == "pb-2024-1":
            status = "open"  # left open for the re-inspection to carry forward
        if status != "open":
            findings_svc.set_finding_status(
                ws, f.id, status, actor="demo", note="已提交整改报告及照片。"
            )


def _photos(
    ws: Workspace, insp_id: str, template: ChecklistTemplate, plan: Plan, folder: Path
) -> None:
    """Photos for the items that ask for them; drafts have only some so far."""
    from inspector_app.services.photos import add_photos

    wanted = [i for i in template.items() if i.photos_required and not i.show_if]
    if plan.status == "draft":
        wanted = wanted[:2]
    shot = dt.datetime.combine(plan.date, dt.time(9, 30))
    for n, item in enumerate(wanted):
        count = item.photos_required if plan.status != "draft" else 1
        files = [
            demo_photo(
                folder,
                f"{item.title.zh}（{k + 1}）",
                f"{plan.key}:{item.id}:{k}",
                shot + dt.timedelta(minutes=7 * n + k),
            )
            for k in range(count)
        ]
        add_photos(
            ws,
            insp_id,
            files,
            actor="demo",
            item_id=item.id,
            caption=f"{item.title.zh}：现场照片",
        )


def _link_finding_photos(ws: Workspace, insp_id: str, folder: Path, plan: Plan) -> None:
    """Each finding shows its item's photo; a corrected carried finding gets an after photo."""
    from inspector_app.services.browse import list_findings
    from inspector_app.services.photos import add_photos, link_photo_to_finding, list_photos

    photos = list_photos(ws, insp_id)
    for f in list_findings(ws, inspection_id=insp_id):
        if f["carried_from"] and f["status"] != "open":
            after = demo_photo(
                folder,
                f"整改后：{f['description'][:16]}",
                f"{plan.key}:{f['item_id']}:{f['description']}:after",  # alike on every laptop
                dt.datetime.combine(plan.date, dt.time(14, 10)),
            )
            report = add_photos(
                ws,
                insp_id,
                [after],
                actor="demo",
                item_id=f["item_id"],
                caption="整改后复查照片",
            )
            for p in report.added:
                link_photo_to_finding(ws, f["id"], p.id, role="after", actor="demo")
            continue
        mine = [p for p in photos if f["item_id"] and p.item_id == f["item_id"]]
        if mine:
            link_photo_to_finding(ws, f["id"], mine[0].id, role="evidence", actor="demo")


def load_demo(ws: Workspace, *, actor: str = "demo") -> DemoReport:
    report = DemoReport()
    with ws.db.session() as s:
        known_codes = sites_repo.codes(s)
    records = _sites()
    fresh = [r for r in records if r["code"] not in known_codes]
    if fresh:
        upsert_sites(ws, fresh, actor=actor, is_sample=True)
        report.created_sites = len(fresh)
    with ws.db.session() as s:
        sites = {site.code: site for site in sites_repo.all_sites(s)}
    existing = browse_repo.inspection_ids(ws.db)
    with tempfile.TemporaryDirectory(prefix="inspector-demo-") as tmp:
        folder = Path(tmp)
        for plan in _plans():
            insp_id = demo_id("inspection", plan.key)
            if insp_id in existing:
                continue
            site = sites[plan.site_code]
            tv = find_template_version(ws, plan.template)
            template = template_of(tv)
            team = INSPECTORS[plan.team]
            svc.start_inspection(
                ws,
                site_id=site.id,
                template_version_id=tv.id,
                inspectors=team,
                started_on=plan.date,
                actor=actor,
                inspection_id=insp_id,
            )
            if plan.follow_up_of:
                _recheck_carried(ws, insp_id)
            _fill(ws, insp_id, template, plan)
            _photos(ws, insp_id, template, plan, folder)
            _findings(ws, insp_id, template, plan, site.contact_name or "")
            _link_finding_photos(ws, insp_id, folder, plan)
            report.created_inspections += 1
            if plan.status == "draft":
                continue
            svc.complete_inspection(ws, insp_id, actor=actor, ended_on=plan.date)
            if plan.amend:
                svc.amend_inspection(
                    ws,
                    insp_id,
                    reason="复核时发现服务合同金额录入有误，更正后重新提交。",
                    actor=actor,
                )
                first_number = next(i for i in template.items() if i.type is AnswerType.NUMBER)
                detail = views_svc.inspection_detail(ws, insp_id)
                current = next(
                    it["value"]
                    for sec in detail["sections"]
                    for it in sec["items"]
                    if it["id"] == first_number.id
                )
                answers_svc.answer_item(
                    ws,
                    insp_id,
                    first_number.id,
                    round(float(current or 0) * 1.2 + 1, 1),
                    actor=actor,
                )
                svc.complete_inspection(ws, insp_id, actor=actor, ended_on=plan.date)
            if plan.status in ("signed", "exported"):
                signed_at = dt.datetime.combine(plan.date, dt.time(16, 30), tzinfo=dt.UTC)
                signers = [(name, "inspector") for name in team]
                signers.append((site.contact_name or "现场负责人", "site_representative"))
                for name, role in signers:
                    signatures_svc.record_signature(
                        ws,
                        insp_id,
                        signer_name=name,
                        role=role,
                        image_png=signature_png(name, plan.key + name),
                        signed_at=signed_at,
                        actor=actor,
                    )
            if plan.status == "exported":
                svc.mark_exported(
                    ws, insp_id, package=f"示例导出包 demo-{plan.date:%Y%m}.inspkg", actor=actor
                )
    # a demo HQ CA and a certificate for each demo inspector, so `report --sign` works and
    # every demo report is signed by one of its own inspectors
    from inspector_app.services.hq_ca import ensure_demo_identity

    ensure_demo_identity(ws, names=[n for team in INSPECTORS for n in team])
    return report


def _recheck_carried(ws: Workspace, insp_id: str) -> None:
    """In the re-inspection, the inspector finds most carried findings corrected."""
    detail = views_svc.inspection_detail(ws, insp_id)
    # in the order of what they say, not of their random ids: alike on every laptop
    carried = sorted(
        (f for f in detail["findings"] if f["carried_from"]),
        key=lambda f: (f["item"] or "", f["description"]),
    )
    for n, f in enumerate(carried):
        status = "verified" if n % 3 == 0 else ("corrected" if n % 3 == 1 else "open")
        if status != "open":
            findings_svc.set_finding_status(
                ws, f["id"], status, actor="demo", note="复查：现场核验整改已完成。"
            )

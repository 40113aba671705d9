"""Packages as a buggy or hostile exporter could make them: real files, validly signed."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector_app.store.db import Database
from inspector_app.sync import wire
from inspector_app.sync.identity import device_identity
from inspector_app.sync.package import open_package, read_manifest, write_package
from inspector_app.workspace import Workspace


def rehash(doc: dict[str, Any]) -> None:
    """Recompute every inspection's content hash, as an exporter does."""
    for bundle in doc["inspections"]:
        bundle["content_hash"] = wire.bundle_hash(bundle)


def repack(src: Path, out: Path, data_dir: Path, edit: Callable[[dict[str, Any]], Any]) -> Path:
    """The package ``src`` with ``edit`` applied to its records (then rehashed), signed by
    ``data_dir``'s device key."""
    manifest = read_manifest(src)
    with tempfile.TemporaryDirectory() as tmp:
        opened = open_package(src, Path(tmp))
        doc = opened.read_json(wire.RECORDS_MEMBER)
        edit(doc)
        rehash(doc)
        members: list[tuple[str, bytes | Path]] = [
            (wire.RECORDS_MEMBER, json.dumps(doc, ensure_ascii=False).encode())
        ]
        for f in manifest.files:
            if f.path != wire.RECORDS_MEMBER:
                members.append((f.path, opened.path_of(f.path).read_bytes()))
        write_package(
            out,
            device_identity(data_dir),
            kind="inspections",
            sequence=manifest.sequence,
            schema_version=manifest.schema_version,
            app_version=manifest.app_version,
            created_at=manifest.created_at,
            summary=manifest.summary,
            audit_head=None,
            members=members,
        )
    return out


COMMENT_ITEM = "s1.equipment-value"  # a number item
YES_NO_ITEM = "s1.premises"


def two_conflicts(tmp_path: Path) -> dict[str, Any]:
    """Two drafts sent from a laptop to HQ, then edited on both sides and sent again: two
    conflicts at HQ. The first also differs in an answer and a finding the laptop added."""
    from inspector_app.services import answers as answers_svc
    from inspector_app.services import findings as findings_svc
    from inspector_app.services.sync import export_package, import_package
    from inspector_app.services.templates import sync_forms
    from inspector_app.store.db import open_database
    from tests.services.helpers import start

    laptop, hq = tmp_path / "laptop", tmp_path / "hq"
    ldb, hdb = open_database(laptop), open_database(hq)
    for db in (ldb, hdb):
        sync_forms(db)
    first, template = start(ldb, code="PB-T1")
    second, _t = start(ldb, code="PB-T2")
    for iid in (first, second):
        answers_svc.answer_item(ldb, iid, YES_NO_ITEM, "yes", actor="王晓明")
    export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "1.inspkg")
    import_package(Workspace(hq, hdb, "总部"), tmp_path / "1.inspkg")
    for iid in (first, second):
        answers_svc.comment_item(hdb, iid, COMMENT_ITEM, "总部的意见", actor="总部")
        answers_svc.comment_item(ldb, iid, COMMENT_ITEM, "现场的意见", actor="王晓明")
    answers_svc.answer_item(ldb, first, YES_NO_ITEM, "no", actor="王晓明")
    findings_svc.add_finding(
        ldb, first, description="设备台账缺失", severity="major", actor="王晓明"
    )
    export_package(Workspace(laptop, ldb, "王晓明"), tmp_path / "2.inspkg")
    result = import_package(Workspace(hq, hdb, "总部"), tmp_path / "2.inspkg")
    assert sorted(result.merge.conflicts) == sorted([first, second])
    return {
        "laptop": ldb,
        "hq": hdb,
        "hq_dir": hq,
        "first": first,
        "second": second,
        "template": template,
    }


def workspace(db: Database, actor: str = "测试员") -> Workspace:
    """The data folder of ``db`` as the services take it, ``actor`` acting."""
    return Workspace(db.path.parent, db, actor)

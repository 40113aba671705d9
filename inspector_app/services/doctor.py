"""`inspector-app doctor`: what this installation and data folder look like."""

from __future__ import annotations

import os
import platform
import stat
import sys
from pathlib import Path
from typing import Any

from inspector_app import __version__, paths
from inspector_app.fonts import font_problems, font_report
from inspector_app.i18n import _
from inspector_app.workspace import Workspace


def permissions(data_dir: Path) -> dict[str, Any]:
    """The modes of the data folder and of the database and its companions and backups
    (POSIX): the database must not be readable by other users."""
    if os.name != "posix":
        return {"checked": False}
    out: dict[str, Any] = {"checked": True}
    open_to_others: list[tuple[str, str]] = []
    files = [data_dir / paths.DB_FILENAME]
    files += [data_dir / f"{paths.DB_FILENAME}{suffix}" for suffix in ("-wal", "-shm")]
    files += sorted((data_dir / "backups").glob("inspector-*.db"))
    for path in [data_dir, *files]:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            continue
        shown = f"{mode:04o}"
        if path == data_dir:
            out["data_dir"] = shown
        elif path.parent == data_dir:
            out[path.name] = shown
        if path != data_dir and mode & 0o077:
            open_to_others.append((str(path), shown))
    out["open_to_others"] = open_to_others
    return out


def run_doctor(data_dir: Path) -> dict[str, Any]:
    from inspector_app.paths import DB_FILENAME
    from inspector_app.services.templates import list_templates, sync_forms
    from inspector_app.store.audit import verify_chain
    from inspector_app.store.db import (
        SCHEMA_HEAD,
        Database,
        DatabaseError,
        open_database,
        read_pragmas,
    )
    from inspector_app.store.repo import maintenance

    report: dict[str, Any] = {
        "version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "frozen": paths.is_frozen(),
        "data_dir": str(data_dir),
        "forms_dir": str(paths.forms_dir()),
        "resources_dir": str(paths.resources_dir()),
    }
    problems: list[str] = []
    report["font"] = font_report()
    problems.extend(font_problems(report["font"]))
    # a handle on the folder that opens nothing yet: the keys are read whatever the database
    report["signing"] = signing_report(
        Workspace(data_dir, Database(data_dir / DB_FILENAME), "doctor")
    )
    try:
        ws = Workspace(data_dir, open_database(data_dir), "doctor")
        db = ws.db
    except DatabaseError as exc:
        report.update(ok=False, problems=[*problems, str(exc)])
        return report
    report["permissions"] = permissions(data_dir)
    problems.extend(
        _("{file} can be read by other users (mode {mode})", file=name, mode=mode)
        for name, mode in report["permissions"].get("open_to_others", [])
    )
    try:
        sync = sync_forms(ws)
        problems.extend(str(i) for i in sync.issues)
        with db.session() as s:
            integrity = maintenance.integrity_check(s)
            revision = maintenance.schema_revision(s)
            chain = verify_chain(s)
        pragmas = read_pragmas(db, via_engine=True)
        templates = list_templates(ws)
        report.update(
            database=str(db.path),
            schema_revision=revision,
            schema_head=SCHEMA_HEAD,
            integrity_check=integrity,
            journal_mode=pragmas["journal_mode"],
            synchronous={0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                pragmas["synchronous"], pragmas["synchronous"]
            ),  # type: ignore[call-overload]
            foreign_keys=bool(pragmas["foreign_keys"]),
            audit_chain={
                "ok": chain.ok,
                "entries": chain.rows,
                "first_bad_seq": chain.first_bad_seq,
            },
            templates=[
                {
                    "id": t.template_id,
                    "version": t.version,
                    "hash": t.content_hash[:12],
                    "sample_weights": t.sample_weights,
                }
                for t in templates
            ],
        )
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        if str(pragmas["journal_mode"]).lower() != "wal":
            problems.append("journal_mode is not WAL")
        if revision != SCHEMA_HEAD:
            problems.append(f"schema revision {revision} is not {SCHEMA_HEAD}")
        if not chain.ok:
            problems.append(f"audit chain broken at entry {chain.first_bad_seq}: {chain.problem}")
        if not templates:
            problems.append("no checklist templates loaded")
    finally:
        db.dispose()
    report["problems"] = problems
    report["ok"] = not problems
    return report


def signing_report(ws: Workspace) -> dict[str, Any]:
    """The `signing` entry: the identities here and HQ's CA, read without a passphrase;
    never raises."""
    from inspector_app.services.hq_ca import ca_status
    from inspector_app.services.identities import identities_status

    try:
        people = identities_status(ws)
        hq = ca_status(ws)
    except Exception as exc:  # doctor reports, it does not crash
        return {"error": str(exc)}
    out: dict[str, Any] = {"identity": None, "identities": [], "ca": None}
    for ident in people:
        out["identities"].append(
            {
                "subject_cn": ident.get("subject_cn"),
                "issuer": ident.get("issuer_cn"),
                "kind": ident.get("kind"),
                "valid_until": ident.get("valid_until"),
                "expired": ident.get("expired"),
                "key_file": ident.get("key_file"),
                "key_file_encrypted": "yes" if ident.get("key_encrypted") else "no",
                "kdf": ident.get("kdf"),
                "certificate_matches_key": ident.get("certificate_matches_key"),
                "problems": ident.get("problems", []),
            }
        )
    if out["identities"]:
        out["identity"] = out["identities"][0]  # the first identity made here
    if hq is not None:
        out["ca"] = {
            "subject_cn": hq.get("subject_cn"),
            "valid_until": hq.get("valid_until"),
            "problems": hq.get("problems", []),
        }
    return out

"""Benchmarks for the figures the issues ask for: medians of several runs, baselines in the same run.

    python bench/run.py [--runs N] [--json OUT]

Measured, each as a whole command in a child process (what a person waits for):
- ``demo`` on an empty data folder; baseline: the same interpreter starting the CLI
  (``inspector-app --version``), so the figure shows what the work itself costs.
- ``inspections list --json`` over 10,000 inspections; baselines: CLI start-up, and a bare
  ``sqlite3`` + ``json`` script dumping the same join (the floor any implementation pays).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import summary

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "inspector_app"]

BARE_LIST = r"""
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute(
    "SELECT i.id, s.name, s.code, s.site_type, i.template_id, i.template_version, i.status, "
    "i.score_total, i.grade, i.provisional, i.vetoed, i.started_on, i.inspectors, i.revision, "
    "i.updated_at FROM inspection i JOIN site s ON s.id = i.site_id "
    "ORDER BY i.started_on DESC, i.id").fetchall()
keys = ("id", "site", "site_code", "site_type", "template", "template_version", "status",
        "score", "grade", "provisional", "vetoed", "started_on", "inspectors", "revision",
        "updated_at")
print(json.dumps([dict(zip(keys, r)) for r in rows], ensure_ascii=False, indent=2))
"""


def timed(cmd: list[str], runs: int, setup=None) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        if setup:
            setup()
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        out.append(time.perf_counter() - t0)
    return out


def grow_to(db_path: Path, target: int) -> int:
    """Clone the demo's inspections (with answers and findings) until there are ``target``."""
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    base = con.execute("SELECT * FROM inspection").fetchall()
    cols = [d[1] for d in con.execute("PRAGMA table_info(inspection)")]
    acols = [d[1] for d in con.execute("PRAGMA table_info(answer)")]
    answers: dict[str, list[tuple]] = {}
    for row in con.execute("SELECT * FROM answer"):
        answers.setdefault(row[acols.index("inspection_id")], []).append(row)
    count = len(base)
    n = 0
    with con:
        while count < target:
            src = base[n % len(base)]
            n += 1
            new_id = str(uuid.uuid4())
            row = list(src)
            row[cols.index("id")] = new_id
            row[cols.index("previous_inspection_id")] = None
            con.execute(
                f"INSERT INTO inspection ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                row,
            )
            for a in answers.get(src[cols.index("id")], []):
                a = list(a)
                a[acols.index("id")] = str(uuid.uuid4())
                a[acols.index("inspection_id")] = new_id
                con.execute(
                    f"INSERT INTO answer ({','.join(acols)}) VALUES ({','.join('?' * len(acols))})",
                    a,
                )
            count += 1
    con.close()
    return count


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results: dict[str, object] = {"python": sys.version.split()[0], "runs": args.runs}
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        demo_dir = tmpd / "demo"

        def fresh() -> None:
            shutil.rmtree(demo_dir, ignore_errors=True)

        startup = timed([*CLI, "--version"], args.runs)
        demo = timed([*CLI, "--data-dir", str(demo_dir), "demo"], args.runs, setup=fresh)
        results["cli_startup"] = summary(startup)
        results["demo_empty_folder"] = summary(demo)

        big = tmpd / "big"
        subprocess.run(
            [*CLI, "--data-dir", str(big), "demo"], check=True, stdout=subprocess.DEVNULL, cwd=ROOT
        )
        total = grow_to(big / "inspector.db", 10_000)
        listing = timed([*CLI, "--data-dir", str(big), "inspections", "list", "--json"], args.runs)
        bare = timed([sys.executable, "-c", BARE_LIST, str(big / "inspector.db")], args.runs)
        out = subprocess.run(
            [*CLI, "--data-dir", str(big), "inspections", "list", "--json"],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        results["list_json_10k"] = {
            **summary(listing),
            "inspections": total,
            "rows_printed": len(json.loads(out.stdout)),
        }
        results["baseline_bare_sqlite_json_10k"] = summary(bare)

    for key, value in results.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    limits = [("demo_empty_folder", 5.0), ("list_json_10k", 1.0)]
    failed = [k for k, limit in limits if results[k]["median_s"] > limit]  # type: ignore[index]
    if failed:
        print(f"over the target: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

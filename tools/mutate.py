"""`make mutate`: mutation testing of the core logic with mutmut 3 (issue 15).

Three parts of the code decide what an evaluation says, and their tests must fail when the
code is wrong: the scoring (domain/checklists/scoring.py), the template rules
(domain/checklists/schema.py and the loader's semantic checks) and the merge decision
(sync/merge.py and the fast-forward in sync/apply.py). mutmut changes each comparison,
constant, condition, argument and return of their functions in turn and runs, for each
change, only the tests that reach the changed function; a change that no test notices
survives. Translated messages (``_(...)``) are not mutated: what a message says is checked
where it is shown, not here.

Each run works in its own copy under build/mutate/ (mutmut writes its mutants/ beside the
code it is given), with the tests that belong to those modules:

- ``domain``: scoring and template rules against tests/domain (pure, fast);
- ``merge``: the merge decision against tests/sync/test_merge_rules.py and the conflict
  tests (real SQLite folders, real packages; small folders built once and copied, since
  each mutant reruns the tests that reach its function).

Usage: ``python tools/mutate.py [--run domain|merge] [--children N] [--show]``. Prints the
score of each part and every surviving mutant (``--show``: with its diff); exits 1 when a
part is under its target.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutate"


@dataclass(frozen=True)
class Part:
    name: str
    modules: tuple[str, ...]  # dotted module names
    target: float  # the share of mutants to be killed, in percent
    # functions of those modules that belong to this part (None: all) or to another part
    functions: tuple[str, ...] | None = None
    others: tuple[str, ...] = ()

    def holds(self, mutant: str) -> bool:
        if _module_of(mutant) not in self.modules:
            return False
        function = _function_of(mutant)
        if function in self.others:
            return False
        return self.functions is None or function in self.functions


@dataclass(frozen=True)
class Run:
    name: str
    parts: tuple[Part, ...]
    tests: tuple[str, ...]

    @property
    def files(self) -> list[str]:
        return sorted({m.replace(".", "/") + ".py" for p in self.parts for m in p.modules})


SCORING = Part("scoring", ("inspector_app.domain.checklists.scoring",), 95.0)
TEMPLATES = Part(
    "template rules",
    ("inspector_app.domain.checklists.schema", "inspector_app.domain.checklists.loader"),
    95.0,
)
MERGE_MODULES = ("inspector_app.sync.merge", "inspector_app.sync.apply")
# a person's decision on a kept conflict, in merge.py beside the merge: reported on its own
MERGE = Part("merge decision", MERGE_MODULES, 90.0, others=("take_incoming_inspection",))
RESOLVE = Part(
    "taking a conflict's incoming version", MERGE_MODULES, 90.0, ("take_incoming_inspection",)
)

RUNS = {
    "domain": Run("domain", (SCORING, TEMPLATES), ("tests/domain",)),
    "merge": Run(
        "merge",
        (MERGE, RESOLVE),
        ("tests/sync/test_merge_rules.py", "tests/services/test_conflicts.py"),
    ),
}

# What mutmut is told. Each mutant runs in a process forked from the one that ran the tests
# on the unmutated code: tests/conftest.py empties the caches that code filled (the scoring's
# conversions, the parsed templates) before every test, so none hides a mutant.
CONFIG = """
[tool.mutmut]
source_paths = ["inspector_app/"]
only_mutate = {files}
also_copy = ["resources/", "forms/"]
pytest_add_cli_args = ["-p", "no:xdist", "-p", "no:cacheprovider", "-p", "no:randomly"]
pytest_add_cli_args_test_selection = {tests}
do_not_mutate_patterns = ['\\b_\\(']
use_git_change_detection = false
"""


def _toml_list(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def prepare(run: Run) -> Path:
    """A fresh copy of the code, the tests and the data they read, with mutmut's settings."""
    where = WORK / run.name
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("inspector_app", "tests", "resources", "forms"):
        shutil.copytree(ROOT / folder, where / folder, ignore=ignore)
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    pyproject += CONFIG.format(files=_toml_list(run.files), tests=_toml_list(run.tests))
    (where / "pyproject.toml").write_text(pyproject, "utf-8")
    return where


RESULT = re.compile(r"^\s*(?P<name>\S+?)__mutmut_\d+: (?P<status>.+)$")


def results(where: Path) -> dict[str, str]:
    """mutant name -> status (killed, survived, no tests, timeout, suspicious, ...)."""
    out = subprocess.run(
        [_mutmut(), "results", "--all", "true"],
        cwd=where,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        m = RESULT.match(line)
        if m:
            found[line.strip().rsplit(": ", 1)[0]] = m["status"].strip()
    return found


def _module_of(mutant: str) -> str:
    # inspector_app.sync.merge.x_merge__mutmut_3, …schema.xǁItemǁscored__mutmut_1
    return re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0]


def _function_of(mutant: str) -> str:
    # …merge.x_take_incoming_inspection__mutmut_3 -> take_incoming_inspection;
    # …schema.xǁShowIfǁmatches__mutmut_1 -> ShowIf.matches
    tail = re.split(r"\.x(?=[_ǁ])", mutant, maxsplit=1)[1].rsplit("__mutmut_", 1)[0]
    return tail.strip("ǁ").replace("ǁ", ".") if tail.startswith("ǁ") else tail[1:]


KILLED = {"killed", "timeout"}  # a timeout: the change made the tests hang, they noticed


def _mutmut() -> str:
    found = shutil.which("mutmut", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("mutmut is not installed: pip install -e '.[mutate]' (make mutate does)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", choices=sorted(RUNS), action="append")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument(
        "--report", action="store_true", help="only report the last run's results again"
    )
    args = parser.parse_args(argv)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    below = False
    for name in args.run or sorted(RUNS):
        run = RUNS[name]
        where = WORK / run.name
        started = time.monotonic()
        print(f"== {name}: mutating {', '.join(sorted(set(run.files)))}", flush=True)
        if not args.report:
            prepare(run)
            patterns = sorted({f"{m}.*" for p in run.parts for m in p.modules})
            done = subprocess.run(
                [_mutmut(), "run", "--max-children", str(args.children), *patterns],
                cwd=where,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            if done.returncode != 0:
                print(f"mutmut run failed ({done.returncode}) in {where}", file=sys.stderr)
                return 2
        found = results(where)
        took = "" if args.report else f" in {time.monotonic() - started:.0f} s"
        print(f"   {len(found)} mutants{took}")
        for part in run.parts:
            mine = {k: v for k, v in found.items() if part.holds(k)}
            killed = sum(1 for v in mine.values() if v in KILLED)
            share = 100.0 * killed / len(mine) if mine else 0.0
            mark = "ok" if share >= part.target else "UNDER TARGET"
            print(
                f"   {part.name}: {killed} of {len(mine)} killed, {share:.1f}% "
                f"(target {part.target:.0f}%) {mark}"
            )
            below |= share < part.target
            for mutant, status in sorted(mine.items()):
                if status in KILLED:
                    continue
                print(f"     {status}: {mutant}")
                if args.show:
                    diff = subprocess.run(
                        [_mutmut(), "show", mutant],
                        cwd=where,
                        capture_output=True,
                        text=True,
                    ).stdout
                    print("       " + "\n       ".join(diff.strip().splitlines()[2:]))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())

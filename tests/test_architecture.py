"""Qt stays inside inspector_app/ui (ARCHITECTURE: layers import downward only)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "inspector_app"


def _imports_pyside(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] == "PySide6" for a in node.names):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "PySide6"
        ):
            lines.append(node.lineno)
    return lines


def test_no_pyside6_outside_ui() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui":
            continue
        offenders += [f"{rel}:{line}" for line in _imports_pyside(path)]
    assert offenders == [], f"PySide6 imported outside inspector_app/ui: {offenders}"


def test_checker_sees_an_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom PySide6.QtCore import QObject\n", encoding="utf-8")
    assert _imports_pyside(bad) == [2]


def test_core_runs_without_qt_loaded() -> None:
    """Importing the CLI and services must not pull PySide6 in at run time either."""
    code = (
        "import sys, inspector_app.cli, inspector_app.services.inspections, "
        "inspector_app.services.demo, inspector_app.services.doctor; "
        "print('PySide6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the structure rules of issue 10 --------------------------------------------------------

MAX_LINES = 500
# Still over the limit, each to be split (issue 10); none may be added, and an entry goes as
# soon as its module fits.
TOO_LONG_FOR_NOW: set[str] = set()


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "versions" not in p.relative_to(PACKAGE).parts]


def test_no_module_is_over_the_limit() -> None:
    over = {}
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            over[rel] = lines
    assert set(over) <= TOO_LONG_FOR_NOW, f"over {MAX_LINES} lines: {over}"
    fixed = TOO_LONG_FOR_NOW - set(over)
    assert not fixed, f"these fit now: take them off TOO_LONG_FOR_NOW: {sorted(fixed)}"


def _private_uses(path: Path) -> list[str]:
    """Names starting with one underscore that ``path`` takes from another inspector_app
    module: ``from inspector_app.x import _y`` or ``import inspector_app.x`` then ``x._y``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    modules: dict[str, str] = {}  # a local name bound to an inspector_app module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("inspector_app"):
            out += [
                f"{node.module}.{a.name}:{node.lineno}"
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__") and a.name != "_"
            ]
            modules.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            modules.update(
                {
                    a.asname: a.name
                    for a in node.names
                    if a.asname and a.name.startswith("inspector_app")
                }
            )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            out.append(f"{modules[node.value.id]}.{node.attr}:{node.lineno}")
    return out


# Still reaching into another module's internals (issue 10): none may be added, and an
# entry goes once it is not used.
PRIVATE_FOR_NOW: dict[str, set[str]] = {}


def test_no_module_uses_another_modules_private_names() -> None:
    found: dict[str, set[str]] = {}
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        # the modules of one package (reports/, ui/editor/) may share its private helpers;
        # each service is its own unit, and the top-level modules are all different ones
        own = ".".join(("inspector_app", *path.relative_to(PACKAGE).parts[:-1]))
        shared = own not in ("inspector_app", "inspector_app.services")
        uses = {u.rsplit(":", 1)[0] for u in _private_uses(path)}
        uses = {u for u in uses if not (shared and u.rsplit(".", 2)[0] == own)}
        if uses:
            found[rel] = uses
    extra = {k: v - PRIVATE_FOR_NOW.get(k, set()) for k, v in found.items()}
    extra = {k: v for k, v in extra.items() if v}
    assert not extra, f"private names used across modules: {extra}"
    gone = {k: v - found.get(k, set()) for k, v in PRIVATE_FOR_NOW.items()}
    gone = {k: v for k, v in gone.items() if v}
    assert not gone, f"no longer used: take them off PRIVATE_FOR_NOW: {gone}"


def test_the_private_name_checker_sees_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from inspector_app.services.inspections import _get, _, load\n"
        "from inspector_app.services import inspections as svc\n"
        "svc._require_editable(x)\n",
        encoding="utf-8",
    )
    assert _private_uses(bad) == [
        "inspector_app.services.inspections._get:1",
        "inspector_app.services.inspections._require_editable:3",
    ]


PRESENTERS_MAY_IMPORT = ("inspector_app.i18n", "inspector_app.timefmt", "inspector_app.domain")


def _inspector_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "inspector_app":  # from inspector_app import timefmt
                out += [(node.lineno, f"inspector_app.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, node.module))
    return [(line, name) for line, name in out if name.split(".")[0] == "inspector_app"]


def test_presenters_stand_on_the_domain_alone() -> None:
    """presenters/ puts values into words for the CLI, the desktop and the report's service:
    it imports i18n, timefmt, the domain and itself, never services, the store or a screen."""
    offenders = []
    for path in (PACKAGE / "presenters").rglob("*.py"):
        for line, name in _inspector_imports(path):
            if name.startswith("inspector_app.presenters"):
                continue
            if not any(name == ok or name.startswith(ok + ".") for ok in PRESENTERS_MAY_IMPORT):
                offenders.append(f"{path.relative_to(PACKAGE)}:{line} {name}")
    assert offenders == []


EXPLICIT_LANGUAGE = [
    *(PACKAGE / "presenters").rglob("*.py"),
    *(PACKAGE / "reports").rglob("*.py"),  # the report's layout
    PACKAGE / "services" / "report_data.py",  # what the report shows
]


def test_the_words_of_presenters_and_the_report_come_from_the_translator_given() -> None:
    """No ``_()``, ``tr()``, ``pick()`` or ``current_language()`` of the process language in
    presenters/ or the report: every word goes through the ``Translator`` passed in (the
    report's language; ``i18n.CURRENT`` when a caller of a presenter gives none), so
    nothing there depends on the language the window shows (issue 10, fix 2)."""
    offenders = []
    for path in EXPLICIT_LANGUAGE:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "tr", "pick", "current_language")
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


# -- SQL lives in the store (issue 10) -------------------------------------------------------
# import-linter forbids sqlite3/sqlalchemy/sqlmodel outside store/ (pyproject); this catches
# the rest: a raw connection taken from the store and SQL run through it, a rowid, a query.
SQL_CALLS = ("raw", "execute", "exec", "exec_driver_sql", "query", "executemany", "executescript")
# Still running SQL outside store/ (issue 10): none may be added, an entry goes when its
# module asks the repository (store/repo/) instead.
SQL_FOR_NOW: set[str] = set()


def _sql_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
            # a Qt event loop (app.exec(), dialog.exec()) takes no statement
            and not (node.func.attr == "exec" and not node.args)
        ):
            out.append(f"{node.func.attr}():{node.lineno}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _looks_like_sql(node.value):
                out.append(f"sql text:{node.lineno}")
        elif isinstance(node, ast.Attribute) and node.attr == "rowid":
            out.append(f"rowid:{node.lineno}")
    return sorted(out, key=lambda u: int(u.rsplit(":", 1)[1]))


def _looks_like_sql(text: str) -> bool:
    words = text.upper().split()
    if "ROWID" in words or text.lstrip().upper().startswith("PRAGMA "):
        return True
    return bool(words) and (
        (words[0] == "SELECT" and "FROM" in words)
        or words[:2] in (["INSERT", "INTO"], ["DELETE", "FROM"])
        or (words[0] == "UPDATE" and "SET" in words)
    )


def test_sql_runs_only_inside_the_store() -> None:
    found = {}
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("store/"):
            continue
        uses = _sql_uses(path)
        if uses:
            found[rel] = uses
    extra = {k: v for k, v in found.items() if k not in SQL_FOR_NOW}
    assert not extra, f"SQL outside store/: ask the repository (store/repo/): {extra}"
    gone = SQL_FOR_NOW - set(found)
    assert not gone, f"no SQL there any more: take them off SQL_FOR_NOW: {sorted(gone)}"


def test_the_sql_checker_sees_a_query(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "with db.raw() as con:\n"
        "    con.execute('select 1')\n"
        "x = 'SELECT rowid FROM t'\n"
        "s.exec(select(A))\n"
        "qapp.exec()\n",
        encoding="utf-8",
    )
    assert _sql_uses(bad) == ["raw():1", "execute():2", "sql text:3", "exec():4"]

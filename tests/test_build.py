"""The one-folder build for machines without Python (build.spec, `make dist`, docs/build.md).

A build takes about a minute and needs the [dist] extra, so `make test` does not build;
.ci/run builds after it and runs tools/smoke_dist.py in the built folder. These tests check
what can be checked without building: the spec's decisions, run against stand-ins for
PyInstaller's classes; the icon; the stand-in that replaces aiohttp in the build; the smoke
script's own rules. (tests/cli/test_cli.py: the command line's message for a module the
build lacks.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

SPEC = ROOT / "build.spec"
HOOK = ROOT / "tools" / "pyinstaller" / "rthook_offline.py"
PACKAGE = ROOT / "inspector_app"
# what the built folder must not contain (tools/smoke_dist.py checks the build for them)
NOT_BUNDLED = {"pytest", "_pytest", "pytestqt", "hypothesis", "aiohttp"}
AIOHTTP_FAMILY = [
    "aiohttp", "aiohappyeyeballs", "aiosignal", "frozenlist", "multidict", "yarl", "propcache",
]  # fmt: skip


# -- build.spec, run against stand-ins ----------------------------------------------------------

BINARIES = [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "/qt/libqxcb.so"),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/qt/libqoffscreen.so"),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", "/qt/libqwayland.so"),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", "/qt/libqvnc.so"),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", "/qt/libqjpeg.so"),
    ("PySide6/Qt/plugins/imageformats/libqwebp.so", "/qt/libqwebp.so"),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/qt/libqgtk3.so"),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "/qt/libqopensslbackend.so"),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", "/qt/ibus"),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", "/qt/libQt6Widgets.so.6"),
    ("PySide6/Qt/lib/libQt6Network.so.6", "/qt/libQt6Network.so.6"),
    ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "/qt/libQt6WaylandClient.so.6"),
    ("libX11.so.6", "/usr/lib/libX11.so.6"),  # linked by the xcb plugin: kept
    ("libcairo.so.2", "/usr/lib/libcairo.so.2"),  # linked only by the GTK theme: left out
    ("libpython3.11.so.1.0", "/py/libpython3.11.so.1.0"),
    ("_cffi_backend.cpython-311-x86_64-linux-gnu.so", "/py/_cffi_backend.so"),
]
LINKS = {
    "/qt/libqxcb.so": ["libX11.so.6", "libQt6Widgets.so.6"],
    "/qt/libqgtk3.so": ["libcairo.so.2"],
}
DATAS = [
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", "/qt/qtbase_zh_CN.qm"),
    ("PySide6/Qt/translations/qt_zh_CN.qm", "/qt/qt_zh_CN.qm"),
    ("PySide6/Qt/translations/qtbase_de.qm", "/qt/qtbase_de.qm"),
    ("resources/fonts/wqy-microhei.ttc", "/r/wqy-microhei.ttc"),
]


class _Record:
    def __init__(self, kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]):
        self.kind, self.args, self.kwargs = kind, args, kwargs


def _module(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """build.spec executed with PyInstaller's classes replaced by recorders."""
    work = tmp_path_factory.mktemp("pyinstaller-work")
    calls: list[_Record] = []

    class Analysis:
        def __init__(self, scripts: list[str], **kwargs: Any):
            calls.append(_Record("Analysis", (scripts,), kwargs))
            self.scripts = [
                ("pyiboot01_bootstrap", "/pyi/bootstrap.py", "PYSOURCE"),
                ("rthook_offline", str(HOOK), "PYSOURCE"),
                *((Path(s).stem, s, "PYSOURCE") for s in scripts),
            ]
            self.binaries = [(d, s, "BINARY") for d, s in BINARIES]
            self.datas = [(d, s, "DATA") for d, s in DATAS]
            self.pure: list[Any] = []

    def recorder(kind: str) -> Any:
        def make(*args: Any, **kwargs: Any) -> _Record:
            record = _Record(kind, args, kwargs)
            calls.append(record)
            return record

        return make

    def get_imports(src: str, search_paths: Any = None) -> list[tuple[str, str]]:
        return [(name, f"/usr/lib/{name}") for name in LINKS.get(src, [])]

    fakes = {
        "PyInstaller": _module("PyInstaller"),
        "PyInstaller.building": _module("PyInstaller.building"),
        "PyInstaller.building.api": _module(
            "PyInstaller.building.api",
            EXE=recorder("EXE"),
            PYZ=recorder("PYZ"),
            COLLECT=recorder("COLLECT"),
        ),
        "PyInstaller.building.build_main": _module(
            "PyInstaller.building.build_main", Analysis=Analysis
        ),
        "PyInstaller.utils": _module("PyInstaller.utils"),
        "PyInstaller.utils.hooks": _module(
            "PyInstaller.utils.hooks", collect_submodules=lambda name: [name, f"{name}.code128"]
        ),
        "PyInstaller.depend": _module("PyInstaller.depend"),
        "PyInstaller.depend.bindepend": _module(
            "PyInstaller.depend.bindepend", get_imports=get_imports
        ),
    }
    saved = {name: sys.modules.get(name) for name in fakes}
    saved_path = list(sys.path)
    sys.modules.update(fakes)
    namespace: dict[str, Any] = {"SPECPATH": str(ROOT), "workpath": str(work), "__name__": "spec"}
    # PyInstaller also puts its classes into a spec's namespace
    namespace.update(fakes["PyInstaller.building.api"].__dict__, Analysis=Analysis)
    try:
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    finally:
        sys.path[:] = saved_path
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    namespace["calls"] = calls
    return namespace


def _calls(spec: dict[str, Any], kind: str) -> list[_Record]:
    return [c for c in spec["calls"] if c.kind == kind]


def test_two_executables_in_one_folder(spec: dict[str, Any]) -> None:
    exes = {c.kwargs["name"]: c for c in _calls(spec, "EXE")}
    assert set(exes) == {"Inspector", "inspector-app"}
    assert exes["Inspector"].kwargs["console"] is False  # the desktop: no console window
    assert exes["inspector-app"].kwargs["console"] is True
    for exe in exes.values():
        assert exe.kwargs["exclude_binaries"] is True  # one folder, not one file
        icon = Path(exe.kwargs["icon"])
        assert icon.suffix == ".ico" and icon.is_file()
        assert Path(exe.kwargs["version"]).is_file()
    (collect,) = _calls(spec, "COLLECT")
    assert collect.kwargs["name"] == "Inspector"
    assert set(collect.args[:2]) == set(exes.values())


def test_each_executable_runs_its_own_entry_after_the_runtime_hooks(spec: dict[str, Any]) -> None:
    exes = {c.kwargs["name"]: c for c in _calls(spec, "EXE")}
    names = {name: [s[0] for s in exe.args[1]] for name, exe in exes.items()}
    assert names["Inspector"] == ["pyiboot01_bootstrap", "rthook_offline", "desktop"]
    assert names["inspector-app"] == ["pyiboot01_bootstrap", "rthook_offline", "__main__"]
    (analysis,) = _calls(spec, "Analysis")
    scripts = [Path(s) for s in analysis.args[0]]
    assert all(s.is_file() for s in scripts)
    assert [Path(h) for h in analysis.kwargs["runtime_hooks"]] == [HOOK]


def test_data_files_and_the_migrations_alembic_reads(spec: dict[str, Any]) -> None:
    (analysis,) = _calls(spec, "Analysis")
    datas = analysis.kwargs["datas"]
    dests = {(Path(src).name, dest.replace("\\", "/")) for src, dest in datas}
    assert ("wqy-microhei.ttc", "resources/fonts") in dests
    assert ("zh_CN.json", "resources/i18n") in dests
    assert ("inspector.png", "resources/icons") in dests
    assert ("env.py", "inspector_app/store/migrations") in dests
    assert ("script.py.mako", "inspector_app/store/migrations") in dests
    migrations = sorted((PACKAGE / "store" / "migrations" / "versions").glob("*.py"))
    assert migrations and all(
        (m.name, "inspector_app/store/migrations/versions") in dests for m in migrations
    )
    forms = sorted((ROOT / "forms").glob("*.yaml"))
    assert forms and all((f.name, "forms") in dests for f in forms)
    assert not [src for src, _dest in datas if "__pycache__" in src]


def test_what_the_analysis_cannot_see_is_named(spec: dict[str, Any]) -> None:
    (analysis,) = _calls(spec, "Analysis")
    hidden = set(analysis.kwargs["hiddenimports"])
    # reportlab imports its barcode modules by name; zoneinfo finds tzdata by name
    assert {"reportlab.graphics.barcode.code128", "tzdata", "sqlalchemy.dialects.sqlite"} <= hidden
    # what the migration scripts import (Alembic runs them from files)
    assert {"alembic", "alembic.op", "sqlalchemy", "sqlmodel"} <= hidden


def test_test_and_network_packages_are_excluded(spec: dict[str, Any]) -> None:
    (analysis,) = _calls(spec, "Analysis")
    excludes = set(analysis.kwargs["excludes"])
    assert NOT_BUNDLED - {"aiohttp"} <= excludes and set(AIOHTTP_FAMILY) <= excludes
    assert "tkinter" in excludes and "PySide6.QtNetwork" in excludes


def test_the_app_imports_nothing_the_build_leaves_out(spec: dict[str, Any]) -> None:
    (analysis,) = _calls(spec, "Analysis")
    excludes = set(analysis.kwargs["excludes"])
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                parts = name.split(".")
                if any(".".join(parts[: i + 1]) in excludes for i in range(len(parts))):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert offenders == []


def test_qt_keeps_what_the_desktop_uses(spec: dict[str, Any]) -> None:
    kept = {dest for dest, _src, _t in spec["a"].binaries} | {d for d, _s, _t in spec["a"].datas}
    assert {
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6/Qt/translations/qt_zh_CN.qm",
        "resources/fonts/wqy-microhei.ttc",
        "libpython3.11.so.1.0",
        "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
    } <= kept
    dropped = {d for d, _s in BINARIES + DATAS} - kept
    assert {
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/imageformats/libqwebp.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
        "PySide6/Qt/translations/qtbase_de.qm",
    } <= dropped
    if sys.platform.startswith("linux"):  # system libraries: only what a kept binary links
        assert "libX11.so.6" in kept and "libcairo.so.2" in dropped


def test_qt_on_windows_keeps_its_platform_and_styles(spec: dict[str, Any]) -> None:
    keep = spec["keep"]
    assert keep("PySide6/plugins/platforms/qwindows.dll")
    assert keep("PySide6/plugins/styles/qmodernwindowsstyle.dll")
    assert keep("PySide6/plugins/imageformats/qjpeg.dll")
    assert keep("PySide6/Qt6Gui.dll") and keep("PySide6/translations/qtbase_zh_CN.qm")
    assert not keep("PySide6/opengl32sw.dll")  # software OpenGL: the widgets do not use it
    assert not keep("PySide6/Qt6Network.dll") and not keep("PySide6/Qt6Pdf.dll")
    assert not keep("PySide6/plugins/imageformats/qtiff.dll")


def _version_info(path: str) -> tuple[Any, dict[str, dict[str, str]], Any]:
    """The version file evaluated as PyInstaller does, with recorders for its classes."""

    def record(kind: str) -> Any:
        return lambda *args, **kwargs: (kind, args, kwargs)

    classes = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
               "VarFileInfo", "VarStruct"]  # fmt: skip
    text = Path(path).read_text(encoding="utf-8")
    kind, _args, fields = eval(text, {name: record(name) for name in classes})
    assert kind == "VSVersionInfo"
    string_info, var_info = fields["kids"]
    tables = {t[1][0]: dict(s[1] for s in t[1][1]) for t in string_info[1][0]}
    return fields["ffi"][2], tables, var_info


def test_version_information_comes_from_the_package(spec: dict[str, Any]) -> None:
    from inspector_app import __version__

    parts = [int(n) for n in __version__.split(".")]
    numbers = tuple(parts + [0] * (4 - len(parts)))
    for exe in _calls(spec, "EXE"):
        name = exe.kwargs["name"]
        ffi, tables, var_info = _version_info(exe.kwargs["version"])
        assert ffi["filevers"] == numbers == ffi["prodvers"]
        assert set(tables) == {"080404B0", "040904B0"}  # zh-CN and en-US, Unicode
        for strings in tables.values():
            assert strings["CompanyName"] == strings["ProductName"] == "Inspector"
            assert strings["FileVersion"] == strings["ProductVersion"] == __version__
            assert strings["OriginalFilename"] == f"{name}.exe"
        assert "现场检查" in tables["080404B0"]["FileDescription"]
        assert "field inspection" in tables["040904B0"]["FileDescription"]
        assert var_info[1][0][0][1] == ("Translation", [0x0804, 1200, 0x0409, 1200])
    descriptions = {
        e.kwargs["name"]: _version_info(e.kwargs["version"])[1]["080404B0"]["FileDescription"]
        for e in _calls(spec, "EXE")
    }
    assert "命令行" in descriptions["inspector-app"] and "命令行" not in descriptions["Inspector"]


# -- the icon -------------------------------------------------------------------------------------


def test_the_icon_files_are_what_make_icon_draws(tmp_path: Path) -> None:
    from PIL import Image

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_icon
    finally:
        sys.path.remove(str(ROOT / "tools"))
    png, ico = make_icon.write(tmp_path)
    committed = ROOT / "resources" / "icons"
    with Image.open(png) as new, Image.open(committed / "inspector.png") as old:
        assert old.size == (256, 256) and old.mode == "RGBA"
        assert new.tobytes() == old.tobytes()
    with Image.open(ico) as new, Image.open(committed / "inspector.ico") as old:
        sizes = old.info["sizes"]
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes == new.info["sizes"]
        for size in sorted(sizes):
            new.size = old.size = size
            assert new.convert("RGBA").tobytes() == old.convert("RGBA").tobytes(), size


# -- the stand-in for aiohttp ---------------------------------------------------------------------

STAND_IN_CHECK = """
import importlib.abc, runpy, sys
from pathlib import Path

class Hide(importlib.abc.MetaPathFinder):  # as if the build had left them out
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Hide())
runpy.run_path(HOOK)
import aiohttp
assert aiohttp.OFFLINE_STAND_IN

from inspector_app.signing.pades import sign_pdf_file
from inspector_app.signing.verify import verify_pdf
from tests.signing import BOX, make_ca, make_identity, make_pdf, write_pem

folder = Path(FOLDER)
hq = make_ca()
signed = sign_pdf_file(make_pdf(folder / "r.pdf"), folder / "s.pdf", make_identity(hq), box=BOX)
result = verify_pdf(folder / "s.pdf", [write_pem(folder / "ca.pem", hq[1])])
assert result.accepted and result.trusted, result.problems
try:
    aiohttp.ClientSession()
except RuntimeError as exc:
    print("refused:", exc)
print("loaded:", sorted(m for m in sys.modules if m.split(".")[0] in HIDDEN))
"""


def test_signing_and_verifying_need_no_aiohttp(tmp_path: Path) -> None:
    code = (
        f"HIDDEN = {set(AIOHTTP_FAMILY)!r}\nHOOK = {str(HOOK)!r}\nFOLDER = {str(tmp_path)!r}\n"
        + STAND_IN_CHECK
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "refused: Inspector works offline" in out.stdout
    assert "loaded: ['aiohttp']" in out.stdout  # the stand-in, nothing of the real family


def test_the_stand_in_steps_aside_for_a_real_aiohttp() -> None:
    code = f"import runpy, sys; runpy.run_path({str(HOOK)!r}); print('aiohttp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"  # installed here: nothing is replaced


# -- the smoke script ------------------------------------------------------------------------------


def test_the_smoke_script_needs_only_the_standard_library() -> None:
    script = ROOT / "tools" / "smoke_dist.py"
    tops = set()
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            tops.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            tops.add(node.module.split(".")[0])
    assert tops and tops <= set(sys.stdlib_module_names), tops - set(sys.stdlib_module_names)
    source = script.read_text(encoding="utf-8")
    assert all(f'"{name}"' in source for name in NOT_BUNDLED)

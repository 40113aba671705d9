"""Check a one-folder build (dist/Inspector/) the way a user without Python would use it.

    python3 tools/smoke_dist.py [dist/Inspector] [--max-mb 180]

Plain Python, standard library only; it does not import inspector_app, it runs the built
executables. In fresh temporary data folders (``--data-dir``) it runs ``inspector-app``:
``--version``, ``doctor --json``, ``demo``, ``inspections list --json``, ``report ID -o x.pdf
--sign`` for a signed demo inspection (INSPECTOR_PASSPHRASE=demo-passphrase), ``verify x.pdf
--trust <data>/ca/ca-cert.pem --json``, pdftotext on the report (when poppler is there),
``export`` and ``import`` into a second folder; then it starts the desktop executable
offscreen until its window is ready. It also checks the folder's size and that no test or
network package was bundled. Every step has a timeout;
a failing one prints the command, its exit status and the end of its stderr.

The zone database is hidden from the app (PYTHONTZPATH empty), so the zones come from the
bundled tzdata as they do on Windows. Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

WINDOWS = os.name == "nt"
EXE = ".exe" if WINDOWS else ""
PASSPHRASE = "demo-passphrase"  # the demo's (README, `demo`)
FORBIDDEN = ("pytest", "_pytest", "pytestqt", "hypothesis", "aiohttp")
STEP_TIMEOUT = 180.0
GUI_TIMEOUT = 60.0


class Failed(Exception):
    pass


# -- the folder -------------------------------------------------------------------------------


def disk_usage_mb(folder: Path) -> int:
    """What ``du -sm`` says: allocated blocks of every file and folder, hard links once,
    rounded up to whole MiB (file sizes where the system reports no blocks)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        if (st.st_dev, st.st_ino) in seen and st.st_ino:
            continue
        seen.add((st.st_dev, st.st_ino))
        blocks = getattr(st, "st_blocks", None)
        total += blocks * 512 if blocks is not None else st.st_size
    return -(-total // (1024 * 1024))


def archive_modules(exe: Path) -> set[str]:
    """The module names in the PYZ archive that PyInstaller appends to an executable.

    The executable ends with a CArchive: a cookie (magic, length, table offset and length)
    whose table lists the entries; the 'z' entry is the PYZ, whose own table of contents is
    a marshalled list of (name, (type, offset, length)).
    """
    data = exe.read_bytes()
    magic = b"MEI\014\013\012\013\016"
    cookie_format = "!8sIIII64s"
    at = data.rfind(magic)
    if at < 0:
        raise Failed(f"{exe.name}: no PyInstaller archive found")
    _magic, length, toc_offset, toc_length, _pyvers, _pylib = struct.unpack_from(
        cookie_format, data, at
    )
    start = at + struct.calcsize(cookie_format) - length
    pos, end = start + toc_offset, start + toc_offset + toc_length
    entry_format = "!IIIIBc"
    while pos < end:
        entry_len, offset, size, _ulen, flag, typecode = struct.unpack_from(entry_format, data, pos)
        if typecode == b"z":
            pyz = data[start + offset : start + offset + size]
            if flag:
                pyz = zlib.decompress(pyz)
            if pyz[:4] != b"PYZ\0":
                raise Failed(f"{exe.name}: the PYZ archive has no PYZ magic")
            (pyz_toc,) = struct.unpack_from("!i", pyz, 8)
            toc = marshal.loads(pyz[pyz_toc:])
            return {name for name, _entry in (toc.items() if isinstance(toc, dict) else toc)}
        pos += entry_len
    raise Failed(f"{exe.name}: no PYZ archive in it")


def check_folder(folder: Path, executables: list[Path], max_mb: int) -> str:
    size = disk_usage_mb(folder)
    if size > max_mb:
        raise Failed(f"{folder} takes {size} MB, more than {max_mb} MB")
    bundled = []
    for path in folder.rglob("*"):
        top = path.name.split("-")[0].split(".")[0]
        if top in FORBIDDEN:
            bundled.append(str(path.relative_to(folder)))
    for exe in executables:
        for name in sorted(archive_modules(exe)):
            if name.split(".")[0] in FORBIDDEN:
                bundled.append(f"{exe.name}: {name}")
    if bundled:
        shown = ", ".join(bundled[:10]) + (" …" if len(bundled) > 10 else "")
        raise Failed(f"test or network packages bundled: {shown}")
    return f"{size} MB, none of {', '.join(FORBIDDEN)}"


# -- running the executables --------------------------------------------------------------------


class Runner:
    def __init__(self, folder: Path, scratch: Path):
        self.folder = folder
        self.cli = folder / f"inspector-app{EXE}"
        self.gui = folder / f"Inspector{EXE}"
        self.env = dict(os.environ)
        for name in ("INSPECTOR_DATA_DIR", "INSPECTOR_LANG", "INSPECTOR_PASSPHRASE"):
            self.env.pop(name, None)
        self.env["PYTHONTZPATH"] = ""  # zones from the bundled tzdata only
        if not WINDOWS:  # settings and caches stay in the scratch folder
            for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
                self.env[name] = str(scratch / "home" / name.lower())

    def run(
        self,
        exe: Path,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = STEP_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        cmd = [str(exe), *args]
        shown = " ".join(cmd)
        try:
            proc = subprocess.run(
                cmd,
                env={**self.env, **(env or {})},
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            err = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else ""
            raise Failed(f"{shown}\n  timed out after {timeout:.0f} s\n{_tail(err)}") from None
        if proc.returncode != 0:
            raise Failed(f"{shown}\n  exit status {proc.returncode}\n{_tail(proc.stderr)}")
        if "Traceback (most recent call last)" in proc.stderr:
            raise Failed(f"{shown}\n  exit 0 but a traceback on stderr\n{_tail(proc.stderr)}")
        return proc


def _tail(text: str, lines: int = 25) -> str:
    body = text.rstrip().splitlines()[-lines:]
    return "\n".join(f"  | {line}" for line in body) if body else "  | (no stderr)"


def smoke(folder: Path, max_mb: int, keep: bool) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="inspector-smoke-"))
    runner = Runner(folder, scratch)
    data, other = scratch / "data", scratch / "data-imported"
    pdf, package = scratch / "report.pdf", scratch / "all.inspkg"
    state: dict[str, object] = {}
    passed = 0

    def step(title: str, func) -> None:  # type: ignore[no-untyped-def]
        nonlocal passed
        started = time.perf_counter()
        detail = func()
        passed += 1
        note = f": {detail}" if detail else ""
        print(f"ok    {title} ({time.perf_counter() - started:.1f} s){note}", flush=True)

    def executables() -> str:
        missing = [p.name for p in (runner.cli, runner.gui) if not p.is_file()]
        if missing:
            raise Failed(f"not in {folder}: {', '.join(missing)}")
        return f"{runner.gui.name}, {runner.cli.name}"

    def version() -> str:
        return runner.run(runner.cli, "--version").stdout.strip()

    def doctor() -> str:
        out = runner.run(runner.cli, "--data-dir", str(data), "doctor", "--json").stdout
        report = json.loads(out)
        if report.get("frozen") is not True:
            raise Failed(f"doctor --json says frozen={report.get('frozen')!r}")
        font = report.get("font") or {}
        if not font.get("covers_chinese"):
            raise Failed(f"doctor: the font does not cover Chinese: {font}")
        return f"schema {report.get('schema_revision')}, font {font.get('family')}"

    def demo() -> str:
        return runner.run(runner.cli, "--data-dir", str(data), "demo").stdout.strip()

    def pick_signed() -> str:
        out = runner.run(runner.cli, "--data-dir", str(data), "inspections", "list", "--json")
        rows = json.loads(out.stdout)
        signed = [r for r in rows if r.get("status") == "signed"]
        if not signed:
            raise Failed(f"no signed inspection among the {len(rows)} of the demo")
        state["rows"], state["row"] = len(rows), signed[0]
        return f"{signed[0]['id']} ({signed[0]['site']}) of {len(rows)}"

    def report() -> str:
        row = state["row"]
        assert isinstance(row, dict)
        out = runner.run(
            runner.cli, "--data-dir", str(data), "report", row["id"], "-o", str(pdf), "--sign",
            env={"INSPECTOR_PASSPHRASE": PASSPHRASE},
        )  # fmt: skip
        if not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
            raise Failed(f"report: {pdf} is not a PDF\n{_tail(out.stdout)}")
        return f"{pdf.stat().st_size // 1024} KB"

    def verify() -> str:
        ca = data / "ca" / "ca-cert.pem"
        out = runner.run(
            runner.cli, "--data-dir", str(data), "verify", str(pdf), "--trust", str(ca), "--json"
        )
        result = json.loads(out.stdout)
        if not (result.get("accepted") and result.get("trusted")):
            raise Failed(f"verify exited 0 but says {result}")
        row = state["row"]
        assert isinstance(row, dict)
        signer, inspectors = result.get("signer"), row.get("inspectors") or []
        listed = "one of" if signer in inspectors else "not one of"
        return f"trusted, signed by {signer} ({listed} its inspectors {', '.join(inspectors)})"

    def pdf_text() -> str:
        tool = shutil.which("pdftotext")
        if tool is None:
            return "skipped: no pdftotext"
        row = state["row"]
        assert isinstance(row, dict)
        text = subprocess.run(
            [tool, str(pdf), "-"], capture_output=True, text=True, encoding="utf-8",
            errors="replace", timeout=60, check=False,
        ).stdout  # fmt: skip
        if row["site"] not in text:
            raise Failed(f"pdftotext {pdf}: the site's name {row['site']!r} is not in the text")
        return f"{row['site']} found in {len(text)} characters"

    def export() -> str:
        out = runner.run(runner.cli, "--data-dir", str(data), "export", "-o", str(package))
        if not package.is_file():
            raise Failed(f"export: {package} was not written\n{_tail(out.stdout)}")
        return f"{package.stat().st_size // 1024} KB"

    def import_() -> str:
        runner.run(runner.cli, "--data-dir", str(other), "import", str(package))
        out = runner.run(runner.cli, "--data-dir", str(other), "inspections", "list", "--json")
        count = len(json.loads(out.stdout))
        if count != state["rows"]:
            raise Failed(f"import: {count} inspections arrived, {state['rows']} were exported")
        return f"{count} inspections in a fresh folder"

    def window() -> str:
        env = {"QT_QPA_PLATFORM": "offscreen", "INSPECTOR_EXIT_AFTER_SHOW": "1"}
        out = runner.run(runner.gui, "--data-dir", str(data), env=env, timeout=GUI_TIMEOUT)
        ready = [line for line in out.stdout.splitlines() if line.startswith("window-ready")]
        if ready:
            return ready[0]
        if WINDOWS:  # a windowed program has no stdout there: its exit status has to do
            return "exit 0 (no stdout for a windowed program)"
        raise Failed(f"{runner.gui} printed no window-ready line\n{_tail(out.stdout)}")

    def contents() -> str:
        return check_folder(folder, [runner.cli, runner.gui], max_mb)

    steps = [
        ("the two executables", executables),
        (f"size and contents (at most {max_mb} MB)", contents),
        ("inspector-app --version", version),
        ("doctor --json", doctor),
        ("demo", demo),
        ("inspections list --json: a signed inspection", pick_signed),
        ("report ID -o report.pdf --sign", report),
        ("verify report.pdf --trust ca/ca-cert.pem --json", verify),
        ("pdftotext report.pdf: Chinese text", pdf_text),
        ("export -o all.inspkg", export),
        ("import all.inspkg into a fresh data folder", import_),
        ("Inspector offscreen: window-ready", window),
    ]
    try:
        for title, func in steps:
            try:
                step(title, func)
            except Failed as exc:
                print(f"FAIL  {title}\n  {exc}", flush=True)
                print(f"smoke-dist: {passed} of {len(steps)} checks passed; failed at: {title}")
                return 1
    finally:
        if keep:
            print(f"scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"smoke-dist: all {passed} checks passed for {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="dist/Inspector", type=Path)
    parser.add_argument("--max-mb", type=int, default=180, help="size limit (default 180)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch data folders")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    if not folder.is_dir():
        print(f"smoke-dist: {folder} is not a folder (run `make dist` first)", file=sys.stderr)
        return 1
    return smoke(folder, args.max_mb, args.keep)


if __name__ == "__main__":
    raise SystemExit(main())

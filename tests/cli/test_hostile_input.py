"""Bad input gets a message, never a traceback or a hang (issue 9, item 7).

What a command reads or waits on (huge, endless or blocking files: a device, a FIFO, an alias
bomb) runs the real CLI in a child process against a real data folder, with its address
space capped at 2 GiB (a runaway read fails fast instead of eating the machine) and a kill
after 20 s; it must exit 1 or 2 with a message naming what and where, within 5 s and 200 MB
of peak memory (measured with wait4). Bad arguments and places a command cannot write to are
refused before any work: those run in this process (``run_main``), within 5 s too. On the
main of issue 9: `verify /dev/zero` read until the kernel killed it (24 GB), the alias bomb
took 10.8 s and 1.1 GB, a FIFO hung for ever, invalid UTF-8 and output paths gave tracebacks.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services.templates import sync_forms
from tests.conftest import fifo, open_ws, run_cli_bounded, run_main
from tests.services.helpers import db_fingerprint, start

BASELINE, BASELINE_RUNS = "baseline: sites list ", 3
IDLE_BASELINE_SECONDS = 1.0  # `sites list` on an idle machine, start to exit
MAX_SECONDS = 5
MAX_MB = 200
BAD = b"\xff\xfe\x80"  # not UTF-8


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data folder with a draft inspection of the pilot-base template."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    ws = open_ws(data)
    sync_forms(ws)
    insp_id, _t = start(ws)
    ws.close()
    return data, insp_id[:8]


def laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    return text


# (name, setup(tmp) -> arguments, what the message must say)
Case = tuple[str, Callable[[Path, str], list[str | bytes]], str]
# what a command reads or waits on: each in a child process, its time and memory measured
CASES: list[Case] = [
    (
        "sites import a header of 20 million columns",
        lambda t, i: ["sites", "import", _commas(t)],
        "commas.csv:1: longer than 65,536 characters",
    ),
    (
        "sites import a sheet 16,384 columns wide",
        lambda t, i: ["sites", "import", _wide_xlsx(t)],
        "wide.xlsx:2: more than 50 columns",
    ),
    (
        "verify a PDF of 100,000 form fields",
        lambda t, i: ["verify", _form_of(t, 100_000)],
        "the file has more than 1000 form fields; a report has one signature field",
    ),
    (
        "verify /dev/zero",
        lambda t, i: ["verify", "/dev/zero"],
        "/dev/zero: cannot read the file: it is a device, not a regular file",
    ),
    (
        "forms validate /dev/zero",
        lambda t, i: ["forms", "validate", "/dev/zero"],
        "/dev/zero:0: cannot read the file: it is a device, not a regular file",
    ),
    (
        "a 346-byte alias bomb",
        lambda t, i: ["forms", "validate", _write(t / "bomb.yaml", laughs())],
        "bomb.yaml:2: b[0]: YAML aliases (*name) and merge keys are not allowed in templates",
    ),
    (
        "photos add a FIFO named x.jpg",
        lambda t, i: ["photos", "add", i, str(fifo(t / "x.jpg", 8))],
        "x.jpg: the file cannot be read: it is a named pipe (FIFO), not a regular file",
    ),
    (
        "photos add a folder holding a FIFO",
        lambda t, i: ["photos", "add", i, _card_with_fifo(t)],
        "IMG_0001.JPG: the file cannot be read: it is a named pipe (FIFO)",
    ),
    (
        "sites import a FIFO",
        lambda t, i: ["sites", "import", str(fifo(t / "sites.csv", 8))],
        "sites.csv: cannot read the file: it is a named pipe (FIFO), not a regular file",
    ),
    (
        "import /dev/zero",
        lambda t, i: ["import", "/dev/zero"],
        "zero does not exist or is not a regular file",
    ),
    (
        "verify --trust a FIFO",
        lambda t, i: [
            "verify",
            _write(t / "x.pdf", "%PDF-1.7"),
            "--trust",
            str(fifo(t / "ca.pem", 8)),
        ],
        "ca.pem: cannot read the file: it is a named pipe (FIFO), not a regular file",
    ),
]
# arguments, and where a command writes: refused before any work, in this process
REFUSED_BEFORE_WORK: list[Case] = [
    (
        "inspections show <invalid UTF-8>",
        lambda t, i: ["inspections", "show", BAD],
        "inspections show: error: ID is not valid UTF-8 text: \\xff\\xfe\\x80",
    ),
    (
        "inspections list --search <invalid UTF-8>",
        lambda t, i: ["inspections", "list", "--search", b"ab" + BAD],
        "--search is not valid UTF-8 text: ab\\xff\\xfe\\x80",
    ),
    (
        "inspections answer <invalid UTF-8>",
        lambda t, i: ["inspections", "answer", i, "s5.remarks", BAD],
        "VALUE is not valid UTF-8 text",
    ),
    (
        "inspections comment <invalid UTF-8>",
        lambda t, i: ["inspections", "comment", i, "s1.equipment-value", b"ok " + BAD],
        "TEXT is not valid UTF-8 text: ok \\xff",
    ),
    (
        "report -o a folder",
        lambda t, i: ["report", i, "-o", str(t)],
        "is a folder: give the name of the file to write",
    ),
    (
        "report -o /proc/x.pdf",
        lambda t, i: ["report", i, "-o", "/proc/x.pdf"],
        "cannot write in /proc: ",
    ),
    (
        "report -o a missing folder in /proc",
        lambda t, i: ["report", i, "-o", "/proc/nope/x.pdf"],
        "cannot write in /proc: ",
    ),
    (
        "report -o under a file",
        lambda t, i: ["report", i, "-o", _write(t / "plain", "x") + "/x.pdf"],
        "plain is not a folder",
    ),
    ("export -o /proc/x", lambda t, i: ["export", "-o", "/proc/x"], "cannot write in /proc: "),
    (
        "answer 1e400",
        lambda t, i: ["inspections", "answer", i, "s1.equipment-value", "1e400"],
        "item s1.equipment-value: '1e400' is too large (at most 1e+12 either side of 0)",
    ),
    (
        "answer 1 and 400 zeros",
        lambda t, i: ["inspections", "answer", i, "s1.equipment-value", "1" + "0" * 400],
        "item s1.equipment-value: '10000000000000000000000000000000000000… is too long",
    ),
]


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _commas(tmp: Path) -> str:
    """A site list whose header goes on with 20 million empty columns (it took 4 s, 430 MB)."""
    return _write(tmp / "commas.csv", "code,name,type" + "," * (19 * 2**20) + "\n")


def _wide_xlsx(tmp: Path) -> str:
    """A small workbook whose sheet is 16,384 columns wide (one stray cell): every row was
    read padded to that width (5,000 rows: 12 s, 760 MB), and a cell past the widest a site
    list has was ignored."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["code", "name", "type"])
    for n in range(5000):
        ws.append([f"PB-{n}", f"基地{n}", "pilot_base"])
    ws["XFD1"] = "x"
    ws["AY2"] = "past the 50th column"
    wb.save(tmp / "wide.xlsx")
    return str(tmp / "wide.xlsx")


def _form_of(tmp: Path, fields: int) -> str:
    """An 8 MB PDF whose form lists 100,000 empty signature fields: pyHanko read every one
    looking for a signature (14 s, 370 MB)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Fields [" + b" ".join(b"%d 0 R" % (5 + n) for n in range(fields)) + b"] >>",
        *(b"<< /T (f%d) /FT /Sig >>" % n for n in range(fields)),
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    (tmp / "form.pdf").write_bytes(bytes(out))
    return str(tmp / "form.pdf")


def _card_with_fifo(tmp: Path) -> str:
    card = tmp / "card" / "DCIM"
    card.mkdir(parents=True)
    fifo(card / "IMG_0001.JPG", 8)
    return str(tmp / "card")


def _assert_refused(run, message: str, limit: float = 0.0) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in (1, 2), (run.returncode, run.stdout, run.stderr)
    assert message in run.stderr, run.stderr
    limit = limit or MAX_SECONDS
    assert run.seconds < limit, f"{run.seconds:.1f} s (limit {limit:.1f} s)"
    assert run.peak_mb < MAX_MB, f"{run.peak_mb:.0f} MB"


def _refused_here(message: str, *args: str | bytes, data_dir: Path | None = None) -> None:
    """``run_main`` refuses ``args`` with ``message`` on stderr (exit 1 or 2), within the same
    time limit; an exception the CLI lets through fails the test with its traceback."""
    started = time.monotonic()
    run = run_main(*args, data_dir=data_dir)
    seconds = time.monotonic() - started
    assert run.returncode in (1, 2), (run.returncode, run.stdout, run.stderr)
    assert message in run.stderr, run.stderr
    assert seconds < MAX_SECONDS, f"{seconds:.1f} s"


@pytest.fixture(scope="module")
def runs(folder: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case run once, two at a time (each is its own process, measured on its own)."""
    data, insp = folder
    arguments = {}
    for name, make_args, _message in CASES:
        arguments[name] = make_args(tmp_path_factory.mktemp("case"), insp)
    # a plain command beside them, under the same load: the time limit is relative to it
    for n in range(BASELINE_RUNS):
        arguments[f"{BASELINE}{n}"] = ["sites", "list"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(run_cli_bounded, *args, data_dir=data)
            for name, args in arguments.items()
        }
        return {name: f.result() for name, f in futures.items()}


def _limit(runs: dict[str, Any]) -> float:
    """MAX_SECONDS on an idle machine; on a loaded one, as many times a plain command's
    time as MAX_SECONDS is of its time here (about 1 s)."""
    base = statistics.median(runs[f"{BASELINE}{n}"].seconds for n in range(BASELINE_RUNS))
    return max(MAX_SECONDS, MAX_SECONDS * base / IDLE_BASELINE_SECONDS)


@pytest.mark.parametrize(
    ("case", "message"), [(c[0], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_refused_with_a_message_fast(
    runs: dict[str, Any], case: str, message: str
) -> None:
    _assert_refused(runs[case], message, _limit(runs))


@pytest.mark.parametrize(
    ("make_args", "message"),
    [(c[1], c[2]) for c in REFUSED_BEFORE_WORK],
    ids=[c[0] for c in REFUSED_BEFORE_WORK],
)
def test_bad_arguments_are_refused_before_any_work(
    folder: tuple[Path, str],
    tmp_path: Path,
    make_args: Callable[[Path, str], list[str | bytes]],
    message: str,
) -> None:
    data, insp = folder
    before = db_fingerprint(data / "inspector.db")
    _refused_here(message, *make_args(tmp_path, insp), data_dir=data)
    assert db_fingerprint(data / "inspector.db") == before


def test_data_dir_naming_a_file(tmp_path: Path) -> None:
    plain = Path(_write(tmp_path / "plain", "x"))
    for args in (["sites", "list"], ["doctor"], ["inspections", "list", "--json"]):
        _refused_here(f"error: the data folder {plain} is not a folder", *args, data_dir=plain)
    assert plain.read_text() == "x"


def _without_root_powers() -> list[str]:
    """A prefix that runs a command without the power to read what it may not (root's
    CAP_DAC_OVERRIDE): permissions are what a user meets."""
    if os.geteuid() != 0:
        return []
    import shutil

    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be tried")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}"]


def _cli_as_a_user(data_dir: Path, *args: str) -> Any:
    """The real CLI in a child process, meeting permissions as a user does."""
    import subprocess
    import sys

    command = [*_without_root_powers(), sys.executable, "-m", "inspector_app"]
    command += ["--data-dir", str(data_dir), *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "INSPECTOR_LANG": "en"},
    )


def test_a_data_folder_that_cannot_be_reached_is_refused(tmp_path: Path) -> None:
    """A data folder inside a folder this user may not enter: exit 1 with a message, for
    every command (it was a PermissionError traceback from the settings, before any)."""

    locked = tmp_path / "locked"
    (locked / "data").mkdir(parents=True)
    locked.chmod(0)
    try:
        for args in (["doctor"], ["inspections", "list"], ["demo"]):
            run = _cli_as_a_user(locked / "data", *args)
            assert run.returncode == 1, run.stderr
            assert "Traceback" not in run.stderr
            assert f"error: the data folder {locked / 'data'} cannot be used: " in run.stderr
            assert "Permission denied" in run.stderr
        # a package in there is not "missing": it may not be read
        run = _cli_as_a_user(tmp_path / "hq", "import", str(locked / "x.inspkg"))
        assert run.returncode == 1, run.stderr
        assert "cannot read the file: Permission denied" in run.stderr
    finally:
        locked.chmod(0o700)


def test_a_card_folder_that_cannot_be_read_is_named(
    folder: tuple[Path, str], tmp_path: Path
) -> None:
    """A camera card whose DCIM/101 folder this user may not read: the photos that can be
    read are added, and the folder is named with the reason (it was skipped in silence, and
    a card that could not be read at all said "no JPEG or PNG photos in this folder")."""

    from tests.media import make_jpeg

    data, insp = folder
    card = tmp_path / "card"
    (card / "DCIM" / "100").mkdir(parents=True)
    make_jpeg(card / "DCIM" / "100" / "IMG_0001.JPG")
    hidden = card / "DCIM" / "101"
    hidden.mkdir()
    make_jpeg(hidden / "IMG_0002.JPG", seed=1)
    hidden.chmod(0)
    try:
        run = _cli_as_a_user(data, "photos", "add", insp, str(card))
    finally:
        hidden.chmod(0o700)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert f"{hidden}: the folder cannot be read: Permission denied" in run.stderr + run.stdout
    assert "IMG_0001.JPG" in run.stdout  # the photo that can be read is added


def test_invalid_utf8_in_a_path_is_a_file_name_not_an_error(
    folder: tuple[Path, str], tmp_path: Path
) -> None:
    """A file name in another encoding is still a file: passed on, and shown escaped."""
    data, insp = folder
    name = os.fsencode(tmp_path) + b"/caf\xe9.jpg"
    _refused_here(
        "caf\\xe9.jpg: no such file or folder", "photos", "add", insp, name, data_dir=data
    )


def _names_csv(tmp: Path) -> Path:
    csv = tmp / "sites.csv"
    csv.write_text(
        "code,name,type\n"
        'PB-ESC,"红\x1b[2J\x1b[31m字",pilot_base\n'
        'PB-NL,"第一行\n第二行",pilot_base\n'
        'PB-RLO,"abc\u202egpj.exe",pilot_base\n',
        encoding="utf-8",
    )
    return csv


def test_names_with_control_characters_are_printed_escaped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    imported = run_main("sites", "import", str(_names_csv(tmp_path)), data_dir=data)
    assert imported.returncode == 0, imported.stderr
    listed = run_main("sites", "list", data_dir=data)
    assert listed.returncode == 0, listed.stderr
    out = listed.stdout
    assert (
        "红\\x1b[2J\\x1b[31m字" in out and "第一行\\n第二行" in out and "abc\\u202egpj.exe" in out
    )
    assert "\x1b" not in out and "\u202e" not in out and "第一行\n" not in out
    # a name given on the command line, shown back by `inspections show` and `list`
    started = run_main(
        "inspections",
        "start",
        "--site",
        "PB-RLO",
        "--template",
        "pilot-base-performance",
        "--inspector",
        "张\x1b]0;owned\x07三",
        data_dir=data,
    )
    assert started.returncode == 0, started.stderr
    insp = started.stdout.strip()
    shown = run_main("inspections", "show", insp, data_dir=data)
    assert shown.returncode == 0, shown.stderr
    assert "abc\\u202egpj.exe" in shown.stdout and "张\\x1b]0;owned\\x07三" in shown.stdout
    listing = run_main("inspections", "list", data_dir=data)
    assert "abc\\u202egpj.exe" in listing.stdout
    for text in (shown.stdout, listing.stdout, shown.stderr):
        assert not {"\x1b", "\x07", "\u202e"} & set(text)


def test_json_output_escapes_bidi_and_controls_and_keeps_the_names(tmp_path: Path) -> None:
    """JSON keeps Chinese readable (ensure_ascii=False) but writes control, format and bidi
    characters as \\u escapes: valid JSON that decodes to the very same names."""
    data = tmp_path / "data"
    run_main("sites", "import", str(_names_csv(tmp_path)), data_dir=data)
    listed = run_main("sites", "list", "--json", data_dir=data)
    assert listed.returncode == 0, listed.stderr
    assert not {"\x1b", "\u202e", "\n第二行"} & {c for c in listed.stdout} | (
        {"\n第二行"} if "\n第二行" in listed.stdout else set()
    )
    assert "\\u202e" in listed.stdout and "\\u001b" in listed.stdout and "红" in listed.stdout
    names = {s["code"]: s["name"] for s in json.loads(listed.stdout)}
    assert names == {
        "PB-ESC": "红\x1b[2J\x1b[31m字",
        "PB-NL": "第一行\n第二行",
        "PB-RLO": "abc\u202egpj.exe",
    }


def test_templates_whose_numbers_would_crash_scoring_fail_forms_validate(tmp_path: Path) -> None:
    """Each is refused at its file and line with exit 1: none reaches `inspections start`."""
    from tests.conftest import DATA

    mini = (DATA / "mini.yaml").read_text(encoding="utf-8")
    bad = {
        "inf.yaml": ("{min: 300, points: 10}", "{min: .inf, points: 10}", 31),
        "nan.yaml": ("        min_value: 0\n", "        min_value: .nan\n", 28),
        "denormal.yaml": ("{min: 300, points: 10}", "{min: 1.0e-320, points: 10}", 31),
        "grades.yaml": ("{id: good, label", "{id: excellent, label", 8),
        "huge.yaml": ("        points: 20\n", "        points: 1e400\n", 26),
    }
    files = []
    for name, (old, new, _line) in bad.items():
        (tmp_path / name).write_text(mini.replace(old, new, 1), encoding="utf-8")
        files.append(str(tmp_path / name))
    run = run_main("forms", "validate", *files)
    assert run.returncode == 1 and "Traceback" not in run.stderr and run.stdout == ""
    for name, (_old, _new, line) in bad.items():
        assert f"{tmp_path / name}:{line}: " in run.stderr, run.stderr

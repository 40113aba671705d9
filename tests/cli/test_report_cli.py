"""The issue's must-show, end to end on the demo data: through ``cli.main`` in this process, and
the determinism of the PDF across two processes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import demo_copy
from tests.conftest import run_cli, run_main

PASS = {"INSPECTOR_PASSPHRASE": "demo-passphrase"}


@pytest.fixture(scope="module")
def demo(pristine_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(pristine_demo, tmp_path_factory, "report-demo")


def _signed_inspection(d: Path) -> dict:
    rows = json.loads(
        run_main("inspections", "list", "--json", "--status", "signed", data_dir=d).stdout
    )
    return rows[0]


def test_signed_report_verifies_and_a_flipped_byte_does_not(demo: Path, tmp_path: Path) -> None:
    row = _signed_inspection(demo)
    pdf = tmp_path / "report.pdf"
    out = run_main("report", row["id"], "-o", str(pdf), "--sign", data_dir=demo, env=PASS)
    assert out.returncode == 0, out.stderr
    sig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True)
    assert "Signature Validation: Signature is Valid." in sig.stdout
    ca = demo / "ca" / "ca-cert.pem"
    ok = run_main("verify", str(pdf), "--trust", str(ca), "--json", data_dir=demo)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    result = json.loads(ok.stdout)
    assert result["intact"] and result["valid"] and result["trusted"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert row["site"] in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("yes" in r[-5:-2] for r in rows), fonts  # every font embedded

    data = bytearray(pdf.read_bytes())
    middle = len(data) // 3
    data[middle] = data[middle] ^ 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    bad = run_main("verify", str(tampered), "--trust", str(ca), data_dir=demo)
    assert bad.returncode != 0


def test_two_unsigned_builds_are_identical(demo: Path, tmp_path: Path) -> None:
    """One build here, one in a child process: the same bytes whatever the process (its hash
    seed, what it loaded and cached before)."""
    row = _signed_inspection(demo)
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert run_main("report", row["id"], "-o", str(a), data_dir=demo).returncode == 0
    assert run_cli("report", row["id"], "-o", str(b), data_dir=demo).returncode == 0
    assert a.read_bytes() == b.read_bytes()


def test_doctor_reports_the_signing_identity(demo: Path) -> None:
    report = json.loads(run_main("doctor", "--json", data_dir=demo).stdout)
    assert report["signing"]
    assert "王晓明" in json.dumps(report["signing"], ensure_ascii=False)

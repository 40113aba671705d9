"""`ca`, `keys`, `report --sign` and `verify` through ``cli.main`` in this process; the passphrase
refused without a terminal in a child process, whose stdin is not one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from inspector_app.signing.pades import sign_pdf_file
from tests.conftest import folder_ws, open_ws, run_cli, run_main
from tests.signing import BOX, make_ca, make_identity, make_pdf, tool, write_pem

ENV = {"INSPECTOR_PASSPHRASE": "hq passphrase 1"}


def test_ca_init_issue_and_keys_import(tmp_path: Path) -> None:
    hq, laptop, out = tmp_path / "hq", tmp_path / "laptop", tmp_path / "bundle"
    r = run_main("ca", "init", "--name", "测试·HQ 根证书", data_dir=hq, env=ENV)
    assert r.returncode == 0, r.stderr
    assert (hq / "ca" / "ca-cert.pem").exists()
    assert b"PRIVATE KEY" not in (hq / "ca" / "ca-key.json").read_bytes()
    again = run_main("ca", "init", data_dir=hq, env=ENV)
    assert again.returncode == 1 and "already exists" in again.stderr

    env = {**ENV, "INSPECTOR_NEW_PASSPHRASE": "laptop passphrase"}
    r = run_main("ca", "issue", "--name", "张伟", "--out", str(out), data_dir=hq, env=env)
    assert r.returncode == 0, r.stderr
    (cert,) = out.glob("*.cert.pem")
    (key,) = out.glob("*.key.json")
    assert "keys import-cert" in r.stdout

    r = run_main("keys", "import-cert", str(cert), "--key", str(key), data_dir=laptop)
    assert r.returncode == 0, r.stderr
    shown = run_main("keys", "show", "--json", data_dir=laptop)
    (status,) = json.loads(shown.stdout)
    assert status["subject_cn"] == "张伟" and status["kind"] == "hq-issued"
    assert status["key_encrypted"] is True

    wrong = run_main(
        "ca", "issue", "--name", "x", "--out", str(out), data_dir=hq,
        env={"INSPECTOR_PASSPHRASE": "not it at all", "INSPECTOR_NEW_PASSPHRASE": "whatever1"},
    )  # fmt: skip
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_keys_init_and_a_self_signed_request(tmp_path: Path) -> None:
    hq, laptop = tmp_path / "hq", tmp_path / "laptop"
    r = run_main("keys", "init", "--name", "刘洋", data_dir=laptop, env=ENV)
    assert r.returncode == 0, r.stderr
    assert "self-signed" in r.stdout
    short = run_main("keys", "init", "--force", data_dir=laptop, env={"INSPECTOR_PASSPHRASE": "x"})
    assert short.returncode == 1 and "at least 8" in short.stderr

    run_main("ca", "init", data_dir=hq, env=ENV)
    request = laptop / "signing" / "identity-cert.pem"
    r = run_main("ca", "issue", "--name", "刘洋", "--request", str(request), "--out",
                str(tmp_path), data_dir=hq, env=ENV)  # fmt: skip
    assert r.returncode == 0, r.stderr
    (cert,) = tmp_path.glob("*.cert.pem")
    assert not list(tmp_path.glob("*.key.json"))
    r = run_main("keys", "import-cert", str(cert), data_dir=laptop)
    assert r.returncode == 0, r.stderr
    assert "issued by HQ" in r.stdout


def test_no_passphrase_without_a_terminal_is_refused(tmp_path: Path) -> None:
    r = run_cli("keys", "init", data_dir=tmp_path, env={"INSPECTOR_PASSPHRASE": ""})
    assert r.returncode == 1 and "INSPECTOR_PASSPHRASE" in r.stderr


@pytest.fixture(scope="module")
def signed_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli-signed")
    hq = make_ca()
    source = make_pdf(d / "report.pdf")
    good = sign_pdf_file(source, d / "good.pdf", make_identity(hq), box=BOX).path
    foreign = sign_pdf_file(
        source, d / "foreign.pdf", make_identity(make_ca("别处的根证书")), box=BOX
    ).path
    own = sign_pdf_file(source, d / "self.pdf", make_identity(None), box=BOX).path
    data = bytearray(good.read_bytes())
    data[data.index(b"Inspection report")] ^= 0x20
    (d / "flipped.pdf").write_bytes(bytes(data))

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    # an incremental update after signing: here a document-level entry in the catalogue
    writer = IncrementalPdfFileWriter(io.BytesIO(good.read_bytes()))
    writer.root["/InspectorNote"] = writer.add_object(generic.TextStringObject("appended later"))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    (d / "appended.pdf").write_bytes(out.getvalue())
    return {
        "good": good,
        "foreign": foreign,
        "self": own,
        "flipped": d / "flipped.pdf",
        "appended": d / "appended.pdf",
        "ca": write_pem(d / "ca.pem", hq[1]),
    }


@pytest.mark.parametrize(
    ("name", "trust", "code"),
    [
        ("good", True, 0),
        ("good", False, 0),
        ("flipped", True, 1),
        ("appended", True, 1),
        ("appended", False, 1),
        ("foreign", True, 1),
        ("self", True, 1),
        ("self", False, 0),
    ],
)
def test_verify_exit_codes(
    signed_files: dict[str, Path], name: str, trust: bool, code: int
) -> None:
    args = ["verify", str(signed_files[name]), "--json"]
    if trust:
        args += ["--trust", str(signed_files["ca"])]
    r = run_main(*args)
    assert r.returncode == code, r.stdout + r.stderr
    result = json.loads(r.stdout)
    assert result["accepted"] is (code == 0)
    if name == "flipped":
        assert result["intact"] is False
    if name == "appended":
        assert result["intact"] and not result["coverage_entire_file"]
    if name in ("foreign", "self"):
        assert result["valid"] and result["trusted"] is False


def test_verify_prints_what_it_checked(signed_files: dict[str, Path]) -> None:
    r = run_main("verify", str(signed_files["good"]), "--trust", str(signed_files["ca"]))
    assert r.returncode == 0, r.stderr
    for expected in (
        "Intact (unchanged since signing): Yes",
        "Valid (signature matches the certificate): Yes",
        "Trusted (chains to a given CA): Yes",
        "Signer: 王晓明",
        "claimed",
        "Coverage: entire file",
        "ETSI.CAdES.detached",
        "Result: accepted",
    ):
        assert expected in r.stdout
    bad = run_main("verify", str(signed_files["appended"]))
    assert bad.returncode == 1
    assert "Coverage: NOT the entire file" in bad.stdout and "REJECTED" in bad.stdout
    missing = run_main("verify", str(signed_files["ca"].parent / "nope.pdf"))
    assert missing.returncode == 1 and "not found" in missing.stderr


def _completed_inspection(data_dir: Path) -> str:
    from inspector_app.services import inspections as insp_svc
    from inspector_app.services.templates import sync_forms
    from tests.services.helpers import answer_all, start

    ws = open_ws(data_dir)
    try:
        sync_forms(ws)
        insp_id, template = start(ws)
        answer_all(ws, insp_id, template)
        insp_svc.complete_inspection(ws, insp_id, actor="测试员")
    finally:
        ws.close()
    return insp_id


def test_report_sign_and_verify_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("inspector_app.services.reports")
    from inspector_app.services.hq_ca import ensure_demo_identity
    from inspector_app.services.identities import DEMO_INSPECTOR

    insp_id = _completed_inspection(data_dir)
    ensure_demo_identity(folder_ws(data_dir), "demo-passphrase")
    out = tmp_path / "signed.pdf"
    env = {"INSPECTOR_PASSPHRASE": "demo-passphrase"}
    r = run_main("report", insp_id[:8], "-o", str(out), "--sign", "--lang", "en",
                data_dir=data_dir, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert DEMO_INSPECTOR in r.stdout
    trust = str(data_dir / "ca" / "ca-cert.pem")
    v = run_main("verify", str(out), "--trust", trust, "--json")
    assert v.returncode == 0, v.stdout + v.stderr
    assert json.loads(v.stdout)["signer"] == DEMO_INSPECTOR
    pdfsig = tool("pdfsig", str(out)).stdout
    assert "Signature Validation: Signature is Valid." in pdfsig

    show = run_main("audit", "verify", data_dir=data_dir)
    assert show.returncode == 0, show.stderr
    wrong = run_main("report", insp_id, "-o", str(tmp_path / "x.pdf"), "--sign",
                    data_dir=data_dir, env={"INSPECTOR_PASSPHRASE": "wrong passphrase"})  # fmt: skip
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_only_a_listed_inspector_signs_the_report(data_dir: Path, tmp_path: Path) -> None:
    from inspector_app.services.hq_ca import ensure_demo_identity

    insp_id = _completed_inspection(data_dir)  # inspectors 王晓明 and 李娜
    ensure_demo_identity(
        folder_ws(data_dir), "demo-passphrase", names=["张伟"]
    )  # a key, not theirs
    env = {"INSPECTOR_PASSPHRASE": "demo-passphrase"}
    out = tmp_path / "r.pdf"
    nobody = run_main("report", insp_id, "-o", str(out), "--sign", data_dir=data_dir, env=env)
    assert nobody.returncode == 1 and "王晓明" in nobody.stderr and "--signer" in nobody.stderr
    outsider = run_main("report", insp_id, "-o", str(out), "--sign", "--signer", "张伟",
                       data_dir=data_dir, env=env)  # fmt: skip
    assert outsider.returncode == 1 and "not an inspector" in outsider.stderr
    assert "Traceback" not in outsider.stderr and not out.exists()
    # a listed inspector without a key here signs with a self-signed one made on first use
    listed = run_main("report", insp_id, "-o", str(out), "--sign", "--signer", "李娜",
                     data_dir=data_dir, env=env)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    v = run_main("verify", str(out), "--json")
    assert json.loads(v.stdout)["signer"] == "李娜"


def test_doctor_shows_the_signing_identity(data_dir: Path) -> None:
    from inspector_app.services.hq_ca import ensure_demo_identity

    ensure_demo_identity(folder_ws(data_dir), "demo-passphrase")
    r = run_main("doctor", "--json", data_dir=data_dir)
    signing = json.loads(r.stdout)["signing"]
    assert signing["identity"]["key_file_encrypted"] == "yes"
    assert signing["identity"]["kind"] == "hq-issued"

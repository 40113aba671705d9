"""PAdES signatures on real PDFs, checked by our verifier and by poppler's pdfsig (RELIABILITY A)."""

from __future__ import annotations

import hashlib
import io
import socket
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services import hq_ca, identities, report_signing
from inspector_app.services.errors import ServiceError
from inspector_app.signing import SigningError
from inspector_app.signing.pades import SignatureBox, sign_pdf_bytes, sign_pdf_file
from inspector_app.signing.verify import verify_pdf
from tests.conftest import folder_ws
from tests.signing import BOX, make_ca, make_identity, make_pdf, tool, unembedded_fonts, write_pem


@pytest.fixture(scope="module")
def hq() -> tuple[Any, Any]:
    return make_ca()


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory, hq: tuple[Any, Any]) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("signed")
    identity = make_identity(hq, name="王晓明")
    source = make_pdf(d / "report.pdf")
    result = sign_pdf_file(source, d / "signed.pdf", identity, box=BOX, reason="检查报告")
    return {
        "dir": d,
        "source": source,
        "path": d / "signed.pdf",
        "result": result,
        "ca": write_pem(d / "ca.pem", hq[1]),
    }


def test_signed_report_verifies_intact_valid_whole_file_and_trusted(signed: dict[str, Any]) -> None:
    path: Path = signed["path"]
    data = path.read_bytes()
    assert signed["result"].sha256 == hashlib.sha256(data).hexdigest()
    assert b"/ETSI.CAdES.detached" in data
    assert data.startswith(signed["source"].read_bytes())  # an incremental update of the report

    r = verify_pdf(path, [signed["ca"]])
    assert (r.intact, r.valid, r.trusted) == (True, True, True)
    assert r.coverage_entire_file and r.covers_whole_file_bytes
    assert (r.subfilter, r.md_algorithm, r.signer) == ("ETSI.CAdES.detached", "sha256", "王晓明")
    assert r.claimed_signing_time is not None and r.signatures == 1
    assert r.accepted and r.problems == []

    untrusted = verify_pdf(path, None)  # no trust given: nothing is trusted
    assert untrusted.intact and untrusted.valid and not untrusted.trusted
    assert untrusted.accepted and not untrusted.trust_checked


def test_pdfsig_says_the_signature_is_valid(signed: dict[str, Any]) -> None:
    out = tool("pdfsig", str(signed["path"]))
    assert "Signature Validation: Signature is Valid." in out.stdout, out.stdout + out.stderr
    assert "Signature Type: ETSI.CAdES.detached" in out.stdout
    assert "Total document signed" in out.stdout
    assert "王晓明" in out.stdout


def test_every_font_is_embedded(signed: dict[str, Any]) -> None:
    assert unembedded_fonts(signed["source"]) == []
    assert unembedded_fonts(signed["path"]) == []  # the stamp's font too


def test_the_stamp_shows_the_signers_name(signed: dict[str, Any]) -> None:
    text = tool("pdftotext", str(signed["path"]), "-").stdout
    assert "王晓明" in text and "PAdES" in text
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed["path"].read_bytes()))
    (sig,) = reader.embedded_signatures
    rect = [float(v) for v in sig.sig_field["/Rect"]]
    assert rect == [BOX.x1, BOX.y1, BOX.x2, BOX.y2]


def test_a_flipped_byte_is_not_intact(signed: dict[str, Any], tmp_path: Path) -> None:
    data = bytearray(signed["path"].read_bytes())
    at = data.index(b"Inspection report")
    data[at] ^= 0x20  # "inspection report": same length, offsets unchanged
    bad = tmp_path / "flipped.pdf"
    bad.write_bytes(bytes(data))
    r = verify_pdf(bad, [signed["ca"]])
    assert not r.intact and not r.accepted
    assert any("changed after signing" in p for p in r.problems)
    assert "Signature is Valid" not in tool("pdfsig", str(bad)).stdout


def test_an_incremental_update_after_signing_is_rejected(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed["path"].read_bytes()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (10, 10, 30, 30)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("added later"),
        }
    )
    page["/Annots"] = generic.ArrayObject([*page.get("/Annots", []), writer.add_object(annot)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    later = tmp_path / "later.pdf"
    later.write_bytes(out.getvalue())

    r = verify_pdf(later, [signed["ca"]])
    assert r.intact and r.valid and r.trusted  # the signed revision itself is untouched
    assert not r.coverage_entire_file and not r.covers_whole_file_bytes
    assert not r.accepted
    assert any("does not cover the whole file" in p for p in r.problems)


def test_a_certificate_from_another_ca_is_untrusted(signed: dict[str, Any], tmp_path: Path) -> None:
    foreign = make_ca("别处的根证书", "别处")
    identity = make_identity(foreign, name="冒名者")
    path = sign_pdf_file(signed["source"], tmp_path / "foreign.pdf", identity, box=BOX).path
    r = verify_pdf(path, [signed["ca"]])
    assert r.intact and r.valid and not r.trusted and not r.accepted
    assert any("trusted root" in p for p in r.problems)
    assert verify_pdf(path, [write_pem(tmp_path / "foreign-ca.pem", foreign[1])]).accepted


def test_a_self_signed_identity_is_valid_but_untrusted(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    identity = make_identity(None, name="李娜")
    path = sign_pdf_file(signed["source"], tmp_path / "self.pdf", identity, box=BOX).path
    r = verify_pdf(path, [signed["ca"]])
    assert r.intact and r.valid and r.whole_file and not r.trusted and not r.accepted
    plain = verify_pdf(path, None)
    assert plain.intact and plain.valid and not plain.trusted
    assert "Signature is Valid" in tool("pdfsig", str(path)).stdout


def test_verification_opens_no_connection(
    signed: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_a: Any, **_k: Any) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    r = verify_pdf(signed["path"], [signed["ca"]])
    assert r.accepted and r.trusted


def test_signing_is_the_last_write_and_the_output_is_atomic(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"the previous report")
    identity = make_identity(None)
    with pytest.raises(SigningError):  # the box is on a page the report does not have
        sign_pdf_file(signed["source"], target, identity, box=SignatureBox(3, 10, 10, 200, 80))
    assert target.read_bytes() == b"the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]  # no temporary file left

    done = sign_pdf_file(signed["source"], target, identity, box=BOX)
    assert target.read_bytes()[-6:].strip().endswith(b"%%EOF")
    assert verify_pdf(done.path, None).whole_file


def test_an_already_signed_pdf_is_not_signed_again(signed: dict[str, Any]) -> None:
    with pytest.raises(SigningError, match="already signed"):
        sign_pdf_bytes(signed["path"].read_bytes(), make_identity(None), box=BOX)


def test_a_file_that_is_not_a_signed_pdf(tmp_path: Path, signed: dict[str, Any]) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    r = verify_pdf(junk, None)
    assert not r.accepted and r.problems
    r = verify_pdf(signed["source"], None)
    assert not r.accepted and r.signatures == 0
    with pytest.raises(SigningError, match="not found"):
        verify_pdf(tmp_path / "missing.pdf", None)


# -- the use case: sign an inspection's report and record it against the revision -------------


@pytest.fixture
def completed(ws: Any) -> str:
    from inspector_app.services import inspections as insp_svc
    from tests.services.helpers import answer_all, start

    insp_id, template = start(ws)
    answer_all(ws, insp_id, template)
    insp_svc.complete_inspection(ws, insp_id, actor="测试员")
    return insp_id


def _report_signed_rows(ws: Any) -> list[Any]:
    with ws.db.session() as s:
        return list(
            s.connection().exec_driver_sql(
                "SELECT entity_id, field, new FROM audit_log WHERE action = 'report_signed'"
            )
        )


def test_sign_report_records_the_file_against_the_revision(
    ws: Any, data_dir: Path, completed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from inspector_app.store.audit import verify_chain

    out = tmp_path / "out" / "report.pdf"
    res = report_signing.sign_report(
        ws, completed, out, passphrase="a passphrase", lang="en", signer="李娜"
    )
    assert res.identity_created and res.self_signed and res.signer == "李娜"
    assert res.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    r = verify_pdf(out, None)
    assert r.accepted and r.signer == "李娜"

    ((entity_id, field, new),) = _report_signed_rows(ws)
    new = json.loads(new)
    assert (entity_id, field) == (completed, "report")
    assert new["revision"] == 1 and new["sha256"] == res.sha256
    assert new["report_number"] == res.report_number and res.report_number.startswith("WH-")
    assert new["data_hash"] == res.data_hash and new["signer"] == "李娜"
    with ws.db.session() as s:
        assert verify_chain(s).ok


def test_sign_report_refuses_and_records_nothing(
    ws: Any, data_dir: Path, completed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector_app.services import inspections as insp_svc
    from tests.services.helpers import start

    identities.init_identity(folder_ws(data_dir), passphrase="a passphrase", name="王晓明")
    out = tmp_path / "r.pdf"
    with pytest.raises(identities.PassphraseRejected):
        report_signing.sign_report(ws, completed, out, passphrase="the wrong one")
    draft, _t = start(ws, code="PB-T2")
    with pytest.raises(ServiceError, match="completed"):
        report_signing.sign_report(ws, draft, out, passphrase="a passphrase")
    insp_svc.amend_inspection(ws, completed, reason="typo", actor="测试员")
    with pytest.raises(ServiceError, match="completed"):
        report_signing.sign_report(ws, completed, out, passphrase="a passphrase")
    assert not out.exists() and _report_signed_rows(ws) == []


def test_only_a_listed_inspector_signs(
    ws: Any, data_dir: Path, completed: str, tmp_path: Path
) -> None:
    """The inspection's inspectors are 王晓明 and 李娜; a key for anyone else never signs it."""
    out = tmp_path / "r.pdf"
    identities.init_identity(folder_ws(data_dir), passphrase="a passphrase", name="张伟")
    with pytest.raises(report_signing.NotAnInspector, match="王晓明"):
        report_signing.sign_report(ws, completed, out, passphrase="a passphrase", actor="张伟")
    with pytest.raises(report_signing.NotAnInspector, match="not an inspector"):
        report_signing.sign_report(ws, completed, out, passphrase="a passphrase", signer="张伟")
    assert not out.exists() and _report_signed_rows(ws) == []
    # the person at the keyboard, when listed, signs with a key made on first use
    res = report_signing.sign_report(ws, completed, out, passphrase="a passphrase", actor="王晓明")
    assert res.signer == "王晓明" and res.identity_created
    assert identities.identity_names(folder_ws(data_dir)) == ["张伟", "王晓明"]
    # and later the first listed inspector with a key here signs by default
    again = report_signing.sign_report(ws, completed, out, passphrase="a passphrase", actor="x")
    assert again.signer == "王晓明" and not again.identity_created


def test_sign_report_with_the_real_report_builder(
    ws: Any, data_dir: Path, completed: str, tmp_path: Path
) -> None:
    hq_ca.ensure_demo_identity(folder_ws(data_dir), "demo-passphrase")
    out = tmp_path / "report.pdf"
    res = report_signing.sign_report(ws, completed, out, passphrase="demo-passphrase", lang="zh")
    ca_pem = data_dir / "ca" / "ca-cert.pem"
    r = verify_pdf(out, [ca_pem])
    assert r.accepted and r.trusted and r.signer == identities.DEMO_INSPECTOR
    assert not res.self_signed and res.report_number
    assert "Signature is Valid" in tool("pdfsig", str(out)).stdout
    assert identities.DEMO_INSPECTOR in tool("pdftotext", str(out), "-").stdout


@pytest.mark.parametrize("usage", ["digital_signature", "content_commitment"])
def test_a_certificate_without_both_signing_usages_is_not_trusted(
    signed: dict[str, Any], hq: tuple[Any, Any], tmp_path: Path, usage: str
) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    from inspector_app.signing import keys
    from inspector_app.signing.pades import SigningIdentity

    ca_key, ca_cert = hq
    key = keys.generate_private_key()
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags[usage] = True
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "一半用途")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.KeyUsage(**flags), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    identity = SigningIdentity(key, cert, (ca_cert,))
    data = sign_pdf_bytes(signed["source"].read_bytes(), identity, box=BOX)
    path = tmp_path / "usage.pdf"
    path.write_bytes(data)
    r = verify_pdf(path, [signed["ca"]])
    assert r.intact and r.valid and not r.trusted and not r.accepted
    assert any("not for signing" in p for p in r.problems)


def test_a_changed_signer_certificate_inside_the_signature_is_rejected(
    signed: dict[str, Any], tmp_path: Path
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = signed["path"].read_bytes()
    (sig,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    hex_leaf = sig.signer_cert.dump().hex().upper().encode()
    assert data.count(hex_leaf) == 1  # embedded once, so no spare copy hides a change
    at = data.index(hex_leaf) + len(hex_leaf) // 3  # inside the to-be-signed part
    bad = bytearray(data)
    bad[at] = ord("0") if bad[at] != ord("0") else ord("1")
    path = tmp_path / "leaf.pdf"
    path.write_bytes(bytes(bad))
    r = verify_pdf(path, [signed["ca"]])
    assert not r.accepted and r.problems

"""Keys at rest (RELIABILITY E23) and the certificate profiles of the HQ CA (A4)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector_app.services import hq_ca, identities
from inspector_app.signing import SigningError, WrongPassphrase, ca, keys
from tests.conftest import folder_ws

PASS = "correct horse battery"


def _der(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


# -- keys at rest -------------------------------------------------------------------------------


def test_key_file_is_encrypted_at_rest(tmp_path: Path) -> None:
    key = keys.generate_private_key()
    path = tmp_path / "k.json"
    info = keys.write_key_file(path, key, PASS)
    data = path.read_bytes()

    der = _der(key)
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    assert der not in data and raw not in data
    assert base64.b64encode(der) not in data  # not even base64 of the plaintext DER
    assert b"PRIVATE KEY" not in data and PASS.encode() not in data
    doc = json.loads(data)
    assert doc["kdf"]["name"] == "argon2id"
    assert doc["kdf"]["memory_cost_kib"] >= 19 * 1024
    assert doc["kdf"]["iterations"] >= 2 and doc["kdf"]["lanes"] == 1
    assert (
        doc["cipher"]["name"] == "aes-256-gcm"
        and len(base64.b64decode(doc["cipher"]["nonce"])) == 12
    )
    assert len(base64.b64decode(doc["kdf"]["salt"])) == 16
    assert info.encrypted and info.fingerprint == keys.public_key_fingerprint(key.public_key())
    assert path.stat().st_mode & 0o077 == 0  # created private (mkstemp) and kept so


def test_right_passphrase_opens_wrong_one_fails(tmp_path: Path) -> None:
    key = keys.generate_private_key()
    path = tmp_path / "k.json"
    keys.write_key_file(path, key, PASS)
    assert _der(keys.load_key_file(path, PASS)) == _der(key)
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        keys.load_key_file(path, "correct horse battery!")
    with pytest.raises(SigningError):
        keys.load_key_file(path, "")


def test_passphrase_is_unicode_normalised(tmp_path: Path) -> None:
    key = keys.generate_private_key()
    path = tmp_path / "k.json"
    keys.write_key_file(path, key, "café 检查员 口令")  # precomposed é
    assert keys.load_key_file(path, "cafe\u0301 检查员 口令")  # e + combining acute


def test_altered_header_fails_even_with_the_right_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "k.json"
    keys.write_key_file(path, keys.generate_private_key(), PASS)
    doc = json.loads(path.read_bytes())
    doc["kdf"]["iterations"] = 4  # still in range, but bound to the ciphertext as AAD
    path.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphrase):
        keys.load_key_file(path, PASS)

    other = keys.generate_private_key().public_key()
    keys.write_key_file(path, keys.generate_private_key(), PASS)
    doc = json.loads(path.read_bytes())
    doc["public_key"] = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    doc["public_key_sha256"] = keys.public_key_fingerprint(other)
    path.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphrase):
        keys.load_key_file(path, PASS)


@pytest.mark.parametrize(
    ("field", "value"),
    [("memory_cost_kib", 1024), ("iterations", 1), ("memory_cost_kib", 2**30), ("lanes", 64)],
)
def test_weak_or_hostile_kdf_parameters_are_refused(tmp_path: Path, field: str, value: int) -> None:
    path = tmp_path / "k.json"
    keys.write_key_file(path, keys.generate_private_key(), PASS)
    doc = json.loads(path.read_bytes())
    doc["kdf"][field] = value
    path.write_text(json.dumps(doc))
    with pytest.raises(SigningError, match="out of range"):
        keys.load_key_file(path, PASS)


def test_scrypt_files_are_read_too(tmp_path: Path) -> None:
    key = keys.generate_private_key()
    data = keys.encrypt_private_key(key, PASS, kdf_name="scrypt")
    doc = json.loads(data)
    assert (doc["kdf"]["name"], doc["kdf"]["n"], doc["kdf"]["r"]) == ("scrypt", 2**15, 8)
    assert _der(keys.decrypt_private_key(data, PASS)) == _der(key)
    with pytest.raises(WrongPassphrase):
        keys.decrypt_private_key(data, "not the passphrase")


def test_plaintext_and_foreign_files_are_refused(tmp_path: Path) -> None:
    pem = tmp_path / "plain.pem"
    pem.write_bytes(
        keys.generate_private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(SigningError, match="unencrypted private key"):
        keys.load_key_file(pem, PASS)
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "something else"}')
    with pytest.raises(SigningError, match="not an Inspector key file"):
        keys.read_key_info(junk)
    with pytest.raises(SigningError, match="not found"):
        keys.read_key_info(tmp_path / "missing.json")


def test_short_passphrases_are_refused_for_new_keys() -> None:
    with pytest.raises(SigningError, match="at least 8"):
        keys.check_new_passphrase("short")


# -- certificate profiles -----------------------------------------------------------------------


def _usage(cert: x509.Certificate) -> x509.KeyUsage:
    ext = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ext.critical
    return ext.value


def test_ca_certificate_profile() -> None:
    key = keys.generate_private_key()
    cert = ca.make_ca_certificate(key, common_name="测试·HQ 根证书", organisation="测试局")
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length == 0
    usage = _usage(cert)
    assert usage.key_cert_sign and usage.crl_sign
    assert not usage.digital_signature and not usage.content_commitment
    life = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=3650) <= life <= dt.timedelta(days=3653)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    assert ca.is_self_signed(cert) and ca.is_ca(cert)


def test_inspector_certificate_profile() -> None:
    ca_key = keys.generate_private_key()
    ca_cert = ca.make_ca_certificate(ca_key, common_name="测试·HQ 根证书")
    key = keys.generate_private_key()
    cert = ca.issue_inspector_certificate(ca_key, ca_cert, key.public_key(), common_name="王晓明")
    usage = _usage(cert)
    assert usage.digital_signature and usage.content_commitment  # nonRepudiation
    assert not usage.key_cert_sign and not usage.crl_sign and not usage.key_encipherment
    assert not ca.is_ca(cert)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=731)
    assert cert.issuer == ca_cert.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "王晓明"
    cert.verify_directly_issued_by(ca_cert)
    assert not ca.is_self_signed(cert)
    with pytest.raises(SigningError, match="at most 2 years"):
        ca.issue_inspector_certificate(
            ca_key, ca_cert, key.public_key(), common_name="x", validity=dt.timedelta(days=800)
        )
    with pytest.raises(SigningError, match="does not belong"):
        ca.issue_inspector_certificate(
            keys.generate_private_key(), ca_cert, key.public_key(), common_name="x"
        )


def test_inspector_certificate_never_outlives_the_ca() -> None:
    ca_key = keys.generate_private_key()
    ten_years_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3600)
    ca_cert = ca.make_ca_certificate(ca_key, common_name="old root", now=ten_years_ago)
    cert = ca.issue_inspector_certificate(
        ca_key, ca_cert, keys.generate_private_key().public_key(), common_name="王晓明"
    )
    assert cert.not_valid_after_utc <= ca_cert.not_valid_after_utc


def test_self_signed_laptop_certificate() -> None:
    key = keys.generate_private_key()
    cert = ca.make_self_signed_certificate(key, common_name="李娜")
    usage = _usage(cert)
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert ca.is_self_signed(cert) and not ca.is_ca(cert)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=731)


def test_only_p256_keys() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SigningError, match="P-256"):
        keys.encrypt_private_key(rsa_key, PASS)  # type: ignore[arg-type]
    ca_key = keys.generate_private_key()
    ca_cert = ca.make_ca_certificate(ca_key, common_name="root")
    with pytest.raises(SigningError, match="P-256"):
        ca.issue_inspector_certificate(ca_key, ca_cert, rsa_key.public_key(), common_name="x")


def test_key_requests(tmp_path: Path) -> None:
    key = keys.generate_private_key()
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "张伟")]))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "r.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
    req = ca.load_key_request(tmp_path / "r.csr")
    assert (req.kind, req.proven, req.suggested_name) == ("csr", True, "张伟")
    assert keys.public_key_fingerprint(req.public_key) == keys.public_key_fingerprint(
        key.public_key()
    )

    cert = ca.make_self_signed_certificate(key, common_name="张伟")
    (tmp_path / "self.pem").write_bytes(ca.certificates_pem([cert]))
    req = ca.load_key_request(tmp_path / "self.pem")
    assert (req.kind, req.proven) == ("certificate", True)

    (tmp_path / "pub.pem").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    req = ca.load_key_request(tmp_path / "pub.pem")
    assert (req.kind, req.proven) == ("public_key", False)

    (tmp_path / "junk.pem").write_text("-----BEGIN NOTHING-----\n-----END NOTHING-----\n")
    with pytest.raises(SigningError):
        ca.load_key_request(tmp_path / "junk.pem")


# -- the services: identity, CA, demo, doctor ---------------------------------------------------


def test_init_identity_writes_an_encrypted_self_signed_identity(data_dir: Path) -> None:
    assert identities.identity_status(folder_ws(data_dir)) is None
    status = identities.init_identity(folder_ws(data_dir), passphrase=PASS, name="王晓明")
    assert status["subject_cn"] == "王晓明" and status["kind"] == "self-signed"
    assert status["key_encrypted"] and status["certificate_matches_key"]
    assert status["problems"] == []
    key_file = data_dir / "signing" / "identity-key.json"
    assert b"PRIVATE KEY" not in key_file.read_bytes()
    identity = identities.load_identity(folder_ws(data_dir), PASS)
    assert identity.name == "王晓明"
    with pytest.raises(identities.PassphraseRejected, match="wrong passphrase"):
        identities.load_identity(folder_ws(data_dir), "nope nope nope")
    with pytest.raises(identities.SigningRefused, match="already exists"):
        identities.init_identity(folder_ws(data_dir), passphrase=PASS, name="王晓明")
    identities.init_identity(folder_ws(data_dir), passphrase=PASS, name="王晓明", replace=True)
    assert len(list((data_dir / "signing").glob("identity-key.json.*.old"))) == 1
    # a second inspector on the same laptop gets an identity of their own
    identities.init_identity(folder_ws(data_dir), passphrase="another passphrase", name="李娜")
    assert identities.identity_names(folder_ws(data_dir)) == ["王晓明", "李娜"]
    assert identities.identity_status(folder_ws(data_dir))["subject_cn"] == "王晓明"  # type: ignore[index]
    assert identities.identity_status(folder_ws(data_dir), "李娜")["subject_cn"] == "李娜"  # type: ignore[index]
    assert (
        identities.load_identity(folder_ws(data_dir), "another passphrase", "李娜").name == "李娜"
    )
    with pytest.raises(identities.PassphraseRejected):
        identities.load_identity(folder_ws(data_dir), PASS, "李娜")
    with pytest.raises(identities.SigningRefused, match="no signing key for 张伟"):
        identities.load_identity(folder_ws(data_dir), PASS, "张伟")


def test_ca_issue_bundle_and_import_on_the_laptop(tmp_path: Path) -> None:
    hq, laptop, out = tmp_path / "hq", tmp_path / "laptop", tmp_path / "out"
    status = hq_ca.init_ca(
        folder_ws(hq), passphrase=PASS, name="测试·HQ 根证书", organisation="测试局"
    )
    assert status["self_signed"] and status["subject_cn"] == "测试·HQ 根证书"
    with pytest.raises(identities.SigningRefused, match="already exists"):
        hq_ca.init_ca(folder_ws(hq), passphrase=PASS)
    with pytest.raises(identities.PassphraseRejected):
        hq_ca.issue_certificate(
            folder_ws(hq),
            name="张伟",
            passphrase="wrong passphrase",
            out_dir=out,
            new_key_passphrase=PASS,
        )
    issued = hq_ca.issue_certificate(
        folder_ws(hq),
        name="张伟",
        passphrase=PASS,
        out_dir=out,
        new_key_passphrase="laptop passphrase",
    )
    assert issued.key_file is not None and issued.key_file.exists()
    assert b"PRIVATE KEY" not in issued.key_file.read_bytes()
    certs = ca.load_certificates(issued.certificate_file)
    assert [ca.common_name(c.subject) for c in certs] == ["张伟", "测试·HQ 根证书"]
    assert (hq / "ca" / "issued" / f"{issued.serial}.pem").exists()

    after = identities.import_certificate(
        folder_ws(laptop), issued.certificate_file, key_file=issued.key_file
    )
    assert after["kind"] == "hq-issued" and after["subject_cn"] == "张伟"
    assert after["chain"] == ["测试·HQ 根证书"]
    assert identities.load_identity(folder_ws(laptop), "laptop passphrase").name == "张伟"


def test_ca_issue_for_a_laptop_request(tmp_path: Path) -> None:
    hq, laptop, out = tmp_path / "hq", tmp_path / "laptop", tmp_path / "out"
    hq_ca.init_ca(folder_ws(hq), passphrase=PASS, name="测试·HQ 根证书")
    own = identities.init_identity(folder_ws(laptop), passphrase="laptop passphrase", name="刘洋")
    issued = hq_ca.issue_certificate(
        folder_ws(hq),
        name="刘洋",
        passphrase=PASS,
        out_dir=out,
        request=Path(own["certificate_file"]),
    )
    assert issued.key_file is None and issued.from_request == "certificate"
    status = identities.import_certificate(folder_ws(laptop), issued.certificate_file)
    assert status["kind"] == "hq-issued" and status["certificate_matches_key"]
    # a certificate for some other key is refused
    other = hq_ca.issue_certificate(
        folder_ws(hq), name="刘洋", passphrase=PASS, out_dir=out, new_key_passphrase=PASS
    )
    with pytest.raises(identities.SigningRefused, match="belongs to the key"):
        identities.import_certificate(folder_ws(laptop), other.certificate_file)


def test_a_certificate_in_another_name_moves_a_second_identity_to_that_name(
    tmp_path: Path,
) -> None:
    """HQ issues the certificate for the key of the laptop's second identity (刘洋) in the
    name it knows (张伟): the identity becomes 张伟's, in 张伟's place, and signs as 张伟. It
    was written into 刘洋's files, then an AssertionError (a traceback on `keys import-cert`),
    leaving neither 刘洋 nor 张伟 able to sign."""
    hq, laptop, out = tmp_path / "hq", tmp_path / "laptop", tmp_path / "out"
    hq_ca.init_ca(folder_ws(hq), passphrase=PASS, name="测试·HQ 根证书")
    identities.init_identity(folder_ws(laptop), passphrase="laptop passphrase", name="王晓明")
    second = identities.init_identity(
        folder_ws(laptop), passphrase="second passphrase", name="刘洋"
    )
    assert "people" in second["key_file"]
    issued = hq_ca.issue_certificate(
        folder_ws(hq),
        name="张伟",
        passphrase=PASS,
        out_dir=out,
        request=Path(second["certificate_file"]),
    )
    status = identities.import_certificate(folder_ws(laptop), issued.certificate_file)
    assert status["subject_cn"] == "张伟" and status["kind"] == "hq-issued"
    assert status["certificate_matches_key"]
    assert identities.identity_names(folder_ws(laptop)) == ["王晓明", "张伟"]
    identity = identities.load_identity(folder_ws(laptop), "second passphrase", "张伟")
    assert identity.name == "张伟"
    assert ca.common_name(identity.certificate.issuer) == "测试·HQ 根证书"
    assert [s["subject_cn"] for s in identities.identities_status(folder_ws(laptop))] == [
        "王晓明",
        "张伟",
    ]
    assert not Path(second["key_file"]).exists()  # moved: one key, one name
    assert list(Path(second["key_file"]).parent.glob("*.old"))  # the old files kept beside


def test_a_certificate_out_of_its_place_is_no_identity(tmp_path: Path) -> None:
    """A certificate file under signing/people/ that is not in its name's place (a copy, a
    planted file) names nobody who can sign here: listing it made `report --sign` ask for
    "the passphrase of the signing key of 张伟" and then make a new self-signed key with it."""
    hq, laptop, out = tmp_path / "hq", tmp_path / "laptop", tmp_path / "out"
    hq_ca.init_ca(folder_ws(hq), passphrase=PASS, name="测试·HQ 根证书")
    identities.init_identity(folder_ws(laptop), passphrase=PASS, name="王晓明")
    issued = hq_ca.issue_certificate(
        folder_ws(hq), name="张伟", passphrase=PASS, out_dir=out, new_key_passphrase=PASS
    )
    people = laptop / "signing" / "people"
    people.mkdir(parents=True, exist_ok=True)
    (people / "copy-cert.pem").write_bytes(issued.certificate_file.read_bytes())
    (people / "copy-key.json").write_bytes(issued.key_file.read_bytes())  # type: ignore[union-attr]
    assert identities.identity_names(folder_ws(laptop)) == ["王晓明"]
    assert [s["subject_cn"] for s in identities.identities_status(folder_ws(laptop))] == ["王晓明"]


def test_demo_identity_is_made_once(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSPECTOR_PASSPHRASE", raising=False)
    first = hq_ca.ensure_demo_identity(
        folder_ws(data_dir), names=[identities.DEMO_INSPECTOR, "李娜"]
    )
    assert first["ca"] and first["identity"]
    status = first["identity_status"]
    assert status["subject_cn"] == identities.DEMO_INSPECTOR and status["kind"] == "hq-issued"
    files = {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}
    assert first["identities"] == [identities.DEMO_INSPECTOR, "李娜"]
    assert identities.identity_status(folder_ws(data_dir), "李娜")["kind"] == "hq-issued"  # type: ignore[index]
    again = hq_ca.ensure_demo_identity(
        folder_ws(data_dir), names=[identities.DEMO_INSPECTOR, "李娜"]
    )
    assert not again["ca"] and not again["identity"]
    assert {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()} == files
    assert (
        identities.load_identity(folder_ws(data_dir), identities.DEMO_PASSPHRASE).name
        == identities.DEMO_INSPECTOR
    )


def test_doctor_reports_the_identity(data_dir: Path) -> None:
    from inspector_app.services.doctor import run_doctor

    assert run_doctor(data_dir)["signing"] == {"identity": None, "identities": [], "ca": None}
    hq_ca.ensure_demo_identity(folder_ws(data_dir), "demo-passphrase")
    signing = run_doctor(data_dir)["signing"]
    ident = signing["identity"]
    assert ident["subject_cn"] == identities.DEMO_INSPECTOR
    assert ident["issuer"] == identities.DEMO_CA_NAME and ident["kind"] == "hq-issued"
    assert ident["key_file_encrypted"] == "yes" and ident["kdf"] == "argon2id"
    assert dt.datetime.fromisoformat(ident["valid_until"]) > dt.datetime.now(dt.UTC)
    assert signing["ca"]["subject_cn"] == identities.DEMO_CA_NAME

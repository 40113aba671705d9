"""Offline verification of a signed report (RELIABILITY A2, A4).

pyHanko's ``validate_pdf_signature`` with ``ValidationContext(trust_roots=[...],
allow_fetching=False)``: nothing is fetched, and with no trust roots given nothing is
trusted (the operating system's list is never consulted). The experimental diff analysis
is skipped; instead the signature must cover the entire file, so any byte appended after
signing (an incremental update) is a rejection. Accepted means intact, valid and covering
the whole file, and trusted as well when trust roots were given.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from inspector_app.fsutil import FileRefused, read_regular
from inspector_app.i18n import _
from inspector_app.signing import SigningError
from inspector_app.signing.ca import common_name, load_certificates

MAX_PDF_BYTES = 512 * 1024 * 1024
# A report has one signature field; pyHanko reads every field of the form to find the
# signatures (100,000 empty ones: 14 s, 370 MB), so a form that big is refused first.
MAX_FORM_FIELDS = 1000

# pyHanko logs a traceback for every certificate it cannot chain (an untrusted signer is an
# expected answer here, reported in the result); keep those out of the user's terminal.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


@dataclass
class VerifyResult:
    path: str
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer: str | None = None
    signer_issuer: str | None = None
    claimed_signing_time: dt.datetime | None = None  # the signer's own clock: a claim
    coverage_entire_file: bool = False  # pyHanko: SignatureCoverageLevel.ENTIRE_FILE
    covers_whole_file_bytes: bool = False  # our own check of /ByteRange against the file
    subfilter: str | None = None
    md_algorithm: str | None = None
    signatures: int = 0
    trust_checked: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def whole_file(self) -> bool:
        return self.coverage_entire_file and self.covers_whole_file_bytes

    @property
    def accepted(self) -> bool:
        """Intact, valid, the only signature, PAdES, covering the whole file (the last write);
        trusted too when trust roots were given. Any listed problem refuses."""
        ok = self.intact and self.valid and self.whole_file and self.signatures == 1
        return ok and (self.trusted or not self.trust_checked) and not self.problems

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["claimed_signing_time"] = (
            self.claimed_signing_time.isoformat() if self.claimed_signing_time else None
        )
        d["accepted"] = self.accepted
        return d


def _asn1_certs(paths: list[Path]) -> list[Any]:
    from asn1crypto import x509 as asn1_x509

    certs = []
    for p in paths:
        for c in load_certificates(p):
            certs.append(asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)))
    return certs


def _byte_range_covers(sig_object: Any, file_size: int, contents_len: int) -> bool:
    """/ByteRange is [0, a, b, c] with b + c == file size and only /Contents left out."""
    try:
        br = [int(x) for x in sig_object["/ByteRange"]]
    except (KeyError, TypeError, ValueError):
        return False
    if len(br) != 4:
        return False
    start, first_len, second_start, second_len = br
    hole = second_start - first_len
    return (
        start == 0
        and first_len > 0
        and second_start > first_len
        and second_start + second_len == file_size
        and hole == contents_len
    )


def _only_padding_after_signature(contents: bytes) -> bool:
    """/Contents is the DER of the CMS object followed by zero padding, nothing else."""
    if len(contents) < 2 or contents[0] != 0x30:
        return False
    first = contents[1]
    if first < 0x80:
        end = 2 + first
    else:
        n = first & 0x7F
        if not 1 <= n <= 4 or len(contents) < 2 + n:
            return False
        end = 2 + n + int.from_bytes(contents[2 : 2 + n], "big")
    return end <= len(contents) and not any(contents[end:])


def _signer_key_usage_ok(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.digital_signature and usage.content_commitment)


def _form_fields_over(reader: Any, cap: int) -> bool:
    """True if the form (its fields and their kids) has more than ``cap`` fields; at most
    ``cap`` of them are read to tell."""
    from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject

    def resolved(value: Any) -> Any:
        return value.get_object() if hasattr(value, "get_object") else value

    form = resolved(reader.root.get("/AcroForm"))
    if not isinstance(form, DictionaryObject):
        return False
    todo, counted = [form.get("/Fields")], 0
    while todo:
        fields = resolved(todo.pop())
        if not isinstance(fields, ArrayObject):
            continue
        counted += len(fields)  # before reading any of them
        if counted > cap:
            return True
        for node in map(resolved, fields):
            if isinstance(node, DictionaryObject) and "/Kids" in node:
                todo.append(node.get("/Kids"))
    return False


def verify_pdf(path: Path, trust_roots: list[Path] | None = None) -> VerifyResult:
    """Verify the signature of ``path``. Problems are listed in the result, not raised;
    an unreadable trust file or PDF path raises ``SigningError``."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import (
        KeyUsageConstraints,
        SignatureCoverageLevel,
        validate_pdf_signature,
    )
    from pyhanko_certvalidator import ValidationContext

    result = VerifyResult(path=str(path), trust_checked=bool(trust_roots))
    roots = _asn1_certs(list(trust_roots or []))
    try:
        # a regular file only (/dev/zero or a FIFO is refused before it is opened), and the
        # cap is on the bytes actually read
        data = read_regular(path, MAX_PDF_BYTES)
    except FileNotFoundError:
        raise SigningError(_("file not found: {file}", file=path)) from None
    except FileRefused as exc:
        if exc.too_large:
            result.problems.append(_("the file is too large to verify"))
            return result
        raise SigningError(
            _("{file}: cannot read the file: {error}", file=path, error=exc)
        ) from None
    except OSError as exc:
        raise SigningError(
            _("{file}: cannot read the file: {error}", file=path, error=exc)
        ) from None

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if _form_fields_over(reader, MAX_FORM_FIELDS):
            result.problems.append(
                _(
                    "the file has more than {n} form fields; a report has one signature field",
                    n=MAX_FORM_FIELDS,
                )
            )
            return result
        sigs = reader.embedded_regular_signatures
    except Exception as exc:  # any parse failure of an untrusted file is a rejection
        result.problems.append(_("not a readable PDF: {error}", error=exc))
        return result
    result.signatures = len(sigs)
    if not sigs:
        result.problems.append(_("the file has no signature"))
        return result
    if len(sigs) > 1:
        result.problems.append(
            _("the file has {n} signatures; a report carries exactly one", n=len(sigs))
        )
    embedded = sigs[-1]
    try:
        result.subfilter = str(embedded.sig_object.get("/SubFilter", "")).lstrip("/") or None
        contents = bytes(embedded.sig_object.raw_get("/Contents").original_bytes)
    except (PdfError, KeyError, AttributeError, TypeError, ValueError):
        contents = b""
    result.covers_whole_file_bytes = _byte_range_covers(
        embedded.sig_object, len(data), len(contents) * 2 + 2 if contents else -1
    )
    if contents and not _only_padding_after_signature(contents):
        # the hole in the byte range is unsigned: past the signature it must stay zeros
        result.problems.append(_("the signature field holds data after the signature"))

    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    # pyHanko's own requirement (nonRepudiation); pyHanko 0.38 drops match_all_key_usages
    # when it merges constraints, so digitalSignature is checked below, by us.
    usage = KeyUsageConstraints(key_usage={"non_repudiation"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyHanko's own notices are not ours to raise
            status = validate_pdf_signature(
                embedded,
                signer_validation_context=context,
                key_usage_settings=usage,
                skip_diff=True,
            )
    except Exception as exc:  # hostile or broken input: a rejection, never a crash
        result.problems.append(_("the signature cannot be checked: {error}", error=exc))
        return result

    result.intact = bool(status.intact)
    result.valid = bool(status.valid)
    result.trusted = bool(status.trusted) and bool(roots)
    result.md_algorithm = status.md_algorithm
    result.claimed_signing_time = status.signer_reported_dt
    result.coverage_entire_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    result.signer = common_name(cert.subject)
    result.signer_issuer = common_name(cert.issuer)
    usage_ok = _signer_key_usage_ok(cert)
    result.trusted = result.trusted and usage_ok
    if not usage_ok:
        result.problems.append(
            _(
                "the signer's certificate is not for signing (needs digitalSignature and "
                "nonRepudiation)"
            )
        )

    if not result.intact:
        result.problems.append(_("the signed content was changed after signing"))
    elif not result.valid:
        result.problems.append(_("the signature does not match the signer's certificate"))
    if not result.coverage_entire_file or not result.covers_whole_file_bytes:
        result.problems.append(
            _("the signature does not cover the whole file: something was added after signing")
        )
    if result.subfilter != "ETSI.CAdES.detached":
        result.problems.append(
            _("not a PAdES signature (subfilter {value})", value=result.subfilter)
        )
    if roots and not result.trusted and usage_ok:
        if status.revoked:
            result.problems.append(_("the signer's certificate is revoked"))
        else:
            result.problems.append(_("the signer's certificate does not chain to a trusted root"))
    return result

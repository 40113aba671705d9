"""PAdES baseline B-B signatures in a visible field, as the last write (RELIABILITY A1, A3).

The report builder reserves a box on a page; here pyHanko adds a signature field there
(``append_signature_field``) and signs it with ``subfilter=PADES`` and SHA-256. The field
shows a ``TextStampStyle`` stamp with the signer's name and the claimed signing time, set in
the bundled Chinese font, embedded as a TrueType subset (so names in Chinese render, and
no font stays unembedded). Nothing is written to the file after the signature: its byte
range covers the whole file. The signed bytes are checked, then written atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from inspector_app import timefmt
from inspector_app.i18n import _, tr
from inspector_app.signing import SigningError
from inspector_app.signing.ca import common_name, public_key_matches

FIELD_NAME = "InspectorSignature"
STAMP_FONT_SIZE = 9
TIME_FORMAT = timefmt.SECONDS  # the stamp's %(ts)s: the signing time in the display zone
_TS = "\x00ts\x00"  # stands for pyHanko's %(ts)s while the stamp text is escaped


@dataclass(frozen=True)
class SignatureBox:
    """Where the visible signature goes: 0-based page index and (x1, y1, x2, y2) in points."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    def __post_init__(self) -> None:
        if self.page < 0 or self.x2 - self.x1 < 20 or self.y2 - self.y1 < 10:
            raise SigningError(
                _("the signature box {box} is not usable", box=(self.page, *self.rect))
            )

    @property
    def rect(self) -> tuple[int, int, int, int]:
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))


@dataclass(frozen=True)
class SigningIdentity:
    """A private key with its certificate and the certificates above it (root last)."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        if not public_key_matches(self.certificate, self.key):
            raise SigningError(_("the signing key does not belong to the certificate"))

    @property
    def name(self) -> str:
        return common_name(self.certificate.subject)


@dataclass(frozen=True)
class SignedFile:
    path: Path
    sha256: str
    size: int
    signer: str
    signed_at: dt.datetime  # claimed by this laptop's clock


# -- the stamp font: the bundled TrueType face as an embedded subset ----------------------


def _font_engine_factory(font_size: int) -> Any:
    """A pyHanko font engine factory for the bundled WenQuanYi face (reportlab subsetting).

    pyHanko's own TrueType engine needs fontTools and HarfBuzz; the app already ships
    reportlab, whose subsetter makes the same kind of simple TrueType subset it embeds in
    report PDFs. A stamp's few dozen characters fit one 255-glyph subset.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory, ShapeResult
    from reportlab.pdfbase.ttfonts import makeToUnicodeCMap

    from inspector_app.fonts import FONT_PATH, FONT_SUBFONT_INDEX, reportlab_font

    face = reportlab_font(FONT_PATH, FONT_SUBFONT_INDEX).face  # parsed once, for the report too
    base_name = face.name.decode("latin-1")
    name = generic.NameObject

    class SubsetEngine(FontEngine):
        def __init__(self, writer: Any, obj_stream: Any = None):
            super().__init__(writer, base_name, embedded_subset=True, font_size=font_size)
            self._codes: list[int] = [0]  # byte code -> Unicode code point; 0 is .notdef
            self._index: dict[int, int] = {}
            self._ref = writer.allocate_placeholder()
            self._written = False

        @property
        def uses_complex_positioning(self) -> bool:
            return False

        def _code(self, ch: str) -> int:
            cp = 32 if ch == "\u00a0" else ord(ch)
            if cp not in face.charToGlyph:
                return 0
            if cp not in self._index:
                if len(self._codes) >= 256:
                    raise SigningError(_("the signature stamp text is too long"))
                self._index[cp] = len(self._codes)
                self._codes.append(cp)
            return self._index[cp]

        def shape(self, txt: str) -> Any:
            codes = bytes(self._code(ch) for ch in txt)
            width = sum(face.getCharWidth(self._codes[c]) for c in codes) / 1000
            return ShapeResult(
                graphics_ops=b"<" + codes.hex().encode("ascii") + b"> Tj",
                x_advance=width,
                y_advance=0,
            )

        def as_resource(self) -> Any:
            return self._ref

        def prepare_write(self) -> None:
            if self._written:
                return
            self._written = True
            ps_name = f"{self.subset_prefix}+{base_name}"
            font_file = generic.StreamObject(
                {name("/Length1"): generic.NumberObject(0)},
                stream_data=face.makeSubset(self._codes),
            )
            font_file[name("/Length1")] = generic.NumberObject(len(font_file.data))
            font_file.compress()
            to_unicode = generic.StreamObject(
                stream_data=makeToUnicodeCMap(ps_name, self._codes).encode("ascii")
            )
            to_unicode.compress()

            def num(v: float) -> generic.PdfObject:
                return generic.FloatObject(v) if isinstance(v, float) else generic.NumberObject(v)

            descriptor = generic.DictionaryObject(
                {
                    name("/Type"): name("/FontDescriptor"),
                    name("/FontName"): name("/" + ps_name),
                    name("/Flags"): generic.NumberObject(4),  # symbolic
                    name("/FontBBox"): generic.ArrayObject(num(v) for v in face.bbox),
                    name("/Ascent"): num(face.ascent),
                    name("/Descent"): num(face.descent),
                    name("/CapHeight"): num(face.capHeight),
                    name("/ItalicAngle"): num(face.italicAngle),
                    name("/StemV"): num(face.stemV),
                    name("/MissingWidth"): num(face.defaultWidth),
                    name("/FontFile2"): self.writer.add_object(font_file),
                }
            )
            font = generic.DictionaryObject(
                {
                    name("/Type"): name("/Font"),
                    name("/Subtype"): name("/TrueType"),
                    name("/BaseFont"): name("/" + ps_name),
                    name("/FirstChar"): generic.NumberObject(0),
                    name("/LastChar"): generic.NumberObject(len(self._codes) - 1),
                    name("/Widths"): generic.ArrayObject(
                        num(face.getCharWidth(c)) for c in self._codes
                    ),
                    name("/FontDescriptor"): self.writer.add_object(descriptor),
                    name("/ToUnicode"): self.writer.add_object(to_unicode),
                }
            )
            self.writer.add_object(font, idnum=self._ref.idnum)

    class SubsetFactory(FontEngineFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
            return SubsetEngine(writer, obj_stream)

    return SubsetFactory()


def stamp_text(signer: str, extra_lines: Sequence[str] = (), lang: str | None = None) -> str:
    """The stamp's text template for pyHanko: %-escaped, with %(ts)s for the signing time."""
    lines = [
        tr("Digitally signed (PAdES)", lang=lang),
        tr("Signer: {name}", lang=lang, name=signer),
        *extra_lines,
        tr("Signing time (claimed): {time}", lang=lang, time=_TS),
        tr("Time zone: {zone}", lang=lang, zone=timefmt.zone_label(lang=lang)),
    ]
    return "\n".join(lines).replace("%", "%%").replace(_TS, "%(ts)s")


def stamp_style(signer: str, extra_lines: Sequence[str] = (), lang: str | None = None) -> Any:
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text=stamp_text(signer, extra_lines, lang),
        text_box_style=TextBoxStyle(
            font=_font_engine_factory(STAMP_FONT_SIZE),
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_FONT_SIZE + 3,
        ),
        timestamp_format=TIME_FORMAT,
        border_width=1,
        background=None,
    )


# -- signing --------------------------------------------------------------------------------


def _asn1_signer(identity: SigningIdentity) -> Any:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    cert = asn1_x509.Certificate.load(identity.certificate.public_bytes(der))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in identity.chain]
    key = asn1_keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(chain),  # the signer's is added once
    )


def _display_zone_signer_class() -> type:
    from pyhanko.sign import signers

    class DisplayZoneSigner(signers.PdfSigner):
        """A PdfSigner whose signing time is ``signing_time``, an aware time in the display
        zone. pyHanko takes the machine's own zone (tzlocal) and prints the stamp's %(ts)s
        from it, overriding any "ts" given; a laptop set to UTC stamped 23:05 under a line
        saying Beijing time. The CMS signing time is the same instant (DER keeps UTC)."""

        signing_time: dt.datetime | None = None

        def init_signing_session(self, *args: Any, **kwargs: Any) -> Any:
            session = super().init_signing_session(*args, **kwargs)
            if self.signing_time is not None:
                session.system_time = self.signing_time
            return session

    return DisplayZoneSigner


def sign_pdf_bytes(
    pdf: bytes,
    identity: SigningIdentity,
    *,
    box: SignatureBox,
    reason: str | None = None,
    location: str | None = None,
    extra_lines: Sequence[str] = (),
    field_name: str = FIELD_NAME,
    lang: str | None = None,
) -> bytes:
    """Sign ``pdf`` in a new visible field at ``box``; returns the signed file's bytes."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pages = int(writer.root["/Pages"]["/Count"])
        if box.page >= pages:
            raise SigningError(
                _(
                    "the signature box is on page {page}, but the report has {n} pages",
                    page=box.page + 1,
                    n=pages,
                )
            )
        existing = {name: value for name, value, _ref in fields.enumerate_sig_fields(writer)}
        if any(value is not None for value in existing.values()):
            raise SigningError(_("the PDF is already signed"))  # a report carries one signature
        if field_name not in existing:
            fields.append_signature_field(
                writer,
                fields.SigFieldSpec(sig_field_name=field_name, on_page=box.page, box=box.rect),
            )
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            name=identity.name,
            reason=reason,
            location=location,
        )
        pdf_signer = _display_zone_signer_class()(
            meta,
            _asn1_signer(identity),
            stamp_style=stamp_style(identity.name, extra_lines, lang),
        )
        pdf_signer.signing_time = timefmt.local(dt.datetime.now(dt.UTC).replace(microsecond=0))
        out = pdf_signer.sign_pdf(writer, existing_fields_only=True, output=io.BytesIO())
    except SigningError:
        raise
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(_("cannot sign the PDF: {error}", error=exc)) from exc
    return out.getvalue()


def _atomic_write_checked(path: Path, data: bytes, check: Callable[[Path], None]) -> None:
    """Temporary file beside ``path``, fsync, check the file, rename over, fsync the folder
    (RELIABILITY D19: verify the file before replacing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        check(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dfd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_signed_pdf(data: bytes, output: Path, *, signer: str) -> SignedFile:
    """Write signed bytes atomically after checking that the file on disk verifies
    (intact, valid, covering the whole file); returns its SHA-256."""
    from inspector_app.signing.verify import verify_pdf

    claimed: list[dt.datetime | None] = []

    def check(tmp: Path) -> None:
        result = verify_pdf(tmp, None)
        if not (result.intact and result.valid and result.whole_file and not result.problems):
            raise SigningError(
                _("the signed file did not verify: {problems}", problems="; ".join(result.problems))
            )
        claimed.append(result.claimed_signing_time)

    _atomic_write_checked(output, data, check)
    return SignedFile(
        path=output,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        signer=signer,
        signed_at=claimed[0] or dt.datetime.now(dt.UTC).replace(microsecond=0),
    )


def sign_pdf_file(
    source: Path,
    output: Path,
    identity: SigningIdentity,
    *,
    box: SignatureBox,
    reason: str | None = None,
    location: str | None = None,
    extra_lines: Sequence[str] = (),
) -> SignedFile:
    """Sign the PDF at ``source`` into ``output`` (which may be the same path)."""
    try:
        pdf = source.read_bytes()
    except OSError as exc:
        raise SigningError(
            _("{file}: cannot read the file: {error}", file=source, error=exc)
        ) from None
    signed = sign_pdf_bytes(
        pdf, identity, box=box, reason=reason, location=location, extra_lines=extra_lines
    )
    return write_signed_pdf(signed, output, signer=identity.name)

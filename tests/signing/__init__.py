"""Builders for the signing tests: real PDFs (reportlab, the bundled font), real keys and CAs."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from cryptography import x509

from inspector_app.signing import ca, keys
from inspector_app.signing.pades import SignatureBox, SigningIdentity

BOX = SignatureBox(0, 340, 60, 550, 140)
TEXT = "Inspection report 检查报告 中试基地"


def make_pdf(path: Path, *, text: str = TEXT, pages: int = 1) -> Path:
    """A small report-like PDF: every font embedded (the bundled face), page streams left
    uncompressed so a test can find and flip a content byte."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from inspector_app.fonts import register_reportlab_font

    font = register_reportlab_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, initialFontName=font, pageCompression=0, invariant=1)
    for n in range(pages):
        c.setFont(font, 14)
        c.drawString(72, 760, f"{text} — {n + 1}")
        c.rect(BOX.x1, BOX.y1, BOX.x2 - BOX.x1, BOX.y2 - BOX.y1)
        c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def make_ca(
    name: str = "测试·HQ 根证书", organisation: str = "测试·威海市科学技术局"
) -> tuple[object, x509.Certificate]:
    key = keys.generate_private_key()
    return key, ca.make_ca_certificate(key, common_name=name, organisation=organisation)


def make_identity(
    authority: tuple[object, x509.Certificate] | None = None, name: str = "王晓明"
) -> SigningIdentity:
    key = keys.generate_private_key()
    if authority is None:
        return SigningIdentity(key, ca.make_self_signed_certificate(key, common_name=name))
    ca_key, ca_cert = authority
    cert = ca.issue_inspector_certificate(ca_key, ca_cert, key.public_key(), common_name=name)  # type: ignore[arg-type]
    return SigningIdentity(key, cert, (ca_cert,))


def write_pem(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(ca.certificates_pem(list(certs)))
    return path


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    """A poppler-utils command (pdfsig, pdffonts, pdftotext)."""
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60)


def unembedded_fonts(pdf: Path) -> list[str]:
    out = tool("pdffonts", str(pdf))
    assert out.returncode == 0, out.stderr
    rows = out.stdout.splitlines()[2:]
    # columns: name, type..., emb, sub, uni, object, generation: emb is the 5th from the end
    return [r.split()[0] for r in rows if r.split()[-5] != "yes"]

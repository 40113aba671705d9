"""Verifying a signed PDF report offline (``signing.verify``): intact, valid, covering the
whole file, the only signature, and chaining to a given CA when one is given."""

from __future__ import annotations

from pathlib import Path

from inspector_app.services.identities import refusing
from inspector_app.signing.verify import VerifyResult, verify_pdf

__all__ = ["VerifyResult", "verify"]


@refusing
def verify(path: Path, trust: list[Path] | None = None) -> VerifyResult:
    """Verify a signed PDF offline; ``trust``: CA certificate files to trust."""
    return verify_pdf(Path(path), [Path(p) for p in trust] if trust else None)

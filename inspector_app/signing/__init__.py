"""Keys, certificates, PAdES signatures and their verification (RELIABILITY A, E23).

- ``keys``: ECDSA P-256 private keys, stored encrypted under a passphrase
  (Argon2id-derived key, AES-256-GCM) in a small JSON file.
- ``ca``: the HQ certificate authority (offline root) and the certificates it issues to
  inspectors; a laptop without one signs with a self-signed certificate.
- ``pades``: PAdES baseline B-B signatures with pyHanko in a visible field, as the last write.
- ``verify``: offline verification (no fetching) of a signed PDF against given trust roots.

No Qt here, no database, no network. Errors for people are ``SigningError``; the services
turn them into refusals.
"""

from __future__ import annotations


class SigningError(Exception):
    """A key, certificate or signature operation that cannot be carried out."""


class WrongPassphrase(SigningError):
    """The passphrase does not open the key file (or the file was altered)."""

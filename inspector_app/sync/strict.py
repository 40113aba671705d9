"""What every part of a package is read with before anything in it is trusted: the refusal
(``PackageRejected``), the size limits (``Limits``), strict JSON for untrusted bytes
(RELIABILITY C13), the canonical JSON that is hashed and signed, and names from a package
made fit to show (a member name in a message, a device name on one line).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from inspector_app.i18n import _

_MEDIA_NAME = re.compile(r"\Amedia/([0-9a-f]{64})(\.(?:jpg|png))\Z")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class PackageRejected(Exception):
    """Why a package cannot be used. ``str(e)`` is a translated, complete sentence naming the
    reason and, where there is one, the member (e.g. 'media/ab…cd.jpg: its SHA-256 does not match
    the manifest'); ``member`` is the member's full name, or None."""

    def __init__(self, message: str, member: str | None = None) -> None:
        super().__init__(message)
        self.member = member


@dataclass
class Limits:
    max_package_bytes: int = 8 * 2**30
    max_members: int = 50_000
    max_member_bytes: int = 256 * 2**20
    max_total_bytes: int = 16 * 2**30
    max_ratio: int = 100  # uncompressed/compressed for a deflated member (above 1 MiB)
    max_manifest_bytes: int = 8 * 2**20
    max_json_bytes: int = 256 * 2**20


def too_many(limits: Limits) -> PackageRejected:
    return PackageRejected(_("the package has more than {limit} entries", limit=limits.max_members))


def too_large(name: str, limit: int) -> str:
    return _(
        "{member}: it is larger than the limit of {limit} bytes", member=show(name), limit=limit
    )


def too_large_rejection(name: str, limit: int) -> PackageRejected:
    return PackageRejected(too_large(name, limit), name)


def show(name: str) -> str:
    """A member name fit for a message: hashes shortened, control characters escaped, cut."""
    media = _MEDIA_NAME.match(name)
    if media:
        digest, suffix = media.groups()
        return f"media/{digest[:8]}…{digest[-4:]}{suffix}"
    shown = "".join(
        ch if ch.isprintable() else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else "?"
        for ch in name[:200]
    )
    return shown if len(shown) <= 120 else shown[:100] + "…"


class _DuplicateKey(Exception):
    pass


class _NonFinite(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _no_constant(name: str) -> Any:
    raise _NonFinite(name)


def has_surrogates(value: Any) -> bool:
    """True if a lone surrogate (not text: it cannot be encoded) is anywhere in ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
    return False


def strict_json(data: bytes, member: str, cap: int) -> Any:
    """Parse JSON from an untrusted source (RELIABILITY C13): size capped before parsing, no
    NaN/Infinity, no duplicate keys, no lone surrogates, depth errors caught."""
    shown = show(member)
    if len(data) > cap:
        raise too_large_rejection(member, cap)
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise PackageRejected(
            _(
                "{member}: the key {key} appears twice in one object",
                member=shown,
                key=show(str(exc.args[0])),
            ),
            member,
        ) from exc
    except _NonFinite as exc:
        raise PackageRejected(
            _("{member}: NaN and Infinity are not allowed in JSON", member=shown), member
        ) from exc
    except RecursionError as exc:
        raise PackageRejected(
            _("{member}: the JSON is nested too deeply", member=shown), member
        ) from exc
    except UnicodeDecodeError as exc:
        raise _bad_unicode(member) from exc
    except ValueError as exc:  # JSONDecodeError, too many integer digits
        raise PackageRejected(_("{member}: it is not valid JSON", member=shown), member) from exc
    if _SURROGATE_ESCAPE.search(text) and has_surrogates(value):
        raise _bad_unicode(member)
    return value


def _bad_unicode(member: str) -> PackageRejected:
    return PackageRejected(
        _("{member}: it contains text that is not valid Unicode", member=show(member)), member
    )


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8, no NaN: the bytes that are hashed and signed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def one_line(name: str) -> str:
    """A name from a package as one line of what it says: control, format, bidi and line
    separator characters as escapes (``\\n``, ``\\u202e``), so a device calling itself
    "…\\nKey fingerprint: 0000 …" cannot forge a line of the import preview."""
    if all(unicodedata.category(ch) not in _INVISIBLE for ch in name):
        return name
    out = []
    for ch in name:
        if unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
    return "".join(out)


_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}

"""What the command line checks before it does anything, and how it prints what it was given.

- ``safe(text)``: a user-supplied string (a site name, a file name from a package, a name)
  shown with its control characters, bidi overrides and other invisible characters escaped
  (``\\x1b``, ``\\n``, ``\\u202e``), so data can never move the cursor, clear the screen or
  reorder what the terminal shows. ``json_safe`` does the same inside JSON text (``\\u``
  escapes, which decode back to the same string). ``SafeStream`` applies it to everything the
  CLI writes, as a last line of defence: a line break is the only control character the CLI
  itself prints.
- ``text_argument_problem``: every text argument must be valid UTF-8 (Python hands invalid
  bytes over as lone surrogates); paths are exempt, a file name in another encoding is still a
  file. The CLI refuses such an argument with usage status 2, naming it.
- ``check_output_file`` / ``check_output_folder``: where a command will write, refused before
  the work is done (a folder, a device, a folder that takes no new files, /proc).
- ``check_data_dir``: ``--data-dir`` naming a file.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any, TextIO

from inspector_app.i18n import _

# Characters a terminal may act on, or that hide or reorder text: C0 and C1 controls and DEL,
# the soft hyphen, Unicode format characters (bidi embeddings, overrides and isolates,
# zero-width characters, the BOM, interlinear annotation), line and paragraph separators, and
# lone surrogates (invalid UTF-8 from the command line or a file name). This is every
# character of categories Cc, Cf, Zl, Zp and Cs (tests/cli/test_cli_checks.py checks it
# against unicodedata).
_UNSAFE_BEYOND_C0 = (
    "\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
UNSAFE = re.compile(f"[\x00-\x1f{_UNSAFE_BEYOND_C0}]")
# in a stream: the line breaks and tabs the CLI itself writes between lines and cells pass
# (data never brings any: safe() has escaped them)
_UNSAFE_IN_STREAM = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE_BEYOND_C0}]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in _SHORT:
        return _SHORT[ch]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe(text: Any) -> str:
    """``text`` (anything: None is ""), with every control, format or bidi character shown as
    an escape: ``\\x1b``, ``\\n``, ``\\u202e``. For data printed in tables and messages."""
    if text is None:
        return ""
    s = str(text)
    return UNSAFE.sub(lambda m: _escape(m.group()), s) if UNSAFE.search(s) else s


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters ``safe``
    escapes written as ``\\uXXXX``: still valid JSON, decoding to the same strings, and
    harmless on a terminal. Chinese stays readable. (``json.dumps`` already escapes the C0
    controls inside strings: a raw line break or tab is the layout's own.)"""
    if not _UNSAFE_IN_STREAM.search(text):
        return text
    return _UNSAFE_IN_STREAM.sub(lambda m: _json_escape(m.group()), text)


class SafeStream:
    """A text stream that escapes what ``safe`` escapes, except line breaks and tabs, in
    everything written through it; ``write_trusted`` passes the CLI's own control characters
    (the carriage return of a progress line) through unchanged."""

    def __init__(self, raw: TextIO):
        self._raw = raw

    def write(self, text: str) -> int:
        if _UNSAFE_IN_STREAM.search(text):
            text = _UNSAFE_IN_STREAM.sub(lambda m: _escape(m.group()), text)
        return self._raw.write(text)

    def write_trusted(self, text: str) -> int:
        return self._raw.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


# -- arguments ----------------------------------------------------------------------------------

# Arguments that name files or folders: handed to the file system as given.
PATH_ARGUMENTS = frozenset(
    {"data_dir", "paths", "file", "output", "trust", "request", "out", "key"}
)


def chosen_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    """The (sub)parser of the command that was parsed: the one whose default ``func`` is the
    command's (``inspections show`` -> its own parser, which names its arguments)."""
    func = getattr(args, "func", None)
    todo = [parser]
    while todo:
        current = todo.pop()
        if func is not None and current._defaults.get("func") is func:
            return current
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
    return parser


def _names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """How each destination of ``parser`` is written on the command line: its longest option
    or its metavar (argparse keeps no public list of actions)."""
    found: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        if action.option_strings:
            found.setdefault(action.dest, max(action.option_strings, key=len))
        else:
            metavar = action.metavar if isinstance(action.metavar, str) else None
            found.setdefault(action.dest, metavar or action.dest.upper())
    return found


def _has_surrogates(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


def text_argument_problem(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """A message if a text argument (not a path) is not valid UTF-8, naming the argument as
    ``parser`` (the command's own) writes it and showing the value escaped; None otherwise."""
    for dest, value in vars(args).items():
        if dest in PATH_ARGUMENTS:
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str) and _has_surrogates(v):
                name = _names(parser).get(dest) or f"--{dest.replace('_', '-')}"
                return _("{name} is not valid UTF-8 text: {value}", name=name, value=safe(v))
    return None


# -- where a command writes ---------------------------------------------------------------------


class OutputRefused(Exception):
    """Where a command was told to write cannot take the file; the message says why."""


def _probe_writable(folder: Path) -> None:
    """Create and remove a file in ``folder``: the only test that is right for every case
    (permissions, a read-only mount, /proc, root)."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".inspector-probe-")
    except OSError as exc:
        raise OutputRefused(
            _("cannot write in {folder}: {error}", folder=safe(folder), error=exc.strerror or exc)
        ) from None
    os.close(fd)
    os.unlink(name)


def check_output_folder(folder: Path, *, may_create: bool = False) -> None:
    """``folder`` exists, is a folder and takes new files. With ``may_create`` a missing
    folder is fine if the nearest folder that exists above it takes new ones (it will be
    created there)."""
    if may_create:
        while not os.path.lexists(folder) and folder.parent != folder:
            folder = folder.parent
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        raise OutputRefused(_("the folder {folder} does not exist", folder=safe(folder))) from None
    except OSError as exc:
        raise OutputRefused(
            _("cannot write in {folder}: {error}", folder=safe(folder), error=exc.strerror or exc)
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        raise OutputRefused(_("{folder} is not a folder", folder=safe(folder)))
    _probe_writable(folder)


def check_output_file(path: Path) -> None:
    """``path`` can be written whole (the atomic write puts a temporary file beside it): not
    a folder or another kind of file, in a folder that exists and takes new files."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):  # the folder check below says which
        st = None
    except OSError as exc:
        raise OutputRefused(
            _("cannot write {file}: {error}", file=safe(path), error=exc.strerror or exc)
        ) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputRefused(
            _("{file} is a folder: give the name of the file to write", file=safe(path))
        )
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputRefused(
            _("{file} is not a regular file; it cannot be replaced", file=safe(path))
        )
    # a missing folder is made (0700), as the atomic write always did: refused only when the
    # nearest folder above it does not take new files
    check_output_folder(path.parent if str(path.parent) else Path("."), may_create=True)


def check_data_dir(data_dir: Path) -> str | None:
    """A message if ``data_dir`` exists and is not a folder, or cannot be reached (a folder
    above it this user may not enter)."""
    try:
        st = os.stat(data_dir)
    except (FileNotFoundError, NotADirectoryError):
        return None  # missing: it is created when first needed (and refused then if it cannot be)
    except OSError as exc:
        return _(
            "the data folder {dir} cannot be used: {error}",
            dir=safe(data_dir),
            error=exc.strerror or exc,
        )
    if not stat.S_ISDIR(st.st_mode):
        return _("the data folder {dir} is not a folder", dir=safe(data_dir))
    return None

"""The command line's exit codes, by name. The numbers are part of the interface (README,
"The command line"; scripts and the tests read them): they never change.

A check that finds a problem (``verify``, ``doctor``, ``keys show``, ``audit verify``,
``import --dry-run``) exits ``REFUSED`` as well: "no" is the answer a script tests for.
"""

from __future__ import annotations

from enum import IntEnum, unique


@unique
class ExitCode(IntEnum):
    OK = 0
    """Done; for a check: everything holds."""
    REFUSED = 1
    """Refused, with a message on stderr naming what and where: bad input, a check that
    failed, a signature rejected. Nothing was written, except by ``photos add``, which adds
    the files it can and names the others."""
    USAGE = 2
    """A usage error: argparse's own (``parser.error`` exits 2 itself), a text argument that
    is not valid UTF-8, or a command group named without its action (its help is printed)."""
    INTERRUPTED = 130
    """Stopped with Ctrl+C: 128 + SIGINT, as a shell reports it."""

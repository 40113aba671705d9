"""What a command module is made of, in the style of calibre's ``db/cli/cmd_*.py``.

Each module of a command group (forms.py, sites.py, inspections.py, ...) has
``register(subparsers)``, which adds its commands to the top-level subparsers with
``command()`` and ``group()``, and the handlers: ``cmd_*(ctx, args)`` takes the Context and
the parsed arguments, prints with cli/output.py and returns an ExitCode. A handler raises
ServiceError and the like for a refusal; ``main`` prints it as ``error: ...`` (exit 1).
parser.py lists the modules in the order --help shows them.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any

from inspector_app.cli.exit_codes import ExitCode
from inspector_app.i18n import _

Handler = Callable[..., int]  # (Context, argparse.Namespace) -> ExitCode


def command(parent: Any, name: str, func: Handler, help_: str) -> argparse.ArgumentParser:
    """Add the command ``name`` (handled by ``func``) to ``parent``, the top-level
    subparsers or a group's."""
    c = parent.add_parser(name, help=help_, description=help_)
    c.set_defaults(func=func)
    return c


def group(subparsers: Any, name: str, help_: str) -> Any:
    """Add the group ``name`` (``inspections``, ``keys``, ...) and return its subparsers, for
    its actions. The group named alone prints its help (exit 2)."""
    g = subparsers.add_parser(name, help=help_, description=help_)

    def show_help(_ctx: object, _args: argparse.Namespace) -> int:
        g.print_help()
        return ExitCode.USAGE

    g.set_defaults(func=show_help)  # one per group: chosen_parser finds the group by it
    return g.add_subparsers(metavar="ACTION")


def iso_date(value: str) -> dt.date:
    """The argument type of a date on the command line: YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected a date as YYYY-MM-DD, got {value!r}", value=value)
        ) from None

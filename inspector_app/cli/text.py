"""argparse's own words ("usage:", "show this help message and exit", its error messages)
in the app's language, from the same catalogue as every other message.

argparse looks each of its messages up through its module's ``_`` and ``ngettext`` at the
moment it uses it; ``translate_argparse()`` points them at ``inspector_app.i18n`` (English
stays English), before the parser is built, since group titles are read then.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from inspector_app.i18n import _, set_language


def _text(message: str) -> str:
    return _(message)


def _plural(singular: str, plural: str, n: int) -> str:
    return _(singular if n == 1 else plural)


def translate_argparse() -> None:
    argparse._ = _text  # type: ignore[attr-defined]
    argparse.ngettext = _plural  # type: ignore[attr-defined]


def early_language(argv: Sequence[str]) -> None:
    """``--lang xx`` or ``--lang=xx`` anywhere on the command line, before there is a parser."""
    for n, arg in enumerate(argv):
        if arg == "--lang" and n + 1 < len(argv):
            set_language(argv[n + 1])
        elif arg.startswith("--lang="):
            set_language(arg.split("=", 1)[1])


def argparse_messages() -> list[str]:
    """The messages of Python's argparse (3.11 and later), named here so that the catalogue
    test (tests/test_i18n.py) requires their Chinese; tests/cli/test_help_language.py checks
    that the running Python's argparse has no other."""
    return [
        _("usage: "),
        _("positional arguments"),
        _("options"),
        _("show this help message and exit"),
        _("%(prog)s: error: %(message)s\n"),
        _("argument %(argument_name)s: %(message)s"),
        _("the following arguments are required: %s"),
        _("one of the arguments %s is required"),
        _("unrecognized arguments: %s"),
        _("invalid choice: %(value)r (choose from %(choices)s)"),
        _("invalid %(type)s value: %(value)r"),
        _("ambiguous option: %(option)s could match %(matches)s"),
        _("unexpected option string: %s"),
        _("not allowed with argument %s"),
        _("ignored explicit argument %r"),
        _("expected one argument"),
        _("expected at most one argument"),
        _("expected at least one argument"),
        _("expected %s argument"),
        _("expected %s arguments"),
        _("can't open '%(filename)s': %(error)s"),
        _('argument "-" with mode %r'),
        _("unknown parser %(parser_name)r (choices: %(choices)s)"),
        _("conflicting subparser: %s"),
        _("conflicting subparser alias: %s"),
        _("conflicting option string: %s"),
        _("conflicting option strings: %s"),
        _("cannot merge actions - two groups are named %r"),
        _("'required' is an invalid argument for positionals"),
        _("invalid option string %(option)r: must start with a character %(prefix_chars)r"),
        _("dest= is required for options like %r"),
        _("invalid conflict_resolution value: %r"),
        _("mutually exclusive arguments must be optional"),
        _("cannot have multiple subparser arguments"),
        _("%r is not callable"),
        _(".__call__() not defined"),
    ]

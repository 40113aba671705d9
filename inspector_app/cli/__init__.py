"""The command line: the same services as the GUI, headless.

``inspector-app [--data-dir DIR] COMMAND``; with no command the desktop starts. Exit codes:
cli/exit_codes.py (0 done, 1 refused with a message naming what and where, 2 usage error).

The package: ``main`` here runs one command; parser.py builds the parser from the command
modules (one per group: forms, sites, demo, inspections, findings, photos, ca, keys,
reports, sync, audit, doctor), each with ``register(subparsers)`` and its handlers
(commands.py says how); output.py prints, context.py opens the data folder, checks.py checks
arguments and output paths before any work, text.py puts argparse's words in the catalogue.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from inspector_app import paths
from inspector_app.cli.checks import (
    OutputRefused,
    SafeStream,
    check_data_dir,
    chosen_parser,
    safe,
    text_argument_problem,
)
from inspector_app.cli.context import Context
from inspector_app.cli.exit_codes import ExitCode
from inspector_app.cli.output import error, warn
from inspector_app.cli.parser import build_parser
from inspector_app.cli.text import early_language
from inspector_app.i18n import _

__all__ = ["Desktop", "ExitCode", "main"]

# Starts the desktop on (data folder given, sample data if empty, language) and returns its
# exit code: handed in by the entry points (desktop.py, __main__.py), which sit above both
# the command line and the desktop, so the command line never imports ui/.
Desktop = Callable[[str | None, bool, str | None], int]


def main(argv: Sequence[str] | None = None, *, desktop: Desktop | None = None) -> int:
    """The entry point: everything it prints goes through SafeStream (cli/checks.py).
    argparse's usage errors, --help and --version end it with SystemExit, as always.
    ``desktop``: what no command starts (without one, no command is a usage error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    streams = sys.stdout, sys.stderr
    if sys.stdout is not None:  # None in a windowed build without a console
        sys.stdout = SafeStream(sys.stdout)
    if sys.stderr is not None:
        sys.stderr = SafeStream(sys.stderr)
    try:
        return int(_main(argv, desktop))
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str], desktop: Desktop | None) -> int:
    # The language must be known before the parser's help texts are built.
    early_language(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    command = chosen_parser(parser, args)
    problem = text_argument_problem(command, args)
    if problem:  # invalid UTF-8 in a text argument: a usage error (exit 2), for every command
        command.error(problem)
    data_dir = paths.resolve_data_dir(args.data_dir)
    problem = check_data_dir(data_dir)
    if problem:
        error(problem)
        return ExitCode.REFUSED
    from inspector_app.settings import load_settings, use_data_folder
    from inspector_app.timefmt import set_display_zone

    use_data_folder(paths.given_data_dir(args.data_dir))  # a given folder: its own settings
    settings = load_settings()  # read once: the run's snapshot, in its Workspace
    set_display_zone(settings.timezone)
    ctx = Context(data_dir, settings)
    func = getattr(args, "func", None)
    if func is None:  # no command: the desktop (its own exit code)
        if desktop is None:
            parser.error(_("a command is needed here; see --help"))
        return desktop(args.data_dir, getattr(args, "sample_data", False), args.lang)

    from inspector_app.services.errors import REFUSALS

    refused: tuple[type[Exception], ...] = (*REFUSALS, OutputRefused)
    try:
        return func(ctx, args)
    except refused as exc:
        error(exc)
        return ExitCode.REFUSED
    except OSError as exc:  # a file that vanished or cannot be written: say which
        where = f"{safe(exc.filename)}: " if exc.filename else ""
        error(f"{where}{exc.strerror or exc}")
        return ExitCode.REFUSED
    except ModuleNotFoundError as exc:
        if not paths.is_frozen():
            raise  # a developer wants the traceback
        # A defect of the one-folder build (build.spec), not of the user's input: say what
        # is missing instead of a traceback.
        warn(
            _(
                "error: this build of Inspector lacks the module {module}, a defect of the build: please report it with the output of `inspector-app doctor`",
                module=exc.name or exc,
            )
        )
        return ExitCode.REFUSED
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    finally:
        ctx.close()

"""The ``gigbag`` command: with no subcommand it opens the desktop app; subcommands work headless.

Every command takes ``--data-dir DIR`` (or ``GIGBAG_DATA_DIR``) to choose the device's data folder.
Qt is imported only when the desktop app is launched, never for headless commands; the services,
the database and Alembic only when a command runs, so ``gigbag --version`` or ``--help`` imports
next to nothing.

Each command group registers itself with one function taking the subparsers (``COMMAND_GROUPS``);
a new group is one more entry there.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def _register_demo(sub: Any) -> None:
    from ..app import demo_command

    demo_command.register(sub)


def _register_self_test(sub: Any) -> None:
    from . import self_test

    self_test.register(sub)


def _register_sync(sub: Any) -> None:
    from ..app import sync_commands

    sync_commands.register(sub)


def _register_backup(sub: Any) -> None:
    from ..app import backup_commands

    backup_commands.register(sub)


def _register_preview(sub: Any) -> None:
    from ..app import preview_command

    preview_command.register(sub)


# The command groups, in the order ``gigbag --help`` lists them. Registering imports only the argparse
# part of each group; its handler imports the services when it runs.

COMMAND_GROUPS: tuple[Callable[[Any], None], ...] = (
    _register_demo,
    _register_preview,
    _register_self_test,
    _register_sync,
    _register_backup,
)


def _version() -> str:
    from .. import __version__

    return f"gigbag {__version__}"


class _VersionAction(argparse.Action):
    """``--version``, reading the installed version only when asked (the metadata scan is not free)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(_version())
        parser.exit()


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder of this device (default: per-user data dir)")


def _answer_version_first(argv: Sequence[str] | None) -> None:
    """``gigbag --version`` answers (and exits) before the command groups are even registered."""
    options = argparse.ArgumentParser(prog="gigbag", add_help=False)
    _add_global_options(options)
    options.parse_known_args(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gigbag",
        description="Gigbag: your music career in one place, offline. Run without a command to open the app.",
    )
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMAND_GROUPS:
        register(sub)
    return parser


def launch_desktop(args: argparse.Namespace) -> int:
    from ..ui.main import run  # Qt is loaded only here

    return run(data_dir=args.data_dir)


def _user_error(exc: Exception) -> bool:
    """Whether ``exc`` is a refusal with words for the artist (printed), not a bug (raised)."""
    from ..app.errors import GigbagError
    from ..local_db.migrate import MigrationError  # loaded by now: the command opened the workspace

    return isinstance(exc, GigbagError | MigrationError)


def _log_to_file(args: argparse.Namespace) -> None:
    """A headless command logs to the data folder's log file too (a failed sync leaves its cause there)."""
    from ..app.logging_setup import start_file_log
    from ..app.paths import resolve_paths

    with contextlib.suppress(OSError):  # a read-only or missing log folder never stops a command
        start_file_log(resolve_paths(getattr(args, "data_dir", None)).logs, warnings_to_stderr=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a reader that closes the pipe early (``gigbag sync | head -1``) ends it quietly.

    This is the way the Python documentation gives ("Note on SIGPIPE"): flush inside the guard, and on
    BrokenPipeError point stdout at devnull so the interpreter's own flush at exit cannot raise again.
    """
    try:
        code = _run(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _run(argv: Sequence[str] | None) -> int:
    _answer_version_first(argv)
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if handler is None:
        return launch_desktop(args)
    _log_to_file(args)
    try:
        return handler(args)
    except Exception as exc:
        if not _user_error(exc):
            raise
        print(f"gigbag: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The ``gigbag`` command: with no subcommand it opens the desktop app; subcommands work headless.

Every command takes ``--data-dir DIR`` (or ``GIGBAG_DATA_DIR``) to choose the device's data folder.
Qt is imported only when the desktop app is launched, never for headless commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from ..local_db.migrate import MigrationError
from .errors import GigbagError

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gigbag",
        description="Gigbag: your music career in one place, offline. Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"gigbag {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder of this device (default: per-user data dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from . import demo_command, preview_command, selftest_command, sync_commands

    demo_command.register(sub)
    preview_command.register(sub)
    selftest_command.register(sub)
    sync_commands.register(sub)
    return parser


def launch_desktop(args: argparse.Namespace) -> int:
    from ..ui.main import run  # Qt is loaded only here

    return run(data_dir=args.data_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        return launch_desktop(args)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return handler(args)
    except (GigbagError, MigrationError) as exc:
        print(f"gigbag: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

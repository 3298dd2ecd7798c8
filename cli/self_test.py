"""``gigbag self-test``: start the real desktop app on a fresh data folder, use it once, quit.

The release check runs this inside the built bundle (``dist/gigbag/gigbag self-test``) to prove
that the bundle carries everything the app needs: Qt and its platform plugin, the window and its
sections, the database migrations and the services. It works offscreen
(``QT_QPA_PLATFORM=offscreen``, chosen by itself when there is no display at all) and on a real
display (Xvfb). Steps, each one checked:

1. open the workspace in ``--data-dir`` (or a new temporary folder, removed afterwards — never
   the artist's own data folder) and the real main window on it, and show it, with every section
   (a section missing from a bundle means the freezer left a module out);
2. create one goal through the services, on the window's writer thread, and read it back;
3. open the Goals section and wait until its list shows the goal;
4. close the window (which saves its state) and the workspace.

Exit status 0 when every step passed; 1 with a message naming the failed step otherwise. The steps
live in ``ui/self_test.py``; like ``gigbag`` without a command, this imports them only when run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT = 60.0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "self-test",
        help="open the app on a fresh data folder, create and read back a goal, quit (release smoke test)",
        description="Start the desktop app's main window (offscreen with QT_QPA_PLATFORM=offscreen), create "
        "and read back one goal, show it in the Goals section, and quit. Without --data-dir a new temporary "
        "data folder is used and removed afterwards. Exit status 0 when everything worked.",
    )
    # Also accepted after the command (``gigbag self-test --data-dir DIR``); SUPPRESS keeps the global one.
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data folder to use (default: a new temporary folder, removed afterwards)",
    )
    p.add_argument("--screenshot", metavar="PNG", type=Path, help="save a picture of the window here")
    p.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"longest wait for each step (default {DEFAULT_TIMEOUT:g})",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    temporary = None if args.data_dir else tempfile.mkdtemp(prefix="gigbag-self-test-")
    data_dir = Path(args.data_dir or str(temporary)).expanduser().resolve()
    started = time.monotonic()
    from ..ui.self_test import SelfTest, SelfTestFailed  # Qt is loaded only here

    try:
        SelfTest(data_dir, timeout=args.timeout, screenshot=args.screenshot).run()
    except SelfTestFailed as exc:
        print(f"self-test FAILED: {exc}", file=sys.stderr)
        return 1
    except Exception:
        print("self-test FAILED with an unexpected error:", file=sys.stderr)
        traceback.print_exc()
        return 1
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
    print(f"self-test passed in {time.monotonic() - started:.1f} s")
    return 0

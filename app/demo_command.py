"""``gigbag demo``: fill a data folder with a realistic artist, for trying the app and screenshots."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="fill the data folder with a realistic demo artist")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .demo_data import seed_demo
    from .workspace import Workspace

    with Workspace.open(args.data_dir) as ws:
        summary = seed_demo(ws)
    print("Demo workspace ready:", ", ".join(f"{n} {k}" for k, n in summary.items()))
    return 0

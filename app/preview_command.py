"""``gigbag preview TRACK_ID [--start S] [--length L] [--remove]``: make or remove a track's preview, headless.

The same use case as the track detail's "Make preview" (``app.previews``), for scripts and tests. Without
``--start``/``--length`` the range is the default one: 30 s from a quarter into the track. Errors are
sentences on standard error and exit 1; nothing is changed then.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "preview",
        help="make (or remove) the preview clip of a track",
        description="Cut a preview clip (5 to 90 s, with short fades, MP3) from a track's audio and make it "
        "the track's preview; it syncs like any file. Default range: 30 s from a quarter into the track.",
    )
    p.add_argument("track_id", metavar="TRACK_ID", help="the track's id")
    p.add_argument("--start", type=float, metavar="S", help="where the preview starts, in seconds")
    p.add_argument("--length", type=float, metavar="L", help="how long it lasts, in seconds (5 to 90)")
    p.add_argument("--remove", action="store_true", help="remove the track's preview instead")
    p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="data folder of this device")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..media.errors import seconds_text  # the audio room (PyAV) only when a preview is made
    from .workspace import Workspace

    if args.remove and (args.start is not None or args.length is not None):
        print("gigbag: --remove takes no --start or --length.", file=sys.stderr)
        return 1
    with Workspace.open(args.data_dir) as ws:
        track = ws.tracks.get(args.track_id)
        if args.remove:
            change = ws.previews.remove_preview(track.id)
            if change.before_file_id is None:
                print(f"“{track.title}” had no preview; nothing changed.")
            else:
                print(f"The preview of “{track.title}” was removed.")
            return 0
        start, length = args.start, args.length
        if start is None or length is None:
            default = ws.previews.default_range(track.id)
            start = default.start if start is None else start
            length = default.length if length is None else length
        change = ws.previews.make_preview(track.id, start, length)
        assert change.after_file is not None
        file = change.after_file
        print(
            f"Preview of “{track.title}” made: {file['duration_seconds']:.1f} s from {seconds_text(start)} "
            f"(file “{file['filename']}”, {file['file_size_bytes'] / 1024:.0f} KB, id {file['id']})."
        )
    return 0

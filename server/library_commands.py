"""``gigbag-server library add|list|remove|set``: the operator publishes tracks to the shared library.

``add`` reads the audio with the desktop's own code (``gigbag.media``): it probes the duration and
cuts the preview (default 30 s from a quarter into the track, MP3 with short fades), stores the full
file and the preview in the server's blob store under their SHA-256 and records the track, in one
transaction. Like the account commands it opens the server's database (``--data-dir`` /
``--database-url``) and works while the server runs; artists see the change at their next update.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import sys
import tempfile
from pathlib import Path
from typing import Any

from .admin_commands import _config, _print_table, _say, _where
from .blob_store import BlobStore, BlobStoreError, open_blob_store
from .library_store import LibraryError, NewTrack

DEFAULT_PREVIEW_SECONDS = 30.0
MIN_PREVIEW = 5.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gigbag-server library", description="The shared library the server's artists browse and download."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("add", help="publish an audio file (cuts its preview)")
    p.add_argument("file", type=Path, help="WAV, AIFF, FLAC, MP3, Ogg or M4A")
    p.add_argument("--title", required=True)
    p.add_argument("--artist")
    p.add_argument("--genre")
    p.add_argument("--bpm", type=float)
    p.add_argument("--key", help="the musical key, e.g. Am or F#")
    p.add_argument("--pro-only", action="store_true", help="the full file opens to the tiers pro and enterprise only")
    p.add_argument("--preview-start", type=float, help="seconds (default: a quarter into the track)")
    p.add_argument("--preview-length", type=float, help="seconds, 5 to 90 (default 30)")
    _where(p)
    p = commands.add_parser("list", help="every track of the library")
    p.add_argument("--json", action="store_true", help="one JSON array, for scripts")
    _where(p)
    p = commands.add_parser("remove", help="take a track out of the library (artists' copies stay theirs)")
    p.add_argument("id")
    _where(p)
    p = commands.add_parser("set", help="open a track to every tier, or to pro and enterprise only")
    p.add_argument("id")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--pro-only", dest="pro_only", action="store_true")
    which.add_argument("--free", dest="pro_only", action="store_false")
    _where(p)
    return parser


def _sha256_of(source: Path) -> str:
    digest = hashlib.sha256()
    with open(source, "rb") as src:
        while chunk := src.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _store(files: BlobStore, source: Path) -> tuple[str, int]:
    """Copy ``source`` into the blob store (folder or S3), verified by its SHA-256; its SHA-256 and size."""
    sha = _sha256_of(source)
    if files.exists(sha):
        return sha, source.stat().st_size
    writer = files.new_writer(sha)
    try:
        with open(source, "rb") as src:
            while chunk := src.read(1024 * 1024):
                writer.write(chunk)
        if writer.hexdigest() != sha:
            raise LibraryError(f"{source} changed while it was being read; nothing was added.")
        writer.commit(sha)
        return sha, writer.size
    finally:
        writer.abort()


def _preview_range(duration: float, start: float | None, length: float | None) -> tuple[float, float] | None:
    if duration < MIN_PREVIEW and start is None and length is None:
        return None  # too short for a preview; the track is listed without one
    length = length if length is not None else min(DEFAULT_PREVIEW_SECONDS, duration)
    if start is None:
        start = max(0.0, min(duration / 4, duration - length))
    return start, length


def _add(args: argparse.Namespace, db: Any, files: BlobStore) -> int:
    from gigbag.media import AudioError, cut_clip, probe

    from . import library_store
    from .clock import utc_now

    source: Path = args.file
    if not source.is_file():
        raise LibraryError(f"{source} is not a readable file.")
    if args.bpm is not None and not 1 <= args.bpm <= 999:
        raise LibraryError(f"--bpm {args.bpm:g} is not a tempo; give beats per minute between 1 and 999.")
    try:
        info = probe(source)
        chosen = _preview_range(info.duration_seconds, args.preview_start, args.preview_length)
        preview: tuple[str, int] | None = None
        if chosen is not None:
            with tempfile.TemporaryDirectory() as work:
                clip = cut_clip(source, Path(work) / "preview.mp3", chosen[0], chosen[1])
                preview = _store(files, clip.path)
    except AudioError as exc:
        raise LibraryError(f"{exc} Nothing was added.") from None
    sha, size = _store(files, source)
    mime = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    track = NewTrack(
        title=args.title,
        artist=args.artist or None,
        genre=args.genre or None,
        bpm=args.bpm,
        key=args.key or None,
        duration_seconds=round(info.duration_seconds, 3),
        file_key=sha,
        file_name=source.name[:255],
        mime_type=mime if mime.startswith("audio/") else "audio/" + (source.suffix.lstrip(".").lower() or "unknown"),
        size_bytes=size,
        preview_key=preview[0] if preview else None,
        preview_size_bytes=preview[1] if preview else None,
        is_pro_only=args.pro_only,
    )
    with db.write() as conn:
        track_id = library_store.add_track(conn, track, utc_now())
    what = "pro-only" if args.pro_only else "open to every tier"
    note = "" if preview else " (too short for a preview)"
    _say(f"Added “{track.title}” to the library as {track_id} ({what}){note}.")
    print(track_id)
    return 0


def _human_seconds(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    config = _config(parser, args)
    from . import library_store
    from .clock import utc_now
    from .database import migrate, open_database

    db = open_database(config)
    try:
        migrate(db, config.data_dir if db.is_sqlite else None)
        files = open_blob_store(config)
        if args.command == "add":
            return _add(args, db, files)
        if args.command == "list":
            with db.read() as conn:
                tracks = library_store.live_tracks(conn)
            if args.json:
                print(json.dumps([t.model_dump() for t in tracks], indent=2))
            elif not tracks:
                _say("The library is empty: publish a track with 'gigbag-server library add FILE --title T'.")
            else:
                rows = [["ID", "TITLE", "ARTIST", "GENRE", "BPM", "KEY", "LENGTH", "ACCESS", "PREVIEW"]]
                rows += [
                    [
                        t.id,
                        t.title,
                        t.artist or "",
                        t.genre or "",
                        f"{t.bpm:g}" if t.bpm else "",
                        t.key or "",
                        _human_seconds(t.duration_seconds),
                        "pro-only" if t.is_pro_only else "every tier",
                        "yes" if t.has_preview else "no",
                    ]
                    for t in tracks
                ]
                _print_table(rows)
            return 0
        if args.command == "remove":
            with db.write() as conn:
                freed = library_store.remove_track(conn, args.id, utc_now())
            for sha in freed:
                files.remove(sha)
            _say(f"Removed {args.id} from the library; artists who added it keep their copies.")
            return 0
        with db.write() as conn:
            changed = library_store.set_pro_only(conn, args.id, args.pro_only, utc_now())
        state = "pro-only (tiers pro and enterprise)" if args.pro_only else "open to every tier"
        _say(f"{args.id} is {'now' if changed else 'already'} {state}.")
        return 0
    except LibraryError as exc:
        _say(f"gigbag-server: {exc}")
        return 1
    except BlobStoreError as exc:
        _say(f"gigbag-server: cannot use the blob store: {exc}")
        return 2
    finally:
        db.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))

"""The backup commands: export, import, and the automatic backups (list, restore, start empty).

``gigbag export FILE`` writes the backup archive (every entity and every file's content); a FILE
ending in ``.json`` gets the entities-only JSON document instead (for comparing two computers).
``gigbag import FILE`` restores either: an archive is verified whole before anything is written;
another account's archive into a folder bound to an account needs ``--yes``.
``gigbag auto-backups``, ``gigbag restore-auto-backup [NAME]`` and ``gigbag start-empty`` are the way
out of a damaged database. Exit 0: done; 1: refused or failed, with the reason. No Qt here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .formatting import format_bytes
from .sync_commands import EXIT_FAILED, EXIT_OK, common_options


def register(sub: Any) -> None:
    common = common_options()
    p = sub.add_parser(
        "export",
        parents=[common],
        help="back up everything (entities and file contents) to one archive",
        description="Write a backup archive: a zip with a manifest, every entity and every file's content, "
        "each with its SHA-256. A FILE ending in .json gets only the entities, as JSON.",
    )
    p.add_argument("file", metavar="FILE", type=Path)
    p.set_defaults(handler=run_export)

    p = sub.add_parser(
        "import",
        parents=[common],
        help="restore a backup archive (or apply a JSON export) as local edits",
        description="Restore a backup archive: it is verified whole (every checksum, every entity) before "
        "anything is written; a damaged archive changes nothing. A JSON export is applied the same way.",
    )
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--yes", action="store_true", help="restore even if the backup holds another account's data")
    p.set_defaults(handler=run_import)

    p = sub.add_parser("auto-backups", parents=[common], help="list the automatic backups of the database")
    p.set_defaults(handler=run_list_auto)

    p = sub.add_parser(
        "restore-auto-backup",
        parents=[common],
        help="put an automatic backup in place of the database (the current one is moved aside)",
    )
    p.add_argument("name", metavar="NAME", nargs="?", help="which backup (see auto-backups); the newest if omitted")
    p.set_defaults(handler=run_restore_auto)

    p = sub.add_parser(
        "start-empty",
        parents=[common],
        help="after a damaged database: start with an empty one (then sign in and sync to get your data back)",
    )
    p.set_defaults(handler=run_start_empty)


def _emit(args: argparse.Namespace, text: str, payload: dict[str, Any]) -> int:
    print(json.dumps(payload, ensure_ascii=False, indent=2) if args.json else text)
    return EXIT_OK


def _fail(args: argparse.Namespace, reason: str, **extra: Any) -> int:
    if args.json:
        print(json.dumps({"ok": False, "error": reason, **extra}, ensure_ascii=False, indent=2))
    else:
        print(f"gigbag: {reason}", file=sys.stderr)
    return EXIT_FAILED


def run_export(args: argparse.Namespace) -> int:
    from .backup import BackupError, write_backup
    from .export_import import write_export
    from .workspace import Workspace

    with Workspace.open(args.data_dir) as ws:
        if args.file.suffix.lower() == ".json":
            counts = write_export(ws.engine, args.file)
            total = sum(counts.values())
            return _emit(
                args,
                f"Exported {total} item(s) to {args.file} (entities only, no file contents).",
                {"ok": True, "file": str(args.file), "counts": counts},
            )
        try:
            summary = write_backup(ws.engine, ws.blobs, args.file)
        except (BackupError, OSError) as exc:
            return _fail(args, f"the backup was not written: {exc}")
    lines = [
        f"Backed up {summary.entities} item(s) and the content of {summary.files} file(s) "
        f"({format_bytes(summary.content_bytes)}) to {args.file}."
    ]
    if summary.missing_content:
        lines.append(
            f"{len(summary.missing_content)} file(s) have no content on this computer (cloud-only or not downloaded "
            "yet): the backup holds their records only. Sync (or keep them on this computer) and back up again "
            "to include them."
        )
    return _emit(
        args,
        "\n".join(lines),
        {
            "ok": True,
            "file": str(args.file),
            "counts": summary.counts,
            "files": summary.files,
            "content_bytes": summary.content_bytes,
            "missing_content": summary.missing_content,
        },
    )


def _refusals(args: argparse.Namespace, refused: list[Any]) -> int:
    error = f"{len(refused)} item(s) refused; nothing was imported"
    if args.json:
        return _fail(
            args,
            error,
            refused=[{"entity_type": r.entity_type, "entity_id": r.entity_id, "errors": r.errors} for r in refused],
        )
    print(f"gigbag: {error}:", file=sys.stderr)
    for refusal in refused:
        print(f"  {refusal}", file=sys.stderr)
    return EXIT_FAILED


def run_import(args: argparse.Namespace) -> int:
    from .backup import BackupError, is_backup_archive, restore_backup
    from .errors import GigbagError
    from .export_import import ImportFormatError, import_document, read_document
    from .workspace import Workspace

    if not args.file.is_file():
        return _fail(args, f"{args.file} does not exist or is not a file; nothing was imported")
    if is_backup_archive(args.file):
        with Workspace.open(args.data_dir) as ws:
            try:
                restored = restore_backup(ws.engine, ws.blobs, args.file, allow_other_account=args.yes)
            except BackupError as exc:
                return _fail(args, str(exc))
        result = restored.imported
        if result.refused:
            return _refusals(args, result.refused)
        text = (
            f"Restored: {result.created} new, {result.updated} updated, {result.unchanged} unchanged; "
            f"the content of {restored.contents_added} file(s) added."
        )
        if result.server_owned_kept:
            text += " Profile metrics (followers, ratings…) were not restored: they come from the sync server."
        return _emit(
            args,
            text,
            {
                "ok": True,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "contents_added": restored.contents_added,
                "server_owned_kept": result.server_owned_kept,
            },
        )
    try:
        document = read_document(args.file)
    except ImportFormatError as exc:
        return _fail(args, str(exc))
    with Workspace.open(args.data_dir) as ws:
        try:
            result = import_document(ws.engine, document)
        except GigbagError as exc:
            return _fail(args, str(exc))
    if result.refused:
        return _refusals(args, result.refused)
    return _emit(
        args,
        f"Imported: {result.created} new, {result.updated} updated, {result.unchanged} unchanged.",
        {"ok": True, "created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )


def _paths(args: argparse.Namespace) -> Any:
    from .paths import resolve_paths

    return resolve_paths(args.data_dir).create()


def run_list_auto(args: argparse.Namespace) -> int:
    from .database_care import automatic_backups, backups_folder

    paths = _paths(args)
    found = automatic_backups(paths)
    if not found:
        return _emit(
            args, f"No automatic backups yet (they are kept in {backups_folder(paths)}).", {"ok": True, "backups": []}
        )
    lines = [f"{len(found)} automatic backup(s), newest first:"]
    lines += [f"  {s.name}  {s.taken_at:%Y-%m-%d %H:%M} UTC  {format_bytes(s.size)}" for s in found]
    return _emit(
        args,
        "\n".join(lines),
        {"ok": True, "backups": [{"name": s.name, "taken_at": s.taken_at.isoformat(), "size": s.size} for s in found]},
    )


def run_restore_auto(args: argparse.Namespace) -> int:
    from .database_care import restore_automatic_backup

    chosen = restore_automatic_backup(_paths(args), args.name)
    return _emit(
        args,
        f"Restored the automatic backup of {chosen.taken_at:%Y-%m-%d %H:%M} UTC; the database it replaced "
        "(if any) was moved aside. Changes made since then come back with the next sync if they reached the server.",
        {"ok": True, "restored": chosen.name},
    )


def run_start_empty(args: argparse.Namespace) -> int:
    from .database_care import start_empty

    start_empty(_paths(args))
    return _emit(
        args,
        "This data folder starts over with an empty database. Sign in (`gigbag login`) and run `gigbag sync` "
        "to bring your data back from the server.",
        {"ok": True},
    )

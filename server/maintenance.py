"""``gigbag-server backup DEST`` and ``gigbag-server check``: what an operator runs from cron.

``backup`` writes a consistent snapshot of the database into DEST (SQLite: the online backup API,
safe while the server runs; PostgreSQL: ``pg_dump --format=custom`` in the very snapshot the blob
manifest is read from) and ``blobs-manifest.json``, the SHA-256 and size of every blob the
snapshot knows, so the blob store's own backup (rsync, rclone, bucket versioning) can be checked
against it. ``check`` reads every blob the database references (the blob table, and files and
images named by entities) back from the store and verifies its size and SHA-256; it lists each
one missing or damaged and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, select

from gigbag.schema.entities import blob_refs

from .blob_store import BlobStore, BlobStoreError, open_blob_store
from .config import SQLITE_FILE_NAME, ServerConfig
from .database import Database, migrate, open_database
from .tables import blobs, entities

MANIFEST_NAME = "blobs-manifest.json"
PG_DUMP_NAME = "gigbag.pgdump"


def add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    if name == "backup":
        parser.add_argument(
            "dest",
            type=Path,
            metavar="DEST",
            help="folder to write the snapshot into (created; must be empty if it exists)",
        )
    else:
        parser.add_argument(
            "--sizes-only",
            action="store_true",
            help="check that each blob exists with its size, without reading it back",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(name: str, args: argparse.Namespace, config: ServerConfig) -> int:
    if name == "backup":
        return backup(config, args.dest)
    return check(config, sizes_only=args.sizes_only, as_json=args.json)


def _say(text: str) -> None:
    print(text, flush=True)


def _fail(text: str, code: int = 2) -> int:
    print(f"gigbag-server: {text}", file=sys.stderr, flush=True)
    return code


def _open(config: ServerConfig) -> Database:
    db = open_database(config)
    migrate(db, config.data_dir if db.is_sqlite else None)
    return db


def _manifest_rows(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(blobs.c.sha256, blobs.c.size).order_by(blobs.c.sha256)).all()
    return [{"sha256": r.sha256, "size": int(r.size)} for r in rows]


def _write_manifest(dest: Path, database: str, store: str, rows: list[dict[str, Any]]) -> None:
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database,
        "blob_store": store,
        "blob_count": len(rows),
        "blob_bytes": sum(r["size"] for r in rows),
        "blobs": rows,
    }
    tmp = dest / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, dest / MANIFEST_NAME)


def masked(url: str) -> str:
    """A database URL with its password replaced, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def pg_dump_command(database_url: str, dest: Path, snapshot: str | None = None) -> list[str]:
    """The documented dump: custom format (``pg_restore`` reads it), without owners or privileges."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dest / PG_DUMP_NAME}"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    return [*command, f"--dbname={url}"]


def backup(config: ServerConfig, dest: Path) -> int:
    dest = dest.expanduser().resolve()
    if dest.exists() and any(dest.iterdir()):
        return _fail(f"{dest} is not empty; give a new folder for each backup")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        store = open_blob_store(config)
    except BlobStoreError as exc:
        return _fail(f"cannot use the blob store: {exc}")
    db = _open(config)
    try:
        if db.is_sqlite:
            return _backup_sqlite(config, dest, store)
        return _backup_postgres(config, db, dest, store)
    finally:
        db.dispose()


def _backup_sqlite(config: ServerConfig, dest: Path, store: BlobStore) -> int:
    source = config.data_dir / SQLITE_FILE_NAME
    target = dest / SQLITE_FILE_NAME
    with sqlite3.connect(source, timeout=60) as src, sqlite3.connect(target) as dst:
        src.backup(dst)  # page by page, a consistent snapshot even while the server writes
    snapshot = sqlite3.connect(target)
    try:
        ok = snapshot.execute("PRAGMA integrity_check").fetchone()[0]
        rows = [
            {"sha256": r[0], "size": int(r[1])}
            for r in snapshot.execute("SELECT sha256, size FROM blobs ORDER BY sha256")
        ]
    finally:
        snapshot.close()
    if ok != "ok":
        return _fail(f"the snapshot failed SQLite's integrity check: {ok}")
    _write_manifest(dest, "sqlite", store.description, rows)
    _say(
        f"backup written to {dest}: {target.name} ({target.stat().st_size} bytes) and {MANIFEST_NAME} "
        f"({len(rows)} blobs, {sum(r['size'] for r in rows)} bytes in {store.description})"
    )
    return 0


def _backup_postgres(config: ServerConfig, db: Database, dest: Path, store: BlobStore) -> int:
    url = config.effective_database_url
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            rows = _manifest_rows(conn)
            command = pg_dump_command(url, dest, snapshot)
            _write_manifest(dest, "postgresql", store.description, rows)
            shown = " ".join(command[:-1] + [f"--dbname={masked(command[-1].split('=', 1)[1])}"])
            if shutil.which("pg_dump") is None:
                plain = " ".join(pg_dump_command(masked(url), dest))
                return _fail(
                    f"pg_dump is not installed (apt-get install postgresql-client); the manifest is in "
                    f"{dest / MANIFEST_NAME}; dump the database with:\n  {plain}",
                    3,
                )
            _say(f"running: {shown}")
            done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return _fail(f"pg_dump failed ({done.returncode}): {done.stderr.strip()}", 3)
    dump = dest / PG_DUMP_NAME
    _say(
        f"backup written to {dest}: {dump.name} ({dump.stat().st_size} bytes) and {MANIFEST_NAME} "
        f"({len(rows)} blobs, {sum(r['size'] for r in rows)} bytes in {store.description})"
    )
    return 0


def _referenced(conn: Connection) -> Iterator[tuple[str, int | None, str]]:
    """(sha256, size if known, who refers to it) for every blob the database references."""
    for r in conn.execute(select(blobs.c.sha256, blobs.c.size).order_by(blobs.c.sha256)):
        yield r.sha256, int(r.size), "blob table"
    query = select(
        entities.c.user_id, entities.c.entity_type, entities.c.entity_id, entities.c.data, entities.c.data_text
    ).where(entities.c.deleted.is_(False), entities.c.entity_type.in_(("files", "artists")))
    for e in conn.execute(query.execution_options(yield_per=500)):
        data = json.loads(e.data_text) if e.data_text is not None else e.data
        for sha in sorted(blob_refs(e.entity_type, data)):
            yield sha, None, f"{e.entity_type}/{e.entity_id} of user {e.user_id}"


def check(config: ServerConfig, *, sizes_only: bool = False, as_json: bool = False) -> int:
    try:
        store = open_blob_store(config)
    except BlobStoreError as exc:
        return _fail(f"cannot use the blob store: {exc}")
    db = _open(config)
    problems: list[dict[str, Any]] = []
    seen: dict[str, bool] = {}
    checked = 0
    try:
        with db.read() as conn:
            for sha, size, source in _referenced(conn):
                if sha in seen:
                    if not seen[sha] and source != "blob table":
                        problems.append({"sha256": sha, "problem": "missing", "referenced_by": source})
                    continue
                checked += 1
                problem = _problem(store, sha, size, sizes_only)
                seen[sha] = problem is None
                if problem is not None:
                    problems.append({"sha256": sha, "problem": problem, "referenced_by": source})
    finally:
        db.dispose()
    if as_json:
        print(json.dumps({"checked": checked, "problems": problems}, indent=1))
    else:
        for p in problems:
            _say(f"{p['problem']}: {p['sha256']} (referenced by {p['referenced_by']})")
        how = "sizes" if sizes_only else "sizes and SHA-256"
        verdict = f"{len(problems)} problem(s)" if problems else "all intact"
        _say(f"checked {checked} blobs in {store.description} ({how}): {verdict}")
    return 1 if problems else 0


def _problem(store: BlobStore, sha: str, size: int | None, sizes_only: bool) -> str | None:
    try:
        stored = store.size(sha)
    except ValueError:
        return "not a SHA-256"
    if stored is None:
        return "missing"
    if size is not None and stored != size:
        return f"wrong size ({stored} bytes stored, {size} recorded)"
    if sizes_only:
        return None
    actual = store.sha256_of(sha)
    if actual != sha:
        return f"damaged (its content's SHA-256 is {actual})"
    return None

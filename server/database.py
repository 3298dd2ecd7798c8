"""Database engines for SQLite (WAL) and PostgreSQL (psycopg 3), transactions, and start-up migration.

Write transactions on SQLite start with ``BEGIN IMMEDIATE`` (one writer at a time, waiting on the
busy timeout instead of failing half-way); on PostgreSQL they run at READ COMMITTED and lock the
rows they depend on (``SELECT … FOR UPDATE``). The schema is created and upgraded by the server's
own Alembic migrations, under a lock so several processes may start at once.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite

from .config import ServerConfig

log = logging.getLogger("gigbag.server.database")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key of the schema migration ("gigbag" in ASCII, as an integer).
MIGRATION_LOCK_KEY = 0x676967626167
SQLITE_BUSY_TIMEOUT_MS = 60_000
_IMMEDIATE = "gigbag_immediate"
# A request thread holds at most one connection at a time, and the worker threads are 40 (anyio's
# default), so 40 connections per process are never waited for.
POOL_SIZE = 10
POOL_OVERFLOW = 30


class Database:
    """One engine plus the two kinds of transaction the server uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.is_postgres = engine.dialect.name == "postgresql"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction that sees one snapshot throughout: SQLite's read transaction, and
        REPEATABLE READ on PostgreSQL (at READ COMMITTED each statement sees its own, so a pull page's
        latest seq and its rows could come from two moments; read-only, it never fails to serialize)."""
        with self.engine.connect() as conn:
            if self.is_postgres:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` on SQLite, committed on success, rolled back on error."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.execution_options(**{_IMMEDIATE: True})
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def insert_ignoring_conflict(conn: Connection, table: Table) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` in the connection's dialect (a concurrent insert wins)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: str) -> Engine:
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_pre_ping=True, pool_recycle=1800)


def open_database(config: ServerConfig) -> Database:
    url = config.effective_database_url
    if url.startswith("sqlite"):
        config.data_dir.mkdir(parents=True, exist_ok=True)
        return Database(_sqlite_engine(url))
    return Database(_postgres_engine(url))


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def migrate(db: Database, data_dir: Path | None = None) -> None:
    """Bring the schema to the newest revision; safe when several processes start together."""
    from alembic import command

    if db.is_sqlite and data_dir is not None:
        # BEGIN IMMEDIATE serializes the migrations themselves; the file lock also covers the
        # first connection's journal-mode switch.
        lock_path = data_dir / ".migrate.lock"
        with open(lock_path, "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                with db.write() as conn:
                    command.upgrade(_alembic_config(conn), "head")
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return
    with db.write() as conn:
        if db.is_postgres:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        command.upgrade(_alembic_config(conn), "head")

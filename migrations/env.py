"""Alembic environment of the local database (the server has its own migrations)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from gigbag.local_db import models, sync_tables  # noqa: F401  (registers the tables)
from gigbag.local_db.database import sqlite_url

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    db = context.get_x_argument(as_dictionary=True).get("db")
    if db:
        from pathlib import Path

        return sqlite_url(Path(db))
    return config.get_main_option("sqlalchemy.url") or ""


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # SQLite's own bookkeeping table for AUTOINCREMENT is not ours.
    return not (type_ == "table" and name == "sqlite_sequence")


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

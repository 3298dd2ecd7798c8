"""A server read transaction sees one snapshot throughout, on PostgreSQL as on SQLite.

A pull page reads the user's latest seq, then the rows up to it; at PostgreSQL's default READ
COMMITTED each statement saw its own moment, so a push committing between the two could move a row
past the latest seq read and the page's cursor would not be its last row's seq.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text

from gigbag.server.database import Database


def test_a_read_transaction_does_not_see_what_commits_during_it(pg_database_url: str) -> None:
    engine = create_engine(pg_database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE counter (n INTEGER)"))
            conn.execute(text("INSERT INTO counter VALUES (1)"))
        db = Database(engine)
        with db.read() as reading:
            assert reading.execute(text("SELECT n FROM counter")).scalar_one() == 1
            with engine.begin() as writing:
                writing.execute(text("UPDATE counter SET n = 2"))
            assert reading.execute(text("SELECT n FROM counter")).scalar_one() == 1
        with db.read() as reading:
            assert reading.execute(text("SELECT n FROM counter")).scalar_one() == 2
    finally:
        engine.dispose()

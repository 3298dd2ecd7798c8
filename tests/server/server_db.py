"""Direct access to a test server's database, for the few tests that must age rows in place.

Idempotency keys expire after 24 hours; rather than wait, a test moves a key's timestamps back in
the server's own database (SQLite file or PostgreSQL) and then checks the server's behaviour.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from gigbag.server.config import SQLITE_FILE_NAME, sqlalchemy_url
from tests.fixtures.server_process import ServerProcess


def server_engine(server: ServerProcess) -> Engine:
    if server.database_url:
        return create_engine(sqlalchemy_url(server.database_url))
    return create_engine(f"sqlite:///{server.data_dir / SQLITE_FILE_NAME}", connect_args={"timeout": 30})

"""Alembic environment of the server schema: runs on the connection the server hands over.

``gigbag.server.database.migrate`` opens the transaction (and the lock that keeps concurrent
starts apart) and passes its connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from gigbag.server.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand
    raise SystemExit("run the server (gigbag-server) to migrate its database; it passes the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

"""The server's Alembic migrations (run at start by :func:`gigbag.server.database.migrate`)."""

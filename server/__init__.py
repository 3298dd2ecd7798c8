"""The Gigbag sync server: accounts, checksum-verified push with idempotency keys, cursor pull, blobs.

Run it with ``gigbag-server`` (see :mod:`gigbag.server.cli`); the FastAPI application is built by
:func:`gigbag.server.app.create_app`. The wire contract is ``docs/sync-protocol.md``. Nothing here
imports the desktop client (``gigbag.app``, ``gigbag.ui``, ``gigbag.local_db``) or Qt.
"""

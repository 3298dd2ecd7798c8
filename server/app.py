"""Builds the FastAPI application of one server process: database, migrations, routes, handlers.

``create_app`` opens the database, migrates it to the newest schema (before the first request is
accepted), opens the blob store (a folder or an S3 bucket; a store that does not answer stops
the start with :class:`~gigbag.server.blob_store.BlobStoreError`) and wires the routers, the
error handlers and the middlewares. It imports nothing of the desktop client. The importable
application of several worker processes is :mod:`gigbag.server.asgi`.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gigbag import __version__
from gigbag.schema.wire import PROTOCOL_VERSION

from . import accounts, blobs, library, operations_api, sync_api, uploads
from .auth import LoopReader
from .blob_files import BlobFiles
from .blob_store import BlobStore, open_blob_store
from .config import ServerConfig
from .database import Database, migrate, open_database
from .errors import install_error_handlers
from .metrics import MetricsPage
from .middleware import AccessLogMiddleware, JsonBodyGuardMiddleware, PlainPullMiddleware, TusHeaderMiddleware
from .openapi_doc import install_openapi
from .responses import SafeJSONResponse
from .state import ServerState
from .upload_locks import FileUploadLocks, PostgresUploadLocks, UploadLocks

DESCRIPTION = f"""The Gigbag sync protocol, version {PROTOCOL_VERSION}. The contract, with the rules behind
these routes (idempotency, conflicts, cursors, blobs, tus uploads, limits), is
`docs/sync-protocol.md`. Every error answer is `{{"error": code, "message": sentence}}`."""


def upload_locks(config: ServerConfig, db: Database, files: BlobStore) -> UploadLocks:
    """Advisory locks on PostgreSQL; on SQLite lock files (beside the partial files of a blob folder)."""
    if db.is_postgres:
        return PostgresUploadLocks(db.engine)
    if isinstance(files, BlobFiles):
        return FileUploadLocks(files.partial_dir)
    return FileUploadLocks(config.data_dir / ".upload-locks")


# A push of 500 changes allocates tens of thousands of objects that live until its answer is sent: at
# Python's default (a collection every 700 allocations) each is traversed by one or two collections before
# it dies, and every few pushes a full collection walks the whole heap of the loaded modules.
GC_THRESHOLDS = (50_000, 20, 20)


def settle_garbage_collector() -> None:
    """Once started: what start-up allocated is set aside from collections, and collections are rarer."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(config: ServerConfig) -> FastAPI:
    db = open_database(config)
    migrate(db, config.data_dir if db.is_sqlite else None)
    try:
        files = open_blob_store(config)
    except BaseException:
        db.dispose()
        raise

    token_reader = LoopReader.of(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        settle_garbage_collector()
        yield
        if token_reader is not None:
            await token_reader.aclose()
        db.dispose()

    app = FastAPI(
        title="Gigbag sync server",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=SafeJSONResponse,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.gigbag = ServerState(
        config=config, db=db, files=files, locks=upload_locks(config, db, files), metrics=MetricsPage(db)
    )
    app.state.token_reader = token_reader  # the short answers' token reads on the event loop
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(operations_api.router)
    app.include_router(sync_api.router)
    app.include_router(accounts.router)
    app.include_router(blobs.router)
    app.include_router(uploads.router)
    app.include_router(library.router)
    app.add_middleware(TusHeaderMiddleware)
    app.add_middleware(JsonBodyGuardMiddleware)
    app.add_middleware(PlainPullMiddleware)
    app.add_middleware(AccessLogMiddleware)  # outermost: logs and counts every answer, guard's included
    return app

"""Builds the FastAPI application of one server process: database, migrations, routes, handlers.

``create_app`` opens the database, migrates it to the newest schema (before the first request is
accepted), prepares the blob folder and wires the routers, the error handlers and the two
middlewares. It imports nothing of the desktop client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gigbag import __version__
from gigbag.schema.wire import PROTOCOL_VERSION

from . import accounts, blobs, library, sync_api, uploads
from .blob_files import BlobFiles
from .config import ServerConfig
from .database import migrate, open_database
from .errors import install_error_handlers
from .middleware import AccessLogMiddleware, JsonBodyGuardMiddleware, TusHeaderMiddleware
from .openapi_doc import install_openapi
from .responses import SafeJSONResponse
from .state import ServerState

DESCRIPTION = f"""The Gigbag sync protocol, version {PROTOCOL_VERSION}. The contract, with the rules behind
these routes (idempotency, conflicts, cursors, blobs, tus uploads, limits), is
`docs/sync-protocol.md`. Every error answer is `{{"error": code, "message": sentence}}`."""


def create_app(config: ServerConfig) -> FastAPI:
    db = open_database(config)
    migrate(db, config.data_dir if db.is_sqlite else None)
    files = BlobFiles(config.blobs_path)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    app.state.gigbag = ServerState(config=config, db=db, files=files)
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(sync_api.router)
    app.include_router(accounts.router)
    app.include_router(blobs.router)
    app.include_router(uploads.router)
    app.include_router(library.router)
    app.add_middleware(TusHeaderMiddleware)
    app.add_middleware(JsonBodyGuardMiddleware)
    app.add_middleware(AccessLogMiddleware)  # outermost: logs every answer, guard's included
    return app

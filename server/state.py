"""What one server process holds while it runs: settings, database, blob store, upload locks, metrics."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from .blob_store import BlobStore
from .config import ServerConfig
from .database import Database
from .metrics import MetricsPage
from .upload_locks import UploadLocks


@dataclass
class ServerState:
    config: ServerConfig
    db: Database
    files: BlobStore
    locks: UploadLocks
    metrics: MetricsPage


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.gigbag
    return state

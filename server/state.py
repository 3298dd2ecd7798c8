"""What one server process holds while it runs: its settings, its database and its blob folder."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from .blob_files import BlobFiles
from .config import ServerConfig
from .database import Database


@dataclass
class ServerState:
    config: ServerConfig
    db: Database
    files: BlobFiles


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.gigbag
    return state

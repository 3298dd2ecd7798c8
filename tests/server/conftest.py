"""Fixtures of the server tests: one server process per backend per module, and fresh users.

Every protocol test takes ``server`` (or ``api``), parametrized over SQLite and PostgreSQL, so it
runs twice, each time against a real server process on 127.0.0.1. Tests in a module share the
process (each test signs up its own users, and all data is per user), which keeps the suite fast;
tests that need special limits start their own with ``server_factory``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest
from fastapi import FastAPI

from gigbag.server.account_settings import AccountSettings
from gigbag.server.app import create_app
from gigbag.server.config import ServerConfig
from tests.fixtures.postgres import PostgresServer
from tests.fixtures.server_process import ServerProcess, start_server
from tests.server.api_client import Api


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    database_url = None
    pg: PostgresServer | None = None
    if backend == "postgres":
        pg = request.getfixturevalue("postgres_server")
        database_url = pg.create_database()
    proc = start_server(tmp_path_factory.mktemp(f"server-{backend}"), database_url)
    yield proc
    proc.stop()
    if pg is not None and database_url is not None:
        pg.drop_database(database_url)


@pytest.fixture
def new_api(server: ServerProcess) -> Iterator[Callable[..., Api]]:
    """Sign up a fresh user (and sign in one device) on the module's server: ``new_api()``."""
    made: list[Api] = []

    def make(**kwargs: object) -> Api:
        api = Api.sign_up(server.url, **kwargs)  # type: ignore[arg-type]
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(new_api: Callable[..., Api]) -> Api:
    return new_api()


@pytest.fixture
def in_process_app(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FastAPI]:
    """The server's application in this process, on a fresh database of the backend."""
    pg: PostgresServer | None = request.getfixturevalue("postgres_server") if backend == "postgres" else None
    database_url = pg.create_database() if pg is not None else None
    app = create_app(
        ServerConfig(data_dir=tmp_path, database_url=database_url, accounts=AccountSettings(signup="open"))
    )
    yield app
    if app.state.token_reader is not None:
        anyio.run(app.state.token_reader.aclose)
    app.state.gigbag.db.dispose()
    if pg is not None and database_url is not None:
        pg.drop_database(database_url)

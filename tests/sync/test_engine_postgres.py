"""The same engine against a server on PostgreSQL (the server's other backend): push, pull,
conflict, resolution and convergence behave the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigbag.app.sync_service import SyncService
from gigbag.app.workspace import Workspace
from gigbag.schema.wire import MAX_PULL_LIMIT
from tests.fixtures.server_process import ServerProcess

from .conftest import PASSWORD, Device, server_entities

pytestmark = pytest.mark.postgres


def test_two_computers_converge_through_a_postgresql_server(
    pg_live_server: ServerProcess, email: str, tmp_path: Path
) -> None:
    with Workspace.open(tmp_path / "a") as wa, Workspace.open(tmp_path / "b") as wb:
        a, b = Device("a", wa), Device("b", wb)
        SyncService(wa, a.client).sign_in(pg_live_server.url, email, PASSWORD, create_account=True, display_name="A")
        SyncService(wb, b.client).sign_in(pg_live_server.url, email, PASSWORD)
        lists = wa.contact_lists.create_many([{"name": f"List {i}"} for i in range(MAX_PULL_LIMIT + 200)])
        a.sync()
        assert b.sync().pull_requests == 2  # a full page and the rest
        wa.contact_lists.update(lists[0], {"name": "From A"})
        wb.contact_lists.update(lists[0], {"name": "From B", "description": "only B"})
        a.sync()
        assert b.sync().open_conflicts == 1
        [conflict] = b.service.conflicts()
        b.service.resolve(conflict.id, "theirs")
        b.sync()
        a.sync()
        assert a.entities() == b.entities() == server_entities(pg_live_server, email)
        merged = wa.contact_lists.get(lists[0])
        assert (merged.name, merged.description) == ("From A", "only B")

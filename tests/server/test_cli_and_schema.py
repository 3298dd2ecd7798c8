"""The ``gigbag-server`` command (no Qt, clear errors) and the server's migrations on both databases."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gigbag.server.config import ServerConfig, parse_size
from gigbag.server.database import migrate, open_database
from gigbag.server.tables import metadata
from tests.fixtures.server_process import ServerProcess, start_server

CLIENT_MODULES = ("PySide6", "gigbag.ui", "gigbag.app", "gigbag.local_db")


def _script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def test_help_runs_without_qt_or_the_desktop_app() -> None:
    done = subprocess.run([_script("gigbag-server"), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for option in (
        "--host",
        "--port",
        "--data-dir",
        "--database-url",
        "--storage-quota",
        "--daily-upload-limit",
        "--blob-store",
        "--s3-endpoint-url",
        "--workers",
        "--log-format",
        "backup",
        "check",
    ):
        assert option in done.stdout
    probe = (
        "import json, sys\n"
        "from gigbag.server.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"print(json.dumps({{'code': code, 'loaded': sorted(m for m in sys.modules if m.startswith({CLIENT_MODULES!r}))}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}


def test_the_whole_server_imports_nothing_of_the_desktop_client() -> None:
    probe = (
        "import json, sys\n"
        "import gigbag.server.app, gigbag.server.cli\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({CLIENT_MODULES!r}))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_missing_data_dir_and_busy_port_are_clear_errors(tmp_path: Path, live_server: ServerProcess) -> None:
    done = subprocess.run(
        [_script("gigbag-server")], capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 2 and "--data-dir is required" in done.stderr
    done = subprocess.run(
        [_script("gigbag-server"), "--data-dir", str(tmp_path / "d"), "--port", str(live_server.port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "cannot listen" in done.stderr
    done = subprocess.run(
        [_script("gigbag-server"), "--data-dir", str(tmp_path), "--storage-quota", "lots"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "not a size" in done.stderr


def test_the_log_has_one_readable_line_per_request(live_server: ServerProcess) -> None:
    httpx.get(live_server.url + "/v1/health")
    httpx.get(live_server.url + "/v1/sync/status?x=1")
    log = live_server.log_once(lambda text: '"GET /v1/sync/status?x=1"' in text)
    assert '"GET /v1/health" 200' in log
    assert '"GET /v1/sync/status?x=1" 401' in log


@pytest.mark.parametrize(
    ("text", "value"),
    [("1048576", 1048576), ("100MB", 100_000_000), ("50GiB", 50 * 1024**3), ("2 kb", 2000), ("1TiB", 1024**4)],
)
def test_sizes(text: str, value: int) -> None:
    assert parse_size(text) == value
    with pytest.raises(ValueError):
        parse_size("ten")


def _check_schema(config: ServerConfig) -> None:
    db = open_database(config)
    try:
        migrate(db, config.data_dir)
        migrate(db, config.data_dir)  # a second start finds the schema current
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, metadata) == []
            assert (
                conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
                == "0006_idempotency_purge_index"
            )
    finally:
        db.dispose()


def test_migrations_build_exactly_the_declared_schema_on_sqlite(tmp_path: Path) -> None:
    _check_schema(ServerConfig(data_dir=tmp_path))
    db = open_database(ServerConfig(data_dir=tmp_path))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()


def test_migrations_build_exactly_the_declared_schema_on_postgres(tmp_path: Path, pg_database_url: str) -> None:
    _check_schema(ServerConfig(data_dir=tmp_path, database_url=pg_database_url))


def test_several_processes_may_start_at_once_on_a_new_database(tmp_path: Path, pg_database_url: str) -> None:
    started: list[ServerProcess] = []
    failures: list[BaseException] = []

    def start(i: int) -> None:
        try:
            started.append(start_server(tmp_path / f"p{i}", pg_database_url))
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not failures, failures
        for server in started:
            assert httpx.get(server.url + "/v1/health").status_code == 200
    finally:
        for server in started:
            server.stop()


def test_upgrading_from_0001_keeps_accounts_and_their_tokens_working(tmp_path: Path) -> None:
    import datetime as dt

    from alembic import command
    from sqlalchemy import select

    from gigbag.server.database import _alembic_config
    from gigbag.server.tables import devices, users

    db = open_database(ServerConfig(data_dir=tmp_path))
    try:
        with db.write() as conn:
            command.upgrade(_alembic_config(conn), "0001")
            conn.exec_driver_sql(
                "INSERT INTO users (id, email, display_name, password_hash, created_at) "
                "VALUES ('u1', 'a@example.com', 'A', 'x', '2026-11-01 10:00:00.000000')"
            )
            conn.exec_driver_sql(
                "INSERT INTO devices (id, user_id, name, token_hash, created_at, last_sync_at) VALUES "
                "('d1', 'u1', 'laptop', 'h1', '2026-11-01 10:00:00.000000', '2026-11-20 10:00:00.000000'), "
                "('d2', 'u1', 'phone', 'h2', '2026-11-02 10:00:00.000000', NULL)"
            )
        migrate(db, tmp_path)
        with db.read() as conn:
            user = conn.execute(select(users.c.tier, users.c.disabled_at, users.c.storage_quota_bytes)).one()
            used = dict(conn.execute(select(devices.c.id, devices.c.last_used_at)).all())
        assert tuple(user) == ("free", None, None)
        assert used == {
            "d1": dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
            "d2": dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC),
        }
    finally:
        db.dispose()

"""A throwaway PostgreSQL cluster for ``bench_sync.py --pg``, durable like a real server's.

The tests' cluster (tests/fixtures/postgres.py) runs with fsync and synchronous commit off, which is right for
tests and wrong for a comparison with SQLite's durable commits; this one keeps PostgreSQL's defaults
(fsync on, synchronous_commit on) and only picks the port and the socket folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tests.fixtures.postgres import PostgresServer, PostgresUnavailable, _free_port, find_pg_bin


def start_durable_cluster() -> PostgresServer:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL is not installed (apt-get install postgresql), or give --pg-url")
    base = Path(tempfile.mkdtemp(prefix="gigbag-bench-pg-"))
    server = PostgresServer(admin_url="", base_dir=base, bin_dir=bin_dir, as_postgres_user=os.geteuid() == 0)
    if server.as_postgres_user:
        shutil.chown(base, user="postgres", group="postgres")
        os.chmod(base, 0o700)
    done = server._run(
        str(bin_dir / "initdb"),
        "-D",
        str(base / "data"),
        "--auth=trust",
        "-U",
        "postgres",
        "--encoding=UTF8",
        "--locale=C",
    )
    if done.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed:\n{done.stdout}\n{done.stderr}")
    port = _free_port()
    done = server._run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(base / "data"),
        "-l",
        str(base / "postgres.log"),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
        "start",
    )
    if done.returncode != 0:
        server.stop()
        raise PostgresUnavailable(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}")
    server.admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    return server

"""The floor of a sync workload, measured in the same run: what the machine needs to move the same rows.

A floor is the same rows written with one ``executemany`` into SQLite on each side (WAL, synchronous=NORMAL,
as Gigbag's databases) plus one HTTP POST of their JSON bytes over loopback to a plain stdlib server process
that parses them and writes them. No checksums, no ORM, no batching: anything above it is the sync design's
cost. Run as a script it is that server (``python loopback_floor.py PORT_FILE DB_PATH``).
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Row = tuple[str, str, str, str, str]
_TABLE = (
    "CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, title TEXT, date TEXT, created_at TEXT, updated_at TEXT)"
)
_UPSERT = "INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?, ?)"


def open_db(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(_TABLE)
    return conn


def write_rows(conn: sqlite3.Connection, rows: list[Any]) -> None:
    conn.execute("BEGIN")
    conn.executemany(_UPSERT, rows)
    conn.execute("COMMIT")


def serve(port_file: Path, db_path: Path) -> None:
    conn = open_db(db_path)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            rows = json.loads(body)
            if rows:
                write_rows(conn, rows)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


class Floor:
    """The floor server process and the client side's database."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        port_file = folder / "floor.port"
        port_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(port_file), str(folder / "server.sqlite3")], stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the floor server did not start")
            time.sleep(0.02)
        self.port = int(port_file.read_text())
        self.client_db = open_db(folder / "client.sqlite3")

    def measure(self, rows: list[Row]) -> float:
        """Seconds for: client executemany, one POST of the rows' JSON, server parse + executemany."""
        started = time.perf_counter()
        write_rows(self.client_db, rows)
        body = json.dumps(rows).encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("POST", "/rows", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        conn.close()
        return time.perf_counter() - started

    def stop(self) -> None:
        self.client_db.close()
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]))

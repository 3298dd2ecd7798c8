"""What an operator relies on: /v1/health and /v1/ready, /metrics (one process and several), request
logs as text or JSON without secrets, the importable ASGI app under uvicorn, backup and check."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from gigbag.schema.wire import PROTOCOL_HEADER, PROTOCOL_VERSION
from tests.fixtures.postgres import PostgresServer
from tests.fixtures.s3 import S3Server
from tests.fixtures.server_process import start_server
from tests.server.api_client import PASSWORD, Api, contact_list, upsert

TUS = {"Tus-Resumable": "1.0.0"}


def _script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text exposition (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, value = line.rpartition(" ")
        sample, _, label_text = key.partition("{")
        if sample == name and all(f'{k}="{v}"' in label_text for k, v in labels.items()):
            total += float(value)
    return total


def _put(api: Api, content: bytes) -> str:
    sha = hashlib.sha256(content).hexdigest()
    r = api.http.put(f"/v1/blobs/{sha}", content=content)
    assert r.status_code == 201, r.text
    return sha


def test_health_and_ready_and_ready_says_why_not(s3_server: S3Server, tmp_path: Path) -> None:
    plain = start_server(tmp_path / "plain")
    try:
        assert httpx.get(plain.url + "/v1/health").json() == {"status": "ok", "protocol": PROTOCOL_VERSION}
        ready = httpx.get(plain.url + "/v1/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "database": "ok", "blob_store": "ok"}
        shutil.rmtree(plain.data_dir / "blobs")  # the blob folder is gone (a lost mount)
        not_ready = httpx.get(plain.url + "/v1/ready")
        assert not_ready.status_code == 503
        body = not_ready.json()
        assert body["status"] == "unavailable" and body["database"] == "ok"
        assert "blob folder" in body["blob_store"] and "not writable" in body["blob_store"]
        assert httpx.get(plain.url + "/v1/health").status_code == 200  # alive all the same
    finally:
        plain.stop()
    bucket = s3_server.new_bucket()
    on_s3 = start_server(tmp_path / "s3", extra_args=["--blob-store", f"s3://{bucket}"], env=s3_server.env)
    try:
        assert httpx.get(on_s3.url + "/v1/ready").json()["blob_store"] == "ok"
        s3_server.client().delete_bucket(Bucket=bucket)
        r = httpx.get(on_s3.url + "/v1/ready")
        assert r.status_code == 503
        assert f"the bucket '{bucket}' does not exist" in r.json()["blob_store"]
    finally:
        on_s3.stop()


def test_metrics_count_requests_pushes_blob_bytes_and_uploads_in_progress(tmp_path: Path) -> None:
    server = start_server(tmp_path / "srv")
    try:
        api = Api.sign_up(server.url)
        before = httpx.get(server.url + "/metrics").text  # start_server has asked /v1/health already
        health_before = _metric(before, "gigbag_http_requests_total", method="GET", route="/v1/health", status="200")
        for _ in range(3):
            httpx.get(server.url + "/v1/health")
        body = api.push([upsert(contact_list("A")), upsert(contact_list("B"))])
        first = body["results"][0]
        stale = upsert(contact_list("A again"), entity_id=first["entity_id"], base="sha256:" + "0" * 64)
        assert api.push([stale])["results"][0]["status"] == "conflict"
        content = os.urandom(5000)
        sha = _put(api, content)
        assert api.http.get(f"/v1/blobs/{sha}", headers={"Range": "bytes=0-999"}).status_code == 206
        meta = "sha256 " + base64.b64encode(b"a" * 64).decode()
        assert (
            api.http.post("/v1/uploads/", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": meta}).status_code
            == 201
        )
        page = httpx.get(server.url + "/metrics")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
        text = page.text
        assert _metric(text, "gigbag_http_requests_total", method="GET", route="/v1/health", status="200") == (
            health_before + 3
        )
        assert _metric(text, "gigbag_http_requests_total", method="PUT", route="/v1/blobs/{sha256}", status="201") == 1
        assert _metric(text, "gigbag_http_request_duration_seconds_count", method="POST", route="/v1/sync/push") == 2
        assert _metric(text, "gigbag_pushes_total") == 2
        assert _metric(text, "gigbag_changes_total", result="applied") == 2
        assert _metric(text, "gigbag_changes_total", result="conflict") == 1
        assert _metric(text, "gigbag_blob_bytes_in_total") == 5000
        assert _metric(text, "gigbag_blob_bytes_out_total") == 1000
        assert _metric(text, "gigbag_uploads_in_progress") == 1
        # an unknown path is counted under one label, not one per path
        httpx.get(server.url + "/no/such/thing/1")
        httpx.get(server.url + "/no/such/thing/2")
        text = httpx.get(server.url + "/metrics").text
        assert _metric(text, "gigbag_http_requests_total", route="<unmatched>", status="404") == 2
        api.close()
    finally:
        server.stop()


def test_several_workers_share_one_port_and_their_metrics_add_up(tmp_path: Path, pg_database_url: str) -> None:
    server = start_server(tmp_path / "srv", pg_database_url, extra_args=["--workers", "2"])
    try:
        api = Api.sign_up(server.url)
        for i in range(40):
            # a new connection each time, so both workers take some of them
            auth = {"Authorization": f"Bearer {api.token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
            with httpx.Client(base_url=server.url, headers=auth) as fresh:
                r = fresh.post(
                    "/v1/sync/push",
                    json={"device_id": api.device_id, "changes": [upsert(contact_list(f"n{i}"))]},
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
                assert r.status_code == 200, r.text
        text = httpx.get(server.url + "/metrics").text  # whichever worker answers, it adds up all of them
        assert _metric(text, "gigbag_pushes_total") == 40
        assert _metric(text, "gigbag_http_requests_total", method="POST", route="/v1/sync/push", status="200") == 40
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2, children
        changes, cursor = api.pull_all()
        assert len(changes) == 40 and cursor == 40
        api.close()
    finally:
        server.stop()


def test_json_request_logs_name_route_status_duration_and_account_but_no_secret(tmp_path: Path) -> None:
    server = start_server(tmp_path / "srv", extra_args=["--log-format", "json"])
    try:
        api = Api.sign_up(server.url)
        api.push([upsert(contact_list("X"))])
        content = os.urandom(100)
        sha = _put(api, content)
        api.http.get(f"/v1/blobs/{sha}")
        httpx.get(server.url + "/v1/sync/status", headers={"Authorization": "Bearer not-a-real-token-123"})
    finally:
        server.stop()
    lines = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    access = [e for e in lines if e["logger"] == "gigbag.server.access"]
    by_route = {(e["method"], e["route"], e["status"]): e for e in access}
    get_blob = by_route[("GET", "/v1/blobs/{sha256}", 200)]
    assert get_blob["user_id"] == api.user_id and get_blob["duration_ms"] >= 0
    assert get_blob["path"] == f"/v1/blobs/{sha}"
    assert by_route[("POST", "/v1/sync/push", 200)]["user_id"] == api.user_id
    assert by_route[("GET", "/v1/sync/status", 401)]["user_id"] is None
    everything = server.log_text()
    assert api.token not in everything and PASSWORD not in everything and "not-a-real-token-123" not in everything


@pytest.mark.parametrize("runner", ["uvicorn", "gunicorn"])
def test_the_asgi_app_runs_with_two_workers(runner: str, tmp_path: Path, pg_database_url: str) -> None:
    data = tmp_path / "srv"
    data.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "GIGBAG_SIGNUP": "open",
        "GIGBAG_SERVER_DATA_DIR": str(data),
        "GIGBAG_DATABASE_URL": pg_database_url,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    log = open(tmp_path / "uvicorn.log", "wb")  # noqa: SIM115
    if runner == "uvicorn":
        command = [
            _script("uvicorn"),
            "gigbag.server.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ]
    else:
        command = [
            _script("gunicorn"),
            "-k",
            "uvicorn_worker.UvicornWorker",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "gigbag.server.asgi:app",
        ]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/v1/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, (tmp_path / "uvicorn.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "uvicorn.log").read_text()
            time.sleep(0.2)
        api = Api.sign_up(url)
        for i in range(10):
            api.push([upsert(contact_list(f"u{i}"))])
        assert api.pull_all()[1] == 10
        assert _metric(httpx.get(url + "/metrics").text, "gigbag_pushes_total") == 10
        api.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_script("gigbag-server"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_backup_and_check_on_sqlite_and_a_blob_folder(tmp_path: Path) -> None:
    server = start_server(tmp_path / "srv")
    try:
        api = Api.sign_up(server.url)
        shas = [_put(api, os.urandom(n)) for n in (10, 2000, 300_000)]
        api.push([upsert(contact_list("kept"))])
        done = _run("backup", str(tmp_path / "bk"), "--data-dir", str(server.data_dir))  # while it runs
        assert done.returncode == 0, done.stderr
        api.close()
    finally:
        server.stop()
    snapshot = sqlite3.connect(tmp_path / "bk" / "gigbag-server.sqlite3")
    assert snapshot.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    assert snapshot.execute("SELECT count(*) FROM entities").fetchone()[0] == 1
    snapshot.close()
    manifest = json.loads((tmp_path / "bk" / "blobs-manifest.json").read_text())
    assert sorted(b["sha256"] for b in manifest["blobs"]) == sorted(shas)
    assert manifest["blob_bytes"] == 10 + 2000 + 300_000
    again = _run("backup", str(tmp_path / "bk"), "--data-dir", str(server.data_dir))
    assert again.returncode == 2 and "not empty" in again.stderr
    ok = _run("check", "--data-dir", str(server.data_dir))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "checked 3 blobs" in ok.stdout and "all intact" in ok.stdout
    blobs = server.data_dir / "blobs"
    damaged, missing = sorted(shas)[:2]
    (blobs / damaged[:2] / damaged[2:4] / damaged).write_bytes(
        b"x" * len((blobs / damaged[:2] / damaged[2:4] / damaged).read_bytes())
    )
    (blobs / missing[:2] / missing[2:4] / missing).unlink()
    bad = _run("check", "--data-dir", str(server.data_dir), "--json")
    assert bad.returncode == 1
    problems = {p["sha256"]: p["problem"] for p in json.loads(bad.stdout)["problems"]}
    assert problems[missing] == "missing"
    assert problems[damaged].startswith("damaged")
    assert len(problems) == 2
    # restoring is copying the snapshot back: the server starts on it and serves the account
    shutil.copy(tmp_path / "bk" / "gigbag-server.sqlite3", tmp_path / "restored.sqlite3")
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.move(tmp_path / "restored.sqlite3", restored_dir / "gigbag-server.sqlite3")
    restored = start_server(restored_dir)
    try:
        again_api = Api.sign_in(restored.url, api.email)
        assert again_api.pull_all()[1] == 1
        again_api.close()
    finally:
        restored.stop()


def test_backup_on_postgresql_and_check_on_s3(
    tmp_path: Path, s3_server: S3Server, postgres_server: PostgresServer, pg_database_url: str
) -> None:
    if shutil.which("pg_dump") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI installs PostgreSQL (.ci/system-deps), and with it pg_dump")
        pytest.skip("pg_dump is not installed (Debian's postgresql package brings it)")
    bucket = s3_server.new_bucket()
    args = ["--data-dir", str(tmp_path / "srv"), "--database-url", pg_database_url, "--blob-store", f"s3://{bucket}/p"]
    server = start_server(tmp_path / "srv", pg_database_url, extra_args=args[4:], env=s3_server.env)
    try:
        api = Api.sign_up(server.url)
        shas = [_put(api, os.urandom(n)) for n in (100, 9 * 1024 * 1024)]
        done = _run("backup", str(tmp_path / "bk"), *args, env=s3_server.env)
        assert done.returncode == 0, done.stderr
        password_free = done.stdout
        assert "pg_dump --format=custom" in password_free
        api.close()
    finally:
        server.stop()
    listing = subprocess.run(
        ["pg_restore", "--list", str(tmp_path / "bk" / "gigbag.pgdump")], capture_output=True, text=True
    )
    assert listing.returncode == 0 and "TABLE DATA public users" in listing.stdout
    manifest = json.loads((tmp_path / "bk" / "blobs-manifest.json").read_text())
    assert sorted(b["sha256"] for b in manifest["blobs"]) == sorted(shas)
    assert _run("check", *args, env=s3_server.env).returncode == 0
    client = s3_server.client()
    victim = shas[0]
    client.put_object(Bucket=bucket, Key=f"p/blobs/{victim[:2]}/{victim[2:4]}/{victim}", Body=os.urandom(100))
    bad = _run("check", *args, env=s3_server.env)
    assert bad.returncode == 1 and "damaged (its content's SHA-256 is" in bad.stdout and victim in bad.stdout

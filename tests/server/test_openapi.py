"""The OpenAPI description matches the server: schemathesis fuzzes every route of a live server process.

Schemathesis reads ``/openapi.json``, generates valid and invalid requests (authenticated with a real
token) and checks that no answer is a 5xx and that every status, content type, header and body is
the one documented. Signing out is left out so the token stays valid for the whole run (it is
covered in test_accounts).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.fixtures.server_process import ServerProcess
from tests.server.api_client import Api

REPO = Path(__file__).resolve().parents[2]
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "ignored_auth",
    ]
)


def test_openapi_lists_every_route_with_error_bodies(server: ServerProcess) -> None:
    doc = httpx.get(server.url + "/openapi.json").json()
    paths = doc["paths"]
    assert set(paths) >= {
        "/v1/health",
        "/v1/schema",
        "/v1/accounts",
        "/v1/sessions",
        "/v1/sessions/current",
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/sync/status",
        "/v1/blobs/{sha256}",
        "/v1/uploads/",
        "/v1/uploads/{upload_id}",
        "/v1/account",
        "/v1/signup",
    }
    assert "403" in paths["/v1/accounts"]["post"]["responses"]
    assert set(paths["/v1/blobs/{sha256}"]) == {"head", "get", "put"}
    assert set(paths["/v1/uploads/{upload_id}"]) == {"head", "patch", "delete"}
    push = paths["/v1/sync/push"]["post"]
    assert {"200", "400", "401", "409", "413", "422"} <= set(push["responses"])
    assert push["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    key = next(p for p in push["parameters"] if p["name"] == "Idempotency-Key")
    assert key["required"] is True and key["in"] == "header"
    assert "HTTPValidationError" not in doc.get("components", {}).get("schemas", {})


def test_schemathesis_finds_no_server_error_and_no_schema_violation(server: ServerProcess, tmp_path: Path) -> None:
    api = Api.sign_up(server.url)
    api.push([])  # a user with a device that has synced once
    seed = os.environ.get("GIGBAG_SCHEMATHESIS_SEED", "20261122")
    examples = os.environ.get("GIGBAG_SCHEMATHESIS_EXAMPLES", "15")
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        server.url + "/openapi.json",
        "--header",
        f"Authorization: Bearer {api.token}",
        "--checks",
        CHECKS,
        "--max-examples",
        examples,
        "--seed",
        seed,
        "--exclude-path",
        "/v1/sessions/current",
        "--request-timeout",
        "30",
        "--phases",
        "examples,coverage,fuzzing",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.server.schemathesis_hooks",
        "GIGBAG_ST_DEVICE_ID": api.device_id,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "NO_COLOR": "1",
    }
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    assert "17 selected" in output or "Selected: 17" in output, output[-3000:]
    log = server.log_text()
    assert " 500 " not in log, log[-3000:]
    # the fuzzer reached the push itself (past the device check), not only its refusals
    assert '"POST /v1/sync/push" 200' in log
    api.close()

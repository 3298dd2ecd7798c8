"""A push whose data nests hundreds of levels deep is answered 400 document_too_deep, before any work."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from gigbag.schema.document_limits import ERR_DOCUMENT_TOO_DEEP, MAX_DATA_DEPTH
from tests.server.api_client import Api, contact_list, upsert


@pytest.fixture(scope="module", params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)  # the refusal happens before the database: one backend is enough


def _deep_change(levels: int) -> str:
    """One change as JSON text (written by hand: json.dumps itself cannot encode 5000 levels)."""
    nested = '[{"k":' * (levels // 2) + '"bottom"' + "}]" * (levels // 2)
    return (
        f'{{"entity_type": "journal_entries", "entity_id": "{uuid.uuid4()}", "op": "upsert", '
        f'"data": {{"title": "Deep", "content": {nested}}}, "checksum": "{"0" * 64}", "base_checksum": null}}'
    )


def _push_text(api: Api, changes: list[str], key: str | None = None) -> httpx.Response:
    body = f'{{"device_id": "{api.device_id}", "changes": [{", ".join(changes)}]}}'
    headers = {"Idempotency-Key": key or str(uuid.uuid4()), "Content-Type": "application/json"}
    return api.http.post("/v1/sync/push", content=body.encode(), headers=headers)


@pytest.mark.parametrize("levels", [300, 5000])
def test_a_deep_push_is_refused_with_400_and_nothing_is_applied(api: Api, levels: int) -> None:
    key = str(uuid.uuid4())
    fine = upsert(contact_list("Venues"))
    r = _push_text(api, [json.dumps(fine), _deep_change(levels)], key=key)
    assert r.status_code == 400, r.text
    body = r.json()
    if levels < 1000:
        assert body["error"] == ERR_DOCUMENT_TOO_DEEP
        assert "Change 1 (journal_entries)" in body["message"] and str(MAX_DATA_DEPTH) in body["message"]
    else:  # deeper than any JSON parser here follows: refused as a body that cannot be read
        assert body["error"] == "bad_request", body
    assert api.pull(0)["changes"] == []  # the good change of the same push was not applied either
    # The key was not reserved: the same key with an acceptable body is applied.
    assert api.push([fine], key=key)["results"][0]["status"] == "applied"


def test_data_at_the_limit_is_not_refused_for_its_depth(api: Api) -> None:
    r = _push_text(api, [_deep_change(MAX_DATA_DEPTH - 2)])
    assert r.status_code == 200, r.text  # judged per entity (here: invalid), not refused whole

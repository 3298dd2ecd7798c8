"""The plain-code reading of a push body agrees with ``PushRequest``: same changes, or pydantic's own errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gigbag.schema.wire import MAX_PUSH_CHANGES, PushRequest
from gigbag.server import push_body
from tests.server.api_client import contact_list, delete, upsert

DEVICE = str(uuid.uuid4())
GOOD = [
    upsert(contact_list("a")),
    delete(str(uuid.uuid4()), None),
    {**upsert(contact_list("b")), "base_checksum": None},
]


def _fields(change: push_body.IncomingChange) -> dict[str, Any]:
    return {
        "entity_type": change.entity_type,
        "entity_id": change.entity_id,
        "op": change.op,
        "data": change.data,
        "checksum": change.checksum,
        "base_checksum": change.base_checksum,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"device_id": DEVICE, "changes": GOOD},
        {"device_id": DEVICE, "changes": []},
        {"device_id": DEVICE, "changes": [{"entity_type": "x", "entity_id": "y", "op": "delete"}]},  # defaults
    ],
)
def test_a_good_body_reads_as_pydantic_reads_it(body: dict[str, Any]) -> None:
    read = push_body.read(body)
    model = PushRequest.model_validate(body)
    assert read.device_id == model.device_id
    assert [_fields(c) for c in read.changes] == [c.model_dump() for c in model.changes]


@pytest.mark.parametrize(
    "body",
    [
        None,
        b"bytes",
        [],
        {"device_id": DEVICE},
        {"device_id": 5, "changes": []},
        {"device_id": DEVICE, "changes": {}, "extra": 1},
        {"device_id": DEVICE, "changes": GOOD * (MAX_PUSH_CHANGES // len(GOOD) + 1)},
        {"device_id": DEVICE, "changes": [*GOOD, "not a change"]},
        {"device_id": DEVICE, "changes": [*GOOD, {**GOOD[0], "op": "merge"}]},
        {"device_id": DEVICE, "changes": [*GOOD, {**GOOD[0], "op": True}]},
        {"device_id": DEVICE, "changes": [*GOOD, {**GOOD[0], "data": [1]}]},
        {"device_id": DEVICE, "changes": [*GOOD, {**GOOD[0], "checksum": 1}]},
        {"device_id": DEVICE, "changes": [*GOOD, {**GOOD[0], "base_checksum": []}]},
        {"device_id": DEVICE, "changes": [*GOOD, {**GOOD[0], "entity_id": None}]},
        {"device_id": DEVICE, "changes": [*GOOD, {k: v for k, v in GOOD[0].items() if k != "entity_type"}]},
        {"device_id": DEVICE, "changes": [*GOOD, {**GOOD[0], "colour": "red"}]},
    ],
)
def test_a_bad_body_gets_pydantics_errors_under_body(body: Any) -> None:
    with pytest.raises(ValidationError) as expected:
        PushRequest.model_validate(body)
    with pytest.raises(RequestValidationError) as got:
        push_body.read(body)
    want = [{**e, "loc": ("body", *e["loc"])} for e in expected.value.errors()]
    assert list(got.value.errors()) == want

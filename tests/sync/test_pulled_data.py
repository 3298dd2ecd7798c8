"""The receiver's quick readers agree with the slow ones: on every demo entity and on hostile variants.

``pulled_data.normalized_data`` (an entity's data without SQLModel's constructor) must accept exactly
what ``validate_data`` accepts, normalized the same, and refuse the rest with the same error;
``pull_answer.read_pull_answer`` must read exactly what ``PullResponse`` reads, and refuse the rest
with the same pydantic errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from gigbag.schema.entities import ENTITY_TYPES, EntityValidationError, validate_data
from gigbag.schema.wire import PullResponse
from gigbag.sync.pull_answer import PulledVersion, read_pull_answer
from gigbag.sync.pulled_data import normalized_data

BAD_VALUES: list[Any] = [None, "", " ", "x" * 20_000, 0, -1, 1.5, float("nan"), True, [], {}, ["a"], "2025-13-40"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    from gigbag.app.demo_data import seed_demo
    from gigbag.app.export_import import export_document
    from gigbag.app.workspace import Workspace

    root: Path = tmp_path_factory.mktemp("pulled-data-demo")
    with Workspace.open(root / "device") as ws:
        seed_demo(ws)
        entities: dict[str, list[dict[str, Any]]] = export_document(ws.engine)["entities"]
    return entities


def verdict(read: Any, entity_type: str, data: Any) -> tuple[str, Any]:
    try:
        return "ok", read(entity_type, data)
    except EntityValidationError as exc:
        return "refused", (exc.entity_type, exc.errors, str(exc))


def variants(data: dict[str, Any]) -> Iterator[Any]:
    yield data
    yield {**data, "not_a_field": 1}
    for name in data:
        yield {k: v for k, v in data.items() if k != name}  # a default, or "required"
        for bad in BAD_VALUES:
            yield {**data, name: bad}


def test_entity_data_is_accepted_normalized_and_refused_exactly_as_validate_data_does(
    demo: dict[str, list[dict[str, Any]]],
) -> None:
    assert set(demo) >= {"timeline_entries", "goals", "files", "tracks"}
    checked = refused = 0
    for entity_type, rows in demo.items():
        for row in rows[:3]:
            for data in variants(row["data"]):
                quick, slow = verdict(normalized_data, entity_type, data), verdict(validate_data, entity_type, data)
                assert quick == slow, (entity_type, data)
                checked += 1
                refused += quick[0] == "refused"
    assert refused > checked // 2  # the hostile variants were really refused
    for data in ([], "text", None, 5):
        assert verdict(normalized_data, "goals", data) == verdict(validate_data, "goals", data)
    assert verdict(normalized_data, "no_such_type", {}) == verdict(validate_data, "no_such_type", {})


def test_entity_data_is_read_without_the_model_s_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {
        "created_at": "2025-03-01T12:00:00Z",
        "updated_at": "2025-03-01T12:00:00Z",
        "date": "2025-05-01",
        "title": "Gig",
        "entry_type": "gig",
    }
    expected = validate_data("timeline_entries", data)

    def no_init(self: object, **_: Any) -> None:
        raise AssertionError("the constructor validates a second time")

    monkeypatch.setattr(ENTITY_TYPES["timeline_entries"], "__init__", no_init)
    assert normalized_data("timeline_entries", data) == expected


CHANGE = {
    "entity_type": "goals",
    "entity_id": "g1",
    "data": {"title": "T"},
    "checksum": "ab",
    "deleted": False,
    "seq": 3,
}


def pages() -> Iterator[Any]:
    yield {"changes": [], "cursor": 0, "has_more": False}
    yield {
        "changes": [CHANGE, {**CHANGE, "data": None, "checksum": None, "deleted": True, "seq": 4}],
        "cursor": 4,
        "has_more": True,
    }
    yield {"changes": [CHANGE], "cursor": 3, "has_more": False, "extra": 1}
    yield {"changes": [CHANGE], "cursor": 3}
    yield {"changes": {}, "cursor": 3, "has_more": False}
    yield {"changes": [CHANGE], "cursor": "3", "has_more": False}  # lax: pydantic reads 3
    yield {"changes": [CHANGE], "cursor": 3.0, "has_more": False}
    yield {"changes": [CHANGE], "cursor": 3.5, "has_more": False}
    yield {"changes": [CHANGE], "cursor": True, "has_more": False}
    yield {"changes": [CHANGE], "cursor": 3, "has_more": "false"}
    yield {"changes": [CHANGE], "cursor": 3, "has_more": 0}
    yield {"changes": [CHANGE], "cursor": 2**70, "has_more": False}
    yield []
    yield None
    for name in CHANGE:
        yield {"changes": [{k: v for k, v in CHANGE.items() if k != name}], "cursor": 3, "has_more": False}
        for bad in (None, "5", 5, 5.0, True, [], {}, {"a": 1}):
            yield {"changes": [{**CHANGE, name: bad}], "cursor": 3, "has_more": False}
    yield {"changes": [{**CHANGE, "more": 1}], "cursor": 3, "has_more": False}
    yield {"changes": [[1, 2]], "cursor": 3, "has_more": False}


def outcome(read: Any, body: bytes) -> tuple[str, Any]:
    try:
        page = read(body)
    except ValidationError as exc:
        return "refused", repr(exc.errors(include_url=False))  # repr: NaN != NaN
    changes = [PulledVersion(*(getattr(c, f) for f in PulledVersion._fields)) for c in page.changes]
    return "ok", (changes, page.cursor, page.has_more)


@pytest.mark.parametrize(
    "body",
    [json.dumps(p).encode() for p in pages()]
    + [
        b"",
        b"not json",
        b'{"changes": [], "cursor": 1, "has_more": false',
        b'{"changes":[],"cursor":NaN,"has_more":false}',
    ],
)
def test_a_pull_answer_is_read_and_refused_exactly_as_pull_response_does(body: bytes) -> None:
    assert outcome(read_pull_answer, body) == outcome(PullResponse.model_validate_json, body)

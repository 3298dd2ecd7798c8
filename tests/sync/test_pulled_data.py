"""The receiver's quick paths agree with the slow ones: on every demo entity and on hostile variants.

``schema.quick_validation.quick_normalized_data`` (an entity's data without SQLModel's constructor, as a
pull reads it) must accept exactly what ``validate_data`` accepts, normalized the same, and refuse the
rest with the same error; the bulk writes' JSON binding must give the text SQLAlchemy's own JSON type gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON
from sqlalchemy.dialects import sqlite

from gigbag.schema.entities import ENTITY_TYPES, EntityValidationError, validate_data
from gigbag.schema.quick_validation import quick_normalized_data
from gigbag.sync.bulk_writes import _quick_json

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
                quick, slow = (
                    verdict(quick_normalized_data, entity_type, data),
                    verdict(validate_data, entity_type, data),
                )
                assert quick == slow, (entity_type, data)
                checked += 1
                refused += quick[0] == "refused"
    assert refused > checked // 2  # the hostile variants were really refused
    for data in ([], "text", None, 5):
        assert verdict(quick_normalized_data, "goals", data) == verdict(validate_data, "goals", data)
    assert verdict(quick_normalized_data, "no_such_type", {}) == verdict(validate_data, "no_such_type", {})


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
    assert quick_normalized_data("timeline_entries", data) == expected


def test_json_is_bound_as_sqlalchemy_binds_it(demo: dict[str, list[dict[str, Any]]]) -> None:
    dialect = sqlite.dialect()
    core = JSON().dialect_impl(dialect).bind_processor(dialect)
    assert core is not None
    quick = _quick_json(core)
    assert quick is not core  # the quick one is in use
    values: list[Any] = [row["data"] for rows in demo.values() for row in rows]
    values += [None, [], {}, "text", 1, 2.5, True, {"é": ["\u2028", "\ud800", 1e300, -0.0, 2**70]}, {"n": float("nan")}]
    for value in values:
        assert quick(value) == core(value), value
    for refused in ({"x": object()}, {1j: 1}):
        with pytest.raises(TypeError) as quick_error:
            quick(refused)
        with pytest.raises(TypeError) as core_error:
            core(refused)
        assert str(quick_error.value) == str(core_error.value)

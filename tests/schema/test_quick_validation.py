"""The quick validation (no SQLModel constructor) agrees with the schema's own: on every demo entity and on
hostile variants, for the server's verdict (``check_data``) and for the normalized data (``validate_data``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gigbag.schema.entities import ENTITY_TYPES, EntityValidationError, check_data, validate_data
from gigbag.schema.quick_validation import quick_check_data, quick_normalized_data

BAD_VALUES: list[Any] = [None, "", " ", "x" * 20_000, 0, -1, 1.5, float("nan"), True, [], {}, ["a"], "2025-13-40"]
GIG = {
    "created_at": "2025-03-01T12:00:00Z",
    "updated_at": "2025-03-01T12:00:00Z",
    "date": "2025-05-01",
    "title": "Gig",
    "entry_type": "gig",
}


def verdict(read: Callable[[str, Any], Any], entity_type: str, data: Any) -> tuple[str, Any]:
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


@pytest.mark.parametrize(
    ("quick", "slow"),
    [(quick_check_data, check_data), (quick_normalized_data, validate_data)],
    ids=["check", "normalize"],
)
def test_data_is_accepted_and_refused_exactly_as_the_schema_does(
    demo_entities: dict[str, list[dict[str, Any]]], quick: Callable[[str, Any], Any], slow: Callable[[str, Any], Any]
) -> None:
    assert set(demo_entities) >= {"timeline_entries", "goals", "files", "tracks"}
    checked = refused = 0
    for entity_type, rows in demo_entities.items():
        for row in rows[:3]:
            for data in variants(row["data"]):
                found = verdict(quick, entity_type, data)
                assert found == verdict(slow, entity_type, data), (entity_type, data)
                checked += 1
                refused += found[0] == "refused"
    assert refused > checked // 2  # the hostile variants were really refused
    for data in ([], "text", None, 5):
        assert verdict(quick, "goals", data) == verdict(slow, "goals", data)
    assert verdict(quick, "no_such_type", {}) == verdict(slow, "no_such_type", {})


def test_data_is_checked_without_the_model_s_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = validate_data("timeline_entries", GIG)

    def no_init(self: object, **_: Any) -> None:
        raise AssertionError("the constructor validates a second time")

    monkeypatch.setattr(ENTITY_TYPES["timeline_entries"], "__init__", no_init)
    quick_check_data("timeline_entries", GIG)
    assert quick_normalized_data("timeline_entries", GIG) == expected


def test_a_verdict_builds_no_model_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(cls: type, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was built for a yes or no")

    monkeypatch.setattr(ENTITY_TYPES["timeline_entries"], "__new__", no_model)
    quick_check_data("timeline_entries", GIG)

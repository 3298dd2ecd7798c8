"""The quick validation (no SQLModel constructor) agrees with the schema's own: on every demo entity and on
hostile variants, for the server's verdict (``check_data``) and for the normalized data (``validate_data``);
and, on data generated from every entity type's schema, its normalization without a model gives the very
same dict (values, key order, the type of everything in it, no list or dict shared with the input) or the
very same refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gigbag.schema.entities import ENTITY_TYPES, EntityValidationError, check_data, validate_data
from gigbag.schema.fields import DATE_RE, SHA256_RE, TIMESTAMP_RE, UUID_RE
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


# --- Generated data for every entity type: the fast normalization (fields validated and dumped without a
# model) must give the schema's own result exactly: the same values, key order and types, fresh containers.

ABSENT = object()  # a field left out of the data (its default, or "required")


class Text(str):
    """A str subclass: valid for a str field, and normalized to a plain str."""


JSON_VALUES: list[Any] = ["é 🎺", 7, 2**70, 2.5, -0.0, None, True, [1, "a", [None]], {"k": {"n": [1, 2.5]}}]
HOSTILE_JSON: list[Any] = [(1, 2), float("nan"), float("inf"), {1: "int key"}, Text("sub"), b"bytes", {"set"}]
PATTERN_VALUES = {
    UUID_RE: ["00000000-0000-4000-8000-00000000a001", "0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5B-D9CB"],
    TIMESTAMP_RE: ["2026-12-01T10:00:00.000000Z", "2024-02-29T23:59:59Z", "2025-02-29T10:00:00Z", "2025-03-01 12:00"],
    DATE_RE: ["2026-03-04", "2024-02-29", "2025-02-29", "2026-3-4"],
    SHA256_RE: ["ab" * 32, "AB" * 32],
}
# Fields whose values the schema checks in Python beyond their type: valid ones first.
FIELD_VALUES: dict[tuple[str, str], list[Any]] = {
    ("journal_entries", "content"): [
        [{"type": "text", "text": "Ñandú 🎺, 3-2 clave"}],
        [{"type": "list", "items": JSON_VALUES}, {"type": "text", "text": ""}],
        *([{"type": "odd", "value": value}] for value in HOSTILE_JSON),
        [{"type": 5}],
        [{"text": "no type"}],
        ({"type": "text"},),
    ],
}


def fields_schema(entity_type: str) -> dict[str, Any]:
    node: dict[str, Any] = ENTITY_TYPES[entity_type].__pydantic_core_schema__
    while node["type"] != "model-fields":
        node = node["schema"]
    return node


def field_values(node: dict[str, Any]) -> list[Any]:
    """Values for a field's core schema: valid ones first (the first is valid), then boundaries and refusals."""
    kind = node["type"]
    if kind == "default":
        return [*field_values(node["schema"]), ABSENT]
    if kind == "nullable":
        return [*field_values(node["schema"]), None]
    if kind in ("function-after", "function-before"):
        return field_values(node["schema"])
    if kind == "str" and "pattern" in node:
        return PATTERN_VALUES[node["pattern"]]
    if kind == "str":
        low, high = node.get("min_length", 0), node.get("max_length", 50)
        edge = ["x" * low] if low else ["", " "]
        return ["Ñandú 🎺 — ☃", *edge, "é" * high, "x" * (high + 1), Text("sub"), 5]
    if kind == "int":
        low, high = node.get("ge", -5), node.get("le", 2**70)
        return [low, high, (low + high) // 2, low - 1, high + 1, True, 3.0, 3.5, "12", 1e30]
    if kind == "float":
        low, high = node.get("ge", -1e300), node.get("le", 1e300)
        return [low, high, 0.1 if low <= 0.1 <= high else high, 3 if low <= 3 <= high else low, "2.5", 2**70,
                low - 1, float("nan"), float("inf"), -0.0, False]  # fmt: skip
    if kind == "bool":
        return [True, False, 1, 0, "yes", "false", 2]
    if kind == "literal":
        return [*node["expected"], "not one of them", Text(node["expected"][0])]
    if kind == "list":
        items = [v for v in field_values(node.get("items_schema", {"type": "any"})) if v is not ABSENT][:3]
        return [[], items[:2], tuple(items[:1]), items]
    if kind in ("dict", "any"):
        return [{"k": JSON_VALUES}, {}, *({"k": value} for value in HOSTILE_JSON), JSON_VALUES]
    raise AssertionError(f"no values for a {kind} schema")


def generated_documents(entity_type: str, demo: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """The data of one type: a base (a demo entity's, or required fields only), with no defaults, with every
    field given, keys reversed, and each field in turn set to each of its values or left out."""
    values = {
        name: FIELD_VALUES.get((entity_type, name)) or field_values(field["schema"])
        for name, field in fields_schema(entity_type)["fields"].items()
    }
    base = dict(demo) if demo is not None else {name: vs[0] for name, vs in values.items() if ABSENT not in vs}
    full = {name: base.get(name, vs[0]) for name, vs in values.items()}
    if entity_type == "patterns" and demo is not None:  # the beat catalog's rules: variants of a real one
        instruments = demo["configuration"]["instruments"]
        values["configuration"] = [
            {"instruments": [{**item, "volume": 1, "pitchOffset": -1} for item in instruments]},
            {"instruments": [{**item, "volume": 0.25} for item in instruments[:1]]},
            {"instruments": []},
            {"instruments": tuple(instruments)},
            {"instruments": [{**instruments[0], "volume": float("nan")}]},
        ]
    yield base
    yield {name: value for name, value in base.items() if ABSENT not in values[name]}
    yield full
    yield dict(reversed(full.items()))
    yield {**full, "not_a_field": "x"}
    for name, vs in values.items():
        for value in vs:
            yield {k: v for k, v in base.items() if k != name} if value is ABSENT else {**base, name: value}


def exactly(value: Any) -> Any:
    """``value`` with the type of everything in it and the order of every dict's keys, for ==."""
    if isinstance(value, dict):
        return type(value), [(exactly(k), exactly(v)) for k, v in value.items()]
    if isinstance(value, list | tuple | set):
        return type(value), [exactly(v) for v in value]
    return type(value), repr(value)  # repr: NaN equals NaN, -0.0 differs from 0.0


def containers(value: Any) -> set[int]:
    if isinstance(value, dict):
        return {id(value)}.union(*(containers(v) for v in value.values()))
    if isinstance(value, list):
        return {id(value)}.union(*(containers(v) for v in value))
    return set()


def test_every_type_normalizes_generated_data_exactly_as_the_schema_does(
    demo_entities: dict[str, list[dict[str, Any]]],
) -> None:
    for entity_type in ENTITY_TYPES:
        demo = demo_entities.get(entity_type)
        accepted = refused = 0
        for data in generated_documents(entity_type, demo[0]["data"] if demo else None):
            outcome, found = verdict(quick_normalized_data, entity_type, data)
            expected = verdict(validate_data, entity_type, data)
            if outcome == "ok":
                assert (outcome, exactly(found)) == (expected[0], exactly(expected[1])), (entity_type, data)
                assert not containers(found) & containers(data), "shares a list or dict with the input"
                accepted += 1
            else:
                assert (outcome, found) == expected, (entity_type, data)
                refused += 1
        assert accepted >= 5 and refused >= 5, (entity_type, accepted, refused)


def test_types_without_a_model_validator_are_normalized_without_a_model(
    demo_entities: dict[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(cls: type, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was built to normalize data")

    plain = [name for name, schema in ENTITY_TYPES.items() if not schema.__pydantic_decorators__.model_validators]
    assert "timeline_entries" in plain and "goals" not in plain
    expected = {}
    for entity_type in plain:
        demo = demo_entities.get(entity_type)
        data = next(generated_documents(entity_type, demo[0]["data"] if demo else None))
        expected[entity_type] = (data, validate_data(entity_type, data))
    for entity_type in plain:
        monkeypatch.setattr(ENTITY_TYPES[entity_type], "__new__", no_model)
    for entity_type, (data, normalized) in expected.items():
        assert exactly(quick_normalized_data(entity_type, data)) == exactly(normalized)

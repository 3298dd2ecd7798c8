"""``quick_normalized_json`` (validated straight from the JSON text) gives exactly what
``quick_normalized_data(entity_type, from_json(text))`` gives, and what the schema's own ``validate_data``
makes of the parsed text: the same values, key order and types (int or float), the same refusal and
message, the same error for text that is no JSON. On generated data of every type written as plain JSON,
as canonical JSON (whole floats written as integers) and with every number written as a float, and on
raw JSON values (numbers as strings, floats, big integers, NaN, duplicate keys) put in every field."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic_core import from_json

from gigbag.schema import quick_validation
from gigbag.schema.canonical import canonical_text
from gigbag.schema.entities import ENTITY_TYPES, EntityValidationError, validate_data
from gigbag.schema.quick_validation import _reads_json_as_python, quick_normalized_data, quick_normalized_json
from tests.schema.test_quick_validation import GIG, exactly, fields_schema, generated_documents

RAW_VALUES = [
    "1", "1.0", "-0", "-0.0", "0.5", "1e2", "1E400", "-1e400", "NaN", "Infinity", "-Infinity",
    "123456789012345678901234567890", "4.0e0", '"1"', '"1.0"', '" 2 "', '"1e3"', '"nan"', "true", "false",
    "null", '""', '"yes"', '"\\u00e9\\ud83c\\udfba"', '"\\ud800"', '"\\u0000"', "[]", "[1.0, 2, -0.0, 1e400]",
    "{}", '{"type": "text", "type": 5}', '{"k": 1.0, "k": 2}', '[{"type": "text", "n": 1.0}]',
    '"2024-02-29"', '"2025-02-29T10:00:00Z"', '"2025-01-31T23:59:59.5Z"', '"gig"', '"Salsa"',
]  # fmt: skip
NOT_JSON: list[str | bytes] = [
    "", " ", "{", "{]", '{"title": }', '{"a": 1} x', "\ufeff{}", '{"a": 1,}', "{'a': 1}", '{"a": 01}',
    b"\xff{}", b'{"title": "\xe9"}', '{"title": "\\ud800"}', '{"title": "\\x"}', "[" * 300 + "]" * 300,
    '{"configuration": ' + "[" * 300 + "]" * 300 + "}", "[]", "null", "5", '"text"', "NaN", "[1, 2]",
]  # fmt: skip


@pytest.fixture(params=[False, True], ids=["as-set", "any-straight"])
def any_straight(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Types whose fields hold ``Any`` read from ``from_json``'s value (as set, for speed) or straight too."""
    monkeypatch.setattr(quick_validation, "READ_ANY_STRAIGHT", request.param)
    monkeypatch.setattr(quick_validation, "_JSON_DUMPS", {})
    return bool(request.param)


def outcome(read: Callable[[str, Any], Any], entity_type: str, text: Any) -> tuple[str, Any]:
    try:
        return "ok", exactly(read(entity_type, text))
    except EntityValidationError as exc:
        return "refused", (exc.entity_type, exc.errors, str(exc))
    except ValueError as exc:
        return "no JSON", (type(exc), str(exc))


def from_its_value(entity_type: str, text: Any) -> dict[str, Any]:
    return quick_normalized_data(entity_type, from_json(text))


def schema_s_own(entity_type: str, text: Any) -> dict[str, Any]:
    return validate_data(entity_type, json.loads(text))


def assert_same(entity_type: str, text: str | bytes, counts: dict[str, int]) -> None:
    found = outcome(quick_normalized_json, entity_type, text)
    expected = outcome(from_its_value, entity_type, text)
    assert found == expected, (entity_type, text)
    if expected[0] != "no JSON":  # json.loads also reads a lone surrogate, a NaN, ...: only where both do
        assert found == outcome(schema_s_own, entity_type, text), (entity_type, text)
    other = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    assert outcome(quick_normalized_json, entity_type, other) == outcome(from_its_value, entity_type, other)
    counts[found[0]] = counts.get(found[0], 0) + 1


def floats(value: Any) -> Any:
    """``value`` with every integer (not bool) a float: 1 written as 1.0."""
    if isinstance(value, dict):
        return {k: floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [floats(v) for v in value]
    return float(value) if type(value) is int else value


def texts_of(data: Any) -> Iterator[str]:
    """``data`` as plain JSON, canonical JSON and plain JSON with float numbers (each as far as it can be)."""
    for write in (lambda v: json.dumps(v, ensure_ascii=False), canonical_text, lambda v: json.dumps(floats(v))):
        with contextlib.suppress(TypeError, ValueError, OverflowError):  # bytes, a set, canonical NaN, ...
            yield write(data)


def test_every_type_normalizes_json_text_exactly_as_from_its_value(
    demo_entities: dict[str, list[dict[str, Any]]], any_straight: bool
) -> None:
    for entity_type in ENTITY_TYPES:
        demo = demo_entities.get(entity_type)
        counts: dict[str, int] = {}
        for data in generated_documents(entity_type, demo[0]["data"] if demo else None):
            for text in texts_of(data):
                assert_same(entity_type, text, counts)
        assert counts.get("ok", 0) >= 5 and counts.get("refused", 0) >= 5, (entity_type, counts)


def with_raw(data: dict[str, Any], name: str, raw: str, first: bool) -> str:
    """``data``'s JSON with ``"name": raw`` written first or last (a second one, if ``data`` has ``name``)."""
    rest = json.dumps(data, ensure_ascii=False)[1:-1]
    pair = f"{json.dumps(name)}: {raw}"
    return "{" + ", ".join(p for p in ((pair, rest) if first else (rest, pair)) if p) + "}"


def test_raw_json_values_in_every_field_go_as_from_their_value(
    demo_entities: dict[str, list[dict[str, Any]]], any_straight: bool
) -> None:
    for entity_type in ENTITY_TYPES:
        demo = demo_entities.get(entity_type)
        base = next(generated_documents(entity_type, demo[0]["data"] if demo else None))
        counts: dict[str, int] = {}
        for name in [*fields_schema(entity_type)["fields"], "not_a_field"]:
            for raw in RAW_VALUES:
                for first in (True, False):
                    assert_same(entity_type, with_raw(base, name, raw, first), counts)
        assert counts.get("ok", 0) >= 20 and counts.get("refused", 0) >= 20, (entity_type, counts)


@pytest.mark.parametrize("entity_type", [*ENTITY_TYPES, "no_such_type"])
def test_text_that_is_no_json_object_gets_the_same_error(entity_type: str, any_straight: bool) -> None:
    counts: dict[str, int] = {}
    for text in NOT_JSON:
        assert_same(entity_type, text, counts)
    assert counts.get("no JSON", 0) >= 10 and counts.get("refused", 0) >= 5, counts


def test_the_gig_text_is_validated_without_its_python_value(
    monkeypatch: pytest.MonkeyPatch, any_straight: bool
) -> None:
    """Every type but goals (its model validator is handed the model) can be read straight from its JSON;
    those whose fields hold ``Any`` are not, unless asked."""
    text = json.dumps(GIG)
    expected = quick_normalized_json("timeline_entries", text)

    def no_value(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the JSON text was turned into a Python value first")

    monkeypatch.setattr(quick_validation, "from_json", no_value)
    assert exactly(quick_normalized_json("timeline_entries", text)) == exactly(validate_data("timeline_entries", GIG))
    assert expected == validate_data("timeline_entries", GIG)
    straight = {name for name in ENTITY_TYPES if quick_validation._json_dump(name) is not None}
    holding_any = set() if any_straight else {"patterns", "journal_entries"}
    assert straight == set(ENTITY_TYPES) - {"goals"} - holding_any


def reads_mode(value: Any, info: Any) -> Any:
    return value if info.mode == "python" else None


@pytest.mark.parametrize(
    "node",
    [
        {"type": "str", "strict": True},
        {"type": "str", "coerce_numbers_to_str": True},
        {"type": "literal", "expected": ["a", 1]},
        {"type": "union", "choices": [{"type": "int"}, {"type": "str"}]},
        {"type": "bytes"},
        {"type": "datetime"},
        {"type": "enum", "cls": object, "members": []},
        {"type": "function-before", "function": {"type": "no-info", "function": str}, "schema": {"type": "str"}},
        {
            "type": "function-after",
            "function": {"type": "with-info", "function": reads_mode},
            "schema": {"type": "str"},
        },
        {"type": "list", "items_schema": {"type": "tuple", "items_schema": []}},
        {"type": "dict", "keys_schema": {"type": "str"}, "values_schema": {"type": "decimal"}},
        {"type": "nullable", "schema": {"type": "default", "schema": {"type": "set"}, "default": None}},
    ],
    ids=lambda node: "-".join(str(key) for key in node if key != "type") or str(node["type"]),
)
def test_a_schema_that_may_read_json_otherwise_is_not_read_straight(node: dict[str, Any]) -> None:
    assert not _reads_json_as_python({"type": "model-fields", "fields": {"f": {"type": "model-field", "schema": node}}})
    assert _reads_json_as_python(
        {"type": "model-fields", "fields": {"f": {"type": "model-field", "schema": {"type": "str"}}}}
    )

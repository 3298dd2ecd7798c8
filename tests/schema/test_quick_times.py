"""The quick validators check a Timestamp or Date in Rust with a pattern that admits a subset of what the
schema admits (its pattern, then ``datetime.fromisoformat``): every value the subset admits, the schema
admits as it is; every other value makes the quick path refuse, and the schema's own path decides, with
its own result or error. Checked part by part over every two-digit month, day, hour, minute and second,
and end to end on boundary values through every path (check, normalize, normalize from JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError
from pydantic_core import SchemaValidator

from gigbag.schema import quick_validation
from gigbag.schema.entities import ENTITY_TYPES, check_data, validate_data
from gigbag.schema.fields import Date, Timestamp, _real_date, _real_timestamp
from gigbag.schema.quick_validation import (
    DATE_SUBSET_RE,
    TIMESTAMP_SUBSET_RE,
    quick_check_data,
    quick_normalized_data,
    quick_normalized_json,
)
from tests.schema.test_quick_validation import GIG, exactly, verdict

TWO_DIGITS = [f"{n:02d}" for n in range(100)]
YEARS = ["0000", "0001", "0999", "1000", "1900", "2000", "2023", "2024", "2100", "9999"]
REAL_YEARS = sum(year >= "1000" for year in YEARS)  # the years the subsets admit
FRACTIONS = ["", ".1", ".12", ".123", ".1234", ".12345", ".123456", ".1234567", ".", ".1a"]


def subset_admits(pattern: str) -> Any:
    """Whether the quick validators' own node (the subset pattern, Rust's regex) admits a value."""
    node = SchemaValidator({"type": "str", "pattern": pattern, "regex_engine": "rust-regex"})

    def admits(value: str) -> bool:
        try:
            node.validate_python(value)
        except ValidationError:
            return False
        return True

    return admits


def schema_admits(kind: Any) -> Any:
    adapter = TypeAdapter(kind)

    def admits(value: str) -> bool:
        try:
            found = adapter.validate_python(value)
        except ValidationError:
            return False
        assert found == value and type(found) is str  # admitted as it is: the subset's output too
        return True

    return admits


def dates() -> Iterator[str]:
    for year in YEARS:
        for month in TWO_DIGITS:
            for day in TWO_DIGITS:
                yield f"{year}-{month}-{day}"


def times() -> Iterator[str]:
    """Time parts: every hour and minute, every second with each fraction, and other endings and forms."""
    for hour in TWO_DIGITS:
        for minute in TWO_DIGITS:
            yield f"{hour}:{minute}:00Z"
    for second in TWO_DIGITS:
        for fraction in FRACTIONS:
            yield f"12:30:{second}{fraction}Z"
    for ending in ("z", "+00:00", "+01:00", "-00:00", "", "Z\n", "ZZ", " Z"):
        yield f"23:59:59{ending}"
    yield from ("1:00:00Z", "12:0:00Z", "12:00Z", "١٢:00:00Z", "24:00:00Z", "23:60:00Z", "23:59:60Z")


def test_the_date_subset_admits_only_what_the_schema_admits() -> None:
    subset, schema = subset_admits(DATE_SUBSET_RE), schema_admits(Date)
    admitted = 0
    for value in [*dates(), "2024-2-01", "٢٠٢٤-01-01", "2024-01-01\n", " 2024-01-01", "2024-01-01T00:00:00Z"]:
        if subset(value):
            assert schema(value), value
            admitted += 1
    assert admitted == REAL_YEARS * 365  # every day but February 29


def test_the_timestamp_subset_admits_only_what_the_schema_admits() -> None:
    subset, schema = subset_admits(TIMESTAMP_SUBSET_RE), schema_admits(Timestamp)
    values = [f"{date}T12:00:00Z" for date in dates()] + [f"2024-12-31T{time}" for time in times()]
    admitted = 0
    for value in [*values, "2024-12-31 12:00:00Z", "2024-12-31t12:00:00Z", "2024-12-31T12:00:00Z\n"]:
        if subset(value):
            assert schema(value), value
            admitted += 1
    assert admitted == REAL_YEARS * 365 + 24 * 60 + 60 * 7


def test_the_subsets_admit_every_common_value() -> None:
    """Not too small: every day of the years 1000-9999 but February 29 and every time of day never enter
    Python (the point of the subset); checked on every day of four years and every second of one day."""
    date, timestamp = subset_admits(DATE_SUBSET_RE), subset_admits(TIMESTAMP_SUBSET_RE)
    for year in (1000, 2023, 2024, 9999):
        first = dt.date(year, 1, 1).toordinal()
        for day in map(dt.date.fromordinal, range(first, dt.date(year, 12, 31).toordinal() + 1)):
            assert date(day.isoformat()) == ((day.month, day.day) != (2, 29)), day
    moment = dt.datetime(2026, 12, 1)
    while moment.day == 1:
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        assert timestamp(f"{text}Z") and timestamp(f"{text}.123456Z") and timestamp(f"{text}.5Z")
        moment += dt.timedelta(seconds=1)


def time_checks(node: Any) -> Iterator[Any]:
    """The Timestamp and Date checks of a core schema: function-after nodes calling fields.py's checks."""
    if isinstance(node, dict):
        function = node.get("function")
        if node.get("type") == "function-after" and function["function"] in (_real_timestamp, _real_date):
            yield node
        for value in node.values():
            yield from time_checks(value)
    elif isinstance(node, list):
        for value in node:
            yield from time_checks(value)


def subset_nodes(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        if node.get("pattern") in (TIMESTAMP_SUBSET_RE, DATE_SUBSET_RE):
            yield node
        for value in node.values():
            yield from subset_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from subset_nodes(value)


def test_every_timestamp_and_date_of_every_type_is_checked_by_its_subset() -> None:
    classes = set(ENTITY_TYPES.values())
    for entity_type, schema in ENTITY_TYPES.items():
        core = schema.__pydantic_core_schema__
        quick = quick_validation._quick_core(core, classes)
        found = list(time_checks(core))
        assert found, entity_type  # every type has its created_at and updated_at
        assert not list(time_checks(quick)), entity_type
        assert len(list(subset_nodes(quick))) == len(found), entity_type
    counts = {name: len(list(time_checks(s.__pydantic_core_schema__))) for name, s in ENTITY_TYPES.items()}
    assert counts["timeline_entries"] == 3 and counts["patterns"] == 3 and counts["artists"] == 3


def test_a_check_whose_refusal_could_be_caught_keeps_the_schema_s_own() -> None:
    """Inside a union (another member may take the value) or a default given on error, a subset refusal
    would not refuse the data: such a check is left as it is."""
    check = next(time_checks(ENTITY_TYPES["timeline_entries"].__pydantic_core_schema__))
    for node in (
        {"type": "union", "choices": [check, {"type": "str"}]},
        {"type": "default", "schema": check, "default": None, "on_error": "default"},
        {"type": "function-wrap", "function": {"type": "no-info", "function": print}, "schema": check},
        {"type": "nullable", "schema": {"type": "union", "choices": [check, {"type": "int"}]}},
    ):
        assert quick_validation._quick_core(node, set()) == node
    assert list(subset_nodes(quick_validation._quick_core({"type": "list", "items_schema": check}, set())))


def boundary_values() -> Iterator[str]:
    for year in ("2023", "2024", "1900", "2000", "0001", "0999"):
        for month in [*TWO_DIGITS[:14]]:
            for day in ("00", "01", "28", "29", "30", "31", "32"):
                yield f"{year}-{month}-{day}"


def boundary_timestamps() -> Iterator[str]:
    for date in boundary_values():
        yield f"{date}T12:00:00Z"
    for time in ("23:59:59", "24:00:00", "00:00:00", "23:60:00", "23:59:60", "9:00:00"):
        for fraction in FRACTIONS:
            for ending in ("Z", "z", "+00:00", "+02:00"):
                yield f"2024-02-29T{time}{fraction}{ending}"
                yield f"2023-02-28T{time}{fraction}{ending}"
    yield from ("2024-02-29 12:00:00Z", "2024-02-29T12:00:00Z\n", "٢٠٢٤-02-29T12:00:00Z", "2024-02-29")


def outcomes(entity_type: str, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """What each path makes of ``data``: the schema's own, then the quick ones (check, normalize, JSON)."""
    found = [verdict(validate_data, entity_type, data), verdict(quick_normalized_data, entity_type, data)]
    found.append(verdict(quick_normalized_json, entity_type, json.dumps(data).encode()))
    checks = [verdict(check_data, entity_type, data), verdict(quick_check_data, entity_type, data)]
    assert checks[0] == checks[1], (entity_type, data)
    assert (checks[0][0] == "ok") == (found[0][0] == "ok")
    return found


@pytest.mark.parametrize(
    ("entity_type", "name", "values"),
    [
        ("timeline_entries", "date", boundary_values),
        ("timeline_entries", "created_at", boundary_timestamps),
        ("goal_progress", "recorded_at", boundary_timestamps),
        ("artists", "available_dates", boundary_values),
    ],
)
def test_boundary_times_go_the_same_way_through_every_path(
    monkeypatch: pytest.MonkeyPatch, entity_type: str, name: str, values: Any
) -> None:
    base = {
        "timeline_entries": GIG,
        "goal_progress": {**GIG, "goal_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "value": 1, "recorded_at": GIG["created_at"]},
        "artists": {"created_at": GIG["created_at"], "updated_at": GIG["updated_at"], "stage_name": "DJ"},
    }[entity_type]  # fmt: skip
    base = {k: v for k, v in base.items() if k in ENTITY_TYPES[entity_type].model_fields}
    fallbacks: list[Any] = []
    own = quick_validation.validate_data

    def counted(entity_type: str, data: object) -> dict[str, Any]:
        fallbacks.append(data)
        return own(entity_type, data)

    monkeypatch.setattr(quick_validation, "validate_data", counted)
    accepted = refused = quick = 0
    for value in values():
        data = {**base, name: [value, "2025-01-01"] if name == "available_dates" else value}
        before = len(fallbacks)
        expected, *found = outcomes(entity_type, data)
        if expected[0] == "ok":
            assert [(f[0], exactly(f[1])) for f in found] == [("ok", exactly(expected[1]))] * 2, data
            accepted += 1
        else:
            assert found == [expected, expected], data
            refused += 1
        quick += len(fallbacks) == before
    assert accepted > 100 and refused > 100 and quick > 50, (accepted, refused, quick)

"""The bulk writes' JSON binding (``bulk_writes._quick_json``) gives the text SQLAlchemy's own JSON type gives:
on every demo entity's data and on hostile values. (The pull's quick validation is checked against the
schema's own in tests/schema/test_quick_validation.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import JSON
from sqlalchemy.dialects import sqlite

from gigbag.sync.bulk_writes import _quick_json


def test_json_is_bound_as_sqlalchemy_binds_it(demo_entities: dict[str, list[dict[str, Any]]]) -> None:
    dialect = sqlite.dialect()
    core = JSON().dialect_impl(dialect).bind_processor(dialect)
    assert core is not None
    quick = _quick_json(core)
    assert quick is not core  # the quick one is in use
    values: list[Any] = [row["data"] for rows in demo_entities.values() for row in rows]
    values += [None, [], {}, "text", 1, 2.5, True, {"é": ["\u2028", "\ud800", 1e300, -0.0, 2**70]}, {"n": float("nan")}]
    for value in values:
        assert quick(value) == core(value), value
    for refused in ({"x": object()}, {1j: 1}):
        with pytest.raises(TypeError) as quick_error:
            quick(refused)
        with pytest.raises(TypeError) as core_error:
            core(refused)
        assert str(quick_error.value) == str(core_error.value)

"""CHECK constraints derived from the entity schemas, so SQLite itself enforces the same rules.

Every enum, numeric bound, non-empty title, JSON column and timestamp shape of an entity's data
schema becomes a CHECK on its table: raw SQL that breaks a seed constraint is refused by SQLite.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Le, MinLen
from pydantic import StringConstraints
from pydantic.fields import FieldInfo
from sqlalchemy import CheckConstraint

from ..schema.fields import DATE_RE, SHA256_RE, TIMESTAMP_RE

_DIGITS4 = "[0-9][0-9][0-9][0-9]"
_DIGITS2 = "[0-9][0-9]"
_DATE_GLOB = f"{_DIGITS4}-{_DIGITS2}-{_DIGITS2}"


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The base type of an annotation and the metadata found on the way (Optional, Annotated)."""
    metadata: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            annotation, metadata = args[0], metadata + list(args[1:])
        elif origin in (Union, types.UnionType):
            non_none = [a for a in get_args(annotation) if a is not type(None)]
            if len(non_none) != 1:
                return annotation, metadata
            annotation = non_none[0]
        else:
            return annotation, metadata


def _sql_literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def column_checks(table: str, name: str, field: FieldInfo) -> list[str]:
    """SQL boolean expressions that must hold for column ``name``."""
    base, metadata = _unwrap(field.annotation)
    metadata = metadata + list(field.metadata)
    checks: list[str] = []
    if get_origin(base) is Literal:
        values = ", ".join(_sql_literal(v) for v in get_args(base))
        checks.append(f"{name} IN ({values})")
    elif base is bool:
        checks.append(f"{name} IN (0, 1)")
    elif get_origin(base) in (list, dict) or base in (list, dict):
        kind = "array" if (get_origin(base) or base) is list else "object"
        checks.append(f"json_valid({name}) AND json_type({name}) = '{kind}'")
    for meta in metadata:
        if isinstance(meta, Ge):
            checks.append(f"{name} >= {meta.ge!r}")
        elif isinstance(meta, Le):
            checks.append(f"{name} <= {meta.le!r}")
        elif isinstance(meta, MinLen) and meta.min_length:
            checks.append(f"length({name}) >= {meta.min_length}")
        elif isinstance(meta, StringConstraints):
            if meta.min_length:
                checks.append(f"length({name}) >= {meta.min_length}")
            if meta.pattern == TIMESTAMP_RE:
                checks.append(f"{name} GLOB '{_DATE_GLOB}T{_DIGITS2}:{_DIGITS2}:{_DIGITS2}*Z'")
            elif meta.pattern == DATE_RE:
                checks.append(f"{name} GLOB '{_DATE_GLOB}' AND date({name}) IS NOT NULL")
            elif meta.pattern == SHA256_RE:
                checks.append(f"length({name}) = 64 AND {name} NOT GLOB '*[^0-9a-f]*'")
    if base in (int,) and not any(c.startswith(f"{name} IN") for c in checks):
        checks.append(f"typeof({name}) = 'integer'")
    # NOT NULL is the column's business; a check only judges a value that is there.
    return [f"{name} IS NULL OR ({c})" for c in checks]


def table_checks(table: str, fields: dict[str, FieldInfo]) -> list[CheckConstraint]:
    out = []
    for name, field in fields.items():
        for i, expr in enumerate(column_checks(table, name, field)):
            out.append(CheckConstraint(expr, name=f"ck_{table}_{name}_{i}"))
    return out

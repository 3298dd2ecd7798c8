"""Validating pulled data for this client's schema, without SQLModel's constructor in the way.

The schema classes are SQLModel models, whose ``__init__`` pydantic calls on every validation
(``custom_init``): it validates the same data a second time from inside the constructor, about 40%
of validating a pulled entity, and a first download validates tens of thousands. Here each type's
core schema is compiled once more with that constructor left out: the same fields, validators and
model validators, so what it accepts normalizes to the same data. Anything it refuses goes to
:func:`validate_data`, which gives the very error (and message) it always gave.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator

from ..schema.entities import ENTITY_TYPES, validate_data

_VALIDATORS: dict[str, SchemaValidator | None] = {}


def _without_init(node: Any, classes: set[type]) -> Any:
    """A copy of a core schema whose entity models are built without calling their ``__init__``."""
    if isinstance(node, dict):
        out = {key: _without_init(value, classes) for key, value in node.items()}
        if out.get("type") == "model" and out.get("cls") in classes:
            out["custom_init"] = False
        return out
    if isinstance(node, list):
        return [_without_init(value, classes) for value in node]
    return node


def _validator(entity_type: str) -> SchemaValidator | None:
    if entity_type in _VALIDATORS:
        return _VALIDATORS[entity_type]
    schema = ENTITY_TYPES.get(entity_type)
    made: SchemaValidator | None = None
    if schema is not None:
        core = schema.__pydantic_core_schema__
        try:
            # Not the class's own (prebuilt) validator: that one calls ``__init__``.
            made = SchemaValidator(
                _without_init(core, set(ENTITY_TYPES.values())),
                core.get("config"),
                _use_prebuilt=False,  # type: ignore[call-arg]
            )
        except TypeError:  # a pydantic-core without that switch: the normal path
            made = None
    _VALIDATORS[entity_type] = made
    return made


def normalized_data(entity_type: str, data: object) -> dict[str, Any]:
    """:func:`validate_data`: ``data`` as this client's schema reads it, or its EntityValidationError."""
    fast = _validator(entity_type)
    if fast is not None and type(data) is dict:
        try:
            model = fast.validate_python(data)
        except (ValidationError, ValueError):
            pass  # refused: validate_data says why, in its words
        else:
            return ENTITY_TYPES[entity_type].__pydantic_serializer__.to_python(model, mode="json")  # type: ignore[no-any-return]
    return validate_data(entity_type, data)

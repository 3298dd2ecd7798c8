"""Validating entity data without SQLModel's constructor in the way, for the client and the server.

The schema classes are SQLModel models, whose ``__init__`` pydantic calls on every validation
(``custom_init``): it validates the same data a second time from inside the constructor, about 40%
of validating one entity, and a sync validates tens of thousands (the server every pushed change,
the client every pulled one). Here each type's core schema is compiled once more with that
constructor left out: the same fields, validators and model validators, so what it accepts is
accepted by :func:`~.entities.validate_data` and normalizes to the same data. Anything it refuses
goes to the schema's own path, which gives the very error (and message) it always gave.

A verdict alone (the server's :func:`quick_check_data`, which stores the data as sent) needs no model
at all: for a type whose schema is its model and nothing around it (no model validator, which would be
handed the model), the model's fields are validated by themselves, with the model's config.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator

from .entities import ENTITY_TYPES, check_data, validate_data

_VALIDATORS: dict[str, SchemaValidator | None] = {}
_CHECKERS: dict[str, SchemaValidator | None] = {}


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


def _checker(entity_type: str) -> SchemaValidator | None:
    """A validator of the type's fields alone (no model built), or its model's when something wraps it."""
    if entity_type in _CHECKERS:
        return _CHECKERS[entity_type]
    schema = ENTITY_TYPES.get(entity_type)
    made: SchemaValidator | None = None
    if schema is not None:
        core = schema.__pydantic_core_schema__
        if core.get("type") == "model" and core.get("cls") is schema and core["schema"].get("type") == "model-fields":
            try:
                made = SchemaValidator(
                    _without_init(core["schema"], set(ENTITY_TYPES.values())),
                    core.get("config"),
                    _use_prebuilt=False,  # type: ignore[call-arg]
                )
            except TypeError:
                made = None
        if made is None:
            made = _validator(entity_type)
    _CHECKERS[entity_type] = made
    return made


def _model(entity_type: str, data: object) -> Any | None:
    """The validated model, or None when the quick validator is missing or refuses ``data``."""
    fast = _validator(entity_type)
    if fast is None or type(data) is not dict:
        return None
    try:
        return fast.validate_python(data)
    except (ValidationError, ValueError):
        return None  # refused: the schema's own path says why, in its words


def quick_check_data(entity_type: str, data: object) -> None:
    """:func:`~.entities.check_data`: raise its EntityValidationError unless ``data`` is valid."""
    fast = _checker(entity_type)
    if fast is not None and type(data) is dict:
        try:
            fast.validate_python(data)
        except (ValidationError, ValueError):
            pass  # refused: the schema's own path says why, in its words
        else:
            return
    check_data(entity_type, data)


def quick_normalized_data(entity_type: str, data: object) -> dict[str, Any]:
    """:func:`~.entities.validate_data`: ``data`` as the schema reads it, or its EntityValidationError."""
    model = _model(entity_type, data)
    if model is None:
        return validate_data(entity_type, data)
    return ENTITY_TYPES[entity_type].__pydantic_serializer__.to_python(model, mode="json")  # type: ignore[no-any-return]

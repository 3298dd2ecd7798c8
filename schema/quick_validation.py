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

The normalized data (the client's :func:`quick_normalized_data`, once per pulled version) needs no
model either for such a type. Building one costs about a third of normalizing a pulled entity
(SQLModel's ``__new__`` and private attributes run in Python), and a model's JSON-mode dump is its
fields serializer run over its ``__dict__``, which is the dict the model-fields validator returns
(every field, declaration order, defaults filled). So that dict is dumped by a typed-dict serializer
of the same field schemas and config: pydantic-core's model-fields serializer wants a model, and both
are its general fields serializer, the same loop over the dict in its order with each field's own
serializer (a model's adds ``__pydantic_extra__``, none unless ``extra="allow"``, and computed
fields). Same values, key order and types, nested lists and dicts copied, NaN and tuples inside
``Any`` turned as the dump turns them. What a model's dump could add is ruled out per type, when it
is first used (:func:`_dumps_its_fields`): a model serializer, ``model_post_init`` (may change
``__dict__``), computed fields, kept extra fields, aliases or excluded fields, and any custom
serializer in a field's schema (a field serializer is handed the model). Goals keep the model path
(their model validator is handed the model), as does anything the dump refuses (too deep, circular),
so its error is the model dump's own. Returning the validated dict itself when every value is plain
JSON was measured too: checking the types costs what the dump costs (about 0.45 µs for a timeline
entry), and copying nested content in Python costs more, so the dump it is.
tests/schema/test_quick_validation.py compares both paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaSerializer, SchemaValidator

from .entities import ENTITY_TYPES, check_data, validate_data

_VALIDATORS: dict[str, SchemaValidator | None] = {}
_FIELD_VALIDATORS: dict[str, SchemaValidator | None] = {}
_CHECKERS: dict[str, SchemaValidator | None] = {}
_DUMPS: dict[str, _FieldsDump | None] = {}

# A model field with any other key (alias, serialization_exclude, …) dumps differently from a dict's.
_PLAIN_FIELD_KEYS = frozenset({"type", "schema", "metadata", "frozen"})


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


def _compiled(core: Any, config: Any) -> SchemaValidator | None:
    try:
        # Not the class's own (prebuilt) validator: that one calls ``__init__``.
        return SchemaValidator(
            _without_init(core, set(ENTITY_TYPES.values())),
            config,
            _use_prebuilt=False,  # type: ignore[call-arg]
        )
    except TypeError:  # a pydantic-core without that switch: the normal path
        return None


def _validator(entity_type: str) -> SchemaValidator | None:
    if entity_type in _VALIDATORS:
        return _VALIDATORS[entity_type]
    schema = ENTITY_TYPES.get(entity_type)
    made = None
    if schema is not None:
        core = schema.__pydantic_core_schema__
        made = _compiled(core, core.get("config"))
    _VALIDATORS[entity_type] = made
    return made


def _plain_model(entity_type: str) -> Any | None:
    """The type's core schema when it is its model around model-fields and nothing else, else None."""
    schema = ENTITY_TYPES.get(entity_type)
    core = schema.__pydantic_core_schema__ if schema is not None else None
    if core is None or core.get("type") != "model" or core.get("cls") is not schema:
        return None
    return core if core["schema"].get("type") == "model-fields" else None


def _fields_validator(entity_type: str) -> SchemaValidator | None:
    """A validator of the type's fields alone (no model built), or None when something wraps its model."""
    if entity_type in _FIELD_VALIDATORS:
        return _FIELD_VALIDATORS[entity_type]
    core = _plain_model(entity_type)
    made = None if core is None else _compiled(core["schema"], core.get("config"))
    _FIELD_VALIDATORS[entity_type] = made
    return made


def _checker(entity_type: str) -> SchemaValidator | None:
    """A validator of the type's fields alone (no model built), or its model's when something wraps it."""
    if entity_type in _CHECKERS:
        return _CHECKERS[entity_type]
    made = _fields_validator(entity_type) or _validator(entity_type)
    _CHECKERS[entity_type] = made
    return made


def _has_serializer(node: Any) -> bool:
    """Whether a core schema holds a custom serializer (``serialization``) anywhere."""
    if isinstance(node, dict):
        return "serialization" in node or any(_has_serializer(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_serializer(value) for value in node)
    return False


def _dumps_its_fields(core: Any) -> bool:
    """Whether a plain model's JSON-mode dump is its fields' dump and nothing else (module docstring)."""
    fields_schema = core["schema"]
    fields = fields_schema["fields"].values()
    return (
        not core.get("root_model")
        and "post_init" not in core
        and "serialization" not in core
        and "serialization" not in fields_schema
        and not fields_schema.get("computed_fields")
        and "extras_schema" not in fields_schema
        and (core.get("config") or {}).get("extra_fields_behavior", "ignore") in ("ignore", "forbid")
        and all(set(field) <= _PLAIN_FIELD_KEYS and not _has_serializer(field["schema"]) for field in fields)
    )


@dataclass(frozen=True)
class _FieldsDump:
    """A type's fields validator and the serializer that dumps its result as the model's dump would."""

    validator: SchemaValidator
    serializer: SchemaSerializer


def _fields_dump(entity_type: str) -> _FieldsDump | None:
    if entity_type in _DUMPS:
        return _DUMPS[entity_type]
    made = None
    core = _plain_model(entity_type)
    validator = _fields_validator(entity_type)
    if core is not None and validator is not None and _dumps_its_fields(core):
        fields = {
            name: {"type": "typed-dict-field", "schema": field["schema"], "required": True}
            for name, field in core["schema"]["fields"].items()
        }
        serializer = SchemaSerializer({"type": "typed-dict", "fields": fields}, core.get("config"))
        made = _FieldsDump(validator, serializer)
    _DUMPS[entity_type] = made
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
    dump = _fields_dump(entity_type)
    if dump is not None and type(data) is dict:
        try:
            fields = dump.validator.validate_python(data)[0]
        except (ValidationError, ValueError):
            return validate_data(entity_type, data)  # refused: the schema's own path says why
        try:
            return dump.serializer.to_python(fields, mode="json")  # type: ignore[no-any-return]
        except ValueError:
            pass  # not dumpable (too deep, circular): the model's dump raises its own error
    model = _model(entity_type, data)
    if model is None:
        return validate_data(entity_type, data)
    return ENTITY_TYPES[entity_type].__pydantic_serializer__.to_python(model, mode="json")  # type: ignore[no-any-return]

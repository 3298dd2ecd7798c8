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

A Timestamp or Date (fields.py) is its pattern and then a Python check (``fromisoformat``), per field per
entity. The quick validators check instead, in Rust, a pattern whose values are a subset of what both
admit: years 1000-9999, each month's own days (February's to the 28th), hours 00-23, minutes and seconds
00-59, one to six fraction digits, ASCII digits, "Z". The value is kept as it is either way, so anything
the subset admits normalizes the same; anything else (February 29, year 0999, a leap second, "z")
makes the quick path refuse and the schema's own path decides. Only where a refusal refuses the data
(the check is reached through models, fields, defaults without ``on_error``, nullables, lists, dicts and
after validators, not a union or a wrap validator that could take the value another way); found by its
function and pattern, whatever the field. The subset's node names its engine (Rust's regex, pydantic-
core's default): its ``$`` ends the text (Python's ``re`` would also admit a final newline).
tests/schema/test_quick_times.py checks the subset over every two-digit month, day, hour, minute and
second, and boundary values through every path.

The normalized data of a JSON text (:func:`quick_normalized_json`, what a pull answer holds) is validated
straight from the JSON by the same fields validator and dumped the same way, without building the
Python value first. It gives what ``quick_normalized_data(entity_type, from_json(text))`` gives, for a
type whose fields are only schemas that validate JSON as they validate ``from_json``'s value of it (both
parse with the same parser; checked for each type when it is first used, :func:`_reads_json_as_python`):
str, int, float and bool in lax mode (JSON's number, string and bool coercions are Python's for the
values ``from_json`` makes: "1" and 1.0 to int, 1 to 1.0, NaN, big integers), literals of strings,
lists, dicts and ``Any`` (the same values as ``from_json``'s, duplicate keys included: the last wins),
defaults, nullables and after validators that cannot ask which mode they run in; and whose fields hold
no ``Any`` (``READ_ANY_STRAIGHT``: its values are built slower from JSON than by ``from_json``, a
pattern's configuration takes 3 µs more, so those types take that way). Anything refused there
(invalid JSON, a lone surrogate, too deep, or data the Python path may word differently) goes to that
expression, whose value or error it is. tests/schema/test_quick_json.py compares both on every type.

A pull's reader reads each line of a page that way once (:func:`straight_normalizer`), and keeps what it
gives as :class:`NormalizedData`: a dict that says for which type it is normalized already, which
:func:`quick_normalized_data` then returns as it is instead of validating it a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaSerializer, SchemaValidator, from_json

from . import fields as field_types
from .entities import ENTITY_TYPES, check_data, validate_data

_VALIDATORS: dict[str, SchemaValidator | None] = {}
_FIELD_VALIDATORS: dict[str, SchemaValidator | None] = {}
_CHECKERS: dict[str, SchemaValidator | None] = {}
_DUMPS: dict[str, _FieldsDump | None] = {}
_JSON_DUMPS: dict[str, _FieldsDump | None] = {}

# The Timestamp and Date of fields.py: their Python check, their pattern and the subset of both (module
# docstring) checked instead by the quick validators: years 1000-9999, each month's days up to its last
# (February's to the 28th), hours 00-23, minutes and seconds 00-59, ASCII digits only.
_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"  # months of 31 days
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"  # of 30
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
DATE_SUBSET_RE = rf"^[1-9][0-9]{{3}}-{_DAY}$"
TIMESTAMP_SUBSET_RE = rf"^[1-9][0-9]{{3}}-{_DAY}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,6}})?Z$"
_TIME_SUBSETS = (
    (field_types._real_timestamp, field_types.TIMESTAMP_RE, TIMESTAMP_SUBSET_RE),
    (field_types._real_date, field_types.DATE_RE, DATE_SUBSET_RE),
)
# Schemas that refuse whatever one of their inner schemas refuses, and hand on what it gives (a union may
# try another member, a wrap validator or an ``on_error`` default may catch the refusal).
_REFUSAL_PASSES = frozenset(
    {"model", "model-fields", "model-field", "default", "nullable", "list", "dict", "function-after", "function-before"}
)

# Schemas whose JSON-mode validation gives what the Python-mode one gives on ``from_json``'s value of the
# same text (module docstring); with their inner schemas, where they have any.
_SAME_FROM_JSON = frozenset(
    {"model-fields", "model-field", "default", "nullable", "function-after", "str", "int", "float", "bool"}
    | {"literal", "list", "dict", "any"}
)

# Node keys that could make JSON read otherwise (a JSON number turned to str from its text, strict JSON
# taking what strict Python refuses), and the config keys known to act alike on both.
_NOT_FROM_JSON_KEYS = frozenset({"strict", "coerce_numbers_to_str"})
_SAME_FROM_JSON_CONFIG = frozenset({"title", "from_attributes", "extra_fields_behavior"})

# Whether a type whose fields hold ``Any`` (a pattern's configuration, a journal entry's blocks) is read
# straight from JSON too: no, pydantic-core builds its values through its own JSON value, slower than
# ``from_json`` (a pattern's 1 KB configuration: 7.3 µs straight, 4.8 µs from_json + validate_python).
# The same either way (tests/schema/test_quick_json.py compares both with it on).
READ_ANY_STRAIGHT = False

# A model field with any other key (alias, serialization_exclude, …) dumps differently from a dict's.
_PLAIN_FIELD_KEYS = frozenset({"type", "schema", "metadata", "frozen"})


def _time_subset(node: dict[str, Any]) -> dict[str, Any] | None:
    """The Rust-side stand-in of a Timestamp or Date node (its pattern, then its Python check), or None."""
    if node.get("type") != "function-after" or not set(node) <= {"type", "function", "schema", "metadata"}:
        return None
    function = node["function"]
    if set(function) != {"type", "function"} or function["type"] != "no-info":
        return None
    for check, full, subset in _TIME_SUBSETS:
        if function["function"] is check and node["schema"] == {"type": "str", "pattern": full}:
            return {"type": "str", "pattern": subset, "regex_engine": "rust-regex"}
    return None


def _quick_core(node: Any, classes: set[type], refusals_pass: bool = True) -> Any:
    """A copy of a core schema whose entity models are built without calling their ``__init__``, and whose
    Timestamp and Date checks are their subsets (module docstring) wherever a refusal refuses the data."""
    if isinstance(node, list):
        return [_quick_core(value, classes, refusals_pass) for value in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if not isinstance(kind, str):  # not a schema (the mapping of a model's fields)
        return {key: _quick_core(value, classes, refusals_pass) for key, value in node.items()}
    subset = _time_subset(node) if refusals_pass else None
    if subset is not None:
        return subset
    passes = refusals_pass and kind in _REFUSAL_PASSES and node.get("on_error", "raise") == "raise"
    out = {key: value if key == "metadata" else _quick_core(value, classes, passes) for key, value in node.items()}
    if kind == "model" and out.get("cls") in classes:
        out["custom_init"] = False
    return out


def _compiled(core: Any, config: Any) -> SchemaValidator | None:
    try:
        # Not the class's own (prebuilt) validator: that one calls ``__init__``.
        return SchemaValidator(
            _quick_core(core, set(ENTITY_TYPES.values())),
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


def _reads_json_as_python(node: Any) -> bool:
    """Whether a (non-strict) core schema validates JSON text as it validates ``from_json``'s value of it."""
    kind = node.get("type")
    if kind not in _SAME_FROM_JSON or not _NOT_FROM_JSON_KEYS.isdisjoint(node):
        return False
    if kind == "literal":  # a JSON 1.0 or "1" is no str: only str choices, whose JSON is a string
        return all(type(value) is str for value in node["expected"])
    if kind == "model-fields":
        return not node.get("extras_schema") and all(_reads_json_as_python(f) for f in node["fields"].values())
    if kind == "function-after":
        function = node["function"]
        # A validator given ``info`` could ask for ``info.mode``, "json" here and "python" there.
        if function.get("type") != "no-info" and "mode" in _code_names(function.get("function")):
            return False
        return _reads_json_as_python(node["schema"])
    if kind in ("model-field", "default", "nullable"):
        return _reads_json_as_python(node["schema"])
    if kind == "list":
        return _reads_json_as_python(node.get("items_schema", {"type": "any"}))
    if kind == "dict":
        return all(_reads_json_as_python(node.get(key, {"type": "any"})) for key in ("keys_schema", "values_schema"))
    return True  # str, int, float, bool, any


def _code_names(function: Any) -> tuple[str, ...]:
    code = getattr(getattr(function, "__func__", function), "__code__", None)
    return ("mode",) if code is None else code.co_names  # unknown code: as if it asked


def _holds_any(node: Any) -> bool:
    """Whether a core schema holds an ``Any`` (a dict or list schema without inner schemas is one)."""
    if isinstance(node, dict):
        if node.get("type") in ("dict", "list") and not {"items_schema", "values_schema"} & set(node):
            return True
        return node.get("type") == "any" or any(_holds_any(value) for key, value in node.items() if key != "metadata")
    if isinstance(node, list):
        return any(_holds_any(value) for value in node)
    return False


def _json_dump(entity_type: str) -> _FieldsDump | None:
    """The type's fields dump (:func:`_fields_dump`) when its fields validate JSON as they do its value."""
    if entity_type in _JSON_DUMPS:
        return _JSON_DUMPS[entity_type]
    made = _fields_dump(entity_type)
    core = _plain_model(entity_type)  # not None when there is a fields dump
    if made is not None and core is not None:
        config = set(core.get("config") or {})
        same = config <= _SAME_FROM_JSON_CONFIG and _reads_json_as_python(core["schema"])
        made = made if same and (READ_ANY_STRAIGHT or not _holds_any(core["schema"])) else None
    _JSON_DUMPS[entity_type] = made
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


class NormalizedData(dict[str, Any]):
    """Data that is what :func:`quick_normalized_data` gives for ``entity_type`` (made by a
    :func:`straight_normalizer`); nothing changes it after (code that changes data copies it first)."""

    __slots__ = ("entity_type",)
    entity_type: str


def straight_normalizer(entity_type: str) -> Callable[[bytes], NormalizedData] | None:
    """For a type read straight from JSON (:func:`quick_normalized_json`): the function from one JSON text
    to its normalized data, which raises ``ValueError`` (or ``TypeError``) for anything it does not take —
    the caller then takes the usual way, whose words those are. None for any other type. Made on each call
    (a reader asks once a page) from the type's cached dump, so it follows whatever that cache holds."""
    dump = _json_dump(entity_type)
    if dump is None:
        return None
    validate, serialize = dump.validator.validate_json, dump.serializer.to_python

    def normalize(text: bytes) -> NormalizedData:
        data = NormalizedData(serialize(validate(text)[0], mode="json"))
        data.entity_type = entity_type
        return data

    return normalize


def quick_normalized_data(entity_type: str, data: object) -> dict[str, Any]:
    """:func:`~.entities.validate_data`: ``data`` as the schema reads it, or its EntityValidationError."""
    if type(data) is NormalizedData and data.entity_type == entity_type:
        return data
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


def quick_normalized_json(entity_type: str, text: str | bytes) -> dict[str, Any]:
    """``quick_normalized_data(entity_type, from_json(text))``, validated straight from the JSON text.

    Raises what that raises: :class:`~.entities.EntityValidationError` for data the schema refuses, and
    ``from_json``'s ``ValueError`` (where the text breaks) for text that is no JSON, both caught as
    ``ValueError`` by the client's ``sync.incoming._usable``."""
    dump = _json_dump(entity_type)
    if dump is not None:
        try:
            fields = dump.validator.validate_json(text)[0]
            return dump.serializer.to_python(fields, mode="json")  # type: ignore[no-any-return]
        except (ValidationError, ValueError, TypeError):
            pass  # refused, no JSON, or not dumpable: the Python path says why, in its words
    return quick_normalized_data(entity_type, from_json(text))

"""Canonical JSON: the fast encoder writes exactly the bytes (or raises exactly the error) of ``rfc8785``.

Every checksum a client or server ever stored was made by ``rfc8785.dumps``; the fast path of
``canonical_json`` (the C ``json`` encoder behind a type walk) must never change one. These tests
compare the two byte for byte on every character, on thousands of seeded random documents built to
hit the places where plain ``json.dumps`` and RFC 8785 part ways, and on real entity documents; and
they check that each kind of value the fast path must not take goes to ``rfc8785``.
"""

from __future__ import annotations

import collections
import enum
import json
import math
import random
import struct
import sys
import uuid
from typing import Any

import pytest
import rfc8785

from gigbag.schema.beat_catalog import catalog
from gigbag.schema.canonical import (
    CanonicalizationError,
    _fast_canonical,
    canonical_json,
    checksum,
    rfc8785_json,
)
from gigbag.schema.entities import ENTITY_TYPES, validate_data

SAFE = 2**53 - 1


def naive_json(value: Any) -> bytes:
    """What a plain sorted ``json.dumps`` writes: the encoder the fast path uses, without its walk."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def outcome(encode: Any, value: Any) -> tuple[str, Any]:
    """``("bytes", b)`` or ``("error", type name, message)`` of ``encode(value)``."""
    try:
        return "bytes", encode(value)
    except CanonicalizationError as exc:
        return "error", (type(exc).__name__, str(exc))
    except RecursionError:  # its message depends on where the stack ran out
        return "error", ("RecursionError", "")


def assert_same_as_rfc8785(value: Any) -> None:
    assert outcome(canonical_json, value) == outcome(rfc8785_json, value)


# ---- generated documents ------------------------------------------------------------------------

# Characters where encoders disagree if they disagree at all: every escape, controls, DEL, the JS
# line separators, the ends of the BMP and the private use area (which UTF-16 sorts *after* astral
# characters), astral characters, and non-ASCII letters.
SPECIAL_CHARS = (
    [chr(c) for c in range(0x20)]
    + ['"', "\\", "/", "\x7f", "\x80", "\x9f", "\xa0", "\u2028", "\u2029", "\ufeff", "\ufffd", "\uffff"]
    + ["\ud7ff", "\ue000", "\uf8ff", "\uff21", "é", "ñ", "ß", "Ω", "中", "🎸"]
    + ["\U00010000", "\U0001f600", "\U0001f3b8", "\U0010ffff", "\U000e0001"]
)
# Keys that sort differently by UTF-16 code units than by code points, and their neighbours.
TRICKY_KEYS = ["\ue000", "\U0001f600", "\uffff", "\U00010000", "\ud7ff", "a\ue000", "a\U0001f600", "", "a", "é", "Z"]
INTS = [0, 1, -1, 7, 180, SAFE, -SAFE, SAFE - 1, SAFE + 1, -SAFE - 1, 2**53, -(2**53), 2**63, 10**30]
FLOATS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    0.75,
    183.52,
    -2.5,
    1e-4,
    -1e-4,
    9.999999999999999e-05,
    1e-5,
    1e-6,
    1e-7,
    0.1 + 0.2,
    1e15 + 0.5,
    2.0**52 + 1,
    float(SAFE),
    float(2**53),
    9999999999999998.0,
    1e16,
    1e21,
    1e22,
    1.7976931348623157e308,
    5e-324,
    math.nan,
    math.inf,
    -math.inf,
]


def random_char(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.4:
        return chr(rng.randrange(0x20, 0x7F))
    if pick < 0.7:
        return rng.choice(SPECIAL_CHARS)
    if pick < 0.85:
        return chr(rng.randrange(0x80, 0xD800))
    if pick < 0.92:
        return chr(rng.randrange(0xE000, 0x10000))
    return chr(rng.randrange(0x10000, 0x110000))


def random_text(rng: random.Random, allow_astral: bool = True) -> str:
    chars = [random_char(rng) for _ in range(rng.choice((0, 1, 2, 5, 12, 40)))]
    if not allow_astral:
        chars = [c for c in chars if ord(c) <= 0xFFFF]
    return "".join(chars)


def random_float(rng: random.Random) -> float:
    pick = rng.random()
    if pick < 0.3:
        return rng.choice(FLOATS)
    if pick < 0.5:
        return float(rng.randrange(-(10**6), 10**6))  # whole floats, as JSON's 1.0 comes back
    if pick < 0.7:
        return round(rng.uniform(-1000, 1000), rng.randrange(0, 6))
    value: float = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]  # any double
    return value


def random_scalar(rng: random.Random, plain: bool) -> Any:
    plain = plain or rng.random() < 0.85  # a wild document holds mostly plain values, and a few others
    pick = rng.random()
    if pick < 0.35:
        return random_text(rng)
    if pick < 0.55:
        if plain:
            return rng.choice((0, 1, -1, SAFE, -SAFE, rng.randrange(-SAFE, SAFE + 1)))
        return rng.choice((*INTS, rng.randrange(-(2**60), 2**60)))
    if pick < 0.75:
        value = random_float(rng)
        if plain:
            # the floats the fast path takes: whole ones within 2**53, and 1e-4 <= |x| < 1e16
            whole = value.is_integer()
            if not (whole and abs(value) <= SAFE or not whole and 1e-4 <= abs(value) < 1e16):
                value = 0.25
        return value
    if pick < 0.88:
        return rng.choice((True, False))
    return None


def random_key(rng: random.Random, plain: bool) -> str:
    plain = plain or rng.random() < 0.8
    key = rng.choice(TRICKY_KEYS) if rng.random() < 0.3 else random_text(rng, allow_astral=not plain)
    if plain:
        key = "".join(c for c in key if ord(c) <= 0xFFFF)
    return key


def random_document(rng: random.Random, plain: bool, depth: int = 0) -> Any:
    """A nested value; ``plain`` ones hold only what the fast path must take (it is asserted)."""
    pick = rng.random()
    if depth >= 4 or pick < 0.2 + 0.1 * depth:
        return random_scalar(rng, plain)
    if pick < 0.65:
        return {random_key(rng, plain): random_document(rng, plain, depth + 1) for _ in range(rng.randrange(0, 9))}
    items = [random_document(rng, plain, depth + 1) for _ in range(rng.randrange(0, 7))]
    return tuple(items) if rng.random() < 0.15 else items


def test_fast_path_matches_rfc8785_on_generated_plain_documents() -> None:
    rng = random.Random(8785)
    fast = 0
    for _ in range(4000):
        doc = random_document(rng, plain=True)
        encoded = _fast_canonical(doc)
        if encoded is None:  # only a lone surrogate... never generated, so this would be a missed fast path
            pytest.fail(f"the fast path refused a plain document: {doc!r}")
        fast += 1
        assert encoded == rfc8785.dumps(doc), doc
        assert canonical_json(doc) == encoded
        # and once more after a JSON round trip: the shape data has when it comes back from the database
        # (tuples become lists, 1.0 stays a float)
        again = json.loads(json.dumps(doc, allow_nan=False))
        assert canonical_json(again) == rfc8785.dumps(again)
    assert fast == 4000


def test_canonical_json_matches_rfc8785_on_generated_documents_of_every_kind() -> None:
    rng = random.Random(20260)
    took_fast = took_rfc8785 = errors = 0
    for _ in range(6000):
        doc = random_document(rng, plain=False)
        expected = outcome(rfc8785_json, doc)
        assert outcome(canonical_json, doc) == expected, doc
        if expected[0] == "error":
            errors += 1
        elif _fast_canonical(doc) is None:
            took_rfc8785 += 1
        else:
            took_fast += 1
    # the generator reaches all three outcomes in numbers, so the comparison above means something
    assert took_fast > 1000 and took_rfc8785 > 300 and errors > 300, (took_fast, took_rfc8785, errors)


def test_the_comparison_can_fail_plain_json_dumps_is_not_rfc8785() -> None:
    """Without the walk, the C encoder's output differs from RFC 8785 on many of the generated documents,
    and on each kind of value the walk sends to rfc8785: the tests above would catch a walk that let
    them through."""
    rng = random.Random(20260)
    differs = 0
    for _ in range(3000):
        doc = random_document(rng, plain=False)
        if outcome(rfc8785_json, doc) != outcome(lambda v: naive_json(v) if _encodable(v) else b"", doc):
            differs += 1
    assert differs > 300, differs
    # the key order: UTF-16 puts U+1F600 (a surrogate pair, 0xD83D...) before U+E000, code points after it
    keys = {"\ue000": 1, "\U0001f600": 2}
    assert naive_json(keys) == '{"\ue000":1,"\U0001f600":2}'.encode()
    assert rfc8785.dumps(keys) == '{"\U0001f600":2,"\ue000":1}'.encode() == canonical_json(keys)
    # numbers: whole floats, -0.0, small and big floats; integers beyond 2**53 (rfc8785 refuses them)
    for value, jcs in ((1.0, b"1"), (-0.0, b"0"), (1e-5, b"0.00001"), (1e16, b"10000000000000000")):
        assert naive_json(value) != jcs == rfc8785.dumps(value) == canonical_json(value)
    assert naive_json(2**53) == b"9007199254740992"
    with pytest.raises(CanonicalizationError):
        canonical_json(2**53)
    # keys that are not strings: json writes them as strings, rfc8785 refuses them
    assert naive_json({1: "one"}) == b'{"1":"one"}'
    with pytest.raises(CanonicalizationError, match="object keys must be strings"):
        canonical_json({1: "one"})


def _encodable(value: Any) -> bool:
    try:
        naive_json(value).decode()
    except (ValueError, TypeError):
        return False
    return True


# ---- every character ----------------------------------------------------------------------------

ALL_CHARS = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def test_every_character_is_written_as_rfc8785_writes_it() -> None:
    """As a string value and as a key, in blocks of 64 (both encoders map character by character)."""
    for start in range(0, len(ALL_CHARS), 64):
        block = "".join(ALL_CHARS[start : start + 64])
        assert _fast_canonical(block) == rfc8785.dumps(block), hex(ord(block[0]))
        if max(block) <= "\uffff":
            assert _fast_canonical({block: block}) == rfc8785.dumps({block: block}), hex(ord(block[0]))
    for char in ALL_CHARS[:0x3000] + ALL_CHARS[0xD800:0xE000]:  # one by one where the escapes are
        assert _fast_canonical([char]) == rfc8785.dumps([char]), hex(ord(char))


def test_escapes_are_the_short_forms_and_lowercase_hex() -> None:
    assert canonical_json('\b\f\n\r\t"\\') == b'"\\b\\f\\n\\r\\t\\"\\\\"'
    assert canonical_json("\x00\x01\x1f\x1b") == b'"\\u0000\\u0001\\u001f\\u001b"'
    assert canonical_json("\x7f\u2028\u2029/") == '"\x7f\u2028\u2029/"'.encode()


@pytest.mark.parametrize("surrogate", ["\ud800", "\udfff", "\ud83d", "\ude00", "a\ud83d\ude00b"])
def test_lone_surrogates_raise_the_error_they_always_did(surrogate: str) -> None:
    for value in (surrogate, [surrogate], {"k": surrogate}, {surrogate: 1}, {"a": 1, surrogate: 2}):
        assert _fast_canonical(value) is None
        got = outcome(canonical_json, value)
        assert got[0] == "error" and got == outcome(rfc8785_json, value)


def test_every_lone_surrogate_is_refused_the_same_way() -> None:
    for code in range(0xD800, 0xE000):
        value = {"t": "x" + chr(code)}
        assert outcome(canonical_json, value) == outcome(rfc8785_json, value)


# ---- each reason to leave the fast path ---------------------------------------------------------


class Mood(enum.Enum):
    HAPPY = "happy"


class Colour(enum.StrEnum):
    RED = "red"


class Step(enum.IntEnum):
    ONE = 1


class Text(str):
    pass


class Number(float):
    pass


class Items(list):  # type: ignore[type-arg]
    pass


def cycle() -> list[Any]:
    loop: list[Any] = [1]
    loop.append(loop)
    return loop


def nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = [value]
    return value


FALLBACKS: dict[str, Any] = {
    "float below 1e-4": 1e-5,
    "float 1e16": 1e16,
    "float 1e21": {"x": 1e21},
    "float smallest subnormal": [5e-324],
    "whole float beyond 2**53": float(2**53),
    "whole float beyond -2**53": -float(2**53),
    "whole float between 2**53 and 1e16": 9999999999999998.0,
    "nan": math.nan,
    "infinity": {"x": math.inf},
    "negative infinity": [-math.inf],
    "int 2**53": 2**53,
    "int -2**53": {"n": -(2**53)},
    "int with 5000 digits": 10**5000,
    "key with an astral character": {"\U0001f600": 1, "\ue000": 2},
    "key with an astral character alone": {"🎸": "guitar"},
    "int key": {1: "one"},
    "None key": {None: "none"},
    "bool key": {True: "yes"},
    "tuple key": {(1, 2): "pair"},
    "str subclass value": Text("text"),
    "str subclass key": {Text("k"): 1},
    "str enum": {"colour": Colour.RED},
    "int enum": [Step.ONE],
    "float subclass": Number(0.5),
    "list subclass": Items([1, 2]),
    "dict subclass": collections.OrderedDict([("b", 1), ("a", 2)]),
    "enum": Mood.HAPPY,
    "set": {1, 2},
    "bytes": b"raw",
    "object": object(),
    "deep inside a plain document": {"a": [1, "x", {"b": [None, True, {"c": 1e-7}]}]},
    "circular list": cycle(),
    "nested deeper than the recursion limit": nested(sys.getrecursionlimit() + 50),
}


@pytest.mark.parametrize("reason", list(FALLBACKS))
def test_what_the_fast_path_does_not_take_goes_to_rfc8785(reason: str) -> None:
    value = FALLBACKS[reason]
    assert _fast_canonical(value) is None
    assert_same_as_rfc8785(value)


def test_fallback_outcomes_are_today_s() -> None:
    """A few of them spelt out: the bytes rfc8785 writes and the errors callers have always seen."""
    assert canonical_json(1e-5) == b"0.00001"
    assert canonical_json(1e21) == b"1e+21"
    assert canonical_json(float(2**53)) == b"9007199254740992"
    assert canonical_json({"\U0001f600": 1, "\ue000": 2}) == '{"\U0001f600":1,"\ue000":2}'.encode()
    assert canonical_json(collections.OrderedDict([("b", 1), ("a", 2)])) == b'{"a":2,"b":1}'
    assert canonical_json({"colour": Colour.RED, "step": Step.ONE}) == b'{"colour":"red","step":1}'
    for bad, message in (
        (math.nan, "not representable"),
        (2**53, "exceeds safe integer domain"),
        ({1: "one"}, "object keys must be strings"),
        ({1, 2}, "unsupported type"),
        ("\ud800", "non-UTF-8"),
    ):
        with pytest.raises(CanonicalizationError, match=message):
            canonical_json(bad)
    with pytest.raises(RecursionError):
        canonical_json(cycle())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, b"1"),
        (-0.0, b"0"),
        (0.0, b"0"),
        (float(SAFE), b"9007199254740991"),
        (-float(SAFE), b"-9007199254740991"),
        (1e-4, b"0.0001"),
        (0.1 + 0.2, b"0.30000000000000004"),
        (SAFE, b"9007199254740991"),
        (-SAFE, b"-9007199254740991"),
        ([1.0, {"v": 2.0, "w": 0.5}], b'[1,{"v":2,"w":0.5}]'),
        ((1, "a", None, True, False), b'[1,"a",null,true,false]'),
        ({"b": {}, "a": [], "": ""}, b'{"":"","a":[],"b":{}}'),
    ],
)
def test_numbers_and_containers_on_the_fast_path(value: Any, expected: bytes) -> None:
    assert _fast_canonical(value) == expected == rfc8785.dumps(value)


def test_whole_floats_are_written_as_integers_without_touching_the_caller_s_data() -> None:
    config = catalog()["Salsa"].default_configuration()
    before = json.dumps(config)
    encoded = _fast_canonical(config)
    assert encoded == rfc8785.dumps(config) and b'"volume":1}' in encoded
    assert json.dumps(config) == before  # still 1.0 in the caller's dicts
    assert all(type(i["volume"]) is float for i in config["instruments"])


# ---- real entity documents ----------------------------------------------------------------------


def entity_documents(rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """One normalised document of each entity type (through ``validate_data``, as the app stores them),
    with text drawn from all planes."""
    now = "2026-12-02T00:04:52.448797Z"

    def text(limit: int = 60) -> str:
        return ("Son " + "".join(c for c in random_text(rng) if c >= " " and c != "\x7f"))[:limit].strip() or "x"

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    sha = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    common = {"created_at": now, "updated_at": now}
    flavor = rng.choice(("Salsa", "Merengue"))
    configuration = catalog()[flavor].default_configuration()
    for instrument in configuration["instruments"]:
        instrument["volume"] = rng.choice((1.0, 0.0, 0.5, 0.8, 0.35, 1))
    raw: dict[str, dict[str, Any]] = {
        "artists": {
            "stage_name": text(),
            "bio": text(500),
            "secondary_genres": ["salsa dura", text(20)],
            "avg_rating": rng.choice((None, 4.5, 5.0, 3.25)),
            "base_rate_flat": rng.randrange(0, 5000),
            "avatar_url": "blob:" + sha,
        },
        "user_preferences": {"default_volume": rng.choice((1.0, 0.8, 0.25, 0.0)), "theme": "dark"},
        "folders": {"name": text()},
        "files": {
            "filename": text() + ".wav",
            "file_size_bytes": rng.randrange(0, 2**40),
            "mime_type": "audio/wav",
            "blob_sha256": sha,
            "category": "music",
            "duration_seconds": rng.choice((None, 183.52, 240.0, 9.857142857142858)),
        },
        "tracks": {
            "title": text(),
            "duration_seconds": rng.choice((None, 183.52, 240.0, 12.345)),
            "audio_file_id": uid(),
            "genre": "Salsa",
            "release_year": 2024,
            "display_order": "a0",
            "plays": rng.randrange(0, 10**6),
        },
        "goals": {
            "title": text(),
            "description": text(300),
            "target_value": rng.choice((None, 50.0, 12.5, 1000)),
            "goal_type": "gigs",
            "target_date": "2027-06-30",
        },
        "goal_progress": {"goal_id": uid(), "value": rng.choice((1.0, 2.5, -1.0, 3)), "recorded_at": now},
        "timeline_entries": {"date": "2026-12-01", "title": text(), "description": text(200), "entry_type": "gig"},
        "journal_entries": {
            "title": text(),
            "content": [{"type": "text", "text": text(400)} for _ in range(rng.randrange(1, 6))]
            + [{"type": "checklist", "items": [{"text": text(40), "done": rng.random() < 0.5}]}],
            "entry_type": "set_plan",
        },
        "patterns": {"title": text(), "flavor": flavor, "bpm": 180, "configuration": configuration},
        "contact_lists": {"name": text(), "description": text(100)},
        "contact_list_members": {"list_id": uid(), "email": "ana@example.com", "name": text(40)},
    }
    assert set(raw) == set(ENTITY_TYPES)
    return [(kind, validate_data(kind, {**common, **fields})) for kind, fields in raw.items()]


def test_real_entity_documents_take_the_fast_path_and_match_rfc8785() -> None:
    rng = random.Random(11)
    for _ in range(150):
        for kind, data in entity_documents(rng):
            for doc in (data, json.loads(json.dumps(data))):  # as validated, and as read back from SQLite
                encoded = _fast_canonical(doc)
                astral_key = any(max(k, default="") > "\uffff" for k in _keys(doc))
                assert encoded is not None or astral_key, (kind, doc)
                assert canonical_json(doc) == rfc8785.dumps(doc), (kind, doc)
                assert checksum(doc) == checksum_by_rfc8785(doc)


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value] + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def checksum_by_rfc8785(data: Any) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def test_a_known_checksum_is_unchanged() -> None:
    """A document and the checksum rfc8785 gave it before the fast path existed."""
    doc = {"title": "Gig at the Fillmore", "date": "2026-12-01", "entry_type": "gig", "volume": 1.0, "n": 3}
    assert (
        canonical_json(doc)
        == b'{"date":"2026-12-01","entry_type":"gig","n":3,"title":"Gig at the Fillmore","volume":1}'
    )
    assert checksum(doc) == checksum_by_rfc8785(doc)


def test_the_demo_artist_s_documents_match_rfc8785(demo_entities: dict[str, list[dict[str, Any]]]) -> None:
    count = 0
    for kind, rows in demo_entities.items():
        for row in rows:
            data = row["data"]
            assert _fast_canonical(data) is not None, (kind, data)
            assert canonical_json(data) == rfc8785.dumps(data), (kind, data)
            count += 1
    assert count > 50 and {"tracks", "patterns", "goals", "journal_entries"} <= set(demo_entities)

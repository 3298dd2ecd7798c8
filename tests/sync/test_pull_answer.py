"""The quick reader of pull answers (sync.pull_answer) against pydantic's ``PullResponse``, body by body.

For every body here — server-like pages and hostile ones (wrong types, bools for ints, extra, missing and
doubled keys, nesting at the parser's limit, numbers beyond its range, lone surrogates, other encodings,
truncations, random damage) — the quick reader either gives up (None: the client then validates with
``PullResponse`` exactly as before) or gives what ``PullResponse`` gives, value for value and type for
type. Through ``SyncClient.pull``, every body ends as before: the same page, or a ``ProtocolError`` with
the same sentence. The last tests show that the comparison can fail.
"""

from __future__ import annotations

import codecs
import json
import random
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from gigbag.schema.wire import PROTOCOL_HEADER, PROTOCOL_VERSION, PulledChange, PullResponse
from gigbag.sync import client as client_module
from gigbag.sync import pull_answer
from gigbag.sync.client import RetryPolicy, SyncClient
from gigbag.sync.errors import ProtocolError
from gigbag.sync.pull_answer import PulledVersion, QuickPullPage, read_pull_answer

from .conftest import Device

CHECKSUM = "sha256:" + "0123456789abcdef" * 4
DOING = "fetching changes"


class Raw:
    """JSON text put into a body as it is (a value no Python value renders to, or one rendered on purpose)."""

    def __init__(self, text: str) -> None:
        self.text = text


class Pairs:
    """A JSON object written from its (key, value) pairs, so a key may come twice (or be Raw)."""

    def __init__(self, *pairs: tuple[str, Any]) -> None:
        self.pairs = pairs


def render(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        return "{" + ",".join(f"{render(k)}:{render(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, dict):
        return render(Pairs(*value.items()))
    if isinstance(value, list):
        return "[" + ",".join(render(v) for v in value) + "]"
    return json.dumps(value)


def entry(i: int) -> dict[str, Any]:
    entity_id = f"00000000-0000-4000-8000-{i:012d}"
    return {
        "id": entity_id,
        "created_at": "2026-12-01T10:00:00.000000Z",
        "updated_at": "2026-12-01T10:00:00.000000Z",
        "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "title": f"Gig {i:06d}",
        "entry_type": "gig",
    }


def change(i: int, **fields: Any) -> dict[str, Any]:
    data = entry(i)
    base = {
        "entity_type": "timeline_entries",
        "entity_id": data["id"],
        "data": data,
        "checksum": CHECKSUM,
        "deleted": False,
        "seq": i + 1,
    }
    return {**base, **fields}


def deletion(i: int) -> dict[str, Any]:
    return change(i, data=None, checksum=None, deleted=True)


def page(changes: list[Any], cursor: Any = None, has_more: Any = False) -> dict[str, Any]:
    return {"changes": changes, "cursor": len(changes) if cursor is None else cursor, "has_more": has_more}


def body(value: Any) -> bytes:
    return render(value).encode("utf-8")


# Values a hostile or broken server may put anywhere, as JSON text.
HOSTILE = [
    "0", "1", "-1", "7", "1.0", "1.5", "-0", "-0.0", "1e2", "1E400", "-1e400", "true", "false", "null",
    '""', '"x"', '"1"', '"true"', '"null"', '"sha256:"', "[]", "[1]", '["x"]', "{}", '{"a":1}', '{"":null}',
    "NaN", "Infinity", "-Infinity", str(2**31), str(2**63), str(-(2**63) - 1), str(2**64), str(10**40),
    "9" * 4300, "-" + "9" * 4300, "9" * 4301, "1" * 5000 + ".5", '"\\ud800"', '"\\udc00"', '"\\udc00\\ud800"',
    '"\\ud83c\\udfb8"', '"\\u0000"', '"\\u00e9"', '"é🎸"', '"\\/\\b\\f\\n\\r\\t"', "[[[[]]]]", '{"a":{"b":[{}]}}',
]  # fmt: skip
FIELDS = list(PulledVersion._fields)


def valid_pages() -> Iterator[tuple[str, bytes]]:
    """Pages PullResponse accepts without coercing anything, written as a server would (and otherwise)."""
    yield "empty", body(page([], cursor=0))
    yield "empty, more", body(page([], cursor=12, has_more=True))
    live = [change(i) for i in range(5)] + [deletion(5)]
    yield "six", body(page(live, has_more=True))
    yield "six, json.dumps", json.dumps(page(live)).encode()
    yield "six, indented", json.dumps(page(live), indent=2).encode()
    yield "six, ascii escapes", json.dumps(page([change(0, data={**entry(0), "title": "Fans 🎸 é"})])).encode()
    yield (
        "six, raw utf-8",
        json.dumps(page([change(0, data={**entry(0), "title": "Fans 🎸 é"})]), ensure_ascii=False).encode(),
    )
    yield (
        "keys in another order",
        body({"has_more": False, "cursor": 1, "changes": [dict(reversed(change(0).items()))]}),
    )
    yield "live without checksum", body(page([change(0, checksum=None)]))
    yield "deleted with data", body(page([change(0, deleted=True)]))
    yield "empty data", body(page([change(0, data={})]))
    yield "negative seq and cursor", body(page([change(0, seq=-5)], cursor=-1))
    yield "huge seq and cursor", body(page([change(0, seq=2**64)], cursor=10**4299))
    yield "4300 digits", body(page([change(0, seq=Raw("9" * 4300))]))
    rich = {
        "bpm": 128.5, "ratio": 1e-300, "big": 10**30, "neg": -0.0, "nan": Raw("NaN"), "inf": Raw("-Infinity"),
        "list": [1, "two", None, True, [3.25, {"x": []}]], "nested": {"a": {"b": {"c": None}}}, "": "",
        "escapes": "\u0000\t\n\"\\/", "emoji": Raw('"\\ud83c\\udfb8"'), "float_exp": Raw("1E-7"),
        "long_float": Raw("0.1000000000000000055511151231257827021181583404541015625"),
    }  # fmt: skip
    yield "rich data", body(page([change(0, data=rich)]))
    yield "duplicate key in data", body(page([change(0, data=Pairs(("a", 1), ("a", 2)))]))
    yield "duplicate key in a change", body(page([Pairs(*change(0).items(), ("seq", 9))]))
    yield "duplicate key in the page", body(Pairs(("changes", []), ("cursor", 1), ("cursor", 2), ("has_more", False)))
    yield "a whole page", body(page([change(i) if i % 7 else deletion(i) for i in range(1000)], has_more=True))


def deep(depth: int, leaf: str = "1", kind: str = "[") -> Raw:
    close = "]" if kind == "[" else "}"
    opener = "[" if kind == "[" else '{"k":'
    return Raw(opener * depth + leaf + close * depth)


def hostile_pages() -> Iterator[tuple[str, bytes]]:
    good = [change(0), change(1)]
    for name in FIELDS:
        for raw in HOSTILE:
            for where in (0, 1):
                changes = [dict(c) for c in good]
                changes[where][name] = Raw(raw)
                yield f"{name}={raw[:20]} in change {where}", body(page(changes))
        without = [dict(c) for c in good]
        del without[1][name]
        yield f"no {name}", body(page(without))
        yield f"{name} twice, bad last", body(page([Pairs(*change(0).items(), (name, Raw('{"x":[]}')))]))
        yield f"{name} twice, bad first", body(page([Pairs((name, Raw("[]")), *change(0).items())]))
    for name in ("changes", "cursor", "has_more"):
        for raw in HOSTILE:
            yield f"page {name}={raw[:20]}", body({**page(good), name: Raw(raw)})
        yield f"page without {name}", body({k: v for k, v in page(good).items() if k != name})
    for extra in ("extra", "Seq", "seq ", "", "entity_type\u0000"):
        yield f"change with {extra!r}", body(page([change(0), {**change(1), extra: 1}]))
        yield f"page with {extra!r}", body({**page(good), extra: None})
    yield "extra null field", body(page([{**change(0), "base_checksum": None}]))
    for raw in ("[]", "null", '"x"', "1", "true", "[{}]", "{}"):
        yield f"a change that is {raw}", body(page([change(0), Raw(raw)]))
        yield f"a body that is {raw}", raw.encode()
    whole = body(page(good))
    for cut in (0, 1, 2, 10, len(whole) // 2, len(whole) - 2, len(whole) - 1):
        yield f"cut at {cut}", whole[:cut]
    for after in (b" \n\t\r", b"x", b",", b"{}", b"\x00", b"\xc2\xa0", b"\x0c"):
        yield f"followed by {after!r}", whole + after
        yield f"preceded by {after!r}", after + whole
    yield "utf-8 bom", codecs.BOM_UTF8 + whole
    for encoding in ("utf-16", "utf-16-le", "utf-32", "latin-1"):
        yield f"as {encoding}", json.dumps(page([change(0, data={"t": "é"})]), ensure_ascii=False).encode(encoding)
    for raw_bytes in (b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\x01", b"\x7f", b"\xef\xbf\xbf"):
        yield f"bytes {raw_bytes!r} in a string", whole.replace(b"Gig 000001", b"Gig " + raw_bytes)
    for depth in (190, 193, 194, 195, 196, 197, 198, 199, 200, 250, 2000):
        for kind in ("[", "{"):
            yield f"data nested {depth} {kind}", body(page([change(0, data={"a": deep(depth, kind=kind)})]))
            yield f"data nested {depth} {kind}, empty", body(page([change(0, data={"a": deep(depth, "", kind)})]))
    for raw in ('"\\ud800"', '"\\udfff x"', '"\\ud83c\\ud83c"', '"\\ud83cx"'):
        yield f"data holding {raw}", body(page([change(0, data={"t": Raw(raw), "n": [Raw(raw)]})]))
        yield f"a key {raw}", body(page([change(0, data={"t": Pairs((Raw(raw), 1))})]))
    yield "one bad change among many", body(page([change(i) for i in range(999)] + [change(999, seq=True)]))
    yield "one bad change first", body(page([change(0, deleted=0)] + [change(i) for i in range(1, 999)]))


def random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.random()
    if kind < 0.45 or depth > 3:
        return Raw(rng.choice(HOSTILE))
    if kind < 0.7:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice([*FIELDS, "x", "cursor"]): random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def mutated(rng: random.Random, value: Any) -> Any:
    """``value`` with one node (maybe the whole) replaced, dropped or doubled at random."""
    if rng.random() < 0.15:
        return random_json(rng)
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        out = dict(value)
        action = rng.random()
        if action < 0.1:
            del out[key]
        elif action < 0.2:
            return Pairs(*out.items(), (key, random_json(rng)))
        else:
            out[key] = mutated(rng, out[key])
        return out
    if isinstance(value, list) and value:
        at = rng.randrange(len(value))
        return value[:at] + [mutated(rng, value[at])] + value[at + 1 :]
    return random_json(rng)


def fuzzed_pages(count: int = 1500) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(20261202)
    base = page([change(0), deletion(1), change(2, data={"n": [1, 2.5, None], "t": "é"})], has_more=True)
    for n in range(count):
        yield f"tree mutation {n}", body(mutated(rng, base))
    whole = body(base)
    for n in range(count):
        damaged = bytearray(whole)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(damaged))
            action = rng.random()
            if action < 0.4:
                damaged[at] = rng.choice(b'{}[],:"\\0159.eE-+tfnul \x00\xff')
            elif action < 0.7:
                del damaged[at]
            else:
                damaged.insert(at, rng.randrange(256))
        yield f"byte damage {n}", bytes(damaged)


def all_bodies() -> list[tuple[str, bytes]]:
    return [*valid_pages(), *hostile_pages(), *fuzzed_pages()]


def fields_of(page_: Any) -> str:
    """Everything a page holds, every field PulledChange declares, as a repr: equal reprs are equal values of
    equal types (True is not 1, 1.0 is not 1, -0.0 is not 0.0; NaN is "nan")."""
    changes = [tuple(getattr(c, name) for name in PulledChange.model_fields) for c in page_.changes]
    return repr((changes, page_.cursor, page_.has_more))


def pydantic_outcome(raw: bytes) -> str | None:
    try:
        return fields_of(PullResponse.model_validate_json(raw))
    except ValidationError:
        return None


def divergences(reader: Callable[[bytes], QuickPullPage | None], bodies: list[tuple[str, bytes]]) -> list[str]:
    """The bodies the reader accepts differently from PullResponse (it refuses none: None is "ask pydantic")."""
    wrong = []
    for label, raw in bodies:
        quick = reader(raw)
        if quick is not None and fields_of(quick) != pydantic_outcome(raw):
            wrong.append(label)
    return wrong


@pytest.fixture(scope="module")
def bodies() -> list[tuple[str, bytes]]:
    return all_bodies()


def test_the_models_hold_only_what_the_quick_reader_checks() -> None:
    # Another field, type, constraint, default, setting or validator in these models must reach the quick
    # reader too (sync/pull_answer.py), or every page would be read by a reader that does not check it.
    assert list(PulledChange.model_fields) == FIELDS and list(PullResponse.model_fields) == list(QuickPullPage._fields)
    for model in (PulledChange, PullResponse):
        assert dict(model.model_config) == {"extra": "forbid"}
        assert all(field.is_required() for field in model.model_fields.values())
        decorators = model.__pydantic_decorators__
        kinds = ("validators", "field_validators", "root_validators", "model_validators")
        assert not any(getattr(decorators, kind) for kind in kinds), decorators
    assert PullResponse.model_json_schema() == {
        "$defs": {
            "PulledChange": {
                "additionalProperties": False,
                "properties": {
                    "entity_type": {"title": "Entity Type", "type": "string"},
                    "entity_id": {"title": "Entity Id", "type": "string"},
                    "data": {"anyOf": [{"additionalProperties": True, "type": "object"}, {"type": "null"}], "title": "Data"},
                    "checksum": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Checksum"},
                    "deleted": {"title": "Deleted", "type": "boolean"},
                    "seq": {"title": "Seq", "type": "integer"},
                },
                "required": FIELDS,
                "title": "PulledChange",
                "type": "object",
            }
        },
        "additionalProperties": False,
        "properties": {
            "changes": {"items": {"$ref": "#/$defs/PulledChange"}, "title": "Changes", "type": "array"},
            "cursor": {"title": "Cursor", "type": "integer"},
            "has_more": {"title": "Has More", "type": "boolean"},
        },
        "required": ["changes", "cursor", "has_more"],
        "title": "PullResponse",
        "type": "object",
    }  # fmt: skip


def test_the_quick_reader_gives_what_pydantic_gives_or_leaves_the_body_to_it(bodies: list[tuple[str, bytes]]) -> None:
    assert divergences(read_pull_answer, bodies) == []
    # The bodies reach every outcome in numbers, so the comparison means something.
    quick = sum(read_pull_answer(raw) is not None for _, raw in bodies)
    coerced = sum(read_pull_answer(raw) is None and pydantic_outcome(raw) is not None for _, raw in bodies)
    refused = sum(pydantic_outcome(raw) is None for _, raw in bodies)
    assert quick > 500 and coerced > 50 and refused > 2000, (quick, coerced, refused)


def test_every_page_pydantic_accepts_without_coercing_is_read_quickly() -> None:
    for label, raw in valid_pages():
        quick = read_pull_answer(raw)
        assert quick is not None, label
        assert fields_of(quick) == pydantic_outcome(raw), label
        assert all(type(c) is PulledVersion for c in quick.changes)


def answer(raw: bytes) -> httpx.Response:
    request = httpx.Request("GET", "http://sync.test/v1/sync/pull")
    return httpx.Response(200, content=raw, headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)}, request=request)


def outcome(call: Callable[[], Any]) -> str:
    try:
        return fields_of(call())
    except ProtocolError as exc:
        return f"ProtocolError: {exc}"


def test_through_the_client_every_body_ends_as_before_same_page_or_same_error(bodies: list[tuple[str, bytes]]) -> None:
    some = [*valid_pages(), *hostile_pages(), *bodies[-1000::5]]  # the byte damage: one in five
    served: list[bytes] = []
    client = SyncClient(
        "http://sync.test",
        "token",
        transport=httpx.MockTransport(lambda request: answer(served.pop())),
        retry=RetryPolicy(attempts=1),
    )
    errors = 0
    with client:
        for label, raw in some:
            before = outcome(partial(SyncClient._parse, PullResponse, answer(raw), DOING))  # the path of old
            served.append(raw)
            now = outcome(lambda: client.pull(0, 1000))
            assert now == before, label
            errors += now.startswith("ProtocolError")
    assert errors > 600, errors


def test_a_real_server_s_pages_are_read_quickly(
    server: Any, email: str, make_device: Callable[[str], Device], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    for i in range(3):
        a.ws.timeline.create({"date": "2026-05-01", "title": f"Gig {i} 🎸", "entry_type": "gig"})
    a.sync()
    read: list[bool] = []
    real = read_pull_answer

    def reading(raw: bytes) -> QuickPullPage | None:
        page_ = real(raw)
        read.append(page_ is not None)
        return page_

    monkeypatch.setattr(client_module, "read_pull_answer", reading)
    # The server's JSON form (a server's answer to a pull that does not ask for lines, as before protocol 4).
    monkeypatch.setattr(client_module, "_PULL_HEADERS", {"Accept": "application/json"})
    b.login(server, email)
    b.sync()
    assert read and all(read)
    assert b.ws.timeline.count() == 3


# ---- the comparison can fail ---------------------------------------------------------------------------
def test_the_comparison_catches_a_reader_that_takes_what_pydantic_would_coerce(
    bodies: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    lax = tuple(types | {int, bool, float} for types in pull_answer._COLUMN_TYPES)
    monkeypatch.setattr(pull_answer, "_COLUMN_TYPES", lax)
    wrong = divergences(read_pull_answer, bodies)
    assert {"seq=true in change 0", "seq=1.0 in change 1", "deleted=0 in change 0", "entity_id=7 in change 1"} <= set(
        wrong
    )


def test_the_comparison_catches_a_reader_that_lets_a_field_more_through(
    bodies: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pull_answer, "_CHANGE_KEYS", range(7))  # the length check then allows one more key
    assert {"change with 'extra'", "extra null field"} <= set(divergences(read_pull_answer, bodies))


def test_the_comparison_catches_json_loads_which_reads_what_pydantic_refuses(
    bodies: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why the quick reader parses with pydantic's own parser: json.loads with the very same checks reads
    # lone surrogates, UTF-8 with a BOM, UTF-16 and UTF-32, and nesting beyond pydantic's limit.
    def loads(raw: bytes, **_: object) -> Any:
        try:
            return json.loads(raw)
        except RecursionError as exc:  # its limit is not pydantic's either, only further away
            raise ValueError("too deep") from exc

    monkeypatch.setattr(pull_answer, "from_json", loads)
    wrong = set(divergences(read_pull_answer, bodies))
    assert {"utf-8 bom", "as utf-16", "as utf-32", "bytes b'\\xed\\xa0\\x80' in a string"} <= wrong
    assert {'entity_id="\\ud800" in change 0', 'data holding "\\ud800"', 'a key "\\ud83cx"'} <= wrong
    assert {"data nested 200 [", "data nested 250 {"} <= wrong

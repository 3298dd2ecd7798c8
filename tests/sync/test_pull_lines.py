"""The framed pull page (protocol 4): the strict reader, and the checksums checked on the lines as they came.

A framed page reads as the JSON page of the same changes reads (``read_pull_answer``), value for value,
but for an upsert of a type whose schema reads JSON straight: its data is the normalized data the client
makes of the JSON page's (``NormalizedData``), unless a line of the page is refused there; any
body that is not exactly a framed page (truncated, a line missing or extra, a header of the wrong types,
a data line that does not fit its change, CR, BOM, bytes that are not UTF-8 or JSON) is a
``ProtocolError`` with the sentence of a pull answer the client does not understand, the detail in the
log. A line that does not hash to its checksum is checked on its data's canonical text (a version stored
as sent by a protocol 3 server); the base always gets the canonical text; a damaged line refuses the page.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from gigbag.schema.canonical import canonical_text, checksum
from gigbag.schema.entities import EntityValidationError
from gigbag.schema.quick_validation import NormalizedData, quick_normalized_data
from gigbag.schema.wire import PROTOCOL_HEADER, PROTOCOL_VERSION, PULL_ACCEPT, PULL_LINES_MEDIA_TYPE
from gigbag.server.tables import entities
from gigbag.sync.client import RetryPolicy, SyncClient
from gigbag.sync.errors import ProtocolError
from gigbag.sync.pull_answer import read_pull_answer
from gigbag.sync.pull_lines import FramedPullPage, FramingError, read_pull_lines
from gigbag.sync.verify import ChecksumMismatch, verify_pulled_page
from tests.fixtures.altering_proxy import AlteringProxy, Answer, flip_pulled_data
from tests.server.server_db import server_engine

from .conftest import server_entities

STAMP = "2026-01-02T03:04:05Z"


@dataclass
class Via:
    url: str


NOT_UNDERSTOOD = "The sync server answered with something this version of Gigbag does not understand"


def gig(title: str) -> dict[str, Any]:
    return {"created_at": STAMP, "updated_at": STAMP, "title": title, "date": "2025-05-01", "entry_type": "gig"}


DATA = [gig('Fans 🎸 ünd\u2028Presse "quoted" back\\slash\ttab'), gig("plain"), gig("e\u0301 \U0001f600 \x01")]
UPSERTS = [("timeline_entries", f"00000000-0000-4000-8000-00000000000{i}", d) for i, d in enumerate(DATA)]


def changes(with_tombstone: bool = True) -> list[dict[str, Any]]:
    out = [
        {"entity_type": t, "entity_id": i, "data": d, "checksum": checksum(d), "deleted": False, "seq": n}
        for n, (t, i, d) in enumerate(UPSERTS, start=1)
    ]
    if with_tombstone:
        gone = "00000000-0000-4000-8000-0000000000ff"
        out.append(
            {"entity_type": "goals", "entity_id": gone, "data": None, "checksum": None, "deleted": True, "seq": 9}
        )
    return out


def framed(page_changes: list[dict[str, Any]], cursor: int = 9, has_more: bool = False) -> bytes:
    """A framed body as the server writes one (data lines: canonical text)."""
    entries = [[c["entity_type"], c["entity_id"], c["checksum"], c["deleted"], c["seq"]] for c in page_changes]
    head = json.dumps({"cursor": cursor, "has_more": has_more, "changes": entries}, separators=(",", ":"))
    lines = ["null" if c["data"] is None else canonical_text(c["data"]) for c in page_changes]
    return "\n".join([head, *lines]).encode("utf-8")


def as_json(page_changes: list[dict[str, Any]], cursor: int = 9, has_more: bool = False) -> bytes:
    return json.dumps({"changes": page_changes, "cursor": cursor, "has_more": has_more}).encode()


def with_line(body: bytes, index: int, line: bytes) -> bytes:
    lines = body.split(b"\n")
    lines[index] = line
    return b"\n".join(lines)


def with_header(body: bytes, edit: Any) -> bytes:
    head = json.loads(body.split(b"\n")[0])
    edit(head)
    return with_line(body, 0, json.dumps(head).encode())


def normalized(pulled: list[Any]) -> list[Any]:
    """The changes of a JSON page with each upsert's data as the client normalizes it."""
    return [c._replace(data=c.data and quick_normalized_data(c.entity_type, c.data)) for c in pulled]


def client_answering(body: bytes, media_type: str = PULL_LINES_MEDIA_TYPE) -> tuple[SyncClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), "content-type": media_type}
        return httpx.Response(200, content=body, headers=headers)

    client = SyncClient("http://sync.test", "t", transport=httpx.MockTransport(handler), retry=RetryPolicy(attempts=1))
    return client, seen


@pytest.mark.parametrize("with_tombstone", [True, False])
@pytest.mark.parametrize(("cursor", "has_more"), [(9, False), (4, True)])
def test_a_framed_page_reads_as_the_json_page_of_the_same_changes(
    with_tombstone: bool, cursor: int, has_more: bool
) -> None:
    page_changes = changes(with_tombstone)
    lines = read_pull_lines(framed(page_changes, cursor, has_more))
    plain = read_pull_answer(as_json(page_changes, cursor, has_more))
    assert plain is not None
    assert (lines.changes, lines.cursor, lines.has_more) == (normalized(plain.changes), plain.cursor, plain.has_more)
    assert [type(c.data) for c in lines.changes] == [NormalizedData] * 3 + [type(None)] * with_tombstone
    assert [type(v) for c in lines.changes for v in c if v is not c.data] == [
        type(v) for c in plain.changes for v in c if v is not c.data
    ]
    assert all(c.data.entity_type == "timeline_entries" for c in lines.changes if c.data)  # type: ignore[attr-defined]
    assert verify_pulled_page(lines) == verify_pulled_page(plain)


def test_a_line_the_schema_refuses_makes_the_page_read_as_it_came() -> None:
    page_changes = changes()
    page_changes[1]["data"] = {**page_changes[1]["data"], "date": "2025-02-30"}  # no such day: refused here
    page_changes[1]["checksum"] = checksum(page_changes[1]["data"])
    lines = read_pull_lines(framed(page_changes))
    plain = read_pull_answer(as_json(page_changes))
    assert plain is not None and lines.changes == plain.changes
    assert [type(c.data) for c in lines.changes] == [dict] * 3 + [type(None)]
    assert verify_pulled_page(lines) == verify_pulled_page(plain)


def test_the_data_read_straight_is_not_validated_again_and_changes_nothing_it_is_handed_to() -> None:
    page = read_pull_lines(framed(changes(with_tombstone=False)))
    data = page.changes[0].data
    assert type(data) is NormalizedData and data == quick_normalized_data("timeline_entries", dict(DATA[0]))
    assert quick_normalized_data("timeline_entries", data) is data  # as it is, not validated a second time
    with pytest.raises(EntityValidationError):
        quick_normalized_data("goals", data)  # for another type: validated as ever (and refused)


def test_an_empty_page_is_its_header_line_alone() -> None:
    page = read_pull_lines(b'{"cursor":7,"has_more":false,"changes":[]}')
    assert (page.changes, page.cursor, page.has_more, page.lines) == ([], 7, False, [])


def test_the_client_asks_for_lines_and_reads_either_form() -> None:
    client, seen = client_answering(framed(changes()))
    page = client.pull(0, 1000)
    assert isinstance(page, FramedPullPage) and len(page.changes) == 4
    assert seen[0].headers["accept"] == PULL_ACCEPT
    client, _ = client_answering(as_json(changes()), "application/json")
    plain = client.pull(0, 1000)
    assert not isinstance(plain, FramedPullPage) and normalized(plain.changes) == page.changes


def _hostile() -> dict[str, bytes]:
    good = framed(changes())
    upsert_at, tombstone_at = 1, 4  # line numbers: the header is line 0
    cases = {
        "truncated in a data line": good[:-30],
        "truncated after the header": good.split(b"\n")[0],
        "truncated in the header": good[:40],
        "empty body": b"",
        "a data line missing": b"\n".join(good.split(b"\n")[:-1]),
        "a data line extra": good + b"\n" + canonical_text(DATA[0]).encode(),
        "a trailing newline": good + b"\n",
        "an empty line inside": with_line(good, 2, b""),
        "two values on one line": with_line(good, upsert_at, canonical_text(DATA[0]).encode() + b" {}"),
        "an upsert's line null": with_line(good, upsert_at, b"null"),
        "an upsert's line a list": with_line(good, upsert_at, b"[1,2]"),
        "an upsert's line a string": with_line(good, upsert_at, b'"text"'),
        "an upsert's line a number": with_line(good, upsert_at, b"7"),
        "a tombstone's line an object": with_line(good, tombstone_at, b"{}"),
        "a tombstone's line false": with_line(good, tombstone_at, b"false"),
        "a tombstone's line null with spaces": with_line(good, tombstone_at, b" null"),
        "a data line not JSON": with_line(good, upsert_at, b'{"title":'),
        "a data line with a lone surrogate": with_line(good, upsert_at, b'{"title":"\\ud800"}'),
        "not UTF-8": with_line(good, upsert_at, b'{"title":"\xff\xfe"}'),
        "latin-1": with_line(good, upsert_at, '{"title":"ünd"}'.encode("latin-1")),
        "a CR at a line's end": good.replace(b"\n", b"\r\n"),
        "a CR in a data line": with_line(good, upsert_at, canonical_text(DATA[1]).encode()[:-1] + b"\r}"),
        "a BOM": b"\xef\xbb\xbf" + good,
        "utf-16": good.decode().encode("utf-16"),
        "the JSON form": as_json(changes()),
        "header not an object": with_line(good, 0, b"[1,false,[]]"),
        "header an extra key": with_header(good, lambda h: h.update(more=1)),
        "header without has_more": with_header(good, lambda h: h.pop("has_more")),
        "cursor a bool": with_header(good, lambda h: h.update(cursor=True)),
        "cursor a string": with_header(good, lambda h: h.update(cursor="9")),
        "cursor a float": with_header(good, lambda h: h.update(cursor=9.0)),
        "cursor null": with_header(good, lambda h: h.update(cursor=None)),
        "has_more a number": with_header(good, lambda h: h.update(has_more=0)),
        "changes an object": with_header(good, lambda h: h.update(changes={})),
        "a change an object": with_header(good, lambda h: h["changes"].__setitem__(0, {"seq": 1})),
        "a change of four values": with_header(good, lambda h: h["changes"][0].pop()),
        "a change of six values": with_header(good, lambda h: h["changes"][0].append(None)),
        "entity_type null": with_header(good, lambda h: h["changes"][0].__setitem__(0, None)),
        "entity_id a number": with_header(good, lambda h: h["changes"][1].__setitem__(1, 5)),
        "checksum a number": with_header(good, lambda h: h["changes"][2].__setitem__(2, 5)),
        "deleted a number": with_header(good, lambda h: h["changes"][0].__setitem__(3, 0)),
        "deleted null": with_header(good, lambda h: h["changes"][3].__setitem__(3, None)),
        "seq a bool": with_header(good, lambda h: h["changes"][0].__setitem__(4, True)),
        "seq a float": with_header(good, lambda h: h["changes"][0].__setitem__(4, 1.0)),
        "seq a string": with_header(good, lambda h: h["changes"][0].__setitem__(4, "1")),
        "an upsert called a tombstone": with_header(good, lambda h: h["changes"][0].__setitem__(3, True)),
        "a tombstone called an upsert": with_header(good, lambda h: h["changes"][3].__setitem__(3, False)),
    }
    return cases


HOSTILE = _hostile()


@pytest.mark.parametrize("label", list(HOSTILE))
def test_a_body_that_is_not_exactly_a_framed_page_is_refused_with_the_sentence(
    label: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = HOSTILE[label]
    with pytest.raises(FramingError) as detail:
        read_pull_lines(body)
    client, _ = client_answering(body)
    with caplog.at_level(logging.WARNING), pytest.raises(ProtocolError) as caught:
        client.pull(0, 1000)
    said = str(caught.value)
    assert said.startswith(NOT_UNDERSTOOD) and "Nothing was applied" in said, label
    assert not isinstance(caught.value, ChecksumMismatch)
    assert any(str(detail.value) in r.getMessage() for r in caplog.records), label  # the detail in the log


def test_a_line_stored_as_sent_is_checked_on_its_canonical_text_which_the_base_gets() -> None:
    # A protocol 3 server stored the text as sent: keys in another order, spaces. Its data matches.
    as_sent = json.dumps(dict(reversed(list(DATA[0].items()))), ensure_ascii=False, indent=1).replace("\n", " ")
    body = with_line(framed(changes()), 1, as_sent.encode())
    page = read_pull_lines(body)
    assert page.texts[0] == as_sent != canonical_text(DATA[0])
    texts = verify_pulled_page(page)
    assert texts == [canonical_text(d) for d in DATA] + [None]


@pytest.mark.parametrize(
    "damage",
    [
        lambda line: line.replace(b"plain", b"plaim"),  # a byte of a value
        lambda line: line.replace(b'"title"', b'"titel"'),  # a key
        lambda line: line.replace(b"}", b',"extra":1}'),  # a field more
    ],
)
def test_a_damaged_line_refuses_the_page(damage: Any) -> None:
    good = framed(changes())
    line = good.split(b"\n")[2]
    body = with_line(good, 2, damage(line))
    page = read_pull_lines(body)  # still a framed page: the damage is for the checksum to find
    with pytest.raises(ChecksumMismatch) as caught:
        verify_pulled_page(page)
    assert caught.value.entity_id == UPSERTS[1][1] and "damaged" in str(caught.value)


def test_a_changed_checksum_refuses_the_page() -> None:
    wrong = "sha256:" + "0" * 64
    body = with_header(framed(changes()), lambda h: h["changes"][0].__setitem__(2, wrong))
    with pytest.raises(ChecksumMismatch):
        verify_pulled_page(read_pull_lines(body))


def test_a_version_stored_as_sent_by_a_protocol_3_server_is_pulled_and_based_on_its_canonical_text(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    entry = a.ws.timeline.create({"date": "2025-05-01", "title": "Fans 🎸 ünd\u2028Presse", "entry_type": "gig"})
    other = a.ws.timeline.create({"date": "2025-05-02", "title": "stored canonical", "entry_type": "gig"})
    a.sync()
    engine = server_engine(server)
    try:
        with engine.begin() as conn:
            stored = conn.execute(entities.select().where(entities.c.entity_id == entry.id)).one()
            data = json.loads(stored.data_text)
            assert stored.data_text == canonical_text(data)  # what this server stores
            as_sent = json.dumps(dict(reversed(list(data.items()))), ensure_ascii=False, separators=(", ", ": "))
            conn.execute(update(entities).where(entities.c.entity_id == entry.id).values(data_text=as_sent))
    finally:
        engine.dispose()
    b.login(server, email)
    b.sync()
    assert b.entities() == a.entities() == server_entities(server, email)
    with b.ws.engine.connect() as conn:
        based = dict(conn.exec_driver_sql("SELECT entity_id, data FROM sync_base").all())
    assert based[entry.id] == canonical_text(data) != as_sent
    assert based[other.id] == canonical_text(json.loads(based[other.id]))


def test_a_framed_page_damaged_on_the_way_is_refused_whole_and_the_next_sync_repairs(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    for i in range(3):
        a.ws.timeline.create({"date": "2025-05-01", "title": f"Gig {i}", "entry_type": "gig"})
    a.sync()
    forms: list[bool] = []

    def noting(answer: Answer) -> bool:
        if answer.path == "/v1/sync/pull" and answer.status == 200:
            forms.append(answer.framed())
        return False

    with AlteringProxy(server.url) as proxy:
        proxy.add(noting)
        proxy.add(flip_pulled_data("timeline_entries"), times=1)
        b.login(Via(proxy.url), email)
        with pytest.raises(ChecksumMismatch):
            b.sync()
        assert b.ws.timeline.count() == 0 and b.entities().get("timeline_entries", []) == []
        with b.ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT cursor FROM sync_account").scalar() == 0
            assert conn.exec_driver_sql("SELECT count(*) FROM sync_base").scalar() == 0
        b.sync()
    assert forms and all(forms)  # every page came framed, the damaged one too
    assert b.entities() == a.entities() == server_entities(server, email)

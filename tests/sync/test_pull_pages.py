"""A pull of several pages against a real server: pages fetched one ahead, a first download applied
page by page as it comes, and every way of stopping half-way leaving what the next sync completes.

Pages of two changes (the client asks for ``limit=2``), so a handful of entities makes many pages.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from gigbag.local_db.database import read_session
from gigbag.local_db.sync_tables import SyncAccount, SyncBase, SyncIncoming
from gigbag.schema.canonical import canonical_text, checksum_of_canonical
from gigbag.sync import pull
from gigbag.sync.client import SyncClient
from gigbag.sync.errors import MassDeleteRefused, SyncCancelled
from gigbag.sync.progress import CancelToken, ProgressEvent
from gigbag.sync.pull import Puller, PullReport, refuse_mass_delete
from gigbag.sync.verify import ChecksumMismatch
from tests.fixtures.altering_proxy import AlteringProxy, Answer, flip_pulled_data, goal_from_a_newer_schema
from tests.fixtures.refused_row import MESSAGE, allow_again, refuse_entry

from .conftest import Device, server_entities

real_pull = SyncClient.pull


@pytest.fixture(autouse=True)
def pages_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SyncClient, "pull", lambda self, since, limit, skip=None: real_pull(self, since, 2, skip))


@pytest.fixture
def proxy(server: Any) -> Iterator[AlteringProxy]:
    with AlteringProxy(server.url) as p:
        yield p


class Via:
    def __init__(self, url: str) -> None:
        self.url = url


def state(device: Device) -> tuple[int, int, int]:
    """(timeline entries, the stored cursor, the highest seq of a base): the cursor of the last page applied."""
    with read_session(device.ws.engine) as s:
        account = s.get(SyncAccount, 1)
        assert account is not None
        top = s.scalar(select(func.max(SyncBase.seq))) or 0
    return device.ws.timeline.count(), account.cursor, top


def page_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gigbag-pull-pages"]


def gigs(device: Device, count: int) -> None:
    for i in range(count):
        device.ws.timeline.create({"date": "2025-05-01", "title": f"Gig {i}", "entry_type": "gig"})


def test_a_first_download_applies_each_page_as_it_comes_and_a_damaged_page_stops_it_there(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 9)
    a.sync()
    b.login(Via(proxy.url), email)
    pulls = 0

    def third_page(answer: Answer) -> bool:
        nonlocal pulls
        if answer.path != "/v1/sync/pull" or answer.status != 200:
            return False
        pulls += 1
        return pulls == 3 and flip_pulled_data("timeline_entries")(answer)

    proxy.add(third_page, times=1)
    with pytest.raises(ChecksumMismatch):
        b.sync()
    entries, cursor, top = state(b)
    assert entries == 4 and cursor == top > 0  # the two pages before it, each with its cursor; nothing of it
    assert page_threads() == []
    b.sync()
    assert b.entities() == a.entities() == server_entities(server, email)
    assert state(b)[0] == 9


def test_a_first_download_cancelled_after_a_page_is_completed_by_the_next_sync(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 7)
    a.sync()
    b.login(server, email)
    cancel = CancelToken()

    def progress(event: ProgressEvent) -> None:
        if event.phase == "apply" and event.done == 2:
            cancel.cancel()

    with pytest.raises(SyncCancelled):
        b.sync(progress=progress, cancel=cancel)
    entries, cursor, top = state(b)
    assert entries == 4 and cursor == top > 0
    assert page_threads() == []
    b.sync()
    assert b.entities() == a.entities() == server_entities(server, email)


@pytest.mark.parametrize("group_after", [0.0, 60.0])
def test_a_first_download_commits_pages_in_groups_and_a_page_that_fails_takes_only_its_group_back(
    server: Any, email: str, make_device: Any, monkeypatch: pytest.MonkeyPatch, group_after: float
) -> None:
    """0: every page its own transaction (the cursor after page 2 kept); 60 s: all pages in one, so the third
    page's failure takes the two before it back too. Either way the next sync completes it."""
    monkeypatch.setattr(pull, "GROUP_COMMIT_AFTER", group_after)
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 9)  # five pages of two
    a.sync()
    b.login(server, email)
    refuse_entry(b.ws.engine, 5)  # the database itself refuses the fifth row: the third page's first
    with pytest.raises(Exception, match=MESSAGE):
        b.sync()
    entries, cursor, top = state(b)
    assert (entries, cursor == top) == ((4, True) if group_after == 0 else (0, True))
    assert page_threads() == []
    allow_again(b.ws.engine)
    b.sync()
    assert b.entities() == a.entities() == server_entities(server, email)


def test_entities_changed_on_the_server_during_a_first_download_come_twice_and_end_as_their_last_version(
    server: Any, email: str, make_device: Any
) -> None:
    """A first download looks up the bases of a page's entities only among its earlier pages' (it began
    with none): every entry edited elsewhere after the first page comes again on a later page, finds its
    base and ends as the edit."""
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 6)
    a.sync()
    b.login(server, email)
    edited = False

    def progress(event: ProgressEvent) -> None:
        nonlocal edited
        if event.phase == "apply" and event.done == 1 and not edited:
            edited = True
            for entry in a.ws.timeline.list():
                a.ws.timeline.update(entry.id, {"title": f"{entry.title} (moved)"})
            a.sync()

    b.sync(progress=progress)
    assert edited
    assert b.entities() == a.entities() == server_entities(server, email)
    assert sorted(e.title for e in b.ws.timeline.list()) == [f"Gig {i} (moved)" for i in range(6)]
    with read_session(b.ws.engine) as s:
        assert s.scalar(select(func.count()).select_from(SyncIncoming)) == 0
    assert state(b)[1] == state(b)[2] == state(a)[1]


def test_a_pulled_base_stores_the_canonical_text_its_checksum_was_verified_on(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 5)
    a.ws.timeline.create({"date": "2025-05-02", "title": "Café «Süd» \u2028 🎺", "entry_type": "gig"})
    a.sync()
    b.login(server, email)
    b.sync()
    with b.ws.engine.connect() as c:
        rows = c.exec_driver_sql("SELECT entity_id, checksum, data FROM sync_base").fetchall()
    assert len(rows) == 6
    for _, stored_checksum, stored in rows:
        assert checksum_of_canonical(stored.encode("utf-8")) == stored_checksum  # the verified bytes themselves
        assert canonical_text(json.loads(stored)) == stored
    with read_session(b.ws.engine) as s:  # read back through the JSON column as before
        bases = s.scalars(select(SyncBase)).all()
    assert {base.entity_id: base.data for base in bases} == {
        row["id"]: row["data"] for row in server_entities(server, email)["timeline_entries"]
    }
    assert b.entities() == a.entities() == server_entities(server, email)


def test_a_pull_of_several_pages_asks_before_it_deletes_most_of_the_data_and_applies_nothing_first(
    server: Any, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    ids = [a.ws.journal.create({"title": f"Entry {i}"}).id for i in range(6)]
    a.sync()
    b.login(server, email)
    b.sync()
    gigs(a, 3)  # pages of upserts before the deletes
    a.sync()
    a.ws.journal.delete_many(ids[:4])
    a.sync()
    before = state(b)
    with pytest.raises(MassDeleteRefused) as refused:
        b.sync(confirm_mass_delete=refuse_mass_delete)
    assert (refused.value.deletions, refused.value.total) == (4, 6)
    assert state(b) == before and b.ws.journal.count() == 6  # not even the pages before the deletes
    assert page_threads() == []
    b.sync()
    assert b.entities() == a.entities() == server_entities(server, email)
    assert b.ws.journal.count() == 2 and state(b)[0] == 3


def test_pages_are_fetched_at_most_one_ahead_of_the_one_refused(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 12)
    a.sync()
    b.login(Via(proxy.url), email)
    proxy.add(flip_pulled_data("timeline_entries"), times=1)  # the first page
    b.requests.clear()
    with pytest.raises(ChecksumMismatch):
        b.sync()
    assert 1 <= b.requests.count(("GET", "/v1/sync/pull")) <= 2
    assert state(b)[0] == 0


def test_a_first_download_keeps_a_version_this_computer_cannot_use_on_a_later_page_staged_and_reported(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any
) -> None:
    # A first download applies its pages as they come: a version this client's schema refuses, on a
    # later page, ends as in a one-page pull (staged, reported, the cursor held before it).
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 5)
    a.sync()
    goal = a.ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
    a.sync()  # after the gigs: on the last page
    pulls = 0

    def newer_schema(answer: Answer) -> bool:
        nonlocal pulls
        pulls += answer.path == "/v1/sync/pull" and answer.status == 200
        if not goal_from_a_newer_schema(answer):
            return False
        assert pulls > 1  # a page fetched ahead, on the thread
        return True

    b.login(Via(proxy.url), email)
    proxy.add(newer_schema, times=1)
    summary = b.sync()
    assert not summary.complete and [key for key, _ in summary.unusable] == [("goals", goal.id)]
    assert b.ws.timeline.count() == 5 and b.entities()["goals"] == []
    with read_session(b.ws.engine) as s:
        assert s.get(SyncIncoming, ("goals", goal.id)) is not None  # kept, not marked as seen
    again = b.sync()
    assert again.complete
    assert b.entities() == a.entities() == server_entities(server, email)


def _b_holds_one_gig_and_a_pushed_six_more(server: Any, email: str, make_device: Any) -> tuple[Device, Device]:
    """Two computers of one account: b has synced a's first gig, and a has since pushed six more."""
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    gigs(a, 1)
    a.sync()
    b.login(server, email)
    b.sync()
    gigs(a, 6)
    a.sync()
    return a, b


def test_a_pull_onto_a_computer_with_data_applies_each_page_while_the_next_comes_and_commits_at_the_end(
    server: Any, email: str, make_device: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _b_holds_one_gig_and_a_pushed_six_more(server, email, make_device)
    before = state(b)
    seen: list[tuple[str, tuple[int, int, int]]] = []
    real_pull, real_apply = SyncClient.pull, Puller._apply_page

    def pull_page(client: SyncClient, since: int, limit: int, skip: str | None = None) -> Any:
        seen.append(("pull", state(b)))  # what another connection sees: only what is committed
        return real_pull(client, since, limit, skip)

    def apply_page(puller: Puller, *args: Any) -> None:
        seen.append(("apply", state(b)))
        real_apply(puller, *args)

    monkeypatch.setattr(SyncClient, "pull", pull_page)
    monkeypatch.setattr(Puller, "_apply_page", apply_page)
    b.sync()
    steps = [step for step, _ in seen]
    assert steps.index("apply") < len(steps) - 1 - steps[::-1].index("pull")  # not after the last page came
    assert all(committed == before for _, committed in seen)  # nothing kept before every page was in
    assert b.entities() == a.entities() == server_entities(server, email)
    assert state(b)[0] == 7


def test_pages_applied_as_they_came_and_held_too_long_are_rolled_back_and_applied_after_the_last(
    server: Any, email: str, make_device: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _b_holds_one_gig_and_a_pushed_six_more(server, email, make_device)
    monkeypatch.setattr(pull, "PROVISIONAL_HOLD", 1e-9)  # the first page is applied, the second drops it
    reports: list[PullReport] = []
    real_run = Puller.run

    def run(puller: Puller, *args: Any, **kwargs: Any) -> PullReport:
        reports.append(real_run(puller, *args, **kwargs))
        return reports[-1]

    monkeypatch.setattr(Puller, "run", run)
    b.sync()
    assert b.entities() == a.entities() == server_entities(server, email)
    entries, cursor, top = state(b)
    assert entries == 7 and cursor == top > 0
    (report,) = reports
    assert (report.applied, report.apply.applied) == (report.pages, 6)  # counted once: the dropped pages not


@pytest.mark.parametrize("entries", [3, pull.WRITER_FROM])
def test_a_pull_of_one_big_page_writes_through_the_writer_connection_and_one_small_page_does_not(
    server: Any, email: str, make_device: Any, monkeypatch: pytest.MonkeyPatch, entries: int
) -> None:
    """Pages of up to 5000 (protocol 5) make a pull of thousands of edits one page: it is written as several
    pages are (held checkpoints, the bigger cache); a no-op's or a few edits' page opens no connection."""
    monkeypatch.setattr(SyncClient, "pull", real_pull)  # the autouse pages of two off: one page
    opened: list[int] = []
    real = pull.writer_connection

    def counted(db: Any) -> Any:
        opened.append(1)
        return real(db)

    monkeypatch.setattr(pull, "writer_connection", counted)
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    a.ws.timeline.create_many([{"date": "2025-05-01", "title": f"Gig {i}"} for i in range(entries)])
    a.sync()
    b.login(server, email)
    summary = b.sync()
    assert summary.pull_requests == 1 and summary.pulled == entries
    assert len(opened) == (1 if entries >= pull.WRITER_FROM else 0)
    assert b.entities() == a.entities()

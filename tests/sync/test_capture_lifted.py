"""A pulled page written in bulk runs without its tables' change-capture triggers (lifted for the
statements, ``capture_triggers_lifted``), and nothing else changes: the triggers come back byte for byte
as the migrations made them, a local edit afterwards is captured, an error rolls them back in, another
connection never sees them missing, a derived-value trigger still runs, and a pull ends in the same
database lifted or not. Within ``capture_lifted_until_commit`` (a pull's writer connection) pages of one
transaction lift them once, and its commit, a rollback or the block's end brings them back. Whether a write
really lifted them is read from SQLite's schema cookie (``PRAGMA schema_version``), which each DROP and
CREATE moves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc, text
from sqlmodel import Session

from gigbag.app.workspace import Workspace
from gigbag.local_db.change_capture import (
    applying_server_changes,
    capture_lifted_until_commit,
    capture_triggers_lifted,
)
from gigbag.local_db.database import transaction
from gigbag.schema.canonical import checksum
from gigbag.schema.entities import ENTITY_TYPES
from gigbag.sync import bulk_writes, incoming, pull
from gigbag.sync.bulk_writes import write_rows
from gigbag.sync.client import SyncClient
from gigbag.sync.incoming import ApplyReport, apply_pulled, settle_incoming
from gigbag.sync.local_store import LocalState, Version
from tests.fixtures.pulled_versions import NOW, Page, Seqs, uid
from tests.fixtures.refused_row import MESSAGE, allow_again, refuse_entry

LATER = "2025-03-02T08:00:00Z"
SHA = "ab" * 32


def gigs(q: Seqs, ids: list[str], title: str = "Gig", when: str = NOW) -> Page:
    return [
        (("timeline_entries", i), q.live("timeline_entries", date="2025-05-01", title=f"{title} {n}", entry_type="gig"))
        if when == NOW
        else (
            ("timeline_entries", i),
            q.live("timeline_entries", date="2025-05-02", title=f"{title} {n}", entry_type="gig", updated_at=when),
        )
        for n, i in enumerate(ids)
    ]


def files(q: Seqs, ids: list[str]) -> Page:
    return [
        (
            ("files", i),
            q.live(
                "files",
                filename=f"rider-{n}.pdf",
                file_size_bytes=100 + n,
                mime_type="application/pdf",
                blob_sha256=SHA,
            ),
        )
        for n, i in enumerate(ids)
    ]


def apply_page(ws: Workspace, page: Page, report: ApplyReport | None = None) -> None:
    """One pulled page as the pull writes it (``Puller._write_page``)."""
    with transaction(ws.engine) as s:
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            apply_pulled(LocalState(s), page, report or ApplyReport())


def settle(ws: Workspace, report: ApplyReport) -> None:
    with transaction(ws.engine) as s:
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            settle_incoming(LocalState(s), report)


def triggers(path: Path) -> dict[str, tuple[str, str]]:
    """Every trigger of the database file: its table and its stored SQL, by name."""
    conn = sqlite3.connect(path)
    try:
        return {
            n: (t, sql)
            for n, t, sql in conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
    finally:
        conn.close()


def schema_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA schema_version").fetchone()[0])
    finally:
        conn.close()


def change_log(path: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute("SELECT entity_type, entity_id, op FROM change_log ORDER BY id")]
    finally:
        conn.close()


def snapshot(path: Path) -> dict[str, Any]:
    """Every row of every synced and sync table and the derived values, as stored."""
    conn = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {
            name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall())
            for name in [*ENTITY_TYPES, "sync_base", "sync_incoming", "change_log", "storage_quotas"]
        }
        out["account"] = conn.execute("SELECT cursor FROM sync_account").fetchall()
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return out
    finally:
        conn.close()


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path / "device")
    yield workspace
    workspace.close()


@pytest.fixture
def fresh(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """The triggers of a database just made by the migrations."""
    other = Workspace.open(tmp_path / "fresh")
    other.close()
    return triggers(other.paths.database)


def test_a_big_page_lifts_the_triggers_and_they_come_back_as_the_migrations_made_them(
    ws: Workspace, fresh: dict[str, tuple[str, str]]
) -> None:
    db = ws.paths.database
    before, cookie = triggers(db), schema_version(db)
    assert before == fresh
    q = Seqs()
    ids = [uid() for _ in range(bulk_writes.LIFT_FROM)]
    apply_page(ws, gigs(q, ids))
    assert schema_version(db) == cookie + 6  # three dropped, three created again
    assert triggers(db) == before == fresh
    assert change_log(db) == []
    assert ws.timeline.count() == len(ids)
    # Edits of them pulled later (rows held: updated in place) lift them as well.
    apply_page(ws, gigs(q, ids, "Edited", LATER))
    assert schema_version(db) == cookie + 12
    assert triggers(db) == fresh
    assert change_log(db) == []
    # What the artist does afterwards is captured, whatever the statement.
    ws.timeline.update(ids[0], {"title": "Edited here"})
    ws.timeline.delete(ids[1])
    ws.timeline.create({"date": "2025-06-01", "title": "New here", "entry_type": "gig"})
    logged = change_log(db)
    assert logged[:2] == [("timeline_entries", ids[0], "upsert"), ("timeline_entries", ids[1], "delete")]
    assert len(logged) == 3 and logged[2][2] == "upsert"


def test_a_small_page_leaves_the_triggers_alone(ws: Workspace) -> None:
    db = ws.paths.database
    cookie = schema_version(db)
    apply_page(ws, gigs(Seqs(), [uid() for _ in range(bulk_writes.LIFT_FROM - 1)]))
    assert schema_version(db) == cookie
    assert change_log(db) == []


def test_a_row_refused_inside_the_lifted_write_rolls_the_page_back_with_the_triggers(
    ws: Workspace, fresh: dict[str, tuple[str, str]]
) -> None:
    db = ws.paths.database
    q = Seqs()
    page = gigs(q, [uid() for _ in range(bulk_writes.LIFT_FROM)])
    # A title of one NUL meets the schema, not SQLite's CHECK: its page is written with the checks, and refused.
    key, version = page[-1]
    assert version.data is not None
    bad = {**version.data, "title": "\x00"}
    page[-1] = (key, Version(bad, checksum(bad), False, version.seq))
    cookie = schema_version(db)
    with (
        pytest.raises(exc.IntegrityError, match="CHECK constraint failed"),
        transaction(ws.engine) as s,
        applying_server_changes(s),
    ):
        try:
            apply_pulled(LocalState(s), page, ApplyReport())
        finally:
            # Inside the transaction still, the triggers are back already (lifted, then created again).
            inside = {r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
            assert inside == set(fresh)
            assert s.execute(text("PRAGMA schema_version")).scalar() == cookie + 6
    assert triggers(db) == fresh
    assert schema_version(db) == cookie
    assert ws.timeline.count() == 0
    ws.timeline.create({"date": "2025-06-01", "title": "New here", "entry_type": "gig"})
    assert [c[2] for c in change_log(db)] == ["upsert"]


def test_a_transaction_that_sqlite_rolled_back_inside_keeps_its_first_error(
    ws: Workspace, fresh: dict[str, tuple[str, str]]
) -> None:
    """An error SQLite answers by rolling everything back (a full disk) has restored the triggers: they are
    not created a second time (which would fail and hide the error)."""
    with (
        pytest.raises(RuntimeError, match="disk full, say"),
        transaction(ws.engine) as s,
        applying_server_changes(s),
    ):
        conn = s.connection()
        with capture_triggers_lifted(conn, "timeline_entries"):
            conn.exec_driver_sql("ROLLBACK")
            raise RuntimeError("disk full, say")
    assert triggers(ws.paths.database) == fresh


def test_another_connection_never_sees_them_missing_and_its_writes_are_captured_after(
    ws: Workspace, fresh: dict[str, tuple[str, str]]
) -> None:
    db = ws.paths.database
    other = sqlite3.connect(db, isolation_level=None)
    try:
        assert other.execute("SELECT count(*) FROM timeline_entries").fetchone() == (0,)  # its schema read
        with transaction(ws.engine) as s, applying_server_changes(s):
            conn = s.connection()
            with capture_triggers_lifted(conn, "timeline_entries"):
                here = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
                assert set(fresh) - here == {f"cc_timeline_entries_{op}" for op in ("insert", "update", "delete")}
                there = {
                    r[0]: (r[1], r[2])
                    for r in other.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
                }
                assert there == fresh
                conn.exec_driver_sql(
                    "INSERT INTO timeline_entries (id, created_at, updated_at, date, title, entry_type) "
                    "VALUES ('pulled', ?, ?, '2025-05-01', 'Pulled', 'gig')",
                    (NOW, NOW),
                )
        other.execute(
            "INSERT INTO timeline_entries (id, created_at, updated_at, date, title, entry_type) "
            "VALUES ('raw', ?, ?, '2025-05-01', 'Raw', 'gig')",
            (NOW, NOW),
        )
        other.execute("UPDATE timeline_entries SET title = 'Raw, edited' WHERE id = 'pulled'")
    finally:
        other.close()
    assert change_log(db) == [("timeline_entries", "raw", "upsert"), ("timeline_entries", "pulled", "upsert")]


def test_nothing_is_lifted_while_capture_is_on(ws: Workspace) -> None:
    db = ws.paths.database
    cookie = schema_version(db)
    rows = [
        (
            uid(),
            {
                "created_at": NOW,
                "updated_at": NOW,
                "date": "2025-05-01",
                "title": f"Gig {n}",
                "description": None,
                "entry_type": "gig",
            },
        )
        for n in range(bulk_writes.LIFT_FROM)
    ]
    with transaction(ws.engine) as s:
        write_rows(LocalState(s), "timeline_entries", rows)
    assert schema_version(db) == cookie
    assert sorted(c[1] for c in change_log(db)) == sorted(i for i, _ in rows)


def test_a_derived_value_trigger_still_runs_in_a_lifted_page(ws: Workspace) -> None:
    db = ws.paths.database
    cookie = schema_version(db)
    q = Seqs()
    page = files(q, [uid() for _ in range(bulk_writes.LIFT_FROM)])
    apply_page(ws, page)  # not settled: the settling step recomputes derived values by itself
    assert schema_version(db) == cookie + 6
    conn = sqlite3.connect(db)
    try:
        used = conn.execute("SELECT used_bytes FROM storage_quotas WHERE id = 1").fetchone()[0]
        assert used == sum(v.data["file_size_bytes"] for _, v in page if v.data is not None)
        dv = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'files'")
        }
        assert {"dv_files_insert", "dv_files_update", "dv_files_delete"} <= dv
    finally:
        conn.close()
    assert change_log(db) == []


def pages_of_a_pull(q: Seqs) -> tuple[list[Page], list[str]]:
    """A first download (entries, files, goals with progress: parents before children, a child before its
    parent), then a page of edits, with a tombstone and an entry that arrives in a page of its own."""
    n = bulk_writes.LIFT_FROM
    entries, docs = [uid() for _ in range(n + 5)], [uid() for _ in range(n)]
    goal, progress = uid(), [uid() for _ in range(n)]
    steps = [
        (("goal_progress", p), q.live("goal_progress", goal_id=goal, value=1 + k % 3, recorded_at=NOW))
        for k, p in enumerate(progress)
    ]
    first = [*gigs(q, entries[: n // 2]), *files(q, docs), *steps]
    second = [
        *gigs(q, entries[n // 2 :]),
        (("goals", goal), q.live("goals", title="Shows", goal_type="gigs", target_value=500)),
    ]
    edits = [*gigs(q, entries[:n], "Edited", LATER), *files(q, docs[: n // 2])]
    q.n += 1
    edits.append((("timeline_entries", entries[-1]), Version(None, None, True, q.n)))
    return [first, second, edits], entries


def test_a_pull_ends_in_the_same_database_lifted_or_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages, entries = pages_of_a_pull(Seqs())
    results: dict[str, Any] = {}
    for name, lift_from in (("lifted", bulk_writes.LIFT_FROM), ("kept", 10**9)):
        monkeypatch.setattr(bulk_writes, "LIFT_FROM", lift_from)
        ws = Workspace.open(tmp_path / name)
        try:
            db = ws.paths.database
            cookie = schema_version(db)
            report = ApplyReport()
            for page in pages:
                apply_page(ws, page, report)
            settle(ws, report)
            moved = schema_version(db) - cookie
            results[name] = (snapshot(db), triggers(db), report)
            ws.timeline.update(entries[0], {"title": "Edited here"})
            assert change_log(db) == [("timeline_entries", entries[0], "upsert")]
        finally:
            ws.close()
        assert (moved > 0) == (name == "lifted")
    lifted, kept = results["lifted"], results["kept"]
    assert lifted[0]["change_log"] == []
    assert lifted[0]["storage_quotas"] == kept[0]["storage_quotas"]
    assert lifted[0] == kept[0]
    assert lifted[1] == kept[1]
    assert lifted[2] == kept[2]


def test_tombstones_removed_in_bulk_end_where_remove_many_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``remove_rows``, which ``apply_pulled`` calls, against ``LocalState.remove_many`` (a page's tombstones of types nothing refers
    to): the same database, the derived values kept by the delete triggers included (read before settling,
    which recomputes them)."""
    q = Seqs()
    n = bulk_writes.LIFT_FROM
    entries, goal, progress = [uid() for _ in range(n + 3)], uid(), [uid() for _ in range(n + 1)]
    first = [
        *gigs(q, entries),
        (("goals", goal), q.live("goals", title="Shows", goal_type="gigs", target_value=500)),
        *[
            (("goal_progress", p), q.live("goal_progress", goal_id=goal, value=1 + k % 3, recorded_at=NOW))
            for k, p in enumerate(progress)
        ],
    ]
    tombstones: Page = []
    for i in [*entries[:n], *progress[:n]]:
        kind = "timeline_entries" if i in entries else "goal_progress"
        q.n += 1
        tombstones.append(((kind, i), Version(None, None, True, q.n)))
    results: dict[str, Any] = {}
    for name in ("remove_rows", "remove_many"):
        if name == "remove_many":  # apply_pulled calls remove_rows: here LocalState.remove_many in its place
            monkeypatch.setattr(incoming, "remove_rows", lambda st, t, ids: LocalState.remove_many(st, t, ids))
        ws = Workspace.open(tmp_path / name)
        try:
            db = ws.paths.database
            report = ApplyReport()
            apply_page(ws, first, report)
            cookie = schema_version(db)
            apply_page(ws, tombstones, report)
            moved = schema_version(db) - cookie
            unsettled = snapshot(db)
            settle(ws, report)
            results[name] = (unsettled, snapshot(db), triggers(db), report)
        finally:
            ws.close()
        assert moved == (12 if name == "remove_rows" else 0)
    unsettled = results["remove_rows"][0]
    assert len(unsettled["timeline_entries"]) == 3 and len(unsettled["goal_progress"]) == 1
    assert results["remove_rows"] == results["remove_many"]


def lifted_names(conn: Any) -> set[str]:
    """The capture triggers of timeline entries missing from the schema as ``conn`` sees it (its transaction's)."""
    here = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return {f"cc_timeline_entries_{op}" for op in ("insert", "update", "delete")} - here


def test_held_until_commit_pages_of_one_transaction_lift_once_and_the_commit_brings_them_back(
    ws: Workspace, fresh: dict[str, tuple[str, str]]
) -> None:
    """Within ``capture_lifted_until_commit`` the second page finds the triggers lifted by the first and
    leaves them so; the commit creates them again (three drops and three creates in all, not per page)."""
    db = ws.paths.database
    cookie = schema_version(db)
    q = Seqs()
    first, second = gigs(q, [uid() for _ in range(bulk_writes.LIFT_FROM)]), gigs(q, [uid() for _ in range(300)])
    with ws.engine.connect() as conn, capture_lifted_until_commit(conn):
        with Session(conn) as s:
            for page in (first, second):
                s.execute(text("PRAGMA defer_foreign_keys=ON"))
                with applying_server_changes(s):
                    apply_pulled(LocalState(s), page, ApplyReport())
                assert len(lifted_names(s.connection())) == 3  # still lifted between the pages
            s.commit()
        assert lifted_names(conn) == set()
        assert triggers(db) == fresh
    assert schema_version(db) == cookie + 6
    assert ws.timeline.count() == len(first) + len(second)
    ws.timeline.create({"date": "2025-06-01", "title": "New here", "entry_type": "gig"})
    assert [c[2] for c in change_log(db)] == ["upsert"]


def test_held_until_commit_a_rollback_brings_them_back_and_the_next_transaction_lifts_again(
    ws: Workspace, fresh: dict[str, tuple[str, str]]
) -> None:
    db = ws.paths.database
    q = Seqs()
    with ws.engine.connect() as conn, capture_lifted_until_commit(conn):
        with Session(conn) as s:
            with applying_server_changes(s):
                apply_pulled(LocalState(s), gigs(q, [uid() for _ in range(bulk_writes.LIFT_FROM)]), ApplyReport())
            assert len(lifted_names(s.connection())) == 3
            s.rollback()
            assert lifted_names(s.connection()) == set()
            cookie = schema_version(db)
            with applying_server_changes(s):
                apply_pulled(LocalState(s), gigs(q, [uid() for _ in range(bulk_writes.LIFT_FROM)]), ApplyReport())
            assert len(lifted_names(s.connection())) == 3  # lifted again: the rollback forgot the first lift
            s.commit()
        assert schema_version(db) == cookie + 6
    assert triggers(db) == fresh
    assert ws.timeline.count() == bulk_writes.LIFT_FROM
    assert change_log(db) == []


def test_held_until_commit_leaving_the_block_with_the_transaction_open_brings_them_back(
    ws: Workspace, fresh: dict[str, tuple[str, str]]
) -> None:
    db = ws.paths.database
    with ws.engine.connect() as conn, Session(conn) as s:
        with capture_lifted_until_commit(conn):
            with applying_server_changes(s):
                apply_pulled(LocalState(s), gigs(Seqs(), [uid() for _ in range(bulk_writes.LIFT_FROM)]), ApplyReport())
            assert len(lifted_names(s.connection())) == 3
        assert lifted_names(s.connection()) == set()  # the transaction still open
        s.execute(
            text(
                "INSERT INTO timeline_entries (id, created_at, updated_at, date, title, entry_type) "
                "VALUES ('mine', :now, :now, '2025-05-01', 'Mine', 'gig')"
            ),
            {"now": NOW},
        )
        s.commit()
    assert triggers(db) == fresh
    assert change_log(db) == [("timeline_entries", "mine", "upsert")]  # captured: not a server change


@pytest.mark.parametrize("group_after", [0.0, 60.0])
def test_a_first_download_of_many_pages_lifts_once_a_transaction_and_ends_with_the_triggers_as_made(
    server: Any,
    email: str,
    make_device: Any,
    fresh: dict[str, tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    group_after: float,
) -> None:
    """A real pull in pages of two, each lifting (``LIFT_FROM`` 1): every page a transaction of its own (0 s)
    moves the schema cookie by six a page; all in one (60 s), by six in all. Either way the triggers end as
    the migrations made them and the next local edit is captured."""
    real = SyncClient.pull
    monkeypatch.setattr(SyncClient, "pull", lambda self, since, limit, skip=None: real(self, since, 2, skip))
    monkeypatch.setattr(bulk_writes, "LIFT_FROM", 1)
    monkeypatch.setattr(pull, "GROUP_COMMIT_AFTER", group_after)
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    for i in range(9):  # five pages of two
        a.ws.timeline.create({"date": "2025-05-01", "title": f"Gig {i}", "entry_type": "gig"})
    a.sync()
    b.login(server, email)
    db = b.ws.paths.database
    cookie = schema_version(db)
    summary = b.sync()
    assert summary.pulled == 9
    assert schema_version(db) - cookie == (6 * 5 if group_after == 0 else 6)
    assert triggers(db) == fresh
    assert b.entities() == a.entities()
    b.ws.timeline.create({"date": "2025-06-01", "title": "New here", "entry_type": "gig"})
    assert [c[2] for c in change_log(db)] == ["upsert"]


def test_a_first_download_whose_transaction_fails_half_way_ends_with_the_triggers_as_made(
    server: Any, email: str, make_device: Any, fresh: dict[str, tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of two in one transaction, each lifting; the database refuses the third page's first row: the
    rollback brings the triggers back, and the next sync completes the download with them as made."""
    real = SyncClient.pull
    monkeypatch.setattr(SyncClient, "pull", lambda self, since, limit, skip=None: real(self, since, 2, skip))
    monkeypatch.setattr(bulk_writes, "LIFT_FROM", 1)
    monkeypatch.setattr(pull, "GROUP_COMMIT_AFTER", 60.0)
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    for i in range(9):
        a.ws.timeline.create({"date": "2025-05-01", "title": f"Gig {i}", "entry_type": "gig"})
    a.sync()
    b.login(server, email)
    refuse_entry(b.ws.engine, 5)
    with pytest.raises(Exception, match=MESSAGE):
        b.sync()
    allow_again(b.ws.engine)
    db = b.ws.paths.database
    assert triggers(db) == fresh
    assert b.ws.timeline.count() == 0
    b.sync()
    assert triggers(db) == fresh
    assert b.entities() == a.entities()

"""The bulk path of a pulled page (``apply_pulled``: rows and bases in one executemany per table) ends
exactly where the one-by-one path ends (every version staged, then settled entity by entity with
``take_upsert`` / ``take_delete`` / the merge), on the same pages: a first download of mixed entities
with a parent in a later page, a tombstone, a version this client cannot use and an unknown type;
then edits of rows without local changes, a merge, a conflict, an echo and a cascading tombstone.
The stored bytes of every table are compared, not only what the screens read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from gigbag.app.workspace import Workspace
from gigbag.local_db.change_capture import applying_server_changes
from gigbag.local_db.database import transaction
from gigbag.schema.entities import ENTITY_TYPES
from gigbag.schema.wire import PulledChange, PullResponse
from gigbag.sync.incoming import ApplyReport, apply_pulled, settle_incoming
from gigbag.sync.local_store import LocalState, Version
from gigbag.sync.verify import ChecksumMismatch, verify_pulled_page
from tests.fixtures.pulled_versions import NOW, Page, Seqs, uid

LATER = "2025-03-02T08:00:00Z"
SHA = "cd" * 32


def bulk(ws: Workspace, pages: list[Page], report: ApplyReport) -> None:
    for changes in pages:
        with transaction(ws.engine) as s:
            s.execute(text("PRAGMA defer_foreign_keys=ON"))
            with applying_server_changes(s):
                apply_pulled(LocalState(s), changes, report)
    _settle(ws, report)


def one_by_one(ws: Workspace, pages: list[Page], report: ApplyReport) -> None:
    for changes in pages:
        with transaction(ws.engine) as s, applying_server_changes(s):
            st = LocalState(s)
            for key, version in changes:
                st.stage(key, version)
    _settle(ws, report)


def _settle(ws: Workspace, report: ApplyReport) -> None:
    with transaction(ws.engine) as s:
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            settle_incoming(LocalState(s), report)


def snapshot(ws: Workspace) -> dict[str, Any]:
    """Every row of every synced and sync table, as stored (conflict ids and times left out)."""
    out: dict[str, Any] = {}
    with ws.engine.connect() as c:
        for name in [*ENTITY_TYPES, "sync_base", "sync_incoming"]:
            out[name] = sorted(tuple(r) for r in c.exec_driver_sql(f"SELECT * FROM {name}"))
        out["change_log"] = sorted(
            tuple(r) for r in c.exec_driver_sql("SELECT entity_type, entity_id, op FROM change_log")
        )
        out["conflicts"] = sorted(
            tuple(r)
            for r in c.exec_driver_sql(
                "SELECT entity_type, entity_id, local_data, remote_data, remote_checksum, base_data, fields "
                "FROM sync_conflicts"
            )
        )
        assert c.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    return out


def outcome(report: ApplyReport) -> tuple[Any, ...]:
    # Not ``applied``: staging a whole pull first folds an entity's versions into its last one.
    return (
        sorted(report.new_conflicts),
        sorted(report.orphans),
        sorted(k for k, _ in report.unusable),
        sorted(report.to_push),
    )


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Workspace, Workspace]]:
    (tmp_path / "bulk").mkdir()
    (tmp_path / "single").mkdir()
    a, b = Workspace.open(tmp_path / "bulk"), Workspace.open(tmp_path / "single")
    yield a, b
    a.close()
    b.close()


def test_the_bulk_path_ends_where_the_one_by_one_path_ends(pair: tuple[Workspace, Workspace], tmp_path: Path) -> None:
    q = Seqs()
    top, sub, file, gone = uid(), uid(), uid(), uid()
    entries = [uid() for _ in range(6)]
    goal, bad_goal, progress = uid(), uid(), uid()
    lst, members = uid(), [uid() for _ in range(3)]
    first: list[Page] = [
        [
            (
                ("files", file),
                q.live(
                    "files",
                    filename="rider.pdf",
                    file_size_bytes=3,
                    mime_type="application/pdf",
                    blob_sha256=SHA,
                    folder_id=sub,
                ),
            ),
            (("folders", top), q.live("folders", name="Top")),
            *[
                (
                    ("timeline_entries", e),
                    q.live("timeline_entries", date="2026-01-02", title=f"Gig {i}", entry_type="gig"),
                )
                for i, e in enumerate(entries)
            ],
            (("goal_progress", progress), q.live("goal_progress", goal_id=goal, value=2, recorded_at=NOW)),
            (("goals", goal), q.live("goals", title="Gigs", target_value=10)),
            (("goals", bad_goal), q.raw({"created_at": NOW, "updated_at": NOW, "title": "x", "target_value": "ten"})),
            (("future_things", uid()), q.raw({"anything": 1})),
            (("timeline_entries", gone), q.tombstone()),  # never held here
            (("contact_lists", lst), q.live("contact_lists", name="Fans")),
            *[
                (("contact_list_members", m), q.live("contact_list_members", list_id=lst, name=f"m{m[:4]}"))
                for m in members
            ],
        ],
        [
            (("folders", sub), q.live("folders", name="Sub", parent_folder_id=top)),  # the file's parent, later
            (("timeline_entries", entries[0]), q.tombstone()),
        ],
    ]
    a, b = pair
    results = []
    for ws, apply in ((a, bulk), (b, one_by_one)):
        report = ApplyReport()
        apply(ws, first, report)
        results.append((snapshot(ws), outcome(report)))
    assert results[0] == results[1]
    (snap, (conflicts, orphans, unusable, _)) = results[0]
    assert len(snap["timeline_entries"]) == 5 and len(snap["files"]) == 1 and conflicts == [] and orphans == []
    assert [t for t, _ in unusable] == ["future_things", "goals"] and len(snap["sync_incoming"]) == 2

    for ws in pair:  # the same local edits on both computers
        with ws.engine.begin() as c:  # captured as local edits by the triggers, at one time on both
            c.exec_driver_sql(
                "UPDATE contact_lists SET description = 'Oslo', updated_at = ? WHERE id = ?", (LATER, lst)
            )
            c.exec_driver_sql(
                "UPDATE timeline_entries SET title = 'Mine', updated_at = ? WHERE id = ?", (LATER, entries[1])
            )
    with a.engine.connect() as c:
        file_base = c.exec_driver_sql("SELECT seq FROM sync_base WHERE entity_id = ?", (file,)).scalar_one()
    with transaction(a.engine) as s:
        echo_of = LocalState(s).base(("files", file))
    assert echo_of is not None
    second: list[Page] = [
        [
            *[
                (
                    ("timeline_entries", e),
                    q.live("timeline_entries", date="2026-02-03", title=f"Gig {i} moved", entry_type="gig"),
                )
                for i, e in enumerate(entries[1:], 1)
            ],
            (("contact_lists", lst), q.live("contact_lists", name="Fans 2026")),  # merges with the local edit
            (("files", file), Version(echo_of.data, echo_of.checksum, False, q.n + 50)),  # seen again
            (("goals", goal), q.live("goals", title="Gigs", target_value=12)),
        ],
        [
            (("contact_list_members", members[0]), q.tombstone()),
            (("folders", top), q.tombstone()),
        ],
    ]
    results = []
    for ws, apply in ((a, bulk), (b, one_by_one)):
        report = ApplyReport()
        apply(ws, second, report)
        results.append((snapshot(ws), outcome(report)))
    assert results[0] == results[1]
    snap, (conflicts, _, _, to_push) = results[0]
    assert conflicts == [("timeline_entries", entries[1])]  # title edited on both sides
    assert ("contact_lists", lst) in to_push and ("folders", sub) in to_push
    # The subfolder went along, but the server still holds it: it comes back at the top level, told to the server.
    assert [row[-1] for row in snap["folders"]] == [sub] and a.folders.get(sub).parent_folder_id is None
    assert a.files.get(file).folder_id == sub
    assert a.goals.get(goal).current_value == 2 and a.goals.get(goal).target_value == 12
    assert file_base < q.n + 50


def test_a_page_with_one_damaged_version_is_refused_before_anything_of_it_is_used() -> None:
    q = Seqs()
    good = q.live("timeline_entries", date="2026-01-02", title="Gig", entry_type="gig")
    bad = q.live("timeline_entries", date="2026-01-03", title="Gig 2", entry_type="gig")
    assert good.data is not None and bad.data is not None
    page = PullResponse(
        cursor=3,
        has_more=False,
        changes=[
            PulledChange(
                seq=1,
                entity_type="timeline_entries",
                entity_id=uid(),
                data=good.data,
                checksum=good.checksum,
                deleted=False,
            ),
            PulledChange(
                seq=2, entity_type="timeline_entries", entity_id=uid(), data=None, checksum=None, deleted=True
            ),
            PulledChange(
                seq=3,
                entity_type="timeline_entries",
                entity_id=uid(),
                data={**bad.data, "title": "Gig 3"},
                checksum=bad.checksum,
                deleted=False,
            ),
        ],
    )
    with pytest.raises(ChecksumMismatch):
        verify_pulled_page(page)


def test_rows_with_a_live_base_are_updated_in_place_and_one_missing_after_all_is_still_written(
    pair: tuple[Workspace, Workspace],
) -> None:
    # A live base stands for "the row is here", and such rows are updated, not upserted; a base whose row
    # is gone (a state no sync leaves, but a damaged database may) must still end with the row written.
    ws, _ = pair
    q = Seqs()
    here, gone, new = uid(), uid(), uid()
    first: Page = [
        (("timeline_entries", i), q.live("timeline_entries", date="2026-01-02", title=f"Gig {n}", entry_type="gig"))
        for n, i in enumerate((here, gone))
    ]
    bulk(ws, [first], ApplyReport())
    with transaction(ws.engine) as s, applying_server_changes(s):
        s.execute(text("DELETE FROM timeline_entries WHERE id = :id"), {"id": gone})
    second: Page = [
        (("timeline_entries", i), q.live("timeline_entries", date="2026-02-03", title=f"Gig {i}", entry_type="gig"))
        for i in (here, gone, new)
    ]
    for held_all in (False, True):
        report = ApplyReport()
        bulk(ws, [second] if held_all else [second[:1]], report)
    with transaction(ws.engine) as s:
        st = LocalState(s)
        for key, version in second:
            assert st.read(*key) == version.data
            base = st.base(key)
            assert base is not None and (base.data, base.checksum, base.seq) == (
                version.data,
                version.checksum,
                version.seq,
            )

"""A push batch's one read per type and window (``push_reads``) and its bases written from the body's JSON
(``push_writes``) give what ``LocalState`` gives: the same data (JSON columns, booleans and floats read back
as Python values), only the entities still pending, the base checksum (none for a tombstone), and bases
that read back as the data sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gigbag.app.workspace import Workspace
from gigbag.local_db.database import read_session, transaction
from gigbag.schema.canonical import canonical_json, checksum, checksum_of_canonical
from gigbag.sync.batching import OutChange, data_json
from gigbag.sync.bulk_writes import existing
from gigbag.sync.local_store import Key, LocalState, Version
from gigbag.sync.push_reads import pending_entities, pending_presence
from gigbag.sync.push_writes import write_pushed_bases
from tests.fixtures.local_rows import write_sample_rows


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path)
    yield workspace
    workspace.close()


def test_one_read_gives_the_pending_entities_their_data_and_base_checksum(ws: Workspace) -> None:
    written = write_sample_rows(ws, mark_pending="update")
    keys = list(written)
    based, synced = keys[1], keys[2]
    gone: Key = ("journal_entries", str(uuid.uuid4()))  # deleted here, its base a live version
    tomb: Key = ("timeline_entries", str(uuid.uuid4()))  # deleted here and there: a tombstone base
    never: Key = ("journal_entries", str(uuid.uuid4()))  # not pending at all
    with transaction(ws.engine) as s:
        st = LocalState(s)
        st.set_base(based, Version(written[based], "sha256:" + "a" * 64, False, 3))
        st.set_base(synced, Version(written[synced], "sha256:" + "b" * 64, False, 4))
        st.clear_pending(synced)
        st.set_base(gone, Version({"title": "Old"}, "sha256:" + "c" * 64, False, 5))
        st.mark_pending(gone, "delete")
        st.set_base(tomb, Version(None, None, True, 6))
        st.mark_pending(tomb, "delete")
    with read_session(ws.engine) as s:
        st = LocalState(s)
        found = pending_entities(st, [*keys, gone, tomb, never])
        assert set(found) == {keys[0], based, keys[3], gone, tomb}
        for key, (data, base_checksum) in found.items():
            row = st.read(*key)
            assert data == row
            if data is not None:
                assert {k: type(v) for k, v in data.items()} == {k: type(v) for k, v in written[key].items()}
            base = st.base(key)
            assert base_checksum == (base.checksum if base is not None and not base.deleted else None)
        assert found[gone] == (None, "sha256:" + "c" * 64)
        assert found[tomb] == (None, None)


def test_bases_written_from_the_bodys_json_read_back_as_the_data_sent(ws: Workspace) -> None:
    written = write_sample_rows(ws, mark_pending="update")
    applied: list[tuple[OutChange, int]] = []
    for seq, (key, data) in enumerate(written.items(), start=1):
        encoded = canonical_json(data)
        change = OutChange(key[0], key[1], "upsert", data, checksum_of_canonical(encoded), None)
        change.data_json = data_json(data, encoded)
        applied.append((change, seq))
    resent = OutChange("timeline_entries", str(uuid.uuid4()), "upsert", {"title": "x"}, checksum({"title": "x"}), None)
    deleted = OutChange("journal_entries", str(uuid.uuid4()), "delete", None, None, "sha256:" + "d" * 64)
    applied += [(resent, 10), (deleted, 11)]  # a change read back from a stored batch has no JSON of its own
    with transaction(ws.engine) as s:
        st = LocalState(s)
        st.set_base(
            (deleted.entity_type, deleted.entity_id), Version({"title": "before"}, "sha256:" + "d" * 64, False, 2)
        )
        write_pushed_bases(st, applied)
    with read_session(ws.engine) as s:
        st = LocalState(s)
        for change, seq in applied:
            key = (change.entity_type, change.entity_id)
            if change.op == "delete":
                assert st.base(key) == Version(None, None, True, seq)
            else:
                assert st.base(key) == Version(change.data, change.checksum, False, seq)


def test_the_plan_reads_each_pending_entity_once_with_whether_its_row_is_here(ws: Workspace) -> None:
    written = write_sample_rows(ws, mark_pending="update")
    gone: Key = ("journal_entries", str(uuid.uuid4()))
    with transaction(ws.engine) as s:
        st = LocalState(s)
        st.mark_pending(gone, "delete")
        up_to = st.max_change_id()
        later: Key = ("timeline_entries", str(uuid.uuid4()))
        st.mark_pending(later, "delete")  # after ``up_to``
        st.mark_pending(next(iter(written)), "update")  # a second row for the same entity
    with read_session(ws.engine) as s:
        st = LocalState(s)
        for bound in (None, up_to):
            found = pending_presence(st, bound)
            keys = st.pending_keys(bound)
            assert sorted(k for k, _ in found) == sorted(keys)  # each entity once
            for key, present in found:
                assert present == bool(existing(st, key[0], [key[1]]))
        assert dict(pending_presence(st, up_to)) == {**dict.fromkeys(written, True), gone: False}
        assert later in dict(pending_presence(st, None))

"""The receiver verifies: through a real proxy that alters a real server's answers on the way.

A pulled version whose data was changed (or whose checksum was), a push answer naming another
checksum, a HEAD that says 200 for a file the server lacks, a file the server lost after it was
uploaded, a pulled version this computer cannot use, and a pull answer of the wrong shape. Each is
refused or repaired, and the next sync, once the answers are right again, completes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from gigbag.local_db.database import read_session, transaction
from gigbag.local_db.sync_tables import SyncAccount, SyncBatch, SyncIncoming
from gigbag.schema.wire import BLOB_DIGEST_HEADER, repr_digest
from gigbag.sync.errors import ProtocolError
from gigbag.sync.verify import ChecksumMismatch
from tests.fixtures.altering_proxy import (
    AlteringProxy,
    Answer,
    break_pull_shape,
    flip_pulled_checksum,
    flip_pulled_data,
    flip_push_answer_checksum,
    goal_from_a_newer_schema,
    head_says_200,
)

from .conftest import Device, server_entities


@dataclass
class Via:
    url: str


@pytest.fixture
def proxy(server: Any) -> Iterator[AlteringProxy]:
    with AlteringProxy(server.url) as p:
        yield p


def cursor(device: Device) -> int:
    with read_session(device.ws.engine) as s:
        account = s.get(SyncAccount, 1)
        assert account is not None
        return account.cursor


def goals(device: Device) -> list[str]:
    return sorted(g["data"]["title"] for g in device.entities().get("goals", []))


def random_file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def test_a_pulled_version_altered_on_the_way_is_refused_whole_and_the_next_sync_takes_it(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    goal = a.ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
    a.ws.timeline.create({"date": "2025-05-01", "title": "Gig at Cosmopolite", "entry_type": "gig"})
    a.sync()
    b.login(Via(proxy.url), email)
    proxy.add(flip_pulled_data("goals"), times=1)
    with pytest.raises(ChecksumMismatch) as caught:
        b.sync()
    said = str(caught.value)
    assert "goal" in said and goal.id in said and "next sync" in said
    assert cursor(b) == 0 and goals(b) == [] and b.entities().get("timeline_entries", []) == []  # nothing of it
    b.sync()  # the proxy passes the answer on untouched now
    assert goals(b) == ["Play 20 gigs"] and b.entities() == a.entities() == server_entities(server, email)


def test_a_pulled_checksum_altered_on_the_way_is_refused_too(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    a.ws.goals.create({"title": "Record the EP", "goal_type": "custom", "target_value": 1})
    a.sync()
    b.login(Via(proxy.url), email)
    proxy.add(flip_pulled_checksum("goals"), times=1)
    with pytest.raises(ChecksumMismatch):
        b.sync()
    assert cursor(b) == 0 and goals(b) == []
    b.sync()
    assert goals(b) == ["Record the EP"]


def test_a_push_answer_naming_another_checksum_is_not_recorded_and_the_next_sync_sends_it_again(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any
) -> None:
    b = make_device("b")
    b.login(Via(proxy.url), email, create=True)
    b.ws.goals.create({"title": "Tour Norway", "goal_type": "gigs", "target_value": 12})
    proxy.add(flip_push_answer_checksum, times=1)
    with pytest.raises(ChecksumMismatch) as caught:
        b.sync()
    assert "Tour Norway" in str(caught.value)
    with read_session(b.ws.engine) as s:
        assert s.scalar(select(func.count()).select_from(SyncBatch)) == 1  # kept: sent again, same key
        assert s.execute(text("SELECT count(*) FROM sync_base")).scalar_one() == 0  # no base recorded
    summary = b.sync()
    assert summary.replayed_batches == 1 and summary.complete
    assert b.service.pending_count() == 0
    assert [g["data"]["title"] for g in server_entities(server, email)["goals"]] == ["Tour Norway"]


def test_a_head_200_whose_size_is_wrong_is_treated_as_missing_and_the_file_goes_up(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(Via(proxy.url), email, create=True)
    file = a.ws.files.import_file(random_file(tmp_path, "take.wav", 30_000))
    heads = proxy.add(head_says_200)
    summary = a.sync()
    assert heads.fired >= 1 and summary.files_up == 1 and summary.complete
    b.login(server, email)
    got = b.sync()
    assert got.files_down == 1 and b.ws.blobs.verify(file.blob_sha256)


def test_a_head_200_with_the_right_size_but_another_digest_is_treated_as_missing(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any, tmp_path: Path
) -> None:
    a = make_device("a")
    a.login(Via(proxy.url), email, create=True)
    file = a.ws.files.import_file(random_file(tmp_path, "cover.png", 12_345))

    def lying_head(answer: Answer) -> bool:
        if answer.method != "HEAD" or not answer.path.startswith("/v1/blobs/") or answer.status != 404:
            return False
        answer.status = 200
        answer.headers = {"content-length": "12345", BLOB_DIGEST_HEADER.lower(): repr_digest("ab" * 32)}
        return True

    proxy.add(lying_head)
    assert a.sync().files_up == 1
    assert file.blob_sha256 in {f["data"]["blob_sha256"] for f in server_entities(server, email)["files"]}


def test_a_file_the_server_lost_is_uploaded_again_by_a_later_sync(
    server: Any, email: str, make_device: Any, tmp_path: Path
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    file = a.ws.files.import_file(random_file(tmp_path, "demo.wav", 20_000))
    assert a.sync().files_up == 1
    stored = [p for p in Path(server.data_dir).rglob(file.blob_sha256) if p.is_file()]
    assert stored, "the server keeps the blob as a file named by its SHA-256"
    for path in stored:
        path.unlink()  # the server lost it
    quiet = a.sync()
    assert quiet.reuploaded_files == []  # checked a moment ago: no request for it yet
    with transaction(a.ws.engine) as s:  # a day later: the check, and the oldest the last look recorded, are old
        s.execute(
            text("UPDATE blob_transfers SET updated_at = '2000-01-01T00:00:00.000000Z' WHERE direction = 'verified'")
        )
        s.execute(text("UPDATE blob_looks SET audit_oldest = '2000-01-01T00:00:00.000000Z'"))
    later = a.sync()
    assert later.reuploaded_files == ["demo.wav"] and later.files_up == 1
    b.login(server, email)
    assert b.sync().files_down == 1 and b.ws.blobs.verify(file.blob_sha256)


def test_a_pulled_version_this_computer_cannot_use_stays_fetchable_and_is_reported(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any
) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    goal = a.ws.goals.create({"title": "Play 20 gigs", "goal_type": "gigs", "target_value": 20})
    a.sync()

    b.login(Via(proxy.url), email)
    proxy.add(goal_from_a_newer_schema, times=1)
    summary = b.sync()
    assert not summary.complete and [key for key, _ in summary.unusable] == [("goals", goal.id)]
    assert goals(b) == []
    with read_session(b.ws.engine) as s:
        assert s.get(SyncIncoming, ("goals", goal.id)) is not None  # kept, not marked as seen
    assert b.service.last_sync_at() is None  # not a complete sync
    again = b.sync()  # asks the server again: its version is one this computer can use
    assert again.complete and goals(b) == ["Play 20 gigs"]
    assert b.service.last_sync_at() is not None


def test_a_pull_answer_of_the_wrong_shape_is_a_sentence(
    server: Any, proxy: AlteringProxy, email: str, make_device: Any, caplog: pytest.LogCaptureFixture
) -> None:
    b = make_device("b")
    b.login(Via(proxy.url), email, create=True)
    proxy.add(break_pull_shape, times=1)
    with pytest.raises(ProtocolError) as caught:
        b.sync()
    said = str(caught.value)
    assert said.startswith("The sync server answered with something this version of Gigbag does not understand")
    assert "validation error" not in said and "cursor" not in said
    assert any("cursor" in r.getMessage() for r in caplog.records)  # the detail is in the log
    assert b.sync().complete

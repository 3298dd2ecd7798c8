"""Pushing pending local changes: planned, cut into batches, each sent with its own idempotency key.

Each batch's changes are read in one snapshot together with the newest change-log id they cover,
the files they refer to are uploaded (HEAD first), then the batch is stored in ``sync_batches``
with a fresh UUID key *before* the first attempt, sent (the same key and the same bytes on every
retry), and its answer applied in one transaction: an applied change becomes the new base and
clears only the change-log rows the batch covered (so an edit made meanwhile stays pending), a
conflict keeps the server's version in ``sync_incoming`` to be merged after the pull, an invalid
change stays pending and is reported. A batch still stored when a sync starts (the previous one
crashed or lost the answer) is sent again first, with its same key and body, so the server
replays instead of applying twice.

The batches are pipelined, one request on the server at a time: while batch n is on the server
(a worker thread waits for its answer), batch n+1 is read and stored; when n's answer comes,
n+1 is sent at once, and n's answer is applied while n+1 is on the server — in the same
transaction that then reads and stores batch n+2 (one commit per batch: the answer applied and
the next batch stored become durable together, and the stored batch before it is ever sent). The
server so sees the batches one after the other, in plan order (parents before children, across
batches too), and the answers are applied in that order. When an answer holds a conflict or a
refusal, the batch read ahead is dropped unsent and read again after the answer is applied, so
that what the answer holds back (an entity in conflict, what is inside it) stays held back exactly
as without the read-ahead.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, select
from sqlmodel import Session

from ..local_db.database import read_session, transaction
from ..local_db.sync_tables import SyncBatch
from ..schema.canonical import CanonicalizationError, canonical_json, checksum_of_canonical
from ..schema.entities import blob_refs
from ..schema.fields import utc_now
from ..schema.wire import (
    ERR_DEVICE_MISMATCH,
    ERR_IDEMPOTENCY_KEY_REUSED,
    MAX_PULL_SKIP_RANGES,
    MAX_PUSH_BYTES,
    MAX_PUSH_CHANGES,
    Change,
    PushRequest,
    PushResponse,
)
from .batching import (
    ENVELOPE_BYTES,
    OutChange,
    PlannedChange,
    body_bytes,
    data_json,
    order_changes,
    push_body,
    wire_change,
)
from .blob_sync import BlobSync
from .bulk_writes import clear_pending
from .client import SyncClient
from .errors import AuthenticationError, ProtocolError, RequestRejected
from .heap import older_objects_frozen, rarer_collections
from .local_store import Key, LocalState, Version
from .progress import CancelToken, ProgressCallback, ProgressEvent
from .push_reads import pending_entities, pending_presence
from .push_writes import write_pushed_bases
from .verify import verify_push_result
from .writer_connection import writer_connection

log = logging.getLogger(__name__)
_BATCHES = SyncBatch.__table__  # type: ignore[attr-defined]
MIN_PUSH_BYTES = 64 * 1024


@dataclass(frozen=True)
class Refusal:
    """A change that could not be pushed, and why (it stays pending)."""

    entity_type: str
    entity_id: str
    reason: str


@dataclass
class PushReport:
    batches: int = 0
    sent: int = 0
    applied: int = 0
    conflicts: int = 0
    replayed: int = 0
    refused: list[Refusal] = field(default_factory=list)
    recorded: list[int] = field(default_factory=list)  # seqs of the versions the answers made bases here
    entity_types: set[str] = field(default_factory=set)  # of the changes the server applied


@dataclass
class _Planned:
    changes: list[OutChange]
    last_change_id: int
    noops: list[Key]


@dataclass
class _Outgoing:
    """A stored batch as it is sent: its key, its exact bytes, its changes, the change-log rows it covers."""

    key: str
    body: bytes
    changes: list[OutChange]
    last_change_id: int
    start: int = 0  # plan positions of the batch: where its reading began and ended
    end: int = 0


@dataclass
class _Answered:
    """A batch and the answer the server gave it."""

    batch: _Outgoing
    answer: tuple[PushResponse, bool]


@dataclass
class _Flight:
    """The batch on the server: the worker thread waits for its answer."""

    batch: _Outgoing
    answer: Future[tuple[PushResponse, bool]]


MAX_DROPS = 3
SEND_WAIT = 1.0  # seconds a launch waits at most for its body to be written (only ever an optimisation)


class Pusher:
    """Pushes for one sync. ``device_id`` must be the device the client's token belongs to."""

    def __init__(
        self,
        db: Engine,
        client: SyncClient,
        device_id: str,
        blob_sync: BlobSync,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> None:
        self.db = db
        self.client = client
        self.device_id = device_id
        self.blob_sync = blob_sync
        self.progress = progress
        self.cancel = cancel
        self.report = PushReport()
        self.max_bytes = MAX_PUSH_BYTES
        self._refused: set[Key] = set()
        self._bind: Engine | Connection = db  # what writes go through: during the pipeline, its one connection

    # ---- the two entry points ------------------------------------------------------------------
    def resend_unfinished(self) -> None:
        """Send again every batch a previous sync stored but did not finish, same key, same body."""
        with read_session(self.db) as s:
            batches = list(s.scalars(select(SyncBatch).order_by(SyncBatch.created_at)))  # type: ignore[arg-type]
        for batch in batches:
            self.cancel.check()
            if batch.body.get("device_id") != self.device_id:
                # Stored by an earlier sign-in of this computer: the server would refuse the device.
                # Its changes are still pending; they are planned again under this device.
                self._drop(batch.idempotency_key)
                continue
            request = PushRequest.model_validate(batch.body)
            changes = [
                OutChange(c.entity_type, c.entity_id, c.op, c.data, c.checksum, c.base_checksum)
                for c in request.changes
            ]
            outgoing = _Outgoing(batch.idempotency_key, body_bytes(batch.body), changes, batch.last_change_id)
            try:
                answer = self.client.push(outgoing.key, outgoing.body)
            except RequestRejected as exc:
                self._rejected(outgoing, exc)
                continue
            self._land(outgoing, answer)

    def push_pending(self, up_to: int | None, only: set[Key] | None = None) -> None:
        """Push every pending entity that has a change-log row with id <= ``up_to`` (all when None),
        or only the entities in ``only``."""
        # The plan allocates per pending entity too: the collector leaves the app's heap out of its scans, and
        # runs rarely (at the default, a first upload of 20,000 ran 440 collections: 72-103 ms).
        with older_objects_frozen(), rarer_collections():
            plan = self._plan(up_to, only)
            if not plan:
                return
            box: list[_Flight | None] = [None]
            with (
                writer_connection(self.db) as self._bind,
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="gigbag-push") as worker,
            ):
                try:
                    self._pipeline(plan, worker, box)
                finally:
                    self._bind = self.db
                    waiting = box[0]
                    if waiting is not None:
                        # Stopped (cancelled, or an error) with a batch on the server: let its request end.
                        # The batch stays stored, so the next sync sends it again and the server replays.
                        waiting.answer.exception()

    def _pipeline(self, plan: list[PlannedChange], worker: ThreadPoolExecutor, box: list[_Flight | None]) -> None:
        """Read and store batch n+1 while batch n is on the server; ``box[0]`` is the batch on the server."""
        total = len(plan)
        position = 0
        drops = 0
        # A clean answer whose successor is already on the server: applied by the next step's transaction.
        landing: _Answered | None = None
        try:
            while True:
                self.cancel.check()
                reread = position
                answered, landing = landing, None
                ready, position, files = self._step(plan, position, answered)
                if files is not None:
                    # File uploads share the connection and may refuse changes: the batch on the server
                    # lands first, and this batch is read again after it (its answer may hold some back).
                    if box[0] is not None:
                        position, drops = self._settle(box, drops, total)
                        continue
                    self._upload_files(files)
                    ready = self._store(files, reread, position)
                flight = box[0]
                if flight is None:
                    if ready is None:
                        if position >= total:
                            return
                        continue
                    box[0] = self._launch(worker, ready)
                    continue
                try:
                    answer = flight.answer.result()
                except RequestRejected as exc:
                    box[0] = None
                    if ready is not None:
                        self._drop(ready.key)  # never sent: its changes are read again
                    self._rejected(flight.batch, exc)
                    position, drops = flight.batch.start, drops + 1
                    if drops > MAX_DROPS:
                        raise ProtocolError(
                            "The server kept refusing this computer's pushes as they were sent."
                        ) from exc
                    continue
                except BaseException:
                    box[0] = None
                    if ready is not None:
                        self._drop(ready.key)
                    raise
                clean = all(r.status == "applied" for r in answer[0].results)
                if ready is not None and clean:
                    box[0] = self._launch(worker, ready)
                    landing = _Answered(flight.batch, answer)
                else:
                    box[0] = None
                    self._land(flight.batch, answer)
                    if ready is not None:
                        # The answer held something back (a conflict, a refusal): read the next batch again.
                        self._drop(ready.key)
                        position = reread
                self.progress(ProgressEvent("push", done=flight.batch.end, total=total))
        except BaseException:
            if landing is not None:
                self._land(landing.batch, landing.answer)  # the answer in hand is kept even when the sync stops
            raise

    def _step(
        self, plan: list[PlannedChange], position: int, landing: _Answered | None
    ) -> tuple[_Outgoing | None, int, _Planned | None]:
        """In one transaction: apply ``landing``'s answer, then read the next batch from ``position`` (seeing
        that answer) and store it. Returns the stored batch (None: nothing to send), the new position, and
        the batch read but not stored when it needs files uploaded first (outside any transaction)."""
        if landing is None and position >= len(plan):
            return None, position, None
        recorded: list[int] = []
        ready: _Outgoing | None = None
        files: _Planned | None = None
        after = position
        with transaction(self._bind) as s:
            if landing is not None:
                recorded = self._apply(s, landing.batch, landing.answer[0])
            if position < len(plan):
                planned, after = self._read_batch(LocalState(s), plan, position)
                if planned.changes and _wants_files(planned):
                    files = planned
                else:
                    ready = self._store_in(s, planned, position, after)
        if landing is not None:
            self._landed(landing.batch, landing.answer, recorded)
        return ready, after, files

    def _settle(self, box: list[_Flight | None], drops: int, total: int) -> tuple[int, int]:
        """Land the batch on the server before a batch that needs files; the position to read from next."""
        flight = box[0]
        assert flight is not None
        box[0] = None
        try:
            answer = flight.answer.result()
        except RequestRejected as exc:
            self._rejected(flight.batch, exc)
            if drops + 1 > MAX_DROPS:
                raise ProtocolError("The server kept refusing this computer's pushes as they were sent.") from exc
            return flight.batch.start, drops + 1
        self._land(flight.batch, answer)
        self.progress(ProgressEvent("push", done=flight.batch.end, total=total))
        return flight.batch.end, drops

    def _launch(self, worker: ThreadPoolExecutor, batch: _Outgoing) -> _Flight:
        """Send ``batch`` on the worker thread, and return once its body is on the connection: the worker
        writes it at once, instead of waiting for the GIL while this thread reads the next batch (the
        server would sit idle meanwhile)."""
        written = threading.Event()

        def send() -> tuple[PushResponse, bool]:
            try:
                return self.client.push(batch.key, batch.body, sent=written.set)
            finally:
                written.set()

        flight = _Flight(batch, worker.submit(send))
        written.wait(SEND_WAIT)
        return flight

    # ---- planning --------------------------------------------------------------------------------
    def _plan(self, up_to: int | None, only: set[Key] | None) -> list[PlannedChange]:
        with read_session(self.db) as s:
            st = LocalState(s)
            found = [
                (key, present)
                for key, present in pending_presence(st, up_to)
                if key not in self._refused and (only is None or key in only)
            ]
            if not found:
                return []
            parents: dict[str, str | None] = {}
            folder_ids = [key[1] for key, _ in found if key[0] == "folders"]
            if folder_ids:
                rows = st.read_many("folders", folder_ids)
                for folder_id in folder_ids:
                    data = rows.get(folder_id)
                    if data is None:
                        base = st.base(("folders", folder_id))
                        data = base.data if base is not None else None
                    parents[folder_id] = (data or {}).get("parent_folder_id")
        planned = [PlannedChange(key, "upsert" if present else "delete") for key, present in found]
        return order_changes(planned, parents)

    def _held(self, st: LocalState) -> set[Key]:
        """Entities not pushed now: in conflict, waiting for a merge, or inside an entity in conflict."""
        held = st.conflict_keys() | st.incoming_keys()
        for entity_type, entity_id in list(held):
            if st.exists(entity_type, entity_id):
                held.update(k for k in st.dependents(entity_type, entity_id)[0] if st.is_pending(k))
        return held

    def _read_batch(self, st: LocalState, plan: list[PlannedChange], position: int) -> tuple[_Planned, int]:
        """Read the next batch of the plan (in the caller's transaction); return it and the new position."""
        last_change_id = st.max_change_id()
        held = self._held(st) | self._refused
        changes: list[OutChange] = []
        noops: list[Key] = []
        size = ENVELOPE_BYTES
        full = False
        # Each window holds only as many keys as the batch still has room for, so no window is
        # read and then thrown away (a held, refused or unchanged key makes room for another read).
        while position < len(plan) and len(changes) < MAX_PUSH_CHANGES and not full:
            window = [p.key for p in plan[position : position + MAX_PUSH_CHANGES - len(changes)]]
            pending = pending_entities(st, window)
            for key in window:
                if len(changes) >= MAX_PUSH_CHANGES:
                    full = True
                    break
                found = pending.get(key)
                if found is None or key in held:
                    position += 1
                    continue
                try:
                    change = _change(key, *found)
                except CanonicalizationError as exc:
                    self._refuse(key, f"its data cannot be written as JSON: {exc}")
                    position += 1
                    continue
                if change is None:
                    noops.append(key)
                    position += 1
                    continue
                n = len(change.wire) + 1  # and the comma before the next
                if ENVELOPE_BYTES + n > self.max_bytes:
                    self._refuse(key, "it is larger than the server accepts in one push")
                    position += 1
                    continue
                if size + n > self.max_bytes:
                    full = True
                    break
                changes.append(change)
                size += n
                position += 1
        return _Planned(changes, last_change_id, noops), position

    def _refuse(self, key: Key, reason: str) -> None:
        log.info("change %s %s not pushed: %s", key[0], key[1], reason)
        self._refused.add(key)
        self.report.refused.append(Refusal(key[0], key[1], reason))

    def _upload_files(self, planned: _Planned) -> None:
        """Upload the blobs the batch's upserts refer to; drop changes whose file the server refused."""
        wanted: dict[str, list[Key]] = {}
        for change in planned.changes:
            if change.op == "upsert":
                for sha in blob_refs(change.entity_type, change.data):
                    wanted.setdefault(sha, []).append((change.entity_type, change.entity_id))
        if not wanted:
            return
        refused: set[Key] = set()
        # A file that cannot go up now (no room, or its content here is damaged): the entities that refer to
        # it wait; everything else syncs.
        for sha, exc in self.blob_sync.ensure_all_uploaded(list(wanted)).items():
            for key in wanted[sha]:
                refused.add(key)
                self._refuse(key, str(exc))
        if refused:
            planned.changes = [c for c in planned.changes if (c.entity_type, c.entity_id) not in refused]

    # ---- storing, sending, applying -----------------------------------------------------------
    def _store(self, planned: _Planned, start: int, end: int) -> _Outgoing | None:
        with transaction(self._bind) as s:
            return self._store_in(s, planned, start, end)

    def _store_in(self, s: Session, planned: _Planned, start: int, end: int) -> _Outgoing | None:
        """Clear the unchanged entities and store the batch with a new key, before it is ever sent."""
        clear_pending(LocalState(s), planned.noops, planned.last_change_id)
        if not planned.changes:
            return None
        body = push_body(self.device_id, planned.changes)
        batch = _Outgoing(str(uuid.uuid4()), body, planned.changes, planned.last_change_id, start, end)
        # The body's JSON text goes in as it is sent (the column reads it back as the same document).
        s.connection().exec_driver_sql(
            "INSERT INTO sync_batches (idempotency_key, created_at, body, last_change_id) VALUES (?, ?, ?, ?)",
            (batch.key, utc_now(), body.decode(), planned.last_change_id),
        )
        return batch

    def _drop(self, key: str) -> None:
        with transaction(self._bind) as s:
            s.execute(delete(_BATCHES).where(_BATCHES.c.idempotency_key == key))

    def _rejected(self, batch: _Outgoing, exc: RequestRejected) -> None:
        """A push refused as a whole: drop the batch (its changes stay pending and are read again under a
        new key, smaller after a 413), or raise when it cannot be sent at all."""
        if exc.code == ERR_DEVICE_MISMATCH:
            raise AuthenticationError(
                exc.status,
                exc.code,
                "The sign-in of this computer belongs to another device; sign in again (`gigbag login`).",
                exc.body,
            ) from exc
        if exc.code == ERR_IDEMPOTENCY_KEY_REUSED or exc.status == 413:
            # Base checksums keep a change that did apply from applying twice.
            self._drop(batch.key)
            if exc.status == 413:
                if self.max_bytes // 2 < MIN_PUSH_BYTES:
                    raise exc
                self.max_bytes //= 2
            return
        raise exc

    def _land(self, batch: _Outgoing, answer: tuple[PushResponse, bool]) -> None:
        """Apply a batch's answer in one transaction (which also forgets the stored batch)."""
        with transaction(self._bind) as s:
            recorded = self._apply(s, batch, answer[0])
        self._landed(batch, answer, recorded)

    def _landed(self, batch: _Outgoing, answer: tuple[PushResponse, bool], recorded: list[int]) -> None:
        """Count a batch whose answer was applied (and committed)."""
        replayed = answer[1]
        self.report.batches += 1
        self.report.sent += len(batch.changes)
        if replayed:
            self.report.replayed += 1
        log.info(
            "push batch %s: %d changes%s",
            batch.key[:8],
            len(batch.changes),
            " (replayed by the server)" if replayed else "",
        )
        self.report.recorded.extend(recorded)  # committed: the pull may leave these versions out

    def skip_ranges(self, max_ranges: int = MAX_PULL_SKIP_RANGES) -> str | None:
        """The seqs this sync's push answers recorded as bases, as "lo-hi,…" for the pull's ``skip``."""
        return seq_ranges(self.report.recorded, max_ranges)

    def _apply(self, s: Session, batch: _Outgoing, response: PushResponse) -> list[int]:
        st = LocalState(s)
        sent = {(c.entity_type, c.entity_id): c for c in batch.changes}
        answered: set[Key] = set()
        applied: list[tuple[OutChange, int]] = []  # with the seq the server gave it
        for result in response.results:
            key = (result.entity_type, result.entity_id)
            change = sent.get(key)
            if change is None:
                raise ProtocolError(f"The server answered for {key[0]} {key[1]}, which this push did not send.")
            answered.add(key)
            if result.status != "applied" or (result.checksum is not None and result.checksum != change.checksum):
                verify_push_result(_as_change(change), result)
            if result.status == "applied":
                applied.append((change, result.seq or 0))
            elif result.status == "conflict":
                server = result.server
                version = (
                    Version(server.data, server.checksum, server.deleted, result.seq or 0)
                    if server is not None
                    else Version(None, None, True, 0)
                )
                st.stage(key, version)
                self.report.conflicts += 1
            else:
                detail = result.error or "the server refused it"
                if result.field_errors:
                    detail += " (" + "; ".join(f"{k}: {v}" for k, v in result.field_errors.items()) + ")"
                self._refuse(key, detail)
        missing = set(sent) - answered
        if missing:
            raise ProtocolError(f"The server's answer to a push left out {len(missing)} of its changes.")
        write_pushed_bases(st, applied)
        # Only the change-log rows this batch covered: an edit made since stays pending.
        clear_pending(st, [(c.entity_type, c.entity_id) for c, _ in applied], batch.last_change_id)
        staged = st.incoming_keys()
        if staged:
            for c, seq in applied:
                key = (c.entity_type, c.entity_id)
                held = st.incoming(key) if key in staged else None
                if held is not None and held.seq <= seq:
                    st.unstage(key)
        self.report.applied += len(applied)
        self.report.entity_types.update(c.entity_type for c, _ in applied)
        s.connection().exec_driver_sql("DELETE FROM sync_batches WHERE idempotency_key = ?", (batch.key,))
        return [seq for _, seq in applied if seq > 0]


def seq_ranges(seqs: list[int], max_ranges: int) -> str | None:
    """Runs of consecutive seqs as "lo-hi,…"; when there are more than ``max_ranges`` runs, the longest
    (leaving a version out is only ever an optimisation: what is not skipped comes back as an echo)."""
    runs: list[tuple[int, int]] = []
    for seq in sorted(set(seqs)):
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    if not runs:
        return None
    if len(runs) > max_ranges:
        runs = sorted(sorted(runs, key=lambda r: r[0] - r[1])[:max_ranges])
    return ",".join(f"{lo}-{hi}" for lo, hi in runs)


def _wants_files(planned: _Planned) -> bool:
    return any(c.op == "upsert" and blob_refs(c.entity_type, c.data) for c in planned.changes)


def _as_change(change: OutChange) -> Change:
    return Change.model_construct(
        entity_type=change.entity_type,
        entity_id=change.entity_id,
        op=change.op,
        data=change.data,
        checksum=change.checksum,
        base_checksum=change.base_checksum,
    )


def _change(key: Key, data: dict[str, Any] | None, base_checksum: str | None) -> OutChange | None:
    """The change to push for ``key`` with its local ``data`` (None: deleted here) over the base of
    ``base_checksum`` (None: none, or a tombstone), its JSON written, or None when the server already
    has this state. The data is canonicalised once: its checksum and (most often) its JSON in the
    body come from the same bytes."""
    entity_type, entity_id = key
    if data is None:
        if base_checksum is None:
            return None  # never reached the server, or already deleted there
        change = OutChange(entity_type, entity_id, "delete", None, None, base_checksum)
        change.wire = wire_change(change, None)
        return change
    encoded = canonical_json(data)
    digest = checksum_of_canonical(encoded)
    if digest == base_checksum:
        return None
    change = OutChange(entity_type, entity_id, "upsert", data, digest, base_checksum)
    change.data_json = data_json(data, encoded)
    change.wire = wire_change(change, change.data_json)
    return change

"""Pulling the server's changes from the stored cursor, page by page, into the local database.

The pages are fetched first into a spool (``page_spool``: memory, then a temporary file: memory stays bounded),
noting which local entities they would delete; when that is more than half of the local data, the
caller's confirmation is asked — with the list of what would go, read from the pages already held —
before anything is applied. Each page is applied in a transaction — the rows, their base versions,
the versions that must wait, and the cursor after the page — with foreign keys checked at commit
(``PRAGMA defer_foreign_keys``) and change capture off. An interrupted pull therefore resumes from
the last committed page, without gaps or repeats. When the last page is in, the waiting versions
are settled (``incoming.settle_incoming``): merges with local edits, conflicts, orphans.

While the pages come, each is already applied, all in one open transaction (``_Provisional``) that
is committed only once every page is in and no question is due: the rows are written while the
server renders the next page, instead of after the last one. When the question is due, that
transaction is rolled back before asking, so nothing was applied (and the pages go again from the
spool if the artist agrees). It holds the write lock, so the app's own writes wait meanwhile: once
it has been open ``PROVISIONAL_HOLD`` seconds (a slow network, a long pull) it is rolled back and
the pull goes on as above, every page after the last.

A computer that holds no entity at all (a first download) has nothing a pull could delete, so
nothing to ask: its pages are applied as they come, while the next one is fetched (``page_fetch``), in
transactions of several pages each (``_Grouped``: committed, with the cursor after their last page, every
``GROUP_COMMIT_AFTER`` seconds), so an interrupted first download resumes after the last group
committed. Pages after the first are always fetched one ahead, on a thread. A pull of several pages
writes through one connection whose WAL checkpoints wait for its end (``writer_connection``).
"""

from __future__ import annotations

import copy
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from operator import attrgetter

from sqlalchemy import Connection, Engine, text, update
from sqlmodel import Session

from ..local_db.change_capture import applying_server_changes, capture_lifted_until_commit
from ..local_db.database import read_session, transaction
from ..local_db.sync_tables import SYNC_ACCOUNT, SyncAccount
from ..schema.entities import ENTITY_TYPES
from ..schema.wire import MAX_PULL_LIMIT
from .bulk_writes import any_entities
from .client import SyncClient
from .conflicts import label_of
from .errors import MassDeleteRefused, ProtocolError
from .heap import older_objects_frozen, rarer_collections
from .incoming import ApplyReport, apply_pulled, settle_incoming
from .local_store import Key, LocalState, Version
from .page_fetch import PageFetcher
from .page_spool import PageSpool, page_size
from .progress import CancelToken, ProgressCallback, ProgressEvent
from .pull_answer import PullPage, QuickPullPage
from .pull_lines import FramedPullPage
from .verify import keep_unusable_fetchable, verify_pulled_page
from .writer_connection import writer_connection

# A first download commits its pages (with the cursor after them) once their transaction has been open this
# long, in seconds: a commit per page was a fifth of its writing.
GROUP_COMMIT_AFTER = 0.25
# Changes of a pull's only page from which its writes go through the writer connection too (its held
# checkpoints and bigger page cache): a pull of 5,000 edits is one page since protocol 5, and took 266 ms
# without it, 237 with it; for a page of 500 the connection costs more than it saves (42 → 48 ms).
WRITER_FROM = 2000
# How long the pages applied as they come may stay uncommitted (the write lock held), in seconds.
PROVISIONAL_HOLD = 0.5

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeletionItem:
    """One local item that the server's waiting changes delete."""

    entity_type: str
    entity_id: str
    label: str  # its title (or name), as the screens show it


@dataclass(frozen=True)
class MassDeletion:
    """What a pull would delete: ``deletions`` of the ``total`` items on this computer, each listed."""

    deletions: int
    total: int
    items: list[DeletionItem]


# Asked before a pull deletes more than half of the local data; True lets it go ahead.
ConfirmMassDelete = Callable[[MassDeletion], bool]


def refuse_mass_delete(_deletion: MassDeletion) -> bool:
    return False


@dataclass
class PullReport:
    requests: int = 0
    pages: int = 0
    applied: int = 0  # pages written (with their cursor); 0: the pull wrote nothing here
    changes: int = 0
    apply: ApplyReport = field(default_factory=ApplyReport)
    entity_types: set[str] = field(default_factory=set)  # of the changes the pages brought


# A fetched page as it is applied (and spooled): each change as its key and its ``Version`` (with the canonical
# JSON text its checksum was verified on), and the page's cursor.
_SpooledPage = tuple[list[tuple[Key, Version]], int]


_ENTITY_TYPE = attrgetter("entity_type")


def _plain(page: PullPage, texts: list[str | None]) -> _SpooledPage:
    if type(page) is QuickPullPage or type(page) is FramedPullPage:
        # Its changes are PulledVersion tuples: unpacked, and each Version made as Version._make makes it,
        # without a Python frame per change.
        make = tuple.__new__
        changes = [
            ((entity_type, entity_id), make(Version, (data, checksum, deleted, seq, t)))
            for (entity_type, entity_id, data, checksum, deleted, seq), t in zip(page.changes, texts, strict=True)
        ]
    else:
        changes = [
            ((c.entity_type, c.entity_id), Version(c.data, c.checksum, c.deleted, c.seq, t))
            for c, t in zip(page.changes, texts, strict=True)
        ]
    return changes, page.cursor


def _lifted_until_commit(bind: Engine | Connection) -> AbstractContextManager[None]:
    return capture_lifted_until_commit(bind) if isinstance(bind, Connection) else nullcontext()


def stored_cursor(db: Engine) -> int:
    with read_session(db) as s:
        account = s.get(SyncAccount, 1)
    return account.cursor if account is not None else 0


class Puller:
    def __init__(
        self,
        db: Engine,
        client: SyncClient,
        progress: ProgressCallback,
        cancel: CancelToken,
        confirm_mass_delete: ConfirmMassDelete,
        page_size: int = MAX_PULL_LIMIT,  # the largest page the server gives: half the requests of its default
    ) -> None:
        self.db = db
        self.client = client
        self.progress = progress
        self.cancel = cancel
        self.confirm_mass_delete = confirm_mass_delete
        self.page_size = page_size
        self.report = PullReport()
        # What the pull's writes bind to (one connection with the WAL's checkpoints held, while it runs);
        # its reads of what is committed go to ``db``, on other connections.
        self._bind: Engine | Connection = db
        self._based: set[Key] | None = None  # see incoming.apply_pulled
        self._doomed: list[Key] = []  # local entities the fetched pages delete, in the order seen
        self._skip: str | None = None
        self._staged = True

    def run(self, skip: str | None = None, *, since: int | None = None, staged: bool = True) -> PullReport:
        """Pull everything after the stored cursor; ``skip`` ("lo-hi,…"): seqs of versions this sync's
        own push answers already recorded as bases, which the server leaves out of the pages.
        ``since``: the stored cursor when the caller has just read it; ``staged`` False: the caller
        saw no waiting server version, so a pull that brings none settles nothing."""
        self._skip = skip
        self._staged = staged
        if since is None:
            since = stored_cursor(self.db)
        with older_objects_frozen(), rarer_collections(), self._fetched(since) as (pages, many):
            if not many:
                # A few changes (a no-op sync's page, typically): no held checkpoint, no connection of its own.
                self._spool_then_apply(pages, since)
            else:
                # Read before the writes take the connection the pool holds: another one would first read
                # the whole schema (about 3 ms).
                entities, bases = self._held_here()
                with self._writing():
                    if not entities:
                        # Nothing here to delete, so nothing to ask: each page is applied as it comes, while
                        # the server renders the next (a first download).
                        self._apply_as_fetched(pages, since, bases)
                    else:
                        self._spool_then_apply(pages, since)
        self.cancel.check()
        self.settle()
        if self.report.apply.unusable:
            with transaction(self.db) as s:
                keep_unusable_fetchable(LocalState(s), self.report.apply.unusable)
        return self.report

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The pages' writes through one connection with the WAL's checkpoints held (``writer_connection``),
        and the change-capture triggers a bulk write lifts created again once a transaction, before it
        commits (``capture_lifted_until_commit``), not once a page."""
        with writer_connection(self.db) as bind, _lifted_until_commit(bind):
            self._bind = bind
            try:
                yield
            finally:
                self._bind = self.db

    @contextmanager
    def _fetched(self, since: int) -> Iterator[tuple[Iterator[PullPage], bool]]:
        """The pages after ``since``, and whether they are many changes (more than one page, or one of
        ``WRITER_FROM`` or more). The first is fetched here (a no-op sync is one page: no thread); the others
        by a :class:`PageFetcher`, one ahead."""
        first = self._fetch_page(since)
        if not first.has_more:
            # A page of many changes (protocol 5's pages hold up to 5000) is written as several pages are.
            yield iter([first]), len(first.changes) >= WRITER_FROM
            return
        with PageFetcher(self._fetch_page, first.cursor) as ahead:
            yield itertools.chain([first], ahead), True

    def _fetch_page(self, since: int) -> PullPage:
        self.cancel.check()
        page = self.client.pull(since, self.page_size, self._skip)
        if page.cursor < since or (page.has_more and not page.changes):
            raise ProtocolError("The server's pull answer does not move forward; try again later.")
        return page

    def _held_here(self) -> tuple[bool, bool]:
        """Whether this computer holds any entity, and any base."""
        with read_session(self.db) as s:
            bases = s.connection().exec_driver_sql("SELECT EXISTS (SELECT 1 FROM sync_base)").scalar()
            return any_entities(LocalState(s)), bool(bases)

    def _received(self, page: PullPage) -> tuple[_SpooledPage, int]:
        """The page checked (its checksums) and counted, as plain values, and its size as the spool counts it."""
        self.report.requests += 1
        # Here, not on the fetching thread: pure Python there would keep the GIL from the executemany of the
        # page being applied, which takes it back after every row.
        texts = verify_pulled_page(page)  # before anything of it is spooled, applied or counted
        self.report.changes += len(page.changes)
        self.report.entity_types.update(map(_ENTITY_TYPE, page.changes))
        self.progress(ProgressEvent("pull", done=self.report.changes))
        return _plain(page, texts), page_size(texts)

    def _apply_as_fetched(self, pages: Iterator[PullPage], since: int, bases: bool) -> None:
        """``bases``: whether this computer held any base when the pull began."""
        cursor = since
        # Bases are written only by the sync, which this pull holds: with none when it began, a page's
        # entities can have one only if an earlier page brought them (an entity changed meanwhile).
        if not bases:
            self._based = set()
        try:
            with _Grouped(self._bind) as group:
                for page in pages:
                    plain, _ = self._received(page)
                    self.cancel.check()
                    with group.page() as into:
                        cursor = self._take(*plain, cursor, into)
        finally:
            # Freed now, with the pull's collector thresholds still in force: a key per entity pulled, which
            # the next collection at the process's own thresholds would otherwise scan (about 4 ms for 20,000).
            self._based = None

    def _spool_then_apply(self, pages: Iterator[PullPage], since: int) -> None:
        """Every page into the spool first, counting what they delete here, and applied provisionally
        meanwhile; ask when that is most of the local data; then apply what is not yet kept."""
        with PageSpool[_SpooledPage]() as spool, _Provisional(self, since) as early:
            deletions = 0
            for page in pages:
                plain, size = self._received(page)
                # Read back without a second validation: the page was parsed and checked once, as it came.
                spool.append(plain, size)
                deletions += self._local_deletions(page)  # read from what is committed: as before the pull
                self.cancel.check()
                early.take(*plain)
            self.cancel.check()
            if deletions:
                with read_session(self.db) as s:
                    total = LocalState(s).count_all()
                if deletions * 2 > total:
                    early.drop()  # nothing applied before the question
                    log.info("the server's changes delete %d of the %d local items: asking", deletions, total)
                    if not self.confirm_mass_delete(MassDeletion(deletions, total, self._deletion_items())):
                        raise MassDeleteRefused(deletions, total)
            kept, cursor = early.keep()
            for changes, page_cursor in spool.pages(kept):
                self.cancel.check()
                cursor = self._take(changes, page_cursor, cursor)

    def _take(
        self, changes: list[tuple[Key, Version]], page_cursor: int, cursor: int, into: Session | None = None
    ) -> int:
        """Apply a page (an empty one at the same cursor writes nothing), in its own transaction or
        ``into`` an open one; the cursor after it."""
        if changes or page_cursor != cursor:
            self._apply_page(changes, page_cursor, into)
            self.report.applied += 1
        self.report.pages += 1
        self.progress(ProgressEvent("apply", done=self.report.pages))
        return page_cursor

    def _local_deletions(self, page: PullPage) -> int:
        ids: dict[str, list[str]] = {}
        for change in page.changes:
            if change.deleted and change.entity_type in ENTITY_TYPES:
                ids.setdefault(change.entity_type, []).append(change.entity_id)
        if not ids:
            return 0
        with read_session(self.db) as s:
            st = LocalState(s)
            # Only what would really go: an entity with local edits becomes a conflict instead.
            doomed = [
                (entity_type, entity_id)
                for entity_type, entity_ids in ids.items()
                for entity_id in st.existing(entity_type, entity_ids)
                if not st.is_pending((entity_type, entity_id))
            ]
        self._doomed += doomed
        return len(doomed)

    def _deletion_items(self) -> list[DeletionItem]:
        """The entities :meth:`_fetch` found doomed, with their titles, in the order of the entity types."""
        ids: dict[str, list[str]] = {}
        for entity_type, entity_id in dict.fromkeys(self._doomed):
            ids.setdefault(entity_type, []).append(entity_id)
        items: list[DeletionItem] = []
        with read_session(self.db) as s:
            st = LocalState(s)
            for entity_type in ENTITY_TYPES:
                if entity_type not in ids:
                    continue
                for entity_id, data in sorted(st.read_many(entity_type, ids[entity_type]).items()):
                    items.append(DeletionItem(entity_type, entity_id, label_of(entity_type, data, entity_id)))
        return items

    def _apply_page(self, page: list[tuple[Key, Version]], cursor: int, into: Session | None = None) -> None:
        if into is None:
            with transaction(self._bind) as s:
                self._write_page(s, page, cursor)
        else:
            self._write_page(into, page, cursor)

    def _write_page(self, s: Session, changes: list[tuple[Key, Version]], cursor: int) -> None:
        s.execute(text("PRAGMA defer_foreign_keys=ON"))
        with applying_server_changes(s):
            apply_pulled(LocalState(s), changes, self.report.apply, self._based)
        s.execute(update(SYNC_ACCOUNT).where(SYNC_ACCOUNT.c.id == 1).values(cursor=cursor))

    def settle(self) -> None:
        """Apply, merge or settle every waiting server version (the pull has completed)."""
        if self.report.changes == 0 and not self._staged:
            return  # nothing waited and nothing came: no transaction at all
        with transaction(self.db) as s:
            st = LocalState(s)
            if not st.has_incoming() and self.report.changes == 0:
                return
            s.execute(text("PRAGMA defer_foreign_keys=ON"))
            with applying_server_changes(s):
                settle_incoming(st, self.report.apply)
        self.progress(ProgressEvent("merge", done=self.report.apply.merged))


class _Provisional:
    """The pages a pull applies as they come, in one transaction left open until the pull knows whether
    it must ask first (see the module's docstring): :meth:`keep` commits them, :meth:`drop` rolls them
    back (as does leaving on an error), and so does a page that comes once it has been open for
    ``PROVISIONAL_HOLD`` seconds; after a drop it takes no more pages."""

    def __init__(self, puller: Puller, since: int) -> None:
        self._puller = puller
        self._session: Session | None = None
        self._opened = 0.0
        self._live = PROVISIONAL_HOLD > 0
        self._pages = 0
        self._since = self._cursor = since
        report = puller.report
        self._before = (report.applied, report.pages, copy.deepcopy(report.apply))

    def __enter__(self) -> _Provisional:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()

    def take(self, changes: list[tuple[Key, Version]], page_cursor: int) -> None:
        """Apply the page next after the last one taken, unless this has been dropped or held too long."""
        if not self._live:
            return
        if self._session is not None and time.monotonic() - self._opened > PROVISIONAL_HOLD:
            log.info("pull: pages applied as they came held the database for %.1f s: rolled back", PROVISIONAL_HOLD)
            self.drop()
            return
        if self._session is None and (changes or page_cursor != self._cursor):
            self._session = Session(self._puller._bind, expire_on_commit=False)
            self._opened = time.monotonic()
        self._cursor = self._puller._take(changes, page_cursor, self._cursor, self._session)
        self._pages += 1

    def drop(self) -> None:
        """Roll back what was applied (the report as before it); no page is taken after."""
        self._live = False
        if self._pages:
            report = self._puller.report
            report.applied, report.pages, report.apply = self._before
            self._pages, self._cursor = 0, self._since
        if self._session is not None:
            session, self._session = self._session, None
            try:
                session.rollback()
            finally:
                session.close()

    def keep(self) -> tuple[int, int]:
        """Commit the pages taken; how many they are, and the cursor after them."""
        self._live = False
        if self._session is not None:
            self._session.commit()  # on an error, leaving rolls back (drop)
            self._session.close()
            self._session = None
        kept, self._pages = self._pages, 0
        return kept, self._cursor


class _Grouped:
    """The pages of a first download applied in transactions of several pages each: one is committed, with
    the cursor after its last page, once it has been open ``GROUP_COMMIT_AFTER`` seconds, and at the end.
    Leaving on an error between two pages (a cancel, a page that did not come) commits the pages taken,
    which are whole; an error inside a page rolls back the pages of its transaction, which the next sync
    fetches again from the committed cursor."""

    def __init__(self, bind: Engine | Connection) -> None:
        self._bind = bind
        self._session: Session | None = None
        self._opened = 0.0

    def __enter__(self) -> _Grouped:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self._end(commit=True)

    @contextmanager
    def page(self) -> Iterator[Session]:
        """The transaction the next page is written in; a failure inside it rolls it back."""
        if self._session is None:
            self._session = Session(self._bind, expire_on_commit=False)
            self._opened = time.monotonic()
        try:
            yield self._session
        except BaseException:
            self._end(commit=False)
            raise
        if time.monotonic() - self._opened >= GROUP_COMMIT_AFTER:
            self._end(commit=True)

    def _end(self, commit: bool) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            if commit:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()

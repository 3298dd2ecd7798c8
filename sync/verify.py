"""What the receiver checks before it believes the server: checksums of pulled versions and of push answers.

A version whose data does not hash to its checksum was altered on the way or on a damaged server.
Applying it would spread the damage to the server and to every other computer, so the page that
holds it is refused whole — nothing of it applied, the cursor not advanced — and the next sync asks
for it again. A version whose data this computer cannot use (invalid for its schema, or of a type
it does not know) is not marked as seen: it stays staged and the cursor is held before it
(:func:`keep_unusable_fetchable`), so it stays fetchable and is reported until it applies.
"""

from __future__ import annotations

import hashlib
import logging

from pydantic_core import from_json
from sqlalchemy import select, update

from ..local_db.sync_tables import SYNC_ACCOUNT
from ..schema.canonical import (
    CHECKSUM_PREFIX,
    CanonicalizationError,
    canonical_text,
    checksum,
    checksum_of_canonical,
)
from ..schema.wire import Change, PushResult
from .conflicts import label_of
from .errors import ProtocolError
from .local_store import Key, LocalState
from .pull_answer import PageChange, PullPage
from .pull_lines import FramedPullPage

log = logging.getLogger(__name__)


class ChecksumMismatch(ProtocolError):
    """A pulled version (or a push answer) whose checksum does not match the data; nothing of it was used."""

    def __init__(self, message: str, entity_type: str, entity_id: str) -> None:
        super().__init__(message)
        self.entity_type = entity_type
        self.entity_id = entity_id


def _what(entity_type: str, entity_id: str, data: dict[str, object] | None) -> str:
    label = label_of(entity_type, data, entity_id)
    noun = entity_type.replace("_", " ").rstrip("s") or entity_type
    return f"the {noun} “{label}” ({entity_type} {entity_id})"


def _matches(data: dict[str, object] | None, expected: str | None) -> bool:
    try:
        return checksum(data) == expected
    except CanonicalizationError:
        return False


def _canonical_if_matching(data: dict[str, object] | None, expected: str | None) -> str | None:
    """The canonical JSON text of ``data`` when it hashes to ``expected``, else None."""
    try:
        text = canonical_text(data)
        if checksum_of_canonical(text.encode("utf-8")) == expected:
            return text
    except (CanonicalizationError, UnicodeEncodeError):
        pass
    return None


def verify_pulled_page(page: PullPage | FramedPullPage) -> list[str | None]:
    """Raise :class:`ChecksumMismatch` for the first version of ``page`` whose data does not match its
    checksum; else each change's data as the canonical JSON text that was hashed (None for a tombstone),
    which is what its base stores.

    A framed page (protocol 4) carries each data line as it came: a line that hashes to its checksum is that
    canonical text. One that does not is checked as a JSON page is, on the canonical text of its parsed data:
    a version stored as sent, before protocol 4, is not canonical text, yet its data matches (the line's
    data as it came, not the normalized data the reader may have made of it)."""
    if isinstance(page, FramedPullPage):
        return _verify_lines(page)
    texts: list[str | None] = []
    for change in page.changes:
        if change.deleted:
            texts.append(None)
            continue
        text = _canonical_if_matching(change.data, change.checksum)
        if text is None:
            raise _damaged(change)
        texts.append(text)
    return texts


def _verify_lines(page: FramedPullPage) -> list[str | None]:
    texts: list[str | None] = []
    sha256, prefix = hashlib.sha256, CHECKSUM_PREFIX
    for change, line, text in zip(page.changes, page.lines, page.texts, strict=True):
        if change.deleted:
            texts.append(None)
        elif prefix + sha256(line).hexdigest() == change.checksum:
            texts.append(text)
        else:
            # On the data as it came: the reader may hold the line's normalized data instead.
            canonical = _canonical_if_matching(from_json(line), change.checksum)
            if canonical is None:
                raise _damaged(change)
            texts.append(canonical)
    return texts


def _damaged(change: PageChange) -> ChecksumMismatch:
    log.warning(
        "pulled version of %s %s (seq %d) refused: its data does not hash to %s",
        change.entity_type,
        change.entity_id,
        change.seq,
        change.checksum,
    )
    return ChecksumMismatch(
        f"The server sent {_what(change.entity_type, change.entity_id, change.data)} damaged: its data "
        "does not match its checksum. Nothing of that page was applied; the next sync asks for it again.",
        change.entity_type,
        change.entity_id,
    )


def verify_push_result(change: Change, result: PushResult) -> None:
    """Raise :class:`ChecksumMismatch` when the server says it stored another checksum than the one sent
    (or, for a conflict, sends its version with data that does not match its checksum)."""
    if result.status == "conflict" and result.server is not None and not result.server.deleted:
        if not _matches(result.server.data, result.server.checksum):
            log.warning(
                "push answer for %s %s: the server's version does not match its checksum",
                change.entity_type,
                change.entity_id,
            )
            raise ChecksumMismatch(
                f"The server's version of {_what(change.entity_type, change.entity_id, result.server.data)} "
                "came damaged in its answer to a push (its data does not match its checksum). Nothing of that "
                "answer was recorded; the next sync sends it again.",
                change.entity_type,
                change.entity_id,
            )
        return
    if result.status != "applied" or result.checksum is None or result.checksum == change.checksum:
        return
    log.warning(
        "push answer for %s %s says checksum %s, this computer sent %s",
        change.entity_type,
        change.entity_id,
        result.checksum,
        change.checksum,
    )
    raise ChecksumMismatch(
        f"The server's answer for {_what(change.entity_type, change.entity_id, change.data)} names another "
        "checksum than the one sent. Nothing of that answer was recorded; the next sync sends it again.",
        change.entity_type,
        change.entity_id,
    )


def keep_unusable_fetchable(st: LocalState, unusable: list[tuple[Key, str]]) -> int | None:
    """Hold the cursor before the oldest version this computer could not use (it stays staged too),
    so the next sync asks the server for it again: a corrected version, or a newer Gigbag, then
    applies it. Returns the cursor held to, or None when nothing is held."""
    staged = [version.seq for key, _ in unusable if (version := st.incoming(key)) is not None]
    if not staged:
        return None
    hold = max(0, min(staged) - 1)
    account = SYNC_ACCOUNT.c
    current = st.s.execute(select(account.cursor).where(account.id == 1)).scalar_one_or_none()
    if current is None or current <= hold:
        return None
    st.s.execute(update(SYNC_ACCOUNT).where(account.id == 1).values(cursor=hold))
    log.info("cursor held at %d (was %d): %d pulled versions could not be used here", hold, current, len(staged))
    return hold

"""The signed-in account's terms as its server sets them: the tier, the limits in force, the usage.

Read from ``GET /v1/account`` after a sign-in and after a sync that moved something, or once an hour
(off the UI thread: the sync thread or the sign-in operation), and kept here for the account menu while offline
(``account-terms.json`` in the data folder). The storage limit of the account becomes this
computer's limit (``storage_quotas.limit_bytes``), so the storage bar and the local refusal of an
import over the limit (:mod:`gigbag.app.storage_limit`) use the one limit the server enforces.
Signing out forgets the terms and brings back the default local limit. The file is read again only
when it changed on disk (a sync where nothing changed compares the server's fingerprint with the kept one).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ..local_db.database import transaction
from ..local_db.models import DEFAULT_STORAGE_LIMIT_BYTES
from ..sync.client import SyncClient
from ..sync.engine import SyncSummary
from .workspace import Workspace

log = logging.getLogger(__name__)

TERMS_FILE = "account-terms.json"
TERMS_MAX_AGE_SECONDS = 3600
TIER_NAMES = {"free": "Free", "pro": "Pro", "enterprise": "Enterprise"}


@dataclass(frozen=True)
class AccountTerms:
    tier: str
    storage_quota_bytes: int
    daily_upload_limit_bytes: int | None  # None: no daily limit
    max_file_bytes: int
    used_bytes: int
    token_idle_expiry_seconds: int | None
    overridden: tuple[str, ...] = ()  # the limits the operator set for this account
    tag: str | None = None  # the server's fingerprint of these terms (schema.wire.ACCOUNT_TERMS_HEADER)

    @property
    def tier_name(self) -> str:
        return TIER_NAMES.get(self.tier, self.tier.capitalize())


# The terms last read per file, with the file's identity then (inode, mtime, size): a new version is
# written to a partial file and renamed over the old, so it always has another inode.
_read: dict[Path, tuple[tuple[int, int, int], AccountTerms | None]] = {}


def _path(workspace: Workspace) -> Path:
    return workspace.paths.data / TERMS_FILE


def _identity(found: os.stat_result) -> tuple[int, int, int]:
    return found.st_ino, found.st_mtime_ns, found.st_size


def _terms_of(path: Path, found: os.stat_result) -> AccountTerms | None:
    """The terms in ``path`` (whose ``stat`` is ``found``), read only when the file is not the one last read."""
    kept = _read.get(path)
    if kept is not None and kept[0] == _identity(found):
        return kept[1]
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        raw["overridden"] = tuple(raw.get("overridden") or ())
        terms: AccountTerms | None = AccountTerms(**raw)
    except (OSError, ValueError, TypeError, KeyError):
        terms = None
    _read[path] = (_identity(found), terms)
    return terms


def _set_limit(workspace: Workspace, limit: int) -> None:
    with transaction(workspace.engine) as s:
        s.execute(text("UPDATE storage_quotas SET limit_bytes = :limit WHERE id = 1"), {"limit": limit})


def refresh_terms(workspace: Workspace, client: SyncClient) -> AccountTerms:
    """Ask the server for the account's terms, keep them, and make its storage limit this computer's."""
    info = client.account_info()
    terms = AccountTerms(
        tier=info.tier,
        storage_quota_bytes=info.limits.storage_quota_bytes,
        daily_upload_limit_bytes=info.limits.daily_upload_limit_bytes,
        max_file_bytes=info.limits.max_file_bytes,
        used_bytes=info.storage.used_bytes,
        token_idle_expiry_seconds=info.token_idle_expiry_seconds,
        overridden=tuple(info.overridden),
        tag=client.account_terms_tag,
    )
    _set_limit(workspace, terms.storage_quota_bytes)
    target = _path(workspace)
    partial = target.with_suffix(".json.partial")
    try:
        partial.write_text(json.dumps(asdict(terms), indent=2), encoding="utf-8")
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)  # a full disk must not keep a half-written copy
        raise
    _read[target] = (_identity(target.stat()), terms)
    log.info("account terms: tier %s, storage limit %d bytes", terms.tier, terms.storage_quota_bytes)
    return terms


def cached_terms(workspace: Workspace) -> AccountTerms | None:
    """The terms last read from the server, or None (never read, or signed out)."""
    path = _path(workspace)
    try:
        found = path.stat()
    except OSError:
        return None
    return _terms_of(path, found)


def worth_refreshing(workspace: Workspace, summary: SyncSummary) -> bool:
    """After a sync: read the terms again when the usage may have moved, the server's fingerprint of the tier
    and limits differs from the kept one (the operator changed them), or the kept ones are older than
    :data:`TERMS_MAX_AGE_SECONDS`. The usage is the size of the account's files on the server, which only a
    file moves: one this sync sent or received, a change sent or received that can refer to a file's content
    (another computer's upload, a track taken from the shared library), or what this sync cannot tell
    (something refused or left behind). A sync that moved only other data (a first download of a timeline, a
    push of edits) stays without a request more, like one where nothing changed."""
    moved = summary.files_up or summary.files_down or summary.file_refs_moved or not summary.complete
    if moved:
        return True
    path = _path(workspace)
    try:
        found = path.stat()
    except OSError:
        return True
    if summary.account_terms_tag is not None:
        kept = _terms_of(path, found)
        if kept is None or kept.tag != summary.account_terms_tag:
            return True
    return time.time() - found.st_mtime > TERMS_MAX_AGE_SECONDS


def forget_terms(workspace: Workspace) -> None:
    """After a sign-out: no account's terms, the default local limit again."""
    _path(workspace).unlink(missing_ok=True)
    _set_limit(workspace, DEFAULT_STORAGE_LIMIT_BYTES)


def terms_text(terms: AccountTerms) -> str:
    """ "Free plan: 1.2 MB of 3.4 MB storage used · uploads up to 500 MB a day · files up to 100 MB"."""
    from .formatting import format_bytes

    daily = (
        f"uploads up to {format_bytes(terms.daily_upload_limit_bytes)} a day"
        if terms.daily_upload_limit_bytes is not None
        else "no daily upload limit"
    )
    return (
        f"{terms.tier_name} plan: {format_bytes(terms.used_bytes)} of {format_bytes(terms.storage_quota_bytes)} "
        f"storage used · {daily} · files up to {format_bytes(terms.max_file_bytes)}"
    )

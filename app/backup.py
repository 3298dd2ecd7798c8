"""A backup that restores everything: one zip with a manifest, every entity and every file's content.

The archive holds ``manifest.json`` (format version, app version, the account the data belongs to,
counts, and the SHA-256 of every other member), ``entities.json`` (the export document of
:mod:`export_import`: every entity with its id) and ``files/<sha256>`` for the content of every file
and image the entities refer to. A file whose content is not on this computer (cloud-only, or not
downloaded yet) is listed under ``missing_content`` so the restore knows it is expected.

Restoring checks the whole archive first — the zip, the manifest, the checksum of every member and
every entity — and only then writes, in one transaction: the entities as local edits and the
contents into the file store (a failure or a cancel keeps nothing). A backup of another account
is restored into a folder bound to an account only when the caller says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from sqlalchemy import Engine

from .. import __version__
from ..local_db.blob_store import CHUNK_SIZE, BlobStore, BlobStoreError
from ..local_db.database import read_session
from ..local_db.sync_tables import SyncAccount
from ..schema.canonical import is_sha256_hex
from ..schema.entities import ENTITY_TYPES, blob_refs
from .errors import GigbagError
from .export_import import ImportFormatError, ImportResult, check_format, export_document, import_document

FORMAT = "gigbag-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ENTITIES = "entities.json"
CONTENT_DIR = "files/"

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
Cancelled = Callable[[], bool]


class BackupError(GigbagError):
    """The backup could not be written, or the archive cannot be restored; nothing was changed."""


class BackupCancelled(BackupError):
    def __init__(self) -> None:
        super().__init__("Cancelled; nothing was changed.")


class OtherAccountBackup(BackupError):
    """The archive holds another account's data than the one this data folder is bound to."""

    def __init__(self, owner: str, here: str) -> None:
        self.owner, self.here = owner, here
        super().__init__(
            f"This backup holds the data of {owner}, but this data folder belongs to {here}. Restoring it adds "
            f"{owner}'s data here, and the next sync sends it to {here}'s account. Restore it only if that is "
            "what you want (on the command line: add --yes)."
        )


@dataclass(frozen=True)
class BackupAccount:
    user_id: str | None
    email: str | None
    server_url: str | None

    def describe(self) -> str:
        who = self.email or f"account {self.user_id}"
        return f"{who} on {self.server_url}" if self.server_url else who


@dataclass
class BackupSummary:
    path: Path
    counts: dict[str, int]
    files: int = 0
    content_bytes: int = 0
    missing_content: list[str] = field(default_factory=list)  # digests not on this computer

    @property
    def entities(self) -> int:
        return sum(self.counts.values())


@dataclass
class Manifest:
    app_version: str
    created_at: str
    account: BackupAccount | None
    counts: dict[str, int]
    entities_sha256: str
    contents: dict[str, int]  # sha256 -> size
    missing_content: list[str]

    @property
    def content_bytes(self) -> int:
        return sum(self.contents.values())


@dataclass
class RestoreResult:
    manifest: Manifest
    imported: ImportResult
    contents_added: int = 0


def _account(engine: Engine) -> BackupAccount | None:
    with read_session(engine) as s:
        row = s.get(SyncAccount, 1)
    if row is None or not (row.bound_user_id or row.user_id):
        return None
    return BackupAccount(row.bound_user_id or row.user_id, row.email, row.server_url)


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise BackupCancelled()


# ---- writing ----------------------------------------------------------------------------------
def write_backup(
    engine: Engine,
    blobs: BlobStore,
    destination: Path,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BackupSummary:
    """Write the backup archive to ``destination`` (atomically: a cancel or failure leaves no file)."""
    document = export_document(engine)
    counts = {k: len(v) for k, v in document["entities"].items()}
    wanted: set[str] = set()
    for entity_type, items in document["entities"].items():
        for item in items:
            wanted |= blob_refs(entity_type, item["data"])
    present = {sha: blobs.size(sha) for sha in sorted(wanted) if blobs.has(sha)}
    missing = sorted(wanted - set(present))
    total = sum(present.values())
    entities_bytes = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    summary = BackupSummary(destination, counts, missing_content=missing)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(f".{destination.name}.partial")
    done = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            zf.writestr(ENTITIES, entities_bytes)
            contents: dict[str, int] = {}
            for sha, size in present.items():
                _check(cancelled)
                digest = hashlib.sha256()
                with blobs.open(sha) as src, zf.open(CONTENT_DIR + sha, "w", force_zip64=True) as out:
                    while chunk := src.read(CHUNK_SIZE):
                        _check(cancelled)
                        digest.update(chunk)
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total)
                if digest.hexdigest() != sha:
                    raise BackupError(
                        f"The content {sha[:12]}… on this computer is damaged (it no longer matches its SHA-256); "
                        "the backup was not written. Run a sync to fetch it again from the server, then back up."
                    )
                contents[sha] = size
                summary.files += 1
                summary.content_bytes += size
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "app_version": __version__,
                "created_at": document["exported_at"],
                "account": None if (acc := _account(engine)) is None else acc.__dict__,
                "counts": counts,
                "entities_sha256": hashlib.sha256(entities_bytes).hexdigest(),
                "contents": [{"sha256": s, "size": n} for s, n in contents.items()],
                "missing_content": missing,
            }
            zf.writestr(MANIFEST, json.dumps(manifest, indent=1))
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, destination)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return summary


# ---- reading and verifying ----------------------------------------------------------------------
def is_backup_archive(path: Path) -> bool:
    """Whether ``path`` looks like a zip (a backup) rather than a JSON export; nothing is verified here."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _refuse(source: Path, why: str) -> BackupError:
    return BackupError(f"{source} cannot be restored: {why}. Nothing was changed.")


def _parse_manifest(source: Path, raw: bytes) -> Manifest:
    try:
        m = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse(source, "its manifest is not readable JSON") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise _refuse(source, "its manifest is not a Gigbag backup manifest")
    version = m.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _refuse(source, f"it was made by a newer Gigbag (backup format {version!r}); update Gigbag first")
    try:
        account = m.get("account")
        contents = {str(c["sha256"]): int(c["size"]) for c in m["contents"]}
        manifest = Manifest(
            app_version=str(m.get("app_version")),
            created_at=str(m.get("created_at")),
            account=None
            if account is None
            else BackupAccount(account.get("user_id"), account.get("email"), account.get("server_url")),
            counts={str(k): int(v) for k, v in m["counts"].items()},
            entities_sha256=str(m["entities_sha256"]),
            contents=contents,
            missing_content=[str(x) for x in m.get("missing_content", [])],
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _refuse(source, "its manifest lacks a part every backup has (counts, checksums or contents)") from None
    bad = [sha for sha in [*manifest.contents, *manifest.missing_content] if not is_sha256_hex(sha)]
    if bad or not is_sha256_hex(manifest.entities_sha256):
        raise _refuse(source, "its manifest names a checksum that is not a SHA-256")
    return manifest


def _member(zf: zipfile.ZipFile, source: Path, name: str) -> IO[bytes]:
    try:
        return zf.open(name)
    except KeyError:
        raise _refuse(source, f"the archive lacks {name}") from None


def _hash_member(
    zf: zipfile.ZipFile, source: Path, name: str, on_chunk: Callable[[int], None], cancelled: Cancelled | None
) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    try:
        with _member(zf, source, name) as fh:
            while chunk := fh.read(CHUNK_SIZE):
                _check(cancelled)
                digest.update(chunk)
                size += len(chunk)
                on_chunk(len(chunk))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _refuse(source, f"{name} is damaged in the archive ({exc})") from None
    return digest.hexdigest(), size


@dataclass
class VerifiedBackup:
    source: Path
    manifest: Manifest
    document: dict[str, Any]


def verify_backup(source: Path, progress: Progress | None = None, cancelled: Cancelled | None = None) -> VerifiedBackup:
    """Check the whole archive; return its manifest and entities, or raise :class:`BackupError`."""
    try:
        zf = zipfile.ZipFile(source)
    except FileNotFoundError:
        raise BackupError(f"{source} does not exist.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(source, f"it is not a readable zip archive ({exc})") from None
    with zf:
        try:
            manifest = _parse_manifest(source, _member(zf, source, MANIFEST).read())
            raw = _member(zf, source, ENTITIES).read()
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _refuse(source, f"the archive is damaged ({exc})") from None
        if hashlib.sha256(raw).hexdigest() != manifest.entities_sha256:
            raise _refuse(source, f"{ENTITIES} does not match its SHA-256 in the manifest (the archive was altered)")
        try:
            document = check_format(json.loads(raw))
        except ImportFormatError as exc:
            raise _refuse(source, str(exc)) from None
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise _refuse(source, f"{ENTITIES} is not readable JSON") from None
        counts = {k: len(v) if isinstance(v, list) else -1 for k, v in document["entities"].items()}
        if {k: v for k, v in counts.items() if v} != {k: v for k, v in manifest.counts.items() if v}:
            raise _refuse(source, "its entities do not match the counts in its manifest")
        wanted: set[str] = set()
        for entity_type, items in document["entities"].items():
            if entity_type in ENTITY_TYPES:
                for item in items:
                    if isinstance(item, dict) and isinstance(item.get("data"), dict):
                        wanted |= blob_refs(entity_type, item["data"])
        unaccounted = wanted - set(manifest.contents) - set(manifest.missing_content)
        if unaccounted:
            raise _refuse(source, f"the content of {len(unaccounted)} file(s) is neither in it nor listed as missing")
        total, done = manifest.content_bytes, 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        for sha, size in manifest.contents.items():
            got, length = _hash_member(zf, source, CONTENT_DIR + sha, advance, cancelled)
            if got != sha or length != size:
                raise _refuse(source, f"the content {sha[:12]}… does not match its SHA-256 (the archive was altered)")
    return VerifiedBackup(source, manifest, document)


# ---- restoring ----------------------------------------------------------------------------------
def restore_backup(
    engine: Engine,
    blobs: BlobStore,
    source: Path,
    *,
    allow_other_account: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> RestoreResult:
    """Verify the archive whole, then apply it: every entity (as local edits) and every content.

    Progress runs over twice the content size: once verifying, once storing.
    """
    total_holder: list[int] = [0]

    def verify_progress(done: int, total: int) -> None:
        total_holder[0] = total
        if progress is not None:
            progress(done, 2 * total)

    verified = verify_backup(source, verify_progress, cancelled)
    manifest = verified.manifest
    here = _account(engine)
    if (
        here is not None
        and manifest.account is not None
        and manifest.account.user_id != here.user_id
        and not allow_other_account
    ):
        raise OtherAccountBackup(manifest.account.describe(), here.describe())
    total = manifest.content_bytes
    added: list[str] = []

    def store_contents() -> None:
        done = total
        with zipfile.ZipFile(source) as zf:
            for sha in manifest.contents:
                _check(cancelled)
                if blobs.has(sha) and blobs.verify(sha):
                    done += manifest.contents[sha]
                    continue
                with zf.open(CONTENT_DIR + sha) as fh:
                    try:
                        blobs.write_stream(cast(BinaryIO, fh), expected_sha256=sha, cancelled=cancelled)
                    except BlobStoreError as exc:
                        if cancelled is not None and cancelled():
                            raise BackupCancelled() from None
                        raise _refuse(source, f"the content {sha[:12]}… could not be stored ({exc})") from None
                added.append(sha)
                done += manifest.contents[sha]
                if progress is not None:
                    progress(done, 2 * total)

    try:
        imported = import_document(engine, verified.document, server_owned="keep_local", before_commit=store_contents)
    except BaseException:
        for sha in added:
            blobs.remove(sha)
        raise
    if imported.refused:
        return RestoreResult(manifest, imported, 0)
    return RestoreResult(manifest, imported, len(added))

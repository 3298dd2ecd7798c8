"""Applying the server's versions of entities to the local database (always with change capture off).

A server version meets one of four situations, and each has one rule:

* **No local edit, references satisfied** → the version is simply taken (row written, base updated).
* **Local edits or an open conflict** → it is kept in ``sync_incoming`` and merged (``merge.py``)
  once the pull has completed, against the base this device last saw; a real conflict is kept
  for the artist, with both versions.
* **It refers to an entity this device does not hold** (a parent that comes in a later page) → it
  waits in ``sync_incoming``; when the pull has completed, what still refers to nothing is an
  orphan (its parent was deleted elsewhere): a nullable reference is cleared (a file whose folder
  is gone moves to the top level) and a required one takes the entity with its parent, both as
  local changes that are pushed, so every computer and the server end the same way. If the parent
  was deleted *here* and is still live on the server, that is edit against delete: a conflict.
* **A tombstone** → the row is deleted, with what its foreign keys take along; if something it would
  take along has unsynced local edits, the delete is a conflict instead (nothing unsynced is lost).

Each function works inside the caller's transaction (a pulled page, the settling step at the end of
a pull, or the answer of a push).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..schema.entities import ENTITY_TYPES, EntityValidationError
from ..schema.quick_validation import quick_normalized_data
from .bulk_writes import (
    BaseMark,
    base_marks,
    existing,
    pending_among,
    raise_base_seqs,
    remove_rows,
    write_bases,
    write_rows,
)
from .local_store import ORDER, Data, Key, LocalState, Reference, Version, references, referrers
from .merge import reconcile


@dataclass
class ApplyReport:
    """What applying server versions did, summed over a pull."""

    applied: int = 0
    echoes: int = 0  # versions this computer already held: typically its own push coming back
    merged: int = 0
    new_conflicts: list[Key] = field(default_factory=list)
    orphans: list[Key] = field(default_factory=list)
    unusable: list[tuple[Key, str]] = field(default_factory=list)  # versions that fail this client's schema
    to_push: set[Key] = field(default_factory=set)  # merged or settled here: the server should get them now


def normalized(entity_type: str, data: Data | None) -> Data | None:
    """The data as this client's schema reads it (defaults filled), or None for a tombstone."""
    return None if data is None else quick_normalized_data(entity_type, data)


def _usable(key: Key, version: Version, report: ApplyReport) -> Data | None | bool:
    """The normalized data of a version, or False (reported) when this client cannot use it."""
    if version.deleted and key[0] in ENTITY_TYPES:
        return None
    try:
        if key[0] not in ENTITY_TYPES:
            raise ValueError(f"unknown entity type {key[0]!r}")
        return normalized(key[0], version.data)
    except (EntityValidationError, ValueError) as exc:
        _unusable(key, exc, report)
        return False


def _unusable(key: Key, exc: Exception, report: ApplyReport) -> None:
    """Report a version this client cannot use. Not marked as seen: the version stays staged
    (``sync_incoming``), so every later sync tries it again (a newer Gigbag reads it) and a newer server
    version replaces it."""
    if all(k != key for k, _ in report.unusable):
        report.unusable.append((key, str(exc)))


def take_delete(st: LocalState, key: Key, version: Version, report: ApplyReport) -> bool:
    """Apply a tombstone to an entity without local edits; False when it became a conflict."""
    entity_type, entity_id = key
    local = st.read(entity_type, entity_id)
    if local is None:
        st.set_base(key, version)
        st.unstage(key)
        return True
    removed, nulled = st.dependents(entity_type, entity_id)
    if any(st.is_pending(k) or st.conflict(k) is not None for k in removed):
        # Something inside it has unsynced edits here: deleted there vs edited here.
        base = st.base(key)
        if st.keep_conflict(key, local=local, remote=version, base=base.data if base else None, fields=()):
            report.new_conflicts.append(key)
        st.set_base(key, version)
        st.unstage(key)
        return False
    # Rows without ON DELETE (a track's audio file) must go before their target; deepest first.
    for child in reversed(removed):
        st.remove(*child)
    st.remove(entity_type, entity_id)
    # What went along but is still live on the server (its own tombstone may be on the way, or
    # it was added elsewhere meanwhile): keep its server version to re-apply or to settle as orphan.
    for child in [*removed, *(k for k, _ in nulled if not st.is_pending(k))]:
        base = st.base(child)
        if base is not None and not base.deleted and st.incoming(child) is None:
            st.stage(child, base)
    st.set_base(key, version)
    st.unstage(key)
    report.applied += 1
    return True


def take_upsert(st: LocalState, key: Key, version: Version, report: ApplyReport) -> bool:
    """Apply a live version to an entity without local edits; False when it must wait (kept staged)."""
    data = _usable(key, version, report)
    if data is False:
        st.stage(key, version)  # kept for a later sync, not applied, not seen
        return False
    assert isinstance(data, dict)
    if st.missing_targets(key[0], data):
        st.stage(key, version)
        return False
    st.write(key[0], key[1], data)
    st.set_base(key, version)
    st.unstage(key)
    report.applied += 1
    return True


def _has_local_edits(st: LocalState, key: Key) -> bool:
    return st.is_pending(key) or st.conflict(key) is not None


def apply_pulled(
    st: LocalState, changes: list[tuple[Key, Version]], report: ApplyReport, based: set[Key] | None = None
) -> None:
    """Apply one pulled page: upserts parents first (those whose parent is neither here nor in the
    page wait, staged), then tombstones children first. The common case — entities without local
    edits — is read and written in bulk. ``based``: when the caller knows that no key outside this set
    has a base (a pull that began with none: the keys of its earlier pages), only those are looked up;
    the page's keys are added to it."""
    known = [item for item in changes if item[0][0] in ENTITY_TYPES]
    if len(known) != len(changes):
        for key, version in changes:
            if key[0] not in ENTITY_TYPES and _usable(key, version, report) is False:
                st.stage(key, version)  # a newer Gigbag knows it: kept for then
    keys = [key for key, _ in known]
    if based is None:
        bases = base_marks(st, keys)
    else:
        bases = base_marks(st, [key for key in keys if key in based]) if based else {}
        based.update(keys)
    staged = st.incoming_keys()
    held = pending_among(st, keys) | st.conflict_keys() | staged
    seen_again: list[tuple[Key, int]] = []
    upserts: list[tuple[Key, Version]] = []
    deletes: list[tuple[Key, Version]] = []
    if not bases and not held:
        # Nothing here was seen before or waits (a first download's pages): every version is taken.
        upserts = [item for item in known if not item[1].deleted]
        if len(upserts) != len(known):
            deletes = [item for item in known if item[1].deleted]
        known = []
    for key, version in known:
        base = bases.get(key)
        same = base is not None and (base.checksum, base.deleted) == (version.checksum, version.deleted)
        if same:
            report.echoes += 1
        if base is not None and same and key not in staged:
            # Already seen (typically this device's own push coming back): nothing to apply.
            seen_again.append((key, version.seq))  # its base stays, with the later seq
        elif key in held:
            st.stage(key, version)  # merged with the local edits once the pull is complete
        else:
            (deletes if version.deleted else upserts).append((key, version))
    raise_base_seqs(st, seen_again)
    _take_upserts(st, upserts, report, bases)
    deletes.sort(key=lambda item: -ORDER[item[0][0]])
    present = {t: existing(st, t, ids) for t, ids in _ids_by_type(k for k, _ in deletes).items()}
    absent = [(k, v) for k, v in deletes if k[1] not in present.get(k[0], set())]
    write_bases(st, absent, bases)
    here = [(k, v) for k, v in deletes if k[1] in present.get(k[0], set())]
    # Types nothing refers to go first, in bulk: nothing goes along with them, and their parents'
    # deletes (below, one by one, children first) then no longer find them.
    leaves: dict[str, list[tuple[Key, Version]]] = {}
    for key, version in here:
        if not referrers(key[0]):
            leaves.setdefault(key[0], []).append((key, version))
    for entity_type, items in leaves.items():
        remove_rows(st, entity_type, [k[1] for k, _ in items])
        write_bases(st, items, bases)
        report.applied += len(items)
    for key, version in here:
        if referrers(key[0]):
            take_delete(st, key, version, report)


def _ids_by_type(keys: Iterable[Key]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entity_type, entity_id in keys:
        out.setdefault(entity_type, []).append(entity_id)
    return out


def _take_upserts(
    st: LocalState, upserts: list[tuple[Key, Version]], report: ApplyReport, bases: dict[Key, BaseMark]
) -> None:
    """``take_upsert`` for a page's upserts in bulk: the references of each are resolved against
    this computer and the page itself; what refers to neither waits (staged). ``bases``: the bases of
    the page's entities, read in this transaction (a live one: the row is here, as far as it says)."""
    ready: dict[Key, Data] = {}
    for key, version in upserts:  # _usable for live versions of known types, without a call per version
        if version.data is None:
            continue  # no data to take: waits, staged below
        try:
            ready[key] = quick_normalized_data(key[0], version.data)
        except (EntityValidationError, ValueError) as exc:
            _unusable(key, exc, report)
    # What refers to nothing (most of a page, often all of it) is resolved as it is.
    types = {key[0] for key in ready}
    referring_types = {t for t in types if references(t)}
    referring = [key for key in ready if key[0] in referring_types] if referring_types else []
    waiting: set[Key] = set()
    if referring:
        wanted: dict[str, set[str]] = {}
        for key in referring:
            data = ready[key]
            for ref in references(key[0]):
                if data.get(ref.column) is not None:
                    wanted.setdefault(ref.target, set()).add(data[ref.column])
        present = {target: existing(st, target, ids) for target, ids in wanted.items()}
        waiting = set(referring)
        resolved = ready.keys() - waiting
        progress = True
        while progress and waiting:
            progress = False
            for key in sorted(waiting, key=lambda k: ORDER[k[0]]):
                data = ready[key]
                if all(
                    data.get(ref.column) is None
                    or data[ref.column] in present.get(ref.target, set())
                    or (ref.target, data[ref.column]) in resolved
                    for ref in references(key[0])
                ):
                    resolved.add(key)
                    waiting.discard(key)
                    progress = True
    by_type: dict[str, list[tuple[str, Data]]] = {}
    if len(types) == 1 and not waiting:
        by_type[next(iter(types))] = [(key[1], data) for key, data in ready.items()]
    else:
        for key, data in ready.items():
            if key not in waiting:
                by_type.setdefault(key[0], []).append((key[1], data))
    held: dict[str, set[str]] = {}
    for key, mark in bases.items():
        if not mark.deleted:
            held.setdefault(key[0], set()).add(key[1])
    for entity_type in ENTITY_TYPES:  # parents first, so triggers on children find their parent
        if entity_type in by_type:
            write_rows(st, entity_type, by_type[entity_type], held.get(entity_type, frozenset()))
    if len(ready) == len(upserts) and not waiting:
        write_bases(st, upserts, bases)  # every one taken (the usual page)
        report.applied += len(ready)
        return
    write_bases(st, [(k, v) for k, v in upserts if k in ready and k not in waiting], bases)
    for key, version in upserts:
        # Waiting for a parent, or unusable (not applied and not seen): kept for the rest of the pull
        # or a later sync.
        if key in waiting or key not in ready:
            st.stage(key, version)
    report.applied += len(ready) - len(waiting)


def _resolve_refs(st: LocalState, entity_type: str, data: Data, local: Data | None) -> Data | None:
    """``data`` with references to missing entities replaced by the local value (if that one
    exists) or cleared (if allowed); None when a required reference cannot be satisfied."""
    out = dict(data)
    for ref in st.missing_targets(entity_type, data):
        fallback = local.get(ref.column) if local is not None else None
        if fallback is not None and st.exists(ref.target, fallback):
            out[ref.column] = fallback
        elif ref.nullable:
            out[ref.column] = None
        else:
            return None
    return out


def settle_with_local_edits(st: LocalState, key: Key, version: Version, report: ApplyReport) -> bool:
    """Merge a server version with the local edits (or open conflict) of the entity."""
    entity_type, entity_id = key
    remote = _usable(key, version, report)
    if remote is False:
        return False  # stays staged: the local edits wait for a version this computer can read
    assert remote is None or isinstance(remote, dict)
    base_version = st.base(key)
    base = base_version.data if base_version is not None and not base_version.deleted else None
    local = st.read(entity_type, entity_id)
    open_conflict = st.conflict(key)
    result = reconcile(entity_type, base, local, remote, open_conflict.fields if open_conflict else ())
    if result.conflict:
        if result.merged is not None:
            provisional = _resolve_refs(st, entity_type, result.merged, local)
            st.write(entity_type, entity_id, provisional if provisional is not None else local or result.merged)
        if st.keep_conflict(key, local=local, remote=version, base=base, fields=result.fields):
            report.new_conflicts.append(key)
        if not st.is_pending(key):
            st.mark_pending(key, "upsert" if local is not None else "delete")
        st.set_base(key, version)
        st.unstage(key)
        return True
    merged = result.merged
    if merged is None and remote is None:
        # Deleted on both sides, or deleted there while unchanged here.
        if local is not None and not take_delete(st, key, version, report):
            return True  # something inside it has edits here: take_delete kept the conflict
        st.set_base(key, version)
        st.unstage(key)
        st.clear_pending(key)
        st.drop_conflict(key)
        report.merged += 1
        return True
    kept = None
    if merged is not None:
        kept = _resolve_refs(st, entity_type, merged, local)
        if kept is None:
            return False
        st.write(entity_type, entity_id, kept)
    st.set_base(key, version)
    st.unstage(key)
    st.drop_conflict(key)
    if kept == remote:
        st.clear_pending(key)  # nothing left to push: the server holds exactly this
    else:
        if not st.is_pending(key):
            st.mark_pending(key, "upsert" if kept is not None else "delete")
        report.to_push.add(key)
    report.merged += 1
    return True


def _settle_pass(st: LocalState, report: ApplyReport) -> bool:
    progress = False
    for key, version in st.all_incoming():
        if key[0] not in ENTITY_TYPES:
            _usable(key, version, report)  # reported; kept for a newer Gigbag
            continue
        if _has_local_edits(st, key):
            done = settle_with_local_edits(st, key, version, report)
        elif version.deleted:
            take_delete(st, key, version, report)
            done = True
        else:
            done = take_upsert(st, key, version, report)
        progress = progress or done
    return progress


def _orphan_pass(st: LocalState, report: ApplyReport) -> bool:
    """Settle staged versions that refer to entities gone for good (see the module's rules)."""
    progress = False
    staged = st.incoming_keys()
    for key, version in st.all_incoming():
        if version.deleted or _has_local_edits(st, key):
            continue
        data = _usable(key, version, report)
        if not isinstance(data, dict):
            continue
        missing = st.missing_targets(key[0], data)
        if not missing or not all(_gone(st, ref, data[ref.column], staged, report) for ref in missing):
            continue
        if all(ref.nullable for ref in missing):
            st.write(key[0], key[1], {**data, **{ref.column: None for ref in missing}})
            st.mark_pending(key, "upsert")
        else:
            if st.read(*key) is not None:
                for child in reversed(st.dependents(*key)[0]):
                    st.remove(*child)
                st.remove(*key)
            st.mark_pending(key, "delete")
        st.set_base(key, version)
        st.unstage(key)
        report.orphans.append(key)
        report.to_push.add(key)
        progress = True
    return progress


def _gone(st: LocalState, ref: Reference, target_id: str, staged: set[Key], report: ApplyReport) -> bool:
    """Whether the target of a reference is gone for good (else the entity keeps waiting)."""
    target: Key = (ref.target, target_id)
    if target in staged or st.conflict(target) is not None:
        return False
    target_base = st.base(target)
    if st.is_pending(target) and target_base is not None and not target_base.deleted:
        # Deleted here, still live on the server, and something new refers to it: edit vs delete.
        if st.keep_conflict(target, local=None, remote=target_base, base=target_base.data, fields=()):
            report.new_conflicts.append(target)
        return False
    return True


def settle_incoming(st: LocalState, report: ApplyReport) -> None:
    """Apply or merge every staged server version; call when a pull has completed."""
    while True:
        while st.has_incoming() and _settle_pass(st, report):
            pass
        if not st.has_incoming() or not _orphan_pass(st, report):
            break
    st.recompute_derived()


__all__ = [
    "ApplyReport",
    "Reference",
    "apply_pulled",
    "references",
    "settle_incoming",
    "settle_with_local_edits",
    "take_delete",
    "take_upsert",
]

"""A backup of the artist's data as one JSON document, and restoring such a document as local edits.

The export holds every entity of every synced type with its id and its data (the wire format), in
parent-first order, so it is a complete backup of the database's content and can be compared
between computers (``entities`` is identical on two computers that hold the same data). File
contents are not inside: each file names its blob by SHA-256, kept in the file store and on the
sync server.

Importing validates the document entity by entity — the type's schema, the id, and every reference
(to an entity in the document or already on this computer). If any entity is refused, the refusals
are reported and nothing changes; otherwise everything is written in one transaction as ordinary
local edits, with one executemany per type (change capture records each row, the next sync pushes
them). Entities equal to what is
already here are left alone; nothing is deleted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from ..local_db.database import read_session, transaction
from ..schema.document_limits import data_too_deep
from ..schema.entities import (
    ARTIST_SERVER_OWNED,
    ENTITY_TYPES,
    SINGLETON_IDS,
    EntityValidationError,
    data_fields,
    validate_data,
)
from ..schema.fields import is_uuid, utc_now
from ..schema.wire import MAX_PUSH_BYTES, PROTOCOL_VERSION
from ..sync.batching import folder_depths
from ..sync.local_store import LocalState, references, table
from .errors import GigbagError
from .formatting import format_bytes
from .storage_limit import check_after_write, usage

FORMAT = "gigbag-export"
FORMAT_VERSION = 1


def export_document(engine: Engine) -> dict[str, Any]:
    """Every entity on this computer, by type (parents first), each ``{"id", "data"}``, sorted by id."""
    entities: dict[str, list[dict[str, Any]]] = {}
    with read_session(engine) as s:
        for entity_type in ENTITY_TYPES:
            t = table(entity_type)
            names = data_fields(entity_type)
            rows = s.execute(select(t).order_by(t.c.id)).mappings()
            entities[entity_type] = [{"id": r["id"], "data": {n: r[n] for n in names}} for r in rows]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "protocol": PROTOCOL_VERSION,
        "exported_at": utc_now(),
        "entities": entities,
    }


def write_export(engine: Engine, destination: Path) -> dict[str, int]:
    """Write the export to ``destination`` (atomically); return the number of entities per type."""
    document = export_document(engine)
    tmp = destination.with_name(destination.name + ".tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(destination)
    return {k: len(v) for k, v in document["entities"].items()}


class ImportFormatError(GigbagError):
    """The file is not a Gigbag export at all (nothing was changed)."""


@dataclass(frozen=True)
class Refusal:
    entity_type: str
    entity_id: str
    errors: dict[str, str]

    def __str__(self) -> str:
        detail = "; ".join(v if k == "__root__" else f"{k}: {v}" for k, v in self.errors.items())
        return f"{self.entity_type} {self.entity_id}: {detail}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    server_owned_kept: list[str] = field(default_factory=list)  # fields left as they are here

    @property
    def applied(self) -> bool:
        return not self.refused


def read_document(source: Path) -> dict[str, Any]:
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{source} cannot be read as a Gigbag export: {exc}") from None
    except RecursionError:
        raise ImportFormatError(
            f"{source} nests too deep to be a Gigbag export (Gigbag data is never that deep); nothing was imported"
        ) from None
    return check_format(document)


def check_format(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFormatError("this is not a Gigbag export (its format is not 'gigbag-export')")
    if document.get("version") != FORMAT_VERSION:
        raise ImportFormatError(f"this export has version {document.get('version')!r}; this Gigbag reads version 1")
    if not isinstance(document.get("entities"), dict):
        raise ImportFormatError("this export has no entities")
    return document


def _candidates(document: dict[str, Any], result: ImportResult) -> dict[tuple[str, str], dict[str, Any]]:
    """Entities that pass their own checks (type, id, schema); the others are refused."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for entity_type, items in document["entities"].items():
        if entity_type not in ENTITY_TYPES:
            result.refused.append(Refusal(str(entity_type), "*", {"entity_type": "is not a Gigbag entity type"}))
            continue
        if not isinstance(items, list):
            result.refused.append(Refusal(entity_type, "*", {"__root__": "must be a list of entities"}))
            continue
        for item in items:
            entity_id = item.get("id") if isinstance(item, dict) else None
            label = entity_id if isinstance(entity_id, str) else "?"
            if not isinstance(item, dict) or not isinstance(entity_id, str):
                result.refused.append(Refusal(entity_type, label, {"id": "every entity needs an id"}))
                continue
            fixed = SINGLETON_IDS.get(entity_type)
            if (fixed is not None and entity_id != fixed) or not is_uuid(entity_id):
                expected = f"must be {fixed}" if fixed else "must be a lowercase UUID"
                result.refused.append(Refusal(entity_type, label, {"id": expected}))
                continue
            if (entity_type, entity_id) in found:
                result.refused.append(Refusal(entity_type, entity_id, {"id": "appears twice in the file"}))
                continue
            unsyncable = _never_syncable(item.get("data"))
            if unsyncable:
                result.refused.append(Refusal(entity_type, entity_id, unsyncable))
                continue
            try:
                found[(entity_type, entity_id)] = validate_data(entity_type, item.get("data"))
            except EntityValidationError as exc:
                result.refused.append(Refusal(entity_type, entity_id, dict(exc.errors)))
    return found


def _never_syncable(data: Any) -> dict[str, str]:
    """Fields no server would ever accept: too deep, or a number that is not finite."""
    if not isinstance(data, dict):
        return {}
    deep = data_too_deep(data)
    if deep:
        return {"data": deep}
    size = len(json.dumps(data, ensure_ascii=False, allow_nan=True).encode("utf-8"))
    most = MAX_PUSH_BYTES // 2  # one item and the rest of its push must fit in one push body
    if size > most:
        return {"data": f"is {format_bytes(size)}; one item must stay under {format_bytes(most)} to sync"}
    errors: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, float) and not math.isfinite(value):
            errors[str(name)] = f"is {value!r}, not a finite number; it could never sync, so it cannot be imported"
    return errors


ServerOwned = Literal["refuse", "keep_local"]


def _server_owned(st: LocalState, data: dict[str, Any], policy: ServerOwned, result: ImportResult) -> dict[str, str]:
    """The artist's metrics are the server's: an import may not change them (``keep_local``: leave them)."""
    current = st.read("artists", SINGLETON_IDS["artists"])
    if current is None:
        model = ENTITY_TYPES["artists"]
        current = {n: model.model_fields[n].default for n in ARTIST_SERVER_OWNED}
    errors: dict[str, str] = {}
    for name in ARTIST_SERVER_OWNED:
        if data.get(name) == current.get(name):
            continue
        if policy == "keep_local":
            data[name] = current.get(name)
            result.server_owned_kept.append(name)
        else:
            errors[name] = (
                f"is {data.get(name)!r} in the file but {current.get(name)!r} here; it is set by the sync "
                "server, never by an import"
            )
    return errors


def import_document(
    engine: Engine,
    document: dict[str, Any],
    *,
    server_owned: ServerOwned = "refuse",
    before_commit: Callable[[], None] | None = None,
) -> ImportResult:
    """Validate every entity; apply all of them as local edits, or none when any is refused.

    ``before_commit`` runs inside the transaction once every entity is written (a restore stores the
    files' contents there: if that fails, nothing of the import is kept).
    """
    document = check_format(document)
    result = ImportResult()
    found = _candidates(document, result)
    with transaction(engine) as s:
        s.execute(text("PRAGMA defer_foreign_keys=ON"))  # a fork may come before the pattern it forks
        st = LocalState(s)
        used_before = (usage(s) or (0, 0))[0]
        artist_key = ("artists", SINGLETON_IDS["artists"])
        if artist_key in found:
            owned = _server_owned(st, found[artist_key], server_owned, result)
            if owned:
                result.refused.append(Refusal(*artist_key, owned))
                del found[artist_key]
        # References: to an accepted entity of the file, or to one already on this computer.
        changed = True
        while changed:
            changed = False
            for key, data in list(found.items()):
                for ref in references(key[0]):
                    target = data.get(ref.column)
                    if target is None or (ref.target, target) in found or st.exists(ref.target, target):
                        continue
                    result.refused.append(
                        Refusal(
                            key[0],
                            key[1],
                            {
                                ref.column: f"refers to {ref.target.replace('_', ' ')} {target}, which is neither "
                                "in the file nor on this computer"
                            },
                        )
                    )
                    del found[key]
                    changed = True
                    break
        if result.refused:
            s.rollback()
            return result
        depths = folder_depths({i: d.get("parent_folder_id") for (t, i), d in found.items() if t == "folders"})
        order = sorted(found, key=lambda k: (list(ENTITY_TYPES).index(k[0]), depths.get(k[1], 0), k[1]))
        ids_by_type: dict[str, list[str]] = {}
        for entity_type, entity_id in found:
            ids_by_type.setdefault(entity_type, []).append(entity_id)
        here = {entity_type: st.read_many(entity_type, ids) for entity_type, ids in ids_by_type.items()}
        try:
            # One executemany per run of the same type, in the order above (change capture logs each row).
            run: list[tuple[str, dict[str, Any]]] = []
            for position, key in enumerate(order):
                current = here[key[0]].get(key[1])
                if current == found[key]:
                    result.unchanged += 1
                else:
                    run.append((key[1], found[key]))
                    if current is None:
                        result.created += 1
                    else:
                        result.updated += 1
                if run and (position + 1 == len(order) or order[position + 1][0] != key[0]):
                    st.write_many(key[0], run)
                    run = []
            st.recompute_derived()
            s.flush()
            check_after_write(s, used_before)
            if before_commit is not None:
                before_commit()
        except IntegrityError as exc:
            raise GigbagError(f"The import breaks a rule of the database and was not applied: {exc.orig}") from None
    return result

"""Pulled rows are written without SQLite's CHECK constraints (``bulk_writes._checks_proven``), because the
entity schemas that validated them are what those constraints are derived from. Here the two are kept in
step: every type's valid data, its boundaries and tricky values that the schema accepts are written that
way, and ``PRAGMA integrity_check`` — which judges every CHECK of every row — must find nothing. The
control case writes a row that breaks a constraint the same way, to show that the check would see it.
"""

from __future__ import annotations

import sqlite3
import types
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from annotated_types import Ge, Le
from sqlalchemy import text

from gigbag.app.workspace import Workspace
from gigbag.local_db.change_capture import applying_server_changes
from gigbag.local_db.database import transaction
from gigbag.schema.entities import ENTITY_TYPES, EntityValidationError, data_fields
from gigbag.schema.quick_validation import quick_normalized_data
from gigbag.sync.bulk_writes import write_rows
from gigbag.sync.local_store import LocalState, references

NOW = "2026-12-01T10:00:00Z"
TRICKY: list[Any] = [
    *("", " ", "x", "é", "٢", "\u2028", "a" * 5000, "x\ny", "'; DROP TABLE files; --"),
    *("2026-02-29", "2024-02-29", "2026-13-01", "0001-01-01", "9999-12-31", "٢٠٢٦-03-04", "2026-3-4"),
    *("2026-12-01T10:00:00Z", "2026-12-01T10:00:00.123456Z", "2026-12-01T24:00:00Z", "2026-12-01T10:00:00"),
    *("cd" * 32, "CD" * 32, "cd" * 31, "https://example.org/a", "gig", "Salsa"),
    *(-1, 0, 1, 11, 12, 59, 60, 200, 300, 2**31, 2**53 - 1, -(2**53) + 1),
    *(-0.0, 0.5, 1.0, 1.5, 100.0, 1e-3, 1e15, True, False, None),
    [],
    ["a"],
    [1],
    ["a", "a"],
    [{"a": 1}],
    {},
    {"a": [1]},
    {"instruments": []},
]


_GIG = {"created_at": NOW, "updated_at": NOW, "date": "2026-03-04", "title": "Gig", "entry_type": "gig"}
_GIG_DATA = quick_normalized_data("timeline_entries", _GIG)


def _field_values(entity_type: str, name: str) -> list[Any]:
    """The field's own enum values and bounds (and just past them), for the values tried beside TRICKY."""
    field = ENTITY_TYPES[entity_type].model_fields[name]
    annotation, metadata = field.annotation, list(field.metadata)
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata += extra
        elif origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                break
            annotation = options[0]
        else:
            break
    out: list[Any] = list(get_args(annotation)) if get_origin(annotation) is Literal else []
    for meta in metadata:
        bound = meta.ge if isinstance(meta, Ge) else meta.le if isinstance(meta, Le) else None
        if isinstance(bound, int | float):
            out += [bound, bound - 1, bound + 1, bound - 0.5, bound + 0.5]
    return out


def _variants(entity_type: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """``data`` with one field at a time set to each value tried, as the schema normalizes what it accepts."""
    fixed = {ref.column for ref in references(entity_type)}  # a missing parent is the foreign keys' business
    accepted: list[dict[str, Any]] = []
    for name in data_fields(entity_type):
        if name in fixed:
            continue
        for value in [*TRICKY, *_field_values(entity_type, name)]:
            try:
                accepted.append(quick_normalized_data(entity_type, {**data, name: value}))
            except EntityValidationError:
                continue
    return accepted


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def test_what_the_schemas_accept_meets_every_check_written_without_them(
    tmp_path: Path, demo_entities: dict[str, list[dict[str, Any]]]
) -> None:
    written: dict[str, int] = {}
    with Workspace.open(tmp_path / "device") as ws:
        path = ws.paths.database
        with transaction(ws.engine) as s:
            s.execute(text("PRAGMA defer_foreign_keys=ON"))
            st = LocalState(s)
            with applying_server_changes(s):
                for entity_type in ENTITY_TYPES:  # parents first
                    rows = [
                        (row["id"], quick_normalized_data(entity_type, row["data"]))
                        for row in demo_entities.get(entity_type, [])
                    ] or [
                        (str(uuid.uuid4()), quick_normalized_data(entity_type, {"created_at": NOW, "updated_at": NOW}))
                    ]
                    for _, data in list(rows):
                        rows += [(str(uuid.uuid4()), variant) for variant in _variants(entity_type, data)]
                    write_rows(st, entity_type, rows)
                    written[entity_type] = len(rows)
    # Every type is tried, each with many accepted values (not only the demo's own rows).
    assert set(written) == set(ENTITY_TYPES)
    assert all(count > 20 for count in written.values()), written
    assert _integrity(path) == ["ok"]


def test_a_row_that_breaks_a_check_would_be_seen_and_the_connection_checks_again_after(tmp_path: Path) -> None:
    good = _GIG_DATA
    with Workspace.open(tmp_path / "device") as ws:
        path = ws.paths.database
        with transaction(ws.engine) as s:
            with applying_server_changes(s):
                write_rows(LocalState(s), "timeline_entries", [("t1", {**good, "entry_type": "concert"})])
            # The same connection judges its checks again once the write is done.
            with pytest.raises(Exception, match="CHECK constraint failed"):
                s.connection().exec_driver_sql(
                    "INSERT INTO timeline_entries (id, created_at, updated_at, date, title, entry_type) "
                    "VALUES ('t2', ?, ?, ?, ?, 'concert')",
                    (good["created_at"], good["updated_at"], good["date"], good["title"]),
                )
    assert _integrity(path) == ["CHECK constraint failed in timeline_entries"]


def test_a_title_of_one_nul_is_refused_by_its_check_as_before(tmp_path: Path) -> None:
    """The one known difference: the schema counts U+0000 as a character, SQLite's ``length()`` does not.
    Such a row (and its page) is written with the checks, and refused, as before."""
    with Workspace.open(tmp_path / "device") as ws:
        for title in ("\x00", "\x00Gig"):
            nul = quick_normalized_data("timeline_entries", {**_GIG, "title": title})  # the schema takes it
            with pytest.raises(Exception, match="CHECK constraint failed"), transaction(ws.engine) as s:  # noqa: SIM117
                with applying_server_changes(s):
                    write_rows(LocalState(s), "timeline_entries", [("t1", _GIG_DATA), ("t2", nul)])
        assert _integrity(ws.paths.database) == ["ok"]


def test_the_checks_are_on_again_when_the_write_fails(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "device") as ws:
        raw: list[Any] = []
        with pytest.raises(Exception, match="NOT NULL"), transaction(ws.engine) as s:
            raw.append(s.connection().connection.driver_connection)
            with applying_server_changes(s):
                write_rows(LocalState(s), "contact_lists", [("c1", {"created_at": None, "name": "Fans"})])
        assert raw[0].execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0

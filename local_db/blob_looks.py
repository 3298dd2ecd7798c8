"""Counting the changes of what this computer should hold in its file store, by SQLite triggers.

The contents a computer should hold are its files' (but the cloud-only ones) and its profile's pictures
(``sync.noop_rules.WANTED_BLOBS_SQL``). Looking whether each is in the store costs a ``stat`` per file on
every sync: 80 ms for 5,000 files, for a sync where nothing changed. These triggers move
``blob_looks.generation`` on every write that can change that set — whatever wrote it: the services, a
pull, a restore, a cascade — so a sync can tell that nothing changed since its last look found every
content here. They are not change capture: a pull's bulk writes never lift them. The DDL is frozen into
the migration that created them (0005); tests/local_db/test_blob_looks.py compares the two.
"""

from __future__ import annotations

_BUMP = "UPDATE blob_looks SET generation = generation + 1 WHERE id = 1"

# (table, the trigger's event, its name's suffix): a file's content or its place in the cloud-only list,
# and the profile's pictures.
_EVENTS = (
    ("files", "INSERT", "insert"),
    ("files", "DELETE", "delete"),
    ("files", "UPDATE OF blob_sha256", "update"),
    ("cloud_only_files", "INSERT", "insert"),
    ("cloud_only_files", "DELETE", "delete"),
    ("cloud_only_files", "UPDATE OF file_id", "update"),
    ("artists", "INSERT", "insert"),
    ("artists", "DELETE", "delete"),
    ("artists", "UPDATE OF avatar_url, banner_url", "update"),
)

BLOB_LOOK_TRIGGERS = [
    f"CREATE TRIGGER bl_{table}_{suffix} AFTER {event} ON {table} BEGIN {_BUMP}; END"
    for table, event, suffix in _EVENTS
]

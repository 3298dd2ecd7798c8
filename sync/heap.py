"""The collector's view of the heap during a push or a pull: what existed before is left out of its scans,
and collections are rarer.

A sync allocates per change (rows, bases, versions) and CPython's cyclic collector, triggered by those
allocations, scans every tracked object each time it reaches the oldest generation: the whole app's
heap (modules, SQLAlchemy and pydantic's structures, a window's models), not only the sync's. Measured
on the 20,000-entity bench, that was about a tenth of a push's and a pull's wall time. ``gc.freeze()``
moves what exists now into a generation the collector never scans, so collections see only what the
sync made, and still collect its cycles; ``gc.unfreeze()`` puts it all back when the last sync ends.
Nothing is lost: garbage among the frozen objects is collected after the unfreeze. A process that froze
its heap itself (the desktop app does at start, ``ui.main.settle_garbage_collector``) is left as it is:
unfreezing would undo that for good, and its heap is already out of the collector's scans.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_froze = False  # whether the outermost block froze the heap (not when the process had frozen it already)
# A push plans and answers per pending entity, and at Python's default (a collection every 700 allocations)
# a first upload of 20,000 ran 440 collections (72-103 ms). A pull allocates several tracked objects per change
# (its data, its version, its key, the row), nearly all freed with their page: at the default the collector
# ran dozens of times a page and was about a seventh of a first download's CPU. A collection finds the objects
# of the page in hand alive (up to 5,000 changes': about 30,000 objects) and scans them all: at 50,000
# allocations that was once or twice a first download of 20,000, 13-24 ms each; at 500,000 such a download
# runs none and a longer one one in about 20 pages. Still bounded: cycles are collected, and refcounting frees
# the rest.
SYNC_GC_THRESHOLDS = (500_000, 20, 20)
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_before: tuple[int, int, int] | None = None


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Within the block, the collector leaves out what existed when the first such block began."""
    global _depth, _froze
    with _lock:
        if _depth == 0:
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _froze:
                gc.unfreeze()


@contextmanager
def rarer_collections() -> Iterator[None]:
    """Within the block the collector runs at :data:`SYNC_GC_THRESHOLDS` (never more often than the
    process had it); the thresholds the process had come back when the last such block ends."""
    global _gc_depth, _gc_before
    with _gc_lock:
        if _gc_depth == 0:
            before = gc.get_threshold()
            _gc_before = before
            gc.set_threshold(*(max(a, b) for a, b in zip(before, SYNC_GC_THRESHOLDS, strict=True)))
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_before is not None:
                gc.set_threshold(*_gc_before)
                _gc_before = None

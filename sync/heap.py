"""The collector's view of the heap during a push or a pull: what existed before is left out of its scans.

A sync allocates per change (rows, bases, versions) and CPython's cyclic collector, triggered by those
allocations, scans every tracked object each time it reaches the oldest generation: the whole app's
heap (modules, SQLAlchemy and pydantic's structures, a window's models), not only the sync's. Measured
on the 20,000-entity bench, that was about a tenth of a push's and a pull's wall time. ``gc.freeze()``
moves what exists now into a generation the collector never scans, so collections see only what the
sync made, and still collect its cycles; ``gc.unfreeze()`` puts it all back when the last sync ends.
Nothing is lost: garbage among the frozen objects is collected after the unfreeze.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Within the block, the collector leaves out what existed when the first such block began."""
    global _depth
    with _lock:
        if _depth == 0:
            gc.freeze()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()

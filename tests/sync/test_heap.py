"""The sync's collector freeze never undoes a freeze the process made itself (the desktop app's, at start)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gigbag.sync.heap import older_objects_frozen


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_sync_freezes_what_exists_and_puts_it_back(unfrozen: None) -> None:
    with older_objects_frozen():
        assert gc.get_freeze_count() > 0
        with older_objects_frozen():  # nested: still frozen after the inner block
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_the_apps_own_freeze_survives_a_sync(unfrozen: None) -> None:
    gc.freeze()  # as ui.main.settle_garbage_collector does at start
    frozen = gc.get_freeze_count()
    with older_objects_frozen():
        pass
    assert gc.get_freeze_count() == frozen

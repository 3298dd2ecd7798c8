"""A pull or a push makes the cyclic collector run rarely (``heap.rarer_collections``) and gives the process its own
thresholds back afterwards, whatever happened, and never makes collections more frequent than they were."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from gigbag.sync.heap import SYNC_GC_THRESHOLDS, rarer_collections
from gigbag.sync.progress import ProgressEvent


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_collections_are_rarer_within_a_pull_and_as_before_after_it_even_after_an_error() -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), rarer_collections():
        assert gc.get_threshold() == SYNC_GC_THRESHOLDS
        with rarer_collections():  # a nested (or concurrent) pull
            pass
        assert gc.get_threshold() == SYNC_GC_THRESHOLDS
        raise RuntimeError("the pull failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_process_that_collects_more_rarely_already_keeps_its_thresholds() -> None:
    gc.set_threshold(1_000_000, 50, 5)
    with rarer_collections():
        assert gc.get_threshold() == (1_000_000, 50, 20)
    assert gc.get_threshold() == (1_000_000, 50, 5)


def thresholds_while(device: Any, phase: str) -> list[tuple[int, int, int]]:
    """The collector's thresholds at each progress event of ``phase`` of a sync of ``device``, from the
    default; the default is back after it."""
    gc.set_threshold(700, 10, 10)
    seen: list[tuple[int, int, int]] = []

    def progress(event: ProgressEvent) -> None:
        if event.phase == phase:
            seen.append(gc.get_threshold())

    device.sync(progress=progress)
    assert gc.get_threshold() == (700, 10, 10)
    return seen


def test_a_pull_applies_its_pages_with_rarer_collections(server: Any, email: str, make_device: Any) -> None:
    a, b = make_device("a"), make_device("b")
    a.login(server, email, create=True)
    a.ws.timeline.create({"date": "2025-05-01", "title": "Gig", "entry_type": "gig"})
    a.sync()
    b.login(server, email)
    seen = thresholds_while(b, "apply")
    assert seen and set(seen) == {SYNC_GC_THRESHOLDS}


def test_a_push_sends_its_batches_with_rarer_collections(server: Any, email: str, make_device: Any) -> None:
    a = make_device("a")
    a.login(server, email, create=True)
    a.ws.timeline.create({"date": "2025-05-01", "title": "Gig", "entry_type": "gig"})
    seen = thresholds_while(a, "push")
    assert seen and set(seen) == {SYNC_GC_THRESHOLDS}

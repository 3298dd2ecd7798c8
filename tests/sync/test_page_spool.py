"""The pull's page spool: pages come back in order from any start, from memory and from its file alike."""

from __future__ import annotations

import pytest

from gigbag.sync.page_spool import PageSpool, page_size


def _page(n: int) -> tuple[list[tuple[str, dict[str, object]]], int]:
    return [(f"id-{n}-{i}", {"title": f"Gig {n} {i}", "n": [i, 1.5, None]}) for i in range(3)], n


@pytest.mark.parametrize("budget", [0, 250, 10**9])  # all in the file, some of each, all in memory
@pytest.mark.parametrize("start", [0, 1, 4, 7, 9])
def test_pages_come_back_in_order_from_any_start(budget: int, start: int) -> None:
    pages = [_page(n) for n in range(8)]
    with PageSpool[tuple[list[tuple[str, dict[str, object]]], int]](in_memory=budget) as spool:
        for page in pages:
            spool.append(page, 100)
        assert list(spool.pages(start)) == pages[start:]
        assert list(spool.pages(start)) == pages[start:]  # read twice: the same


def test_memory_holds_only_up_to_its_budget_and_the_rest_goes_to_the_file() -> None:
    with PageSpool[int](in_memory=250) as spool:
        for n in range(5):
            spool.append(n, 100)
        assert spool._held == [0, 1]  # a third would pass the budget: it and every later one are filed
        assert spool._filed == 3
        assert list(spool.pages()) == [0, 1, 2, 3, 4]
    assert spool._held == [] and spool._file is None  # closed on leaving


def test_a_page_is_counted_by_its_texts_and_its_changes() -> None:
    assert page_size(["{}", None, "abc"]) == 5 + 3 * 200
    assert page_size([]) == 0

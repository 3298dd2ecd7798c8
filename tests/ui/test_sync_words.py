"""The words of the sync screens that belong to the UI: times of the last sync (no server needed)."""

from __future__ import annotations

import datetime as dt

from gigbag.ui.sync.words import last_sync_text, when_text


def test_times_of_the_last_sync():
    now = dt.datetime(2026, 5, 10, 15, 0, tzinfo=dt.UTC)
    assert when_text("2026-05-10T14:59:30Z", now) == "just now"
    assert when_text("2026-05-10T14:55:00Z", now) == "5 minutes ago"
    assert when_text("2026-05-10T14:58:30.123Z", now) == "1 minute ago"
    assert when_text(None, now) == "never"
    local = dt.datetime(2026, 5, 9, 9, 15, tzinfo=dt.UTC).astimezone()
    assert when_text("2026-05-09T09:15:00Z", now).endswith(local.strftime("%H:%M"))
    assert last_sync_text(None) == "Never synced"

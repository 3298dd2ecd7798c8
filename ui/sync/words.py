"""How sync times and counts read on screen ("today at 14:02", "3 changes to send")."""

from __future__ import annotations

import datetime as dt

from ...app.sync_words import count_of


def parse_time(stamp: str | None) -> dt.datetime | None:
    """An ISO timestamp from the database (UTC, "...Z") as an aware datetime; None when unreadable."""
    if not stamp:
        return None
    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def when_text(stamp: str | None, now: dt.datetime | None = None) -> str:
    """ "just now", "5 minutes ago", "today at 14:02", "yesterday at 09:15", "3 Mar at 10:00" (local time)."""
    when = parse_time(stamp)
    if when is None:
        return "never"
    now = now or dt.datetime.now(dt.UTC)
    seconds = (now - when).total_seconds()
    if -60 < seconds < 60:
        return "just now"
    if 0 < seconds < 3600:
        return f"{count_of(int(seconds // 60), 'minute')} ago"
    local = when.astimezone()
    today = now.astimezone().date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"today at {clock}"
    if local.date() == today - dt.timedelta(days=1):
        return f"yesterday at {clock}"
    day = f"{local.day} {local.strftime('%b')}"
    if local.year != today.year:
        day += f" {local.year}"
    return f"{day} at {clock}"


def last_sync_text(stamp: str | None) -> str:
    return "Never synced" if not stamp else f"Last synced {when_text(stamp)}"


def held_text(count: int) -> str:
    """Changes that wait until their conflict is resolved."""
    return f"{count_of(count, 'change')} {'waits' if count == 1 else 'wait'} until you resolve the conflicts."


def pending_text(count: int) -> str:
    return f"{count_of(count, 'change')} to send" if count else "Nothing to send"

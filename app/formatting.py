"""How numbers read in Gigbag, in the app and on the command line alike: durations, byte sizes, field names."""

from __future__ import annotations


def format_duration(seconds: float | None) -> str:
    """3:07 / 1:02:03; an empty string when unknown."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_bytes(n: int | None) -> str:
    """1.5 MB, 50 GB, counted in 1024s as the storage quota is (50 GB = 53,687,091,200 bytes)."""
    if n is None:
        return ""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{int(value)} byte" if int(value) == 1 else f"{int(value)} bytes"
            shown = f"{value:.1f}".removesuffix(".0") if value < 100 else f"{value:.0f}"
            return f"{shown} {unit}"
        value /= 1024
    return f"{value:.0f} TB"


def format_bytes_like(n: int, like: int) -> str:
    """``n`` in the unit :func:`format_bytes` picks for ``like`` ("0.4 MB" beside "3.4 MB", not "410 KB")."""
    unit = format_bytes(like).split()[-1]
    steps = {"KB": 1, "MB": 2, "GB": 3, "TB": 4}.get(unit)
    if steps is None:
        return format_bytes(n)
    value = n / 1024**steps
    return f"{value:.1f}".removesuffix(".0") + f" {unit}" if value >= 0.1 else format_bytes(n)


def humanize_field(name: str) -> str:
    """ "location_city" -> "Location city"."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def format_local_time(stamp: str | None) -> str:
    """An ISO-8601 UTC stamp as "1 Dec 2026, 21:30" in this computer's time zone; "never" when there is none.

    Only strftime codes every platform knows (``%b %Y %H %M``): ``%-d`` is glibc's and raises on Windows.
    """
    if not stamp:
        return "never"
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone()
    return f"{local.day} {local.strftime('%b %Y, %H:%M')}"

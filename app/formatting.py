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


def humanize_field(name: str) -> str:
    """ "location_city" -> "Location city"."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]

"""Dates and times as the artist's locale writes them (QLocale), never strftime's platform-only codes.

``%-d`` (day without a leading zero) exists in glibc only and raises on Windows; QLocale names the
days and months in the artist's language and works the same on every platform.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, QTime


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def day_text(day: dt.date, weekday: bool = False) -> str:
    """ "14 Jun 2025" (with ``weekday``, "Sat 14 Jun 2025"), the day and month names in the locale's language.

    The order stays day-month-year: the locales' own short formats are numeric ("3/1/25"), which reads
    as two different days on two continents.
    """
    return QLocale().toString(_qdate(day), "ddd d MMM yyyy" if weekday else "d MMM yyyy")


def local_time_text(when: dt.datetime) -> str:
    """An aware moment in the computer's time zone: "14 Jun 2025, 20:30" (the clock as the locale writes it)."""
    local = when.astimezone()
    locale = QLocale()
    clock = locale.toString(QTime(local.hour, local.minute), locale.timeFormat(QLocale.FormatType.ShortFormat))
    return f"{locale.toString(_qdate(local.date()), 'd MMM yyyy')}, {clock}"

"""Field types shared by every entity schema: ids, ISO-8601 UTC timestamps, dates, URLs, enums.

They are pydantic ``Annotated`` types, so one declaration gives the wire validation, the JSON
Schema served at ``/v1/schema`` and (through ``local_db``) the column and its CHECK constraint.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TIMESTAMP_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
SHA256_RE = r"^[0-9a-f]{64}$"


def _real_timestamp(value: str) -> str:
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _real_date(value: str) -> str:
    dt.date.fromisoformat(value)
    return value


EntityId = Annotated[str, StringConstraints(pattern=UUID_RE)]
Timestamp = Annotated[str, StringConstraints(pattern=TIMESTAMP_RE), AfterValidator(_real_timestamp)]
Date = Annotated[str, StringConstraints(pattern=DATE_RE), AfterValidator(_real_date)]
Sha256 = Annotated[str, StringConstraints(pattern=SHA256_RE)]
ShortText = Annotated[str, StringConstraints(max_length=500)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=100_000)]
Url = Annotated[str, StringConstraints(max_length=2000)]


def utc_now() -> str:
    """The current time as the ISO-8601 UTC text every timestamp column holds."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and re.match(UUID_RE, value) is not None

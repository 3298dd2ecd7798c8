"""The server's settings (data folder, database, limits, quotas) and the parsing of byte sizes.

One frozen :class:`ServerConfig` is built by the command line (or by tests) and handed to the
application; nothing reads the environment after start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .account_settings import AccountSettings

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# Umbrella's storage_quotas.limit_bytes default: 50 GB (53687091200 bytes) per artist.
DEFAULT_STORAGE_QUOTA_BYTES = 50 * GIB
# The uploads PRD's example daily limit (100 MB a day); the limit is off unless configured.
EXAMPLE_DAILY_UPLOAD_LIMIT_BYTES = 100 * MIB
DEFAULT_LOGIN_MAX_FAILURES = 5
DEFAULT_LOGIN_LOCKOUT_SECONDS = 30
MAX_LOGIN_LOCKOUT_SECONDS = 15 * 60
# tus: the largest single upload accepted (also bounded by the quota).
DEFAULT_MAX_UPLOAD_BYTES = 50 * GIB
# An unfinished tus upload is kept this long after its last byte arrived.
DEFAULT_UPLOAD_EXPIRY_SECONDS = 7 * 24 * 3600

SQLITE_FILE_NAME = "gigbag-server.sqlite3"

_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "ki": KIB,
    "kib": KIB,
    "mi": MIB,
    "mib": MIB,
    "gi": GIB,
    "gib": GIB,
    "ti": 1024 * GIB,
    "tib": 1024 * GIB,
}


def parse_size(text: str) -> int:
    """``"50GB"`` → bytes. Decimal units (kB, MB, GB, TB) and binary ones (KiB, MiB, GiB, TiB)."""
    match = _SIZE_RE.match(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (examples: 1048576, 100MB, 50GiB)")
    number, unit = match.groups()
    return int(number) * _UNITS[(unit or "").lower()]


def sqlalchemy_url(database_url: str) -> str:
    """A ``postgresql://`` URL as SQLAlchemy's psycopg 3 URL; other URLs are returned unchanged."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path
    database_url: str | None = None  # None: SQLite in data_dir
    blob_dir: Path | None = None  # None: data_dir / "blobs"
    storage_quota_bytes: int = DEFAULT_STORAGE_QUOTA_BYTES
    daily_upload_limit_bytes: int | None = None  # None: no daily limit
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    upload_expiry_seconds: int = DEFAULT_UPLOAD_EXPIRY_SECONDS
    login_max_failures: int = DEFAULT_LOGIN_MAX_FAILURES
    login_lockout_seconds: int = DEFAULT_LOGIN_LOCKOUT_SECONDS
    accounts: AccountSettings = field(default_factory=AccountSettings)  # sign-up, tiers, idle tokens

    @property
    def blobs_path(self) -> Path:
        return self.blob_dir if self.blob_dir is not None else self.data_dir / "blobs"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return sqlalchemy_url(self.database_url)
        return f"sqlite:///{(self.data_dir / SQLITE_FILE_NAME).resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

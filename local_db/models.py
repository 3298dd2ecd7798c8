"""The local tables of the artist's own data, one per synced entity type.

Each table is its entity's data schema (``schema.entities``) plus the primary key and a few
local-only columns; the CHECK constraints come from the same schema (``constraints``), and the
indexes follow the seeds (Umbrella's and SalsaNor's).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from ..schema import entities as e
from .constraints import table_checks

DEFAULT_STORAGE_LIMIT_BYTES = 53_687_091_200  # 50 GB, Umbrella's storage_quotas default


def _args(table: str, data: type[SQLModel], *extra: Any) -> tuple[Any, ...]:
    return (*table_checks(table, data.model_fields), *extra)


class Artist(e.ArtistData, table=True):
    __tablename__ = "artists"
    __table_args__ = _args(
        "artists",
        e.ArtistData,
        Index("idx_artists_verified", "verified"),
        Index("idx_artists_genre", "primary_genre"),
        Index("idx_artists_location", "location_city", "location_state"),
        Index("idx_artists_rating", "avg_rating"),
    )
    id: str = Field(default=e.ARTIST_ID, primary_key=True)
    # The account the profile belongs to once this computer has signed in (local only).
    user_id: str | None = Field(default=None, unique=True)


class UserPreferences(e.UserPreferencesData, table=True):
    __tablename__ = "user_preferences"
    __table_args__ = _args("user_preferences", e.UserPreferencesData)
    id: str = Field(default=e.PREFERENCES_ID, primary_key=True)


class Folder(e.FolderData, table=True):
    __tablename__ = "folders"
    __table_args__ = _args("folders", e.FolderData)
    id: str = Field(primary_key=True)


class File(e.FileData, table=True):
    __tablename__ = "files"
    __table_args__ = _args(
        "files",
        e.FileData,
        Index("idx_files_category", "category"),
        # The Files list pages through a folder's files by name.
        Index("idx_files_folder_filename", "folder_id", "filename"),
    )
    id: str = Field(primary_key=True)


class Track(e.TrackData, table=True):
    __tablename__ = "tracks"
    __table_args__ = _args("tracks", e.TrackData)
    id: str = Field(primary_key=True)


class Goal(e.GoalData, table=True):
    __tablename__ = "goals"
    __table_args__ = _args(
        "goals",
        e.GoalData,
        Index("idx_goals_completed", "completed"),
        Index("idx_goals_status", "status"),
    )
    id: str = Field(primary_key=True)
    # Local only: the sum of the goal's progress history, kept by triggers (change_capture.py).
    current_value: float = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class GoalProgress(e.GoalProgressData, table=True):
    __tablename__ = "goal_progress"
    __table_args__ = _args("goal_progress", e.GoalProgressData)
    id: str = Field(primary_key=True)


class TimelineEntry(e.TimelineEntryData, table=True):
    __tablename__ = "timeline_entries"
    __table_args__ = _args("timeline_entries", e.TimelineEntryData)
    id: str = Field(primary_key=True)


class JournalEntry(e.JournalEntryData, table=True):
    __tablename__ = "journal_entries"
    __table_args__ = _args("journal_entries", e.JournalEntryData)
    id: str = Field(primary_key=True)


class Pattern(e.PatternData, table=True):
    __tablename__ = "patterns"
    __table_args__ = _args(
        "patterns",
        e.PatternData,
        Index("idx_patterns_flavor", "flavor"),
        Index("idx_patterns_is_public", "is_public"),
        Index("idx_patterns_created_at", "created_at"),
    )
    id: str = Field(primary_key=True)


class ContactList(e.ContactListData, table=True):
    __tablename__ = "contact_lists"
    __table_args__ = _args("contact_lists", e.ContactListData)
    id: str = Field(primary_key=True)


class ContactListMember(e.ContactListMemberData, table=True):
    __tablename__ = "contact_list_members"
    __table_args__ = _args("contact_list_members", e.ContactListMemberData)
    id: str = Field(primary_key=True)


class StorageQuota(SQLModel, table=True):
    """Umbrella's storage_quotas: bytes used by files (kept by triggers) against the limit."""

    __tablename__ = "storage_quotas"
    __table_args__ = (CheckConstraint("used_bytes >= 0", name="ck_storage_quotas_used_bytes_not_negative"),)
    id: int = Field(default=1, primary_key=True)
    used_bytes: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    limit_bytes: int = Field(
        default=DEFAULT_STORAGE_LIMIT_BYTES,
        sa_column_kwargs={"server_default": text(str(DEFAULT_STORAGE_LIMIT_BYTES))},
    )


# Local-only columns computed by triggers from other rows: never copied when rows are restored.
DERIVED_COLUMNS: dict[str, set[str]] = {"goals": {"current_value"}}

# entity type -> table class, in the protocol's dependency order
TABLES: dict[str, type[SQLModel]] = {
    "artists": Artist,
    "user_preferences": UserPreferences,
    "folders": Folder,
    "files": File,
    "tracks": Track,
    "goals": Goal,
    "goal_progress": GoalProgress,
    "timeline_entries": TimelineEntry,
    "journal_entries": JournalEntry,
    "patterns": Pattern,
    "contact_lists": ContactList,
    "contact_list_members": ContactListMember,
}
assert list(TABLES) == list(e.ENTITY_TYPES)

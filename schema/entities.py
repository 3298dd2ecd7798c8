"""The data of every synced entity type: one schema shared by the local tables, the wire and the server.

Each ``*Data`` class lists the fields that travel in a change's ``data`` (the entity id travels
beside it, never inside). ``local_db`` turns each class into a table (adding the primary key and
local-only columns); the server validates pushed data with the same class and serves its JSON Schema.
The entity type name is the local table name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError, ValidationInfo, field_validator, model_validator
from sqlalchemy import JSON
from sqlmodel import AutoString, Field, SQLModel
from sqlmodel.main import SQLModelConfig

from .beat_catalog import check_configuration
from .blob_refs import BLOB_REF_PREFIX as BLOB_REF_PREFIX
from .blob_refs import blob_refs as blob_refs
from .fields import Date, EntityId, LongText, Sha256, ShortText, Timestamp, Title, Url

# Entities that exist once per account get the same id on every computer, so two computers that
# each created one offline hold one entity that merges field by field.
ARTIST_ID = "00000000-0000-4000-8000-00000000a001"
PREFERENCES_ID = "00000000-0000-4000-8000-00000000a002"

FileCategory = Literal["press_photo", "music", "video", "document", "other"]
GoalType = Literal["earnings", "gigs", "followers", "tracks", "custom"]
GoalStatus = Literal["active", "completed", "abandoned"]
TimelineEntryType = Literal["gig", "release", "milestone", "other"]
JournalEntryType = Literal["song_idea", "set_plan", "general_note"]
Flavor = Literal["Salsa", "Merengue"]
Theme = Literal["light", "dark", "auto"]


def _enum(default: Any = ..., nullable: bool = False) -> Any:
    return Field(default=default, sa_type=AutoString, nullable=nullable)


def _json_list() -> Any:
    return Field(default_factory=list, sa_type=JSON)


class EntityData(SQLModel):
    """Fields every entity has. ``extra="forbid"``: unknown fields are refused, not dropped."""

    model_config = SQLModelConfig(extra="forbid")

    created_at: Timestamp
    updated_at: Timestamp


class ArtistData(EntityData):
    """Umbrella's ``artists`` row: the artist's profile, one per account."""

    # Identity
    stage_name: Title
    legal_name: ShortText | None = None
    pronouns: ShortText | None = None
    location_city: ShortText | None = None
    location_state: ShortText | None = None
    location_country: ShortText | None = "US"
    location_zip: ShortText | None = None
    phone_number: ShortText | None = None
    # Story
    bio: LongText | None = None
    story: LongText | None = None
    tagline: ShortText | None = None
    # Creative profile
    primary_genre: ShortText | None = None
    secondary_genres: list[ShortText] = _json_list()
    influences: list[ShortText] = _json_list()
    artist_type: ShortText | None = None
    equipment: list[ShortText] = _json_list()
    daw: ShortText | None = None
    platforms: ShortText | None = None
    subscriptions: ShortText | None = None
    struggles: LongText | None = None
    # Rates and availability
    base_rate_flat: int | None = Field(default=None, ge=0)
    base_rate_hourly: int | None = Field(default=None, ge=0)
    rates_negotiable: bool = True
    largest_show_capacity: int | None = Field(default=None, ge=0)
    travel_radius_miles: int | None = Field(default=None, ge=0)
    available_weekdays: bool = True
    available_weekends: bool = True
    advance_booking_weeks: int | None = Field(default=2, ge=0)
    available_dates: list[Date] = _json_list()
    time_split_creative: int | None = Field(default=None, ge=0, le=100)
    time_split_logistics: int | None = Field(default=None, ge=0, le=100)
    # The six yes/no questions
    currently_making_music: bool | None = None
    confident_online_presence: bool | None = None
    struggles_creative_niche: bool | None = None
    knows_where_find_gigs: bool | None = None
    paid_fairly_performing: bool | None = None
    understands_royalties: bool | None = None
    tasks_outsource: LongText | None = None
    sound_uniqueness: LongText | None = None
    dream_venue: ShortText | None = None
    biggest_inspiration: ShortText | None = None
    favorite_create_time: ShortText | None = None
    platform_pain_point: LongText | None = None
    # Links
    website_url: Url | None = None
    instagram_handle: ShortText | None = None
    tiktok_handle: ShortText | None = None
    youtube_url: Url | None = None
    spotify_url: Url | None = None
    apple_music_url: Url | None = None
    soundcloud_url: Url | None = None
    facebook_url: Url | None = None
    twitter_url: Url | None = None
    bandcamp_url: Url | None = None
    # Media: an http(s) URL or "blob:<sha256>" for an image in the file store
    avatar_url: Url | None = None
    banner_url: Url | None = None
    # Metrics (server-owned: stored and shown, never edited locally)
    verified: bool = False
    avg_rating: float | None = Field(default=None, ge=0, le=5)
    total_reviews: int = Field(default=0, ge=0)
    total_gigs: int = Field(default=0, ge=0)
    total_earnings: int = Field(default=0, ge=0)
    profile_views: int = Field(default=0, ge=0)
    follower_count: int = Field(default=0, ge=0)
    # Onboarding
    step_1_complete: bool = False
    step_2_complete: bool = False
    step_3_complete: bool = False
    step_4_complete: bool = False
    step_5_complete: bool = False


ARTIST_SERVER_OWNED = (
    "verified",
    "avg_rating",
    "total_reviews",
    "total_gigs",
    "total_earnings",
    "profile_views",
    "follower_count",
)


class FolderData(EntityData):
    name: Title
    parent_folder_id: EntityId | None = Field(default=None, foreign_key="folders.id", ondelete="CASCADE", index=True)


class FileData(EntityData):
    """A file's metadata; its content is the blob named by ``blob_sha256`` (Umbrella's r2_key)."""

    filename: Title
    file_size_bytes: int = Field(ge=0)
    mime_type: ShortText
    blob_sha256: Sha256 = Field(index=True)
    category: FileCategory = _enum("other")
    folder_id: EntityId | None = Field(default=None, foreign_key="folders.id", ondelete="CASCADE", index=True)
    duration_seconds: float | None = Field(default=None, ge=0)


class TrackData(EntityData):
    """A portfolio track. ``display_order`` is a fractional-index key: moving a track rewrites only it."""

    title: Title
    duration_seconds: float | None = Field(default=None, ge=0)
    audio_file_id: EntityId = Field(foreign_key="files.id", index=True)
    cover_file_id: EntityId | None = Field(default=None, foreign_key="files.id", ondelete="SET NULL")
    preview_file_id: EntityId | None = Field(default=None, foreign_key="files.id", ondelete="SET NULL")
    genre: ShortText | None = Field(default=None, index=True)
    release_year: int | None = Field(default=None, ge=1900, le=2200)
    spotify_url: Url | None = None
    apple_music_url: Url | None = None
    soundcloud_url: Url | None = None
    display_order: str = Field(default="a0", min_length=1, max_length=200, index=True)
    plays: int = Field(default=0, ge=0)


class GoalData(EntityData):
    """A goal. Its current value is the sum of its progress history (see :class:`GoalProgressData`)."""

    title: Title
    description: LongText | None = None
    target_value: float | None = Field(default=None, ge=0)
    goal_type: GoalType = _enum("custom")
    target_date: Date | None = Field(default=None, index=True)
    completed: bool = False
    status: GoalStatus = _enum("active")

    @model_validator(mode="after")
    def _completed_follows_status(self) -> GoalData:
        if self.completed != (self.status == "completed"):
            raise ValueError("completed must be true exactly when status is 'completed'")
        return self


class GoalProgressData(EntityData):
    """One entry of a goal's append-only progress history: an amount added, with a note."""

    goal_id: EntityId = Field(foreign_key="goals.id", ondelete="CASCADE", index=True)
    value: float
    note: LongText | None = None
    recorded_at: Timestamp = Field(index=True)


class TimelineEntryData(EntityData):
    date: Date = Field(index=True)
    title: Title
    description: LongText | None = None
    entry_type: TimelineEntryType = _enum("other")


class JournalEntryData(EntityData):
    """A journal entry; ``content`` is a list of blocks such as ``{"type": "text", "text": "..."}``."""

    title: Title
    content: list[dict[str, Any]] = _json_list()
    entry_type: JournalEntryType = _enum("general_note")

    @field_validator("content")
    @classmethod
    def _blocks_have_types(cls, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, block in enumerate(blocks):
            if not isinstance(block.get("type"), str):
                raise ValueError(f"content block {i + 1} has no type")
        return blocks


class PatternData(EntityData):
    """A SalsaNor beat pattern; ``configuration`` is the beat machine's instrument configuration."""

    title: Title
    description: LongText | None = None
    flavor: Flavor = _enum("Salsa")
    bpm: int = Field(default=180, ge=80, le=250)
    key_note: int = Field(default=0, ge=0, le=11)
    is_public: bool = True
    configuration: dict[str, Any] = Field(sa_type=JSON)
    thumbnail_url: Url | None = None
    original_pattern_id: EntityId | None = Field(
        default=None, foreign_key="patterns.id", ondelete="SET NULL", index=True
    )
    published_at: Timestamp | None = None

    @field_validator("configuration")
    @classmethod
    def _configuration_fits_flavor(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        flavor = info.data.get("flavor")
        if flavor is not None:  # a bad flavor is reported on its own field
            check_configuration(flavor, value)
        return value


class UserPreferencesData(EntityData):
    """The beat machine's user preferences plus the app's theme and language; one per account."""

    default_bpm: int = Field(default=120, ge=80, le=250)
    default_key_note: int = Field(default=0, ge=0, le=11)
    default_flavor: Flavor = _enum("Salsa")
    use_glass_ui: bool = True
    auto_play: bool = False
    show_beat_numbers: bool = True
    default_volume: float = Field(default=1.0, ge=0, le=1)
    theme: Theme = _enum("auto")
    language: str = Field(default="en", min_length=2, max_length=10)
    notifications_enabled: bool = True
    email_notifications: bool = True


class ContactListData(EntityData):
    name: Title
    description: LongText | None = None


class ContactListMemberData(EntityData):
    list_id: EntityId = Field(foreign_key="contact_lists.id", ondelete="CASCADE", index=True)
    email: ShortText | None = None
    phone: ShortText | None = None
    name: ShortText | None = None
    opted_in_email: bool = True
    opted_in_sms: bool = True


# entity type (= local table name) -> its data schema, in dependency order (parents first).
ENTITY_TYPES: dict[str, type[EntityData]] = {
    "artists": ArtistData,
    "user_preferences": UserPreferencesData,
    "folders": FolderData,
    "files": FileData,
    "tracks": TrackData,
    "goals": GoalData,
    "goal_progress": GoalProgressData,
    "timeline_entries": TimelineEntryData,
    "journal_entries": JournalEntryData,
    "patterns": PatternData,
    "contact_lists": ContactListData,
    "contact_list_members": ContactListMemberData,
}

# Append-only types: entries are created once and never edited, so they merge by union.
APPEND_ONLY_TYPES = frozenset({"goal_progress"})
SINGLETON_IDS = {"artists": ARTIST_ID, "user_preferences": PREFERENCES_ID}


class EntityValidationError(ValueError):
    """Data that breaks its entity type's rules; ``errors`` maps field names to messages."""

    def __init__(self, entity_type: str, errors: dict[str, str]) -> None:
        self.entity_type = entity_type
        self.errors = errors
        detail = "; ".join(f"{k}: {v}" for k, v in errors.items())
        super().__init__(f"invalid {entity_type}: {detail}")


def _label(name: str) -> str:
    return name.replace("_", " ")


def _bounds(schema: type[SQLModel] | None, name: str) -> tuple[Any, Any]:
    field = schema.model_fields.get(name) if schema is not None else None
    if field is None:
        return None, None
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    return low, high


def _message(schema: type[SQLModel] | None, name: str, err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    label = _label(name)
    low, high = _bounds(schema, name)
    if kind in ("greater_than_equal", "less_than_equal") and low is not None and high is not None:
        return f"{label} must be between {low} and {high}"
    if kind == "greater_than_equal":
        return f"{label} must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{label} must be at most {ctx.get('le')}"
    if kind == "literal_error":
        return f"{label} must be one of {ctx.get('expected')}"
    if kind == "missing":
        return f"{label} is required"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return f"{label} must not be empty"
    if kind == "string_too_long":
        return f"{label} must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if "T" in pattern:
            return f"{label} must be a UTC time like 2025-06-30T20:00:00Z"
        if pattern.endswith("-\\d{2}$"):
            return f"{label} must be a date like 2025-06-30"
        return f"{label} is not in the expected format"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{label} must be a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"{label} must be a number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{label} must be yes or no"
    if kind == "extra_forbidden":
        return f"{label} is not a field of this item"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "value_error" and ("month must be" in msg or "day is out of range" in msg):
        return f"{label} is not a real date ({msg})"
    return msg


def field_errors(exc: ValidationError, schema: type[SQLModel] | None = None) -> dict[str, str]:
    """Pydantic errors as ``{field: message}`` with messages a person can read."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err["loc"]
        name = str(loc[0]) if loc else "__root__"
        out.setdefault(name, _message(schema, name, err))
    return out


def validate_data(entity_type: str, data: object) -> dict[str, Any]:
    """Validate ``data`` for ``entity_type``; return it normalized, or raise EntityValidationError."""
    model = _validated(entity_type, data)
    return ENTITY_TYPES[entity_type].__pydantic_serializer__.to_python(model, mode="json")  # type: ignore[no-any-return]


def check_data(entity_type: str, data: object) -> None:
    """Raise EntityValidationError unless ``data`` is valid for ``entity_type`` (the server stores data
    as sent, so it needs the verdict of :func:`validate_data`, not its normalized copy)."""
    _validated(entity_type, data)


def _validated(entity_type: str, data: object) -> SQLModel:
    schema = ENTITY_TYPES.get(entity_type)
    if schema is None:
        raise EntityValidationError(entity_type, {"entity_type": f"unknown entity type {entity_type!r}"})
    if not isinstance(data, dict):
        raise EntityValidationError(entity_type, {"data": "must be a JSON object"})
    try:
        # The schema's own pydantic validator and serializer, without SQLModel's per-call wrappers (for a
        # model that is not a table they do the same: the same validators, errors and dump).
        model = schema.__pydantic_validator__.validate_python(data)
    except ValidationError as exc:
        raise EntityValidationError(entity_type, field_errors(exc, schema)) from None
    except ValueError as exc:  # raised by a validator outside pydantic's wrapping
        raise EntityValidationError(entity_type, {"__root__": str(exc)}) from None
    return model


def data_fields(entity_type: str) -> list[str]:
    return list(ENTITY_TYPES[entity_type].model_fields)


def entity_json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each entity type's data, as served at ``GET /v1/schema``."""
    return {name: schema.model_json_schema() for name, schema in ENTITY_TYPES.items()}

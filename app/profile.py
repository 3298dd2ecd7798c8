"""The artist's profile (Umbrella's ``artists`` row, one per account) and its completion score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..local_db.models import Artist
from ..schema.entities import ARTIST_ID, ARTIST_SERVER_OWNED
from .entity_service import EntityService

# Umbrella's artist model: 7 required and 6 optional fields; complete at 60 or more.
REQUIRED_FIELDS = (
    "stage_name",
    "location_city",
    "location_state",
    "bio",
    "primary_genre",
    "base_rate_flat",
    "avatar_url",
)
OPTIONAL_FIELDS = (
    "tagline",
    "website_url",
    "instagram_handle",
    "spotify_url",
    "secondary_genres",
    "influences",
)
COMPLETE_AT = 60


@dataclass(frozen=True)
class Completion:
    score: int
    complete: bool
    missing_required: tuple[str, ...]
    missing_optional: tuple[str, ...]


def completion(values: dict[str, Any] | None) -> Completion:
    """Umbrella's formula: a field counts when truthy (0 and '' do not)."""
    values = values or {}
    miss_req = tuple(f for f in REQUIRED_FIELDS if not values.get(f))
    miss_opt = tuple(f for f in OPTIONAL_FIELDS if not values.get(f))
    req = len(REQUIRED_FIELDS) - len(miss_req)
    opt = len(OPTIONAL_FIELDS) - len(miss_opt)
    score = round((req / len(REQUIRED_FIELDS) * 0.7 + opt / len(OPTIONAL_FIELDS) * 0.3) * 100)
    return Completion(score, score >= COMPLETE_AT, miss_req, miss_opt)


class ProfileService(EntityService[Artist]):
    entity_type = "artists"
    table = Artist
    label = "profile"
    read_only_fields = frozenset(ARTIST_SERVER_OWNED)

    def current(self) -> Artist | None:
        return self.find(ARTIST_ID)

    def save(self, changes: dict[str, Any]) -> Artist:
        """Create the profile with ``changes`` or update it; the profile's id is the same everywhere."""
        if self.current() is None:
            return self.create(changes, entity_id=ARTIST_ID)
        return self.update(ARTIST_ID, changes)

    def completion(self) -> Completion:
        artist = self.current()
        return completion(artist.model_dump() if artist else None)

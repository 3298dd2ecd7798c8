"""The artist's preferences: beat-machine defaults, theme and language (one row per account)."""

from __future__ import annotations

from typing import Any

from ..local_db.models import UserPreferences
from ..schema.entities import PREFERENCES_ID
from ..schema.fields import utc_now
from .entity_service import EntityService


class PreferencesService(EntityService[UserPreferences]):
    entity_type = "user_preferences"
    table = UserPreferences
    label = "preferences"

    def current(self) -> UserPreferences:
        """The stored preferences, or the defaults (not written until something is changed)."""
        found = self.find(PREFERENCES_ID)
        if found is not None:
            return found
        now = utc_now()
        return UserPreferences(id=PREFERENCES_ID, created_at=now, updated_at=now)

    def save(self, changes: dict[str, Any]) -> UserPreferences:
        if self.find(PREFERENCES_ID) is None:
            return self.create(changes, entity_id=PREFERENCES_ID)
        return self.update(PREFERENCES_ID, changes)

"""The words a person reads for stored names: each enum value's label and the fields whose name on
screen is not their stored name.

One place for the app, the command line and every screen, so a journal entry's kind reads "Note"
in its form, in the conflicts view and in ``gigbag conflicts`` alike (never ``general_note``).
"""

from __future__ import annotations

from typing import Any

from .beat_catalog import NOTE_NAMES

FILE_CATEGORY_LABELS = {
    "press_photo": "Press photo",
    "music": "Music",
    "video": "Video",
    "document": "Document",
    "other": "Other",
}
GOAL_TYPE_LABELS = {
    "earnings": "Earnings",
    "gigs": "Gigs",
    "followers": "Followers",
    "tracks": "Tracks",
    "custom": "Custom",
}
GOAL_STATUS_LABELS = {"active": "Active", "completed": "Completed", "abandoned": "Abandoned"}
TIMELINE_TYPE_LABELS = {"gig": "Gig", "release": "Release", "milestone": "Milestone", "other": "Other"}
JOURNAL_TYPE_LABELS = {"song_idea": "Song idea", "set_plan": "Set plan", "general_note": "Note"}
THEME_LABELS = {"light": "Light", "dark": "Dark", "auto": "Same as the system"}

#: (entity type, field) -> {stored value: label}
VALUE_LABELS: dict[tuple[str, str], dict[Any, str]] = {
    ("files", "category"): FILE_CATEGORY_LABELS,
    ("goals", "goal_type"): GOAL_TYPE_LABELS,
    ("goals", "status"): GOAL_STATUS_LABELS,
    ("timeline_entries", "entry_type"): TIMELINE_TYPE_LABELS,
    ("journal_entries", "entry_type"): JOURNAL_TYPE_LABELS,
    ("user_preferences", "theme"): THEME_LABELS,
    ("patterns", "key_note"): dict(enumerate(NOTE_NAMES)),
    ("user_preferences", "default_key_note"): dict(enumerate(NOTE_NAMES)),
}

#: (entity type, field) -> the field's name on screen, where it is not the stored name in words
FIELD_LABELS: dict[tuple[str, str], str] = {
    ("patterns", "bpm"): "Tempo",
    ("patterns", "key_note"): "Key",
    ("user_preferences", "default_bpm"): "Default tempo",
    ("user_preferences", "default_key_note"): "Default key",
    ("files", "category"): "Kind",
    ("timeline_entries", "entry_type"): "Kind",
    ("journal_entries", "entry_type"): "Kind",
    ("goals", "goal_type"): "Kind of goal",
}


def field_label(entity_type: str, name: str) -> str:
    """ "bpm" of a pattern -> "Tempo"; any other field its stored name in words ("location_city" -> "Location city")."""
    label = FIELD_LABELS.get((entity_type, name))
    if label is not None:
        return label
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def value_label(entity_type: str, name: str, value: Any) -> str | None:
    """The label of an enum value ("general_note" -> "Note"), or None when the field has no labels."""
    labels = VALUE_LABELS.get((entity_type, name))
    if labels is None or isinstance(value, bool):
        return None
    try:
        return labels.get(value)
    except TypeError:  # an unhashable value (a list) is not an enum value
        return None

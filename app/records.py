"""The records the app's services hand out, by name, for the rooms above (the desktop's sections).

A section shows and edits records it got from a service (``workspace.tracks.get(id)`` is a
``Track``) and never opens a database session: these are detached rows whose fields are plain values.
The UI names their types from here, so it needs nothing of ``local_db``.
"""

from __future__ import annotations

from ..local_db.models import (
    Artist,
    ContactList,
    ContactListMember,
    File,
    Folder,
    Goal,
    GoalProgress,
    JournalEntry,
    Pattern,
    TimelineEntry,
    Track,
)

__all__ = [
    "Artist",
    "ContactList",
    "ContactListMember",
    "File",
    "Folder",
    "Goal",
    "GoalProgress",
    "JournalEntry",
    "Pattern",
    "TimelineEntry",
    "Track",
]

"""Career milestones on a dated timeline (gig, release, milestone, other)."""

from __future__ import annotations

from ..local_db.models import TimelineEntry
from .entity_service import EntityService


class TimelineService(EntityService[TimelineEntry]):
    entity_type = "timeline_entries"
    table = TimelineEntry
    label = "timeline entry"
    search_columns = ("title", "description")
    default_order = ("-date", "-created_at")

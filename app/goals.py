"""Goals and their append-only progress history; percent done and days left.

A goal's current value is the sum of its progress entries (kept by a trigger), so progress
recorded on two computers merges by union and never conflicts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from ..local_db.models import Goal, GoalProgress
from ..schema.fields import utc_now
from .entity_service import EntityService, ListQuery
from .errors import ValidationFailed


@dataclass(frozen=True)
class GoalStanding:
    percent: float | None  # None when the goal has no target value
    days_left: int | None  # None when the goal has no target date
    overdue: bool


def standing(goal: Goal, today: dt.date | None = None) -> GoalStanding:
    today = today or dt.date.today()
    percent = None
    if goal.target_value:
        percent = max(0.0, min(100.0, 100.0 * goal.current_value / goal.target_value))
    days_left = None
    if goal.target_date:
        days_left = (dt.date.fromisoformat(goal.target_date) - today).days
    overdue = days_left is not None and days_left < 0 and goal.status == "active"
    return GoalStanding(percent, days_left, overdue)


class GoalService(EntityService[Goal]):
    entity_type = "goals"
    table = Goal
    label = "goal"
    search_columns = ("title", "description")
    # Active goals first, then abandoned, then completed; the nearest deadline first, goals
    # without a deadline after those with one.
    default_order = ("completed", "-status", "target_date", "-created_at")
    nulls_last = frozenset({"target_date"})

    def prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        if "status" in values and "completed" not in values:
            return {**values, "completed": values["status"] == "completed"}
        return values

    def update(self, entity_id: str, changes: dict[str, Any]) -> Goal:
        changes = dict(changes)
        if "status" in changes and "completed" not in changes:
            changes["completed"] = changes["status"] == "completed"
        elif "completed" in changes and "status" not in changes:
            changes["status"] = "completed" if changes["completed"] else "active"
        return super().update(entity_id, changes)

    def set_status(self, goal_id: str, status: str) -> Goal:
        return self.update(goal_id, {"status": status})


class GoalProgressService(EntityService[GoalProgress]):
    """Progress entries are appended and may be removed, never edited."""

    entity_type = "goal_progress"
    table = GoalProgress
    label = "progress entry"
    default_order = ("recorded_at",)

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: GoalProgress | None) -> None:
        if session.get(Goal, data["goal_id"]) is None:
            raise ValidationFailed({"goal_id": "the goal does not exist"})

    def record(
        self, goal_id: str, value: float, note: str | None = None, recorded_at: str | None = None
    ) -> GoalProgress:
        return self.create(
            {"goal_id": goal_id, "value": value, "note": note or None, "recorded_at": recorded_at or utc_now()}
        )

    def update(self, entity_id: str, changes: dict[str, Any]) -> GoalProgress:
        raise ValidationFailed({"__root__": "progress history is append-only: record a new entry instead"})

    def history(self, goal_id: str) -> list[GoalProgress]:
        return self.list(ListQuery(filters={"goal_id": goal_id}, order_by=("recorded_at",)))

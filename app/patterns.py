"""Beat patterns of the SalsaNor beat machine: create, fork, and the configuration JSON in and out."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from ..local_db.models import Pattern
from ..schema.beat_catalog import catalog
from ..schema.entities import field_errors
from .entity_service import EntityService
from .errors import ValidationFailed


class PatternService(EntityService[Pattern]):
    entity_type = "patterns"
    table = Pattern
    label = "pattern"
    search_columns = ("title", "description", "flavor")
    default_order = ("-updated_at",)

    def defaults(self) -> dict[str, Any]:
        return {"is_public": False}

    def check(self, session: Session, data: dict[str, Any], entity_id: str, existing: Pattern | None) -> None:
        original = data.get("original_pattern_id")
        if original is not None and session.get(Pattern, original) is None:
            raise ValidationFailed({"original_pattern_id": "the original pattern does not exist"})

    def new(self, title: str, flavor: str = "Salsa", **values: Any) -> Pattern:
        """A pattern with the flavor's default tempo, key and instruments."""
        cat = catalog().get(flavor)
        if cat is None:
            raise ValidationFailed({"flavor": f"flavor must be one of {', '.join(catalog())}"})
        return self.create(
            {
                "title": title,
                "flavor": flavor,
                "bpm": cat.default_bpm,
                "key_note": cat.default_key_note,
                "configuration": cat.default_configuration(),
                **values,
            }
        )

    def fork(self, pattern_id: str, title: str | None = None) -> Pattern:
        """A copy of a pattern that remembers where it came from."""
        original = self.get(pattern_id)
        return self.create(
            {
                "title": (title or f"{original.title} (fork)")[:200],
                "description": original.description,
                "flavor": original.flavor,
                "bpm": original.bpm,
                "key_note": original.key_note,
                "is_public": False,
                "configuration": original.configuration,
                "original_pattern_id": original.id,
            }
        )

    def set_flavor(self, pattern_id: str, flavor: str) -> Pattern:
        """Switch flavor: the instruments change, so the configuration starts from that flavor's defaults."""
        cat = catalog().get(flavor)
        if cat is None:
            raise ValidationFailed({"flavor": f"flavor must be one of {', '.join(catalog())}"})
        return self.update(pattern_id, {"flavor": flavor, "configuration": cat.default_configuration()})

    def export_configuration(self, pattern_id: str) -> str:
        return json.dumps(self.get(pattern_id).configuration, indent=2)

    def import_configuration(self, pattern_id: str, text: str) -> Pattern:
        """Replace a pattern's configuration with SalsaNor configuration JSON (validated first)."""
        try:
            configuration = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed({"configuration": f"not valid JSON: {exc.msg} (line {exc.lineno})"}) from None
        return self.update(pattern_id, {"configuration": configuration})


__all__ = ["PatternService", "field_errors"]

"""Journal entries: song ideas, set plans and notes, written as a list of text blocks."""

from __future__ import annotations

from typing import Any

from ..local_db.models import JournalEntry
from .entity_service import EntityService


def text_blocks(text: str) -> list[dict[str, Any]]:
    """Paragraphs of ``text`` as journal content blocks."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return [{"type": "text", "text": p} for p in paragraphs if p]


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    return "\n\n".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")


class JournalService(EntityService[JournalEntry]):
    entity_type = "journal_entries"
    table = JournalEntry
    label = "journal entry"
    search_columns = ("title", "content")
    default_order = ("-updated_at",)

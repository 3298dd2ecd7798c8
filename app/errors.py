"""The errors services raise, each with words a person can act on."""

from __future__ import annotations

from ..local_db.blob_store import BlobStoreError
from ..local_db.migrate import MigrationError

__all__ = ["BlobStoreError", "GigbagError", "MigrationError", "NotFound", "ValidationFailed"]


class GigbagError(Exception):
    """Base of every error a service reports to the artist."""


class ValidationFailed(GigbagError):
    """Input was refused; ``errors`` maps each field to what is wrong with it. Nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k.replace('_', ' ')}: {v}" if k != "__root__" else v for k, v in errors.items()))

    def __str__(self) -> str:
        parts = []
        for field, message in self.errors.items():
            parts.append(
                message
                if field == "__root__" or message.startswith(field.replace("_", " "))
                else f"{field.replace('_', ' ')}: {message}"
            )
        return "; ".join(parts)


class NotFound(GigbagError):
    def __init__(self, what: str, entity_id: str) -> None:
        super().__init__(f"{what} {entity_id} does not exist (it may have been deleted)")
        self.entity_id = entity_id

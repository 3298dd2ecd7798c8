"""What every section of the window is given: the workspace, the operation runner, the undo stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from .operations import OperationRunner

if TYPE_CHECKING:  # the window's frame is built before the database stack is imported
    from ..app.workspace import Workspace


class DataEvents(QObject):
    """Announces that stored data changed, so every view showing it can refresh.

    ``changed`` carries the entity types touched (e.g. {"tracks", "files"}); an empty set means
    "anything may have changed" (after a sync or an import).
    """

    changed = Signal(object)

    def emit_changed(self, *entity_types: str) -> None:
        self.changed.emit(set(entity_types))


@dataclass
class UiContext:
    workspace: Workspace
    ops: OperationRunner
    undo: QUndoStack
    events: DataEvents

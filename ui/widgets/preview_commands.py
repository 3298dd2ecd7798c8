"""Making and removing a track's preview as steps of the undo stack, like every other edit.

The first run cuts the clip (``app.previews``) on the writer thread with the operation's progress and
cancel; undo and redo then only move the track's preview between the two states the service recorded.
"""

from __future__ import annotations

from typing import Any

from ...app.previews import PreviewChange
from ..context import UiContext
from ..operations import OpContext
from .undo_commands import ServiceCommand


class PreviewCommand(ServiceCommand):
    """``Make preview`` (a range, or the default one when ``start``/``length`` are None) or ``Remove preview``."""

    def __init__(
        self,
        ctx: UiContext,
        track_id: str,
        start: float | None = None,
        length: float | None = None,
        *,
        remove: bool = False,
    ) -> None:
        super().__init__(ctx, "Remove preview" if remove else "Make preview", {"tracks", "files"})
        self.track_id = track_id
        self.start = start
        self.length = length
        self.remove = remove
        self.change: PreviewChange | None = None

    def forward(self, op: OpContext) -> Any:
        previews = self.ctx.workspace.previews
        if self.change is not None:
            previews.redo(self.change)
        elif self.remove:
            self.change = previews.remove_preview(self.track_id)
        else:
            self.change = previews.make_preview(
                self.track_id,
                self.start,
                self.length,
                progress=lambda done, total: op.progress(done, total, "Cutting the preview…"),
                cancelled=lambda: op.cancelled,
            )
        return self.change

    def backward(self, op: OpContext) -> Any:
        assert self.change is not None
        self.ctx.workspace.previews.undo(self.change)
        return self.change

"""Undo and redo of the artist's edits: commands whose steps are service calls run on the writer thread.

A change is made first (``execute``), and only when the service accepted it is the command pushed on
the workspace's undo stack, so a refused edit (a ValidationFailed shown next to its field) never
leaves a step that undoes nothing. Undo and redo run through ``ctx.ops.write`` like every other
write (one writer thread, in order) and announce the entity types they touched so views refresh.
Deletes keep the service's :class:`DeletedSnapshot` and undo puts every row back, cascades included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtGui import QUndoCommand

from ...app.entity_service import DeletedSnapshot, EntityService
from ..context import UiContext
from ..operations import OpContext, Operation


class ServiceCommand(QUndoCommand):
    """An undoable change. Subclasses implement :meth:`forward` and :meth:`backward` (worker thread)."""

    def __init__(self, ctx: UiContext, text: str, entity_types: Iterable[str]) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.entity_types = set(entity_types)
        self._skip_next_redo = False
        #: called on the UI thread after each undo (False) or redo (True), with the step's result
        self.applied: Callable[[bool, Any], None] | None = None

    # ---- worker-thread steps --------------------------------------------------------------
    def forward(self, op: OpContext) -> Any:
        """Make the change (the first time) or make it again (redo)."""
        raise NotImplementedError

    def backward(self, op: OpContext) -> Any:
        """Take the change back."""
        raise NotImplementedError

    # ---- QUndoCommand ----------------------------------------------------------------------
    def redo(self) -> None:
        if self._skip_next_redo:  # the change was already made by execute()
            self._skip_next_redo = False
            return
        self._run(self.forward, True)

    def undo(self) -> None:
        self._run(self.backward, False)

    def _run(self, step: Callable[[OpContext], Any], redo: bool) -> None:
        verb = "Redo" if redo else "Undo"

        def done(result: Any) -> None:
            self.ctx.events.emit_changed(*self.entity_types)
            if self.applied is not None:
                self.applied(redo, result)

        self.ctx.ops.write(step).with_label(f"{verb} {self.text()}").success(done).run()


def execute(
    ctx: UiContext,
    command: ServiceCommand,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], bool | None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Operation[Any]:
    """Make ``command``'s change on the writer thread; when it succeeds, push it on the undo stack.

    ``on_failure`` gets the service's error (e.g. ValidationFailed) and returns False to let the
    window's error handler show it as well; without it every error goes to that handler.
    """

    def succeeded(result: Any) -> None:
        command._skip_next_redo = True
        ctx.undo.push(command)
        ctx.events.emit_changed(*command.entity_types)
        if on_success is not None:
            on_success(result)

    op = ctx.ops.write(command.forward).with_label(command.text()).success(succeeded)
    if on_failure is not None:
        op.failure(on_failure)
    if on_progress is not None:
        op.progress(on_progress)
    return op.run()


def reassign_steps(
    ids: Sequence[str], current: Callable[[str], Any], assign: Callable[[str, Any], object], value: Any
) -> tuple[Callable[[], None], Callable[[], None], Callable[[], None]]:
    """``do``, ``undo`` and ``redo`` for a :class:`CallCommand` that gives every id the same new value
    (a folder, a kind): ``do`` remembers each one's old value first, ``undo`` puts them back."""
    old: dict[str, Any] = {}

    def do() -> None:
        old.update({i: current(i) for i in ids})
        redo()

    def undo() -> None:
        for i, was in old.items():
            assign(i, was)

    def redo() -> None:
        for i in ids:
            assign(i, value)

    return do, undo, redo


class CallCommand(ServiceCommand):
    """A change given as two functions: ``do`` (also redo unless ``redo`` is given) and ``undo``."""

    def __init__(
        self,
        ctx: UiContext,
        text: str,
        entity_types: Iterable[str],
        do: Callable[[], Any],
        undo: Callable[[], Any],
        redo: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(ctx, text, entity_types)
        self._do = do
        self._undo = undo
        self._redo = redo
        self._done_once = False

    def forward(self, op: OpContext) -> Any:
        if self._done_once and self._redo is not None:
            return self._redo()
        self._done_once = True
        return self._do()

    def backward(self, op: OpContext) -> Any:
        return self._undo()


class UpdateCommand(ServiceCommand):
    """Change fields of one entity; undo writes back the values they had."""

    def __init__(
        self,
        ctx: UiContext,
        service: EntityService[Any],
        entity_id: str,
        changes: dict[str, Any],
        text: str | None = None,
        entity_types: Iterable[str] | None = None,
    ) -> None:
        super().__init__(ctx, text or f"Edit {service.label}", entity_types or {service.entity_type})
        self.service = service
        self.entity_id = entity_id
        self.changes = dict(changes)
        self.before: dict[str, Any] | None = None

    def forward(self, op: OpContext) -> Any:
        if self.before is None:
            current = self.service.get(self.entity_id)
            self.before = {k: getattr(current, k) for k in self.changes}
        return self.service.update(self.entity_id, self.changes)

    def backward(self, op: OpContext) -> Any:
        assert self.before is not None
        return self.service.update(self.entity_id, self.before)


class CreateCommand(ServiceCommand):
    """Create something; undo deletes what was created (keeping snapshots), redo restores them.

    ``create`` runs once and returns the new row. ``created`` lists what the creation made, as
    (service, id) pairs in the order they must be deleted (dependents first); by default the new
    row itself.
    """

    def __init__(
        self,
        ctx: UiContext,
        text: str,
        entity_types: Iterable[str],
        create: Callable[[OpContext], Any],
        created: Callable[[Any], Sequence[tuple[EntityService[Any], str]]] | None = None,
        service: EntityService[Any] | None = None,
    ) -> None:
        super().__init__(ctx, text, entity_types)
        self._create = create
        self._created_fn = created
        self._service = service
        self.created: list[tuple[EntityService[Any], str]] = []
        self._snapshots: list[tuple[EntityService[Any], DeletedSnapshot]] = []
        self.result: Any = None

    def forward(self, op: OpContext) -> Any:
        if not self.created:
            row = self._create(op)
            self.result = row
            if self._created_fn is not None:
                self.created = list(self._created_fn(row))
            elif self._service is not None:
                self.created = [(self._service, row.id)]
            else:
                raise TypeError("CreateCommand needs `created` or `service`")
            return row
        for service, snapshot in reversed(self._snapshots):
            service.restore(snapshot)
        self._snapshots = []
        return self.result

    def backward(self, op: OpContext) -> Any:
        self._snapshots = []
        for service, entity_id in self.created:
            if service.find(entity_id) is not None:
                self._snapshots.append((service, service.delete(entity_id)))
        return None


class DeleteCommand(ServiceCommand):
    """Delete entities (with whatever cascades); undo restores the service's snapshot."""

    def __init__(
        self,
        ctx: UiContext,
        service: EntityService[Any],
        entity_ids: Sequence[str],
        text: str | None = None,
        entity_types: Iterable[str] | None = None,
    ) -> None:
        n = len(entity_ids)
        super().__init__(
            ctx,
            text or (f"Delete {service.label}" if n == 1 else f"Delete {n} items"),
            entity_types or {service.entity_type},
        )
        self.service = service
        self.entity_ids = list(entity_ids)
        self.snapshot: DeletedSnapshot | None = None

    def forward(self, op: OpContext) -> Any:
        self.snapshot = self.service.delete_many(self.entity_ids)
        return self.snapshot

    def backward(self, op: OpContext) -> Any:
        assert self.snapshot is not None
        self.service.restore(self.snapshot)
        return None

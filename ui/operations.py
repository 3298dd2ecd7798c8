"""Running the app's work off the UI thread: one call per operation, progress and errors in one place.

Modelled on Anki's CollectionOp: ``ops.write(fn).success(cb).run()``. ``fn`` runs on a worker thread
and gets an :class:`OpContext` to report progress and check for cancellation; success and failure
callbacks run back on the UI thread. Writes go through a pool of one thread (one writer, in the
order they were asked for); reads use a separate pool. An error nobody handles is shown by the
window's handler (``OperationRunner.unhandled_error``), with the service's words.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

T = TypeVar("T")

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside an operation when the person pressed Cancel."""


class OpContext:
    """Given to the function of an operation: report progress, check for cancellation."""

    def __init__(self, signals: _OpSignals, cancel_event: threading.Event) -> None:
        self._signals = signals
        self._cancel = cancel_event

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        self._signals.progress.emit(int(done), int(total), text)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


class _OpSignals(QObject):
    # 64-bit counts: byte progress of files over 2 GB would overflow a C++ int
    progress = Signal("qint64", "qint64", str)  # type: ignore[arg-type]
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[OpContext], Any], signals: _OpSignals, cancel: threading.Event) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._signals = signals
        self._cancel = cancel

    def run(self) -> None:
        try:
            result = self._fn(OpContext(self._signals, self._cancel))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._signals.failed.emit(exc)
        else:
            self._signals.succeeded.emit(result)
        finally:
            self._signals.finished.emit()


class Operation(Generic[T]):
    """A configured operation; call :meth:`run` to start it."""

    def __init__(self, runner: OperationRunner, fn: Callable[[OpContext], T], pool: QThreadPool) -> None:
        self._runner = runner
        self._fn = fn
        self._pool = pool
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], bool | None] | None = None
        self._on_progress: Callable[[int, int, str], None] | None = None
        self._on_finished: Callable[[], None] | None = None
        self.cancel_event = threading.Event()
        self.label = ""

    def success(self, cb: Callable[[T], None]) -> Operation[T]:
        self._on_success = cb
        return self

    def failure(self, cb: Callable[[BaseException], bool | None]) -> Operation[T]:
        """``cb`` handles an error; return False from it to let the window's handler show it too."""
        self._on_failure = cb
        return self

    def progress(self, cb: Callable[[int, int, str], None]) -> Operation[T]:
        self._on_progress = cb
        return self

    def finished(self, cb: Callable[[], None]) -> Operation[T]:
        self._on_finished = cb
        return self

    def with_label(self, label: str) -> Operation[T]:
        self.label = label
        return self

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> Operation[T]:
        signals = _OpSignals()
        runner = self._runner

        def succeeded(result: object) -> None:
            if self._on_success is not None:
                self._on_success(result)  # type: ignore[arg-type]

        def failed(exc: object) -> None:
            assert isinstance(exc, BaseException)
            if isinstance(exc, Cancelled):
                return
            if self._on_failure is None or self._on_failure(exc) is False:
                runner.unhandled_error.emit(exc)

        def finished() -> None:
            runner._done(self, signals)
            if self._on_finished is not None:
                self._on_finished()

        signals.succeeded.connect(succeeded)
        signals.failed.connect(failed)
        signals.finished.connect(finished)
        if self._on_progress is not None:
            signals.progress.connect(self._on_progress)
        runner._started(self, signals)
        self._pool.start(_Runnable(self._fn, signals, self.cancel_event))
        return self


class OperationRunner(QObject):
    """Hands out operations; knows how many are running (for the busy indicator and for tests)."""

    unhandled_error = Signal(object)
    busy_changed = Signal(bool)
    #: an operation started or finished (the labels of what runs may have changed)
    running_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
        self._running: dict[int, tuple[Operation[Any], _OpSignals]] = {}
        self._quiet: list[_OpSignals] = []  # kept alive until their work finished

    def write(self, fn: Callable[[OpContext], T]) -> Operation[T]:
        """An operation that writes: runs on the single writer thread, in order."""
        return Operation(self, fn, self._writer)

    def read(self, fn: Callable[[OpContext], T]) -> Operation[T]:
        """An operation that only reads (may run beside others)."""
        return Operation(self, fn, self._readers)

    def background(self, fn: Callable[[OpContext], object]) -> None:
        """Work nobody waits to see (warming caches): on a reader thread, not shown as busy, errors only logged.

        Closing still waits for it (:meth:`wait_for_done`), so it never runs while the app shuts down.
        """
        signals = _OpSignals()
        signals.failed.connect(lambda exc: log.warning("background work failed: %s", exc))
        self._quiet.append(signals)
        signals.finished.connect(lambda: self._quiet.remove(signals))
        self._readers.start(_Runnable(fn, signals, threading.Event()))

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def _started(self, op: Operation[Any], signals: _OpSignals) -> None:
        was_busy = self.busy
        self._running[id(op)] = (op, signals)
        if not was_busy:
            self.busy_changed.emit(True)
        self.running_changed.emit()

    def _done(self, op: Operation[Any], signals: _OpSignals) -> None:
        self._running.pop(id(op), None)
        if not self.busy:
            self.busy_changed.emit(False)
        self.running_changed.emit()

    def cancel_all(self) -> None:
        for op, _signals in list(self._running.values()):
            op.cancel()

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until worker threads are idle (for shutdown and tests; queued callbacks run later)."""
        return self._writer.waitForDone(msecs) and self._readers.waitForDone(msecs)

"""Asking the UI thread a question from a worker thread, and waiting for the answer.

A worker (a sync, say) sometimes needs a person's decision before it goes on. :func:`ask_ui_thread`
runs ``ask()`` on the UI thread — which shows a dialog, or anything else, and returns at
once — and blocks the worker until someone calls ``question.answer(value)`` from any thread: the
dialog when it closes, or a Cancel button answering the default. The worker sleeps on an event,
without polling. (MusicBrainz Picard's ``to_main_with_blocking`` is the model; this one waits for
an answer given later, not for the function to return.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

T = TypeVar("T")


class Question(Generic[T]):
    """An answer one thread waits for and another gives, once (later answers are ignored)."""

    def __init__(self, default: T) -> None:
        self.default = default
        self._value = default
        self._answered = threading.Event()
        self._lock = threading.Lock()

    def answer(self, value: T) -> None:
        with self._lock:
            if self._answered.is_set():
                return
            self._value = value
            self._answered.set()

    @property
    def answered(self) -> bool:
        return self._answered.is_set()

    def wait(self) -> T:
        self._answered.wait()
        return self._value


class _Dispatcher(QObject):
    """Lives on the UI thread: a callable emitted from any thread runs there (queued connection)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run)

    @staticmethod
    def _run(fn: Callable[[], Any]) -> None:
        fn()


_dispatcher: _Dispatcher | None = None
_dispatcher_lock = threading.Lock()


def _ui_dispatcher() -> _Dispatcher:
    global _dispatcher
    with _dispatcher_lock:
        if _dispatcher is None:
            app = QCoreApplication.instance()
            if app is None:
                raise RuntimeError("no QApplication: there is no UI thread to ask")
            dispatcher = _Dispatcher()
            dispatcher.moveToThread(app.thread())
            _dispatcher = dispatcher
        return _dispatcher


def on_ui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def run_on_ui_thread(fn: Callable[[], Any]) -> None:
    """Run ``fn`` on the UI thread soon (from any thread; at once when already there)."""
    if on_ui_thread():
        fn()
    else:
        _ui_dispatcher().call.emit(fn)


def ask_ui_thread(question: Question[T], ask: Callable[[], Any]) -> T:
    """From a worker thread: run ``ask()`` on the UI thread, then wait until ``question`` is answered.

    ``ask`` puts the question to the person (and returns at once); whoever has the answer calls
    ``question.answer``. When ``ask`` raises, the question gets its default answer (the worker
    never waits for a dialog that could not open) and the error goes on to the UI thread's handler.
    """
    if on_ui_thread():
        raise RuntimeError("ask_ui_thread waits for the UI thread: call it from a worker thread")

    def run() -> None:
        try:
            ask()
        except BaseException:
            question.answer(question.default)
            raise

    run_on_ui_thread(run)
    return question.wait()

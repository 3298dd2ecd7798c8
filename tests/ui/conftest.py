"""Fixtures for driving the desktop app's widgets on a real workspace in a temporary data folder.

``ctx`` is a UiContext on a fresh workspace (real SQLite, real file store); ``idle()`` waits until
every background operation finished and its callbacks ran; ``window`` is the main window on that
data folder; ``poll`` and ``when_ready`` act from inside ``ui.main.run()``'s event loop. Errors that
reach the window's error handler fail the test unless the test asks for ``ui_errors`` (and then checks
them itself). Delete confirmations are answered "yes" unless a test sets another answer with
``confirm.set_auto_answer``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication

from gigbag.app.workspace import Workspace
from gigbag.ui.context import DataEvents, UiContext
from gigbag.ui.main_window import MainWindow
from gigbag.ui.operations import OperationRunner
from gigbag.ui.widgets import confirm
from gigbag.ui.widgets.theme import apply_theme


@pytest.fixture(autouse=True)
def _confirm_yes() -> Iterator[None]:
    confirm.set_auto_answer(True)
    yield
    confirm.set_auto_answer(None)


@pytest.fixture
def workspace(data_dir: Path) -> Iterator[Workspace]:
    ws = Workspace.open(data_dir)
    yield ws
    ws.close()


@pytest.fixture
def ui_errors() -> list[BaseException]:
    """Errors the window's handler would have shown (ask for this fixture to expect some)."""
    return []


def _asks_for(request: pytest.FixtureRequest, name: str) -> bool:
    try:
        return name in inspect.signature(request.function).parameters
    except (TypeError, ValueError):
        return False


@pytest.fixture
def ctx(
    qapp: QApplication, workspace: Workspace, ui_errors: list[BaseException], request: pytest.FixtureRequest
) -> Iterator[UiContext]:
    ops = OperationRunner()
    ops.unhandled_error.connect(ui_errors.append)
    context = UiContext(workspace=workspace, ops=ops, undo=QUndoStack(), events=DataEvents())
    yield context
    ops.cancel_all()
    ops.wait_for_done()
    qapp.processEvents()
    context.undo.clear()
    if ui_errors and not _asks_for(request, "ui_errors"):
        pytest.fail(f"unexpected errors reached the error handler: {ui_errors!r}")


@pytest.fixture
def idle(qtbot, ctx: UiContext) -> Callable[..., None]:  # type: ignore[no-untyped-def]
    """``idle()``: wait until no background operation runs and their callbacks have run."""

    def wait(timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not ctx.ops.busy, timeout=timeout)
        QApplication.processEvents()
        qtbot.waitUntil(lambda: not ctx.ops.busy, timeout=timeout)

    return wait


@pytest.fixture
def open_window(qtbot, data_dir: Path) -> Iterator[Callable[[], MainWindow]]:
    """``open_window()``: a main window on the test's data folder (call again after closing = a restart)."""
    opened: list[tuple[MainWindow, Workspace]] = []

    def open_() -> MainWindow:
        ws = Workspace.open(data_dir)
        win = MainWindow(ws)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        opened.append((win, ws))
        return win

    yield open_
    for win, ws in opened:
        if win.isVisible():
            win.close()
        win.ops.wait_for_done()
        ws.close()
    apply_theme("light")


@pytest.fixture
def window(open_window: Callable[[], MainWindow]) -> MainWindow:
    """The main window on a fresh data folder."""
    return open_window()


@pytest.fixture
def window_idle(qtbot) -> Callable[[MainWindow], None]:  # type: ignore[no-untyped-def]
    """``window_idle(win)``: wait until the window's background operations and their callbacks ran."""

    def wait(win: MainWindow, timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not win.ops.busy, timeout=timeout)
        QApplication.processEvents()
        qtbot.waitUntil(lambda: not win.ops.busy, timeout=timeout)

    return wait


@pytest.fixture
def poll(qapp: QApplication) -> Iterator[Callable[..., None]]:
    """``poll(step, every_ms=20)``: call ``step()`` on the running event loop until it returns True.

    Every poll stops when the test ends, also one whose moment never came (a start that ended over its
    frame never has a ready window): left running, it would act on a later test's window.
    """
    timers: list[QTimer] = []

    def start(step: Callable[[], bool], every_ms: int = 20) -> None:
        timer = QTimer()
        timer.setInterval(every_ms)

        def tick() -> None:
            if step():
                timer.stop()

        timer.timeout.connect(tick)
        timer.start()
        timers.append(timer)

    yield start
    for timer in timers:
        timer.stop()


@pytest.fixture
def when_ready(poll: Callable[..., None]) -> Callable[[Callable[[MainWindow], None]], None]:
    """``when_ready(look)``: call ``look(window)`` once the window ``run()`` shows has its workspace."""

    def arm(look: Callable[[MainWindow], None]) -> None:
        def step() -> bool:
            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
            if windows and windows[0].is_ready:
                look(windows[0])
                return True
            return False

        poll(step)

    return arm

"""The release smoke test's steps, run inside the real desktop app (see ``gigbag self-test``).

Opens the workspace and the real main window on a data folder, checks every section is there,
creates one goal through the services on the window's writer thread, reads it back, waits until
the Goals list shows it, closes the window (which saves its state) and the workspace. Any step
that does not do what it should raises :class:`SelfTestFailed` naming the step.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow

GOAL_TITLE = "Self-test: play the release party"


class SelfTestFailed(Exception):
    """A step of the self-test did not do what it should."""


def say(text: str) -> None:
    print(f"self-test: {text}", flush=True)


class SelfTest:
    """The steps, with everything that must be cleaned up whatever happens."""

    def __init__(self, data_dir: Path, *, timeout: float, screenshot: Path | None) -> None:
        self.data_dir = data_dir
        self.timeout = timeout
        self.screenshot = screenshot
        self.errors: list[str] = []  # raised in Qt slots or reported by the window's operations
        self.app: QApplication | None = None
        self.window: MainWindow | None = None

    # ---- the run ---------------------------------------------------------------------------------
    def run(self) -> None:
        previous_hook = sys.excepthook
        sys.excepthook = self._record_exception  # PySide6 reports exceptions raised in slots here
        workspace = None
        try:
            from PySide6 import __version__ as pyside_version

            from ..app.workspace import Workspace
            from ..ui.main import make_application
            from ..ui.main_window import MainWindow

            if not any(os.environ.get(v) for v in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")):
                os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display at all: Qt would abort
            self.app = make_application(["gigbag"])
            say(
                f"gigbag {_version()}, Python {platform.python_version()}, PySide6 {pyside_version}, "
                f"Qt platform {self.app.platformName()}"
            )
            say(f"data folder {self.data_dir}")
            workspace = Workspace.open(self.data_dir)
            window = self.window = MainWindow(workspace)
            window.ops.unhandled_error.connect(lambda exc: self.errors.append(f"operation failed: {exc!r}"))
            self.show_window(window)
            goal_id = self.create_and_read_goal(window)
            self.show_goal_in_window(window, goal_id)
            if self.screenshot is not None:
                self.save_screenshot(window, self.screenshot)
            self.close_window(window)
        finally:
            if self.window is not None and self.window.isVisible():
                self.window.close()
            if self.window is not None:
                self.window.ops.wait_for_done(int(self.timeout * 1000))
            if workspace is not None:
                workspace.close()
            sys.excepthook = previous_hook
        self.check_no_errors("closing")

    def show_window(self, window: MainWindow) -> None:
        window.show()
        self.wait_until("the main window is shown", lambda: window.isVisible() and _exposed(window))
        self.settle()
        self.check_no_errors("opening the main window")
        titles = [section.title for section in window.sections]
        if not titles:
            raise SelfTestFailed("the main window has no sections")
        if window.missing_sections:  # in a bundle: modules the freezer left out
            raise SelfTestFailed(f"sections missing from this build: {', '.join(window.missing_sections)}")
        size = window.size()
        say(f"main window shown ({size.width()}x{size.height()}), sections: {', '.join(titles)}")

    def create_and_read_goal(self, window: MainWindow) -> str:
        workspace = window.workspace
        values = {"title": GOAL_TITLE, "goal_type": "gigs", "target_value": 1}
        created = self.run_operation("create a goal", window.ops.write(lambda _op: workspace.goals.create(values)))
        goal_id = str(created.id)
        read = self.run_operation("read the goal back", window.ops.read(lambda _op: workspace.goals.get(goal_id)))
        got = {"title": read.title, "goal_type": read.goal_type, "target_value": read.target_value}
        if got != values:
            raise SelfTestFailed(f"the goal read back is {got}, not {values}")
        say(f"goal {goal_id} created and read back")
        window.events.emit_changed("goals")
        return goal_id

    def show_goal_in_window(self, window: MainWindow, goal_id: str) -> None:
        section = window.show_section("Goals")
        if section is None:
            raise SelfTestFailed("the main window has no Goals section")
        self.wait_until("the Goals section lists the goal", lambda: _shows_text(section, GOAL_TITLE))
        self.check_no_errors("showing the Goals section")
        say("Goals section lists the goal")

    def save_screenshot(self, window: MainWindow, path: Path) -> None:
        self.settle()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(path)):
            raise SelfTestFailed(f"could not save the screenshot to {path}")
        say(f"screenshot saved to {path}")

    def close_window(self, window: MainWindow) -> None:
        if not window.close():
            raise SelfTestFailed("the main window refused to close")
        self.wait_until("the main window is closed", lambda: not window.isVisible())
        if not window.ops.wait_for_done(int(self.timeout * 1000)):
            raise SelfTestFailed("background operations were still running after the window closed")
        self.settle()
        say("main window closed")

    # ---- waiting on Qt ---------------------------------------------------------------------------
    def run_operation(self, what: str, operation: Any) -> Any:
        """Run one of the window's operations and wait for its result (on the UI thread)."""
        outcome: dict[str, Any] = {}

        def failed(exc: BaseException) -> bool:
            outcome["error"] = exc
            return True  # handled here: the window shows no error box

        operation.success(lambda result: outcome.setdefault("result", result))
        operation.failure(failed)
        operation.run()
        self.wait_until(what, lambda: bool(outcome))
        if "error" in outcome:
            raise SelfTestFailed(f"could not {what}: {outcome['error']}")
        return outcome["result"]

    def wait_until(self, what: str, condition: Callable[[], bool]) -> None:
        assert self.app is not None
        deadline = time.monotonic() + self.timeout
        while not condition():
            self.check_no_errors(what)
            if time.monotonic() > deadline:
                raise SelfTestFailed(f"timed out after {self.timeout:g} s waiting until {what}")
            self.app.processEvents()
            time.sleep(0.01)

    def settle(self, seconds: float = 0.3) -> None:
        """Let queued events (layouts, paints, deferred loads) run for a moment."""
        assert self.app is not None
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def check_no_errors(self, step: str) -> None:
        if self.errors:
            raise SelfTestFailed(f"{step}: " + "; ".join(self.errors))

    def _record_exception(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(kind, exc, tb, file=sys.stderr)
        self.errors.append(f"{kind.__name__}: {exc}")


def _version() -> str:
    from .. import __version__

    return __version__


def _exposed(widget: QWidget) -> bool:
    handle = widget.windowHandle()
    return handle is not None and handle.isExposed()


def _shows_text(root: QWidget, text: str) -> bool:
    """Whether an item view under ``root`` (visible on screen) has a row whose text is ``text``."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView

    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None or not view.isVisible():
            continue
        for row in range(min(model.rowCount(), 1000)):
            for column in range(model.columnCount()):
                if model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole) == text:
                    return True
    return False

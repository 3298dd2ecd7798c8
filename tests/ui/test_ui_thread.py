"""Asking the UI thread from a worker thread and waiting for the answer (ui/ui_thread.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication

from gigbag.ui.ui_thread import Question, ask_ui_thread


def _in_worker(fn: Any) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def run() -> None:
        box["result"] = fn()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def test_a_worker_waits_for_an_answer_given_later_on_the_ui_thread(qtbot: Any) -> None:
    app_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    asked_on: list[bool] = []
    question: Question[str] = Question("no answer")

    def ask() -> None:  # shows "a dialog": answers only later, from the event loop
        asked_on.append(QThread.currentThread() is app_thread)
        QTimer.singleShot(50, lambda: question.answer("yes"))

    thread, box = _in_worker(lambda: ask_ui_thread(question, ask))
    qtbot.waitUntil(lambda: "result" in box, timeout=10_000)
    thread.join(5)
    assert box["result"] == "yes" and asked_on == [True]
    question.answer("too late")  # the first answer stays
    assert question.wait() == "yes"


def test_a_question_that_cannot_be_put_gets_its_default_answer(qtbot: Any) -> None:
    question: Question[bool] = Question(False)

    def ask() -> None:
        raise RuntimeError("the dialog could not open")

    with qtbot.captureExceptions() as caught:  # the error goes on to the UI thread's handler
        thread, box = _in_worker(lambda: ask_ui_thread(question, ask))
        qtbot.waitUntil(lambda: "result" in box, timeout=10_000)
        thread.join(5)
    assert [str(e[1]) for e in caught] == ["the dialog could not open"]
    assert box["result"] is False


def test_asking_from_the_ui_thread_itself_is_refused() -> None:
    with pytest.raises(RuntimeError, match="worker thread"):
        ask_ui_thread(Question(0), lambda: None)

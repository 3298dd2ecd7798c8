"""The server runs uvicorn with httptools and uvloop when they are importable, else h11 and asyncio (and says so),
and keeps an idle connection open longer than the desktop does."""

from __future__ import annotations

import importlib.util
import logging

import pytest

from gigbag.server import uvicorn_choice


def test_compiled_implementations_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn_choice, "_installed", lambda module: True)
    assert uvicorn_choice.uvicorn_implementations() == {"http": "httptools", "loop": "uvloop"}


def test_falls_back_with_a_log_line(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(uvicorn_choice, "_installed", lambda module: False)
    with caplog.at_level(logging.INFO, logger="gigbag.server"):
        assert uvicorn_choice.uvicorn_implementations() == {"http": "h11", "loop": "asyncio"}
    assert "httptools is not installed" in caplog.text
    assert "uvloop is not installed" in caplog.text


def test_installed_asks_the_import_system() -> None:
    assert uvicorn_choice._installed("json") is True
    assert importlib.util.find_spec("gigbag_no_such_module") is None
    assert uvicorn_choice._installed("gigbag_no_such_module") is False


def test_the_keep_alive_outlasts_the_desktops_idle_connection() -> None:
    """The desktop lets an idle connection go before the server closes it, so it never sends on a closing one."""
    from gigbag.sync.client import KEEP_IDLE_SECONDS

    settings = uvicorn_choice.uvicorn_settings()
    assert settings["timeout_keep_alive"] == uvicorn_choice.KEEP_ALIVE_SECONDS > KEEP_IDLE_SECONDS > 5
    assert {"http", "loop"} <= set(settings)

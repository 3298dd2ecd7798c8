"""Checking a server address before signing in (no server needed for these)."""

from __future__ import annotations

import pytest

from gigbag.app.server_check import ServerProblem, check_server


def test_server_addresses_are_checked_before_anything_is_sent():
    with pytest.raises(ServerProblem) as empty:
        check_server("  ")
    assert empty.value.kind == "invalid_address"
    with pytest.raises(ServerProblem) as ftp:
        check_server("ftp://files.example")
    assert ftp.value.kind == "invalid_address" and "https://sync.example.com" in str(ftp.value)

"""The command line tells the truth in words: a first sync's counts, delete-vs-edit conflicts with the
version that survives, dates any platform can print, and a reader that closes the pipe early."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from typing import Any

from gigbag.app.formatting import format_local_time
from gigbag.app.workspace import Workspace

from .conftest import CLI_ENV, CliDevice, gigbag_command


def offline(d: CliDevice, action: Any) -> Any:
    with Workspace.open(d.data_dir) as ws:
        return action(ws)


def test_a_first_sync_counts_what_it_sent_not_its_own_changes_coming_back(server: Any, email: str, device: Any) -> None:
    a, b = device("a"), device("b")
    a.login(server, email, create=True)
    offline(a, lambda ws: [ws.journal.create({"title": f"Idea {i}"}) for i in range(3)])
    first = a.run("sync", "--yes").stdout.splitlines()[0]
    assert first == "Sync done: 3 sent."  # no "3 received": those were this computer's own changes
    b.login(server, email)
    assert b.run("sync", "--yes").stdout.splitlines()[0] == "Sync done: 3 received."
    assert a.json("sync", "--yes")["received"] == 0


def test_a_delete_against_edit_conflict_lists_the_surviving_version_in_words(
    server: Any, email: str, device: Any
) -> None:
    a, b = device("a"), device("b")
    a.login(server, email, create=True)
    b.login(server, email)
    entry = offline(a, lambda ws: ws.journal.create({"title": "Set for Friday", "entry_type": "general_note"}).id)
    a.sync()
    b.sync()
    offline(a, lambda ws: ws.journal.delete(entry))
    offline(b, lambda ws: ws.journal.update(entry, {"title": "Set for Friday (final)"}))
    a.sync()
    b.sync(expect=2)
    [conflict] = b.json("conflicts")["conflicts"]
    assert conflict["kind"] == "deleted_there"
    assert conflict["surviving"]["Title"] == "Set for Friday (final)"
    assert conflict["surviving"]["Kind"] == "Note"  # the label, never "general_note"
    listed = b.run("conflicts").stdout
    assert "The version that still exists (on this computer):" in listed
    assert "      Title: Set for Friday (final)" in listed and "      Kind: Note" in listed
    assert "general_note" not in listed


def test_status_prints_the_last_sync_as_a_date_and_the_formatter_needs_no_glibc_codes(
    server: Any, email: str, device: Any
) -> None:
    a = device("a")
    a.login(server, email, create=True)
    a.sync()
    line = next(x for x in a.run("status").stdout.splitlines() if x.startswith("Last sync: "))
    assert re.fullmatch(r"Last sync: \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", line), line
    stamp = dt.datetime(2026, 3, 7, 9, 5, tzinfo=dt.UTC)
    local = stamp.astimezone()
    assert format_local_time("2026-03-07T09:05:00Z") == f"{local.day} {local.strftime('%b %Y, %H:%M')}"
    assert format_local_time("2026-03-07T09:05:00Z").startswith(f"{local.day} ")  # "7 Mar", never "07 Mar"
    assert format_local_time(None) == "never"


def test_a_reader_that_closes_the_pipe_early_ends_gigbag_quietly(server: Any, email: str, device: Any) -> None:
    a = device("a")
    a.login(server, email, create=True)
    offline(a, lambda ws: [ws.journal.create({"title": f"Idea {i}"}) for i in range(3)])
    # `gigbag sync | head -1`, a real shell pipeline
    shell = subprocess.run(
        " ".join(f"'{part}'" for part in gigbag_command(a.data_dir, "sync", "--yes")) + " | head -1",
        shell=True,
        capture_output=True,
        text=True,
        env=CLI_ENV,
        timeout=300,
        check=False,
    )
    assert shell.stdout == "Sync done: 3 sent.\n"
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr
    # a reader that is gone before anything is written: every write meets a broken pipe
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            gigbag_command(a.data_dir, "status"),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=CLI_ENV,
            timeout=300,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_login_creates_an_account_with_an_invite_and_says_why_when_it_cannot(tmp_path: Any, device: Any) -> None:
    from tests.fixtures.server_process import start_server
    from tests.server.admin_cli import admin_ok

    from .conftest import PASSWORD

    server = start_server(tmp_path / "invite-server", signup="invite")
    try:
        a, b, c = device("a"), device("b"), device("c")

        def login(d: CliDevice, email: str, *extra: str, expect: int = 0) -> Any:
            return d.run(
                "login",
                "--server",
                server.url,
                "--email",
                email,
                "--password-stdin",
                "--insecure-token-file",
                str(d.data_dir.parent / f"{d.name}.token"),
                "--create-account",
                *extra,
                stdin=PASSWORD + "\n",
                expect=expect,
            )

        refused = login(a, "a@example.org", expect=1)
        assert "takes new accounts by invite: enter the invite code" in refused.stderr
        wrong = login(a, "a@example.org", "--invite", "WRONG-WRONG-WRONG-WRONG", expect=1)
        assert "This invite code is not valid" in wrong.stderr
        code = admin_ok(server, "invite", "create", "--tier", "pro").strip()
        done = login(a, "a@example.org", "--invite", code)
        assert done.stdout.startswith(f"Signed in to {server.url} as a@example.org")
        assert "Pro plan: 0 bytes of " in a.run("status").stdout  # the invite's tier, from GET /v1/account
        assert "used already" in login(b, "b@example.org", "--invite", code, expect=1).stderr
        alone = c.run(
            "login",
            "--server",
            server.url,
            "--email",
            "c@example.org",
            "--invite",
            code,
            "--password-stdin",
            stdin=PASSWORD + "\n",
            expect=1,
        )
        assert "add --create-account" in alone.stderr
        admin_ok(server, "user", "disable", "a@example.org")
        assert "disabled by the server's operator" in a.run("sync", expect=1).stderr
    finally:
        server.stop()

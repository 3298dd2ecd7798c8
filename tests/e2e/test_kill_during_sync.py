"""A sync killed (SIGKILL) at random moments, round after round, then completed: nothing lost,
nothing doubled, the database intact.

Laptop has a lot to push (entries, files, progress) and keeps editing between rounds; desktop
keeps editing and syncing too, so the laptop's killed syncs also die while pulling and merging.
Kill delays are random but seeded (the seed is in the test's output), so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from gigbag.app.export_import import export_document
from gigbag.app.workspace import Workspace

from .conftest import CLI_ENV, CliDevice, gigbag_command, server_entities

ROUNDS = 8


def integrity(device: CliDevice) -> None:
    conn = sqlite3.connect(device.data_dir / "gigbag.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_syncs_killed_at_random_points_lose_nothing_and_double_nothing(
    server: Any, email: str, device: Any, tmp_path: Path
) -> None:
    seed = int(os.environ.get("GIGBAG_KILL_SEED", random.randrange(1 << 30)))
    print(f"kill seed: {seed}")
    rng = random.Random(seed)
    laptop, desktop = device("laptop"), device("desktop")
    laptop.login(server, email, create=True)
    desktop.login(server, email)
    media = tmp_path / "media"
    media.mkdir()
    progress_recorded: list[float] = []

    with Workspace.open(laptop.data_dir) as ws:
        goal_id = ws.goals.create({"title": "Gigs", "goal_type": "gigs", "target_value": 100}).id
        for i in range(1200):
            ws.journal.create({"title": f"laptop {i}", "content": [{"type": "text", "text": "x" * 200}]})
        for i in range(12):
            src = media / f"take{i}.wav"
            src.write_bytes(os.urandom(400_000))
            ws.files.import_file(src)

    for round_no in range(ROUNDS):
        with Workspace.open(laptop.data_dir) as ws:
            entries = ws.journal.list(filters={"entry_type": "general_note"})
            mine = [e for e in entries if e.title.startswith("laptop")]
            for entry in rng.sample(mine, 30):
                ws.journal.update(entry.id, {"title": f"{entry.title} r{round_no}"})
            ws.journal.delete_many([e.id for e in rng.sample(mine, 10)])
            for i in range(40):
                ws.journal.create({"title": f"laptop new {round_no}.{i}"})
            value = float(rng.randint(1, 5))
            ws.progress.record(goal_id, value, f"round {round_no}")
            progress_recorded.append(value)
        with Workspace.open(desktop.data_dir) as ws:
            for i in range(60):
                ws.timeline.create({"date": "2025-09-01", "title": f"desktop {round_no}.{i}"})
        desktop.sync()
        delay = rng.uniform(0.7, 3.5)
        proc = subprocess.Popen(
            gigbag_command(laptop.data_dir, "sync", "--yes"),
            env=CLI_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        print(f"round {round_no}: killed after {delay:.2f}s (exit {proc.returncode})")
        integrity(laptop)

    with Workspace.open(laptop.data_dir) as ws:
        intended = export_document(ws.engine)["entities"]
    for d in (laptop, desktop, laptop):
        assert d.sync()["open_conflicts"] == 0
    integrity(laptop)
    final = laptop.export()
    assert final == desktop.export() == server_entities(server.url, email)
    # Nothing lost: everything the laptop held before the last sync is there, as it was.
    by_id = {t: {e["id"]: e for e in final[t]} for t in final}
    for entity_type in ("journal_entries", "goals", "goal_progress", "files"):
        for entity in intended[entity_type]:
            assert by_id[entity_type].get(entity["id"]) == entity, (entity_type, entity["id"])
    # Nothing doubled: exactly what was created, once.
    assert len(final["journal_entries"]) == 1200 + ROUNDS * (40 - 10)
    assert len(final["timeline_entries"]) == ROUNDS * 60
    assert sorted(p["data"]["value"] for p in final["goal_progress"]) == sorted(progress_recorded)
    with Workspace.open(desktop.data_dir) as ws:
        assert ws.goals.get(goal_id).current_value == sum(progress_recorded)
        assert all(ws.files.is_available(f) for f in ws.files.list())
    assert laptop.json("status")["pending_changes"] == 0

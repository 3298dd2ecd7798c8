"""Random work on three computers, random sync order, conflicts resolved at random: in the end every
computer and the server hold the same data, and nothing a computer kept was lost on the way.

The runs are seeded (the seed is printed and can be replayed with GIGBAG_CONVERGENCE_SEED).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

from gigbag.app.errors import GigbagError

from .conftest import Device, server_entities

STEPS = int(os.environ.get("GIGBAG_CONVERGENCE_STEPS", 45))


def act(rng: random.Random, device: Device, media: Path, n: int) -> str:
    ws = device.ws
    entries = ws.journal.list()
    folders = ws.folders.list()
    files = ws.files.list()
    goals = ws.goals.list()
    choice = rng.randrange(11)
    try:
        if choice == 0 or not entries:
            ws.journal.create({"title": f"{device.name} idea {n}"})
            return "create entry"
        if choice == 1:
            ws.journal.update(rng.choice(entries).id, {"title": f"{device.name} title {n}"})
            return "retitle entry"
        if choice == 2:
            ws.journal.update(rng.choice(entries).id, {"entry_type": rng.choice(["song_idea", "set_plan"])})
            return "retype entry"
        if choice == 3:
            ws.journal.delete(rng.choice(entries).id)
            return "delete entry"
        if choice == 4:
            parent = rng.choice(folders).id if folders and rng.random() < 0.5 else None
            ws.folders.create({"name": f"{device.name} folder {n}", "parent_folder_id": parent})
            return "create folder"
        if choice == 5:
            src = media / f"{device.name}-{n}.png"
            src.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
            ws.files.import_file(src, folder_id=rng.choice(folders).id if folders else None)
            return "add file"
        if choice == 6 and files:
            ws.files.move(rng.choice(files).id, rng.choice(folders).id if folders else None)
            return "move file"
        if choice == 7 and folders:
            ws.folders.delete(rng.choice(folders).id)
            return "delete folder"
        if choice == 8:
            if not goals:
                ws.goals.create({"title": f"{device.name} goal"})
                return "create goal"
            ws.progress.record(rng.choice(goals).id, rng.randint(1, 3))
            return "record progress"
        if choice == 9:
            ws.profile.save(
                {rng.choice(["bio", "tagline", "location_city"]): f"{device.name} {n}", "stage_name": "Orquesta"}
                if ws.profile.current() is None
                else {rng.choice(["bio", "tagline", "location_city"]): f"{device.name} {n}"}
            )
            return "edit profile"
        device.sync()
        return "sync"
    except GigbagError:
        return "refused by a service"  # e.g. moving into a folder that was just deleted


@pytest.mark.parametrize("run", range(2))
def test_random_work_and_syncs_converge(server: Any, email: str, make_device: Any, tmp_path: Path, run: int) -> None:
    seed = int(os.environ.get("GIGBAG_CONVERGENCE_SEED", random.randrange(1 << 30)))
    print(f"convergence seed: {seed}")
    rng = random.Random(seed)
    devices = [make_device(name) for name in ("a", "b", "c")]
    devices[0].login(server, email, create=True)
    for d in devices[1:]:
        d.login(server, email)
    media = tmp_path / "media"
    media.mkdir()
    for n in range(STEPS):
        act(rng, rng.choice(devices), media, n)
    for _ in range(6):
        for d in devices:
            d.sync()
            # One at a time: resolving one may settle others (a folder deleted with what was inside it).
            while conflicts := d.service.conflicts():
                d.service.resolve(conflicts[0].id, rng.choice(["mine", "theirs"]))  # type: ignore[arg-type]
        if all(d.service.pending_count() == 0 and not d.service.conflicts() for d in devices):
            break
    for d in devices:  # one more round so every computer has seen the last resolutions
        d.sync()
    exports = [d.entities() for d in devices]
    assert exports[0] == exports[1] == exports[2] == server_entities(server, email)
    for d in devices:
        assert d.service.pending_count() == 0 and d.service.conflicts() == []
        for goal in d.ws.goals.list():
            assert goal.current_value == sum(p.value for p in d.ws.progress.history(goal.id))
        assert all(d.ws.files.is_available(f) for f in d.ws.files.list())

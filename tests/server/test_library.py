"""The operator's shared library on a real server process: publish, list by cursor, previews, tiers.

``gigbag-server library …`` runs as a separate process beside the running server, as an operator
runs it; the audio files are real (written by FFmpeg through PyAV), the previews are cut by the
server's command, and every download is checked byte for byte against the published file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from gigbag.media import probe
from gigbag.schema.wire import ERR_PRO_ONLY
from tests.fixtures.audio_files import write_tone
from tests.fixtures.server_process import ServerProcess
from tests.server.admin_cli import admin, admin_json, admin_ok
from tests.server.api_client import Api


def _add(server: ServerProcess, path: Path, *args: str) -> str:
    return admin_ok(server, "library", "add", str(path), *args).strip()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _page(api: Api, since: int = 0, **params: object) -> dict:  # type: ignore[type-arg]
    r = api.http.get("/v1/library", params={"since": since, **params})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("library-audio")
    return {
        "free": write_tone(d / "groove.flac", 24.0, frequency=220.0),
        "pro": write_tone(d / "stems.wav", 20.0, rate=48000, frequency=330.0),
        "short": write_tone(d / "click.mp3", 3.0, channels=1),
    }


def test_a_free_account_lists_streams_previews_and_downloads_what_its_tier_opens(
    server: ServerProcess, audio: dict[str, Path], tmp_path: Path
) -> None:
    free_id = _add(
        server,
        audio["free"],
        "--title",
        "Groove in A",
        "--artist",
        "House Band",
        "--genre",
        "Funk",
        "--bpm",
        "96",
        "--key",
        "Am",
        "--preview-start",
        "4",
        "--preview-length",
        "10",
    )
    pro_id = _add(server, audio["pro"], "--title", "Stems pack", "--genre", "Soul", "--bpm", "120", "--pro-only")
    listed = {t["id"]: t for t in admin_json(server, "library", "list")}
    assert listed[free_id]["is_pro_only"] is False and listed[pro_id]["is_pro_only"] is True
    assert listed[free_id]["duration_seconds"] == pytest.approx(24.0, abs=0.05)

    api = Api.sign_up(server.url)
    page = _page(api)
    tracks = {t["id"]: t for t in page["tracks"]}
    assert {free_id, pro_id} <= set(tracks) and page["tier"] == "free" and page["removed"] == []
    free = tracks[free_id]
    assert (free["title"], free["artist"], free["genre"], free["bpm"], free["key"]) == (
        "Groove in A",
        "House Band",
        "Funk",
        96.0,
        "Am",
    )
    assert free["sha256"] == _sha(audio["free"]) and free["size_bytes"] == audio["free"].stat().st_size
    assert free["has_preview"] and tracks[pro_id]["has_preview"]

    # Previews: open to a free account, also for a pro-only track, streamed with Range.
    whole = api.http.get(f"/v1/library/{pro_id}/preview")
    assert whole.status_code == 200 and whole.headers["content-type"] == "audio/mpeg"
    assert len(whole.content) == tracks[pro_id]["preview_size_bytes"]
    part = api.http.get(f"/v1/library/{pro_id}/preview", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == whole.content[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(whole.content)}"
    clip = tmp_path / "preview.mp3"
    clip.write_bytes(api.http.get(f"/v1/library/{free_id}/preview").content)
    assert probe(clip).duration_seconds == pytest.approx(10.0, abs=0.05)
    pro_clip = tmp_path / "pro-preview.mp3"
    pro_clip.write_bytes(whole.content)
    assert probe(pro_clip).duration_seconds == pytest.approx(20.0, abs=0.05)  # the whole 20 s track, at most 30

    # The full free file, whole and by range; the pro-only one refused with its code.
    assert api.http.head(f"/v1/blobs/{free['sha256']}").status_code == 404
    got = api.http.get(f"/v1/library/{free_id}/file")
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == free["sha256"]
    # The artist's copy is theirs on the server: a sync finds it there and sends nothing back.
    assert api.http.head(f"/v1/blobs/{free['sha256']}").status_code == 200
    storage = api.http.get("/v1/account").json()["storage"]
    assert storage["used_bytes"] == free["size_bytes"] and storage["uploaded_today_bytes"] == 0
    tail = api.http.get(f"/v1/library/{free_id}/file", headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == got.content[-500:]
    refused = api.http.get(f"/v1/library/{pro_id}/file")
    assert refused.status_code == 403
    assert refused.json()["error"] == ERR_PRO_ONLY == "pro_only"
    assert "operator can change your tier" in refused.json()["message"]

    admin_ok(server, "user", "set-tier", api.email, "pro")
    opened = api.http.get(f"/v1/library/{pro_id}/file")
    assert opened.status_code == 200 and opened.content == audio["pro"].read_bytes()
    assert _page(api)["tier"] == "pro"
    admin_ok(server, "user", "set-tier", api.email, "enterprise")
    assert api.http.get(f"/v1/library/{pro_id}/file", headers={"Range": "bytes=0-99"}).status_code == 206
    admin_ok(server, "user", "set-tier", api.email, "free")
    assert api.http.get(f"/v1/library/{pro_id}/file").status_code == 403
    admin_ok(server, "library", "set", pro_id, "--free")
    assert api.http.get(f"/v1/library/{pro_id}/file").status_code == 200
    api.close()


def test_the_next_list_update_brings_only_what_changed_and_the_removals(
    server: ServerProcess, audio: dict[str, Path]
) -> None:
    api = Api.sign_up(server.url)
    first = _page(api)
    assert not first["has_more"]
    cursor = first["cursor"]
    assert _page(api, cursor) == {**first, "tracks": [], "cursor": cursor}

    short_id = _add(server, audio["short"], "--title", "Click 3 s")
    known = next(t["id"] for t in first["tracks"]) if first["tracks"] else short_id
    update = _page(api, cursor)
    assert [t["id"] for t in update["tracks"]] == [short_id] and update["removed"] == []
    assert update["tracks"][0]["has_preview"] is False  # too short for a preview
    assert api.http.get(f"/v1/library/{short_id}/preview").status_code == 404

    admin_ok(server, "library", "remove", known)
    after = _page(api, update["cursor"])
    assert after["tracks"] == [] and after["removed"] == [known]
    assert known not in {t["id"] for t in _page(api)["tracks"]}  # a fresh list never names it
    assert api.http.get(f"/v1/library/{known}/file").status_code == 404
    assert api.http.get(f"/v1/library/{known}/preview").status_code == 404

    # Paging: one track per page walks every change once, in order.
    seen: list[str] = []
    since = 0
    while True:
        page = _page(api, since, limit=1)
        seen += [t["id"] for t in page["tracks"]]
        since = page["cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(t["id"] for t in _page(api)["tracks"])
    found = _page(api, 0, q="click")
    assert [t["id"] for t in found["tracks"]] == [short_id]
    api.close()


def test_library_commands_refuse_bad_input_in_words(
    server: ServerProcess, audio: dict[str, Path], tmp_path: Path
) -> None:
    damaged = tmp_path / "broken.wav"
    damaged.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk" * 10)
    before = admin_json(server, "library", "list")
    done = admin(server, "library", "add", str(damaged), "--title", "Broken")
    assert done.returncode == 1 and "Nothing was added" in done.stderr and "Traceback" not in done.stderr
    done = admin(server, "library", "add", str(audio["free"]), "--title", "  ")
    assert done.returncode == 1 and "title" in done.stderr
    done = admin(server, "library", "add", str(audio["free"]), "--title", "Again", "--preview-length", "200")
    assert done.returncode == 1 and "5 to 90 seconds" in done.stderr
    done = admin(server, "library", "remove", "000000000000")
    assert done.returncode == 1 and "no library track" in done.stderr
    assert admin_json(server, "library", "list") == before
    text = admin_ok(server, "library", "list")
    assert json.dumps(before) and ("TITLE" in text or not before)


def test_listing_needs_a_signed_in_account(server: ServerProcess) -> None:
    assert httpx.get(server.url + "/v1/library").status_code == 401
    assert httpx.get(server.url + "/v1/library/0123456789ab/preview").status_code == 401


def test_deleting_an_account_keeps_the_library_file_it_also_uploaded(server: ServerProcess, tmp_path: Path) -> None:
    song = write_tone(tmp_path / "shared.wav", 6.0, frequency=523.0)
    track_id = _add(server, song, "--title", "Shared content")
    sha = _sha(song)
    uploader = Api.sign_up(server.url)
    put = uploader.http.put(
        f"/v1/blobs/{sha}", content=song.read_bytes(), headers={"Content-Type": "application/octet-stream"}
    )
    assert put.status_code in (200, 201), put.text
    uploader.close()
    admin_ok(server, "user", "delete", uploader.email, "--yes")
    reader = Api.sign_up(server.url)
    got = reader.http.get(f"/v1/library/{track_id}/file")
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == sha
    reader.close()

"""A track's preview on a real workspace: cut from its audio, stored as a synced file, remade, removed, undone."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gigbag.app.errors import NotFound
from gigbag.app.previews import PreviewCancelled, PreviewFailed, PreviewRange, default_range
from gigbag.app.workspace import Workspace
from gigbag.cli.main import main
from gigbag.local_db.models import Track
from tests.fixtures.audio_files import decode_mono, rms, write_tone


@pytest.fixture
def ws(data_dir: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(data_dir)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tone(tmp_path_factory.mktemp("audio") / "Night Drive.flac", 64.0)


@pytest.fixture
def track(ws: Workspace, song: Path) -> Track:
    return ws.tracks.add_from_file(song)


def changes(ws: Workspace, after: int = 0) -> list[tuple[str, str, str]]:
    with ws.engine.connect() as c:
        rows = c.execute(
            text("SELECT entity_type, entity_id, op FROM change_log WHERE id > :s ORDER BY id"), {"s": after}
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def last_seq(ws: Workspace) -> int:
    with ws.engine.connect() as c:
        return int(c.execute(text("SELECT coalesce(max(id), 0) FROM change_log")).scalar() or 0)


def dump(ws: Workspace) -> list[str]:
    conn = sqlite3.connect(ws.paths.database)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def blobs(ws: Workspace) -> set[str]:
    return {p.name for p in ws.blobs.root.rglob("*") if p.is_file() and p.parent.name != "tmp"}


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (64.0, PreviewRange(16.0, 30.0)),
        (240.0, PreviewRange(60.0, 30.0)),
        (35.0, PreviewRange(5.0, 30.0)),  # a quarter in would run past the end: moved back
        (20.0, PreviewRange(0.0, 20.0)),  # shorter than 30 s: the whole track
        (3.0, PreviewRange(0.0, 5.0)),  # shorter than any preview: cutting it will say so
    ],
)
def test_the_default_range_is_thirty_seconds_from_a_quarter_in_inside_the_track(
    duration: float, expected: PreviewRange
) -> None:
    assert default_range(duration) == expected


def test_make_preview_stores_a_file_of_the_track_and_logs_both_changes(ws: Workspace, track: Track) -> None:
    seq = last_seq(ws)
    change = ws.previews.make_preview(track.id)
    assert change.before_file_id is None and change.after_file_id is not None
    preview = ws.files.get(change.after_file_id)
    assert ws.tracks.get(track.id).preview_file_id == preview.id
    assert (preview.filename, preview.mime_type, preview.category) == (
        "Night Drive (preview).mp3",
        "audio/mpeg",
        "music",
    )
    assert preview.folder_id == ws.files.get(track.audio_file_id).folder_id
    assert preview.duration_seconds == pytest.approx(30.0, abs=0.05)
    assert ws.blobs.has(preview.blob_sha256) and ws.blobs.size(preview.blob_sha256) == preview.file_size_bytes
    rate, samples = decode_mono(ws.blobs.path(preview.blob_sha256))
    assert rate == 44100 and len(samples) / rate == pytest.approx(30.0, abs=0.05) and rms(samples) > 0.2
    assert sorted(changes(ws, seq)) == [("files", preview.id, "upsert"), ("tracks", track.id, "upsert")]
    assert not any((ws.paths.cache / "previews").iterdir())  # the cut's work file is gone
    assert ws.previews.preview_path(track.id) == ws.blobs.path(preview.blob_sha256)


def test_remake_replaces_and_undo_redo_go_back_and_forth(ws: Workspace, track: Track) -> None:
    first = ws.previews.make_preview(track.id, 10.0, 20.0)
    seq = last_seq(ws)
    second = ws.previews.make_preview(track.id, 40.0, 6.0)
    assert second.before_file_id == first.after_file_id and second.before_file is not None
    assert ws.tracks.get(track.id).preview_file_id == second.after_file_id
    assert ws.files.find(first.after_file_id) is None  # the replaced preview's file went with it
    assert sorted(changes(ws, seq)) == sorted(
        [
            ("files", second.after_file_id, "upsert"),
            ("files", first.after_file_id, "delete"),
            ("tracks", track.id, "upsert"),
        ]
    )
    assert ws.files.get(second.after_file_id).duration_seconds == pytest.approx(6.0, abs=0.05)

    ws.previews.undo(second)
    assert ws.tracks.get(track.id).preview_file_id == first.after_file_id
    assert ws.files.get(first.after_file_id).duration_seconds == pytest.approx(20.0, abs=0.05)
    assert ws.files.find(second.after_file_id) is None
    ws.previews.redo(second)
    assert ws.tracks.get(track.id).preview_file_id == second.after_file_id
    assert ws.files.find(first.after_file_id) is None
    ws.previews.undo(second)
    ws.previews.undo(first)
    assert ws.tracks.get(track.id).preview_file_id is None
    assert ws.files.find(first.after_file_id) is None
    assert [f.id for f in ws.files.list()] == [track.audio_file_id]


def test_remove_clears_the_preview_and_undo_brings_it_back(ws: Workspace, track: Track) -> None:
    made = ws.previews.make_preview(track.id, 0.0, 5.0)
    seq = last_seq(ws)
    removed = ws.previews.remove_preview(track.id)
    assert removed.before_file_id == made.after_file_id and removed.after_file_id is None
    assert ws.tracks.get(track.id).preview_file_id is None and ws.files.find(made.after_file_id) is None
    assert sorted(changes(ws, seq)) == [("files", made.after_file_id, "delete"), ("tracks", track.id, "upsert")]
    assert ws.previews.preview_path(track.id) is None
    ws.previews.undo(removed)
    assert ws.tracks.get(track.id).preview_file_id == made.after_file_id
    assert ws.files.get(made.after_file_id).blob_sha256 == made.after_file["blob_sha256"]  # type: ignore[index]
    again = ws.previews.remove_preview(track.id)
    nothing = ws.previews.remove_preview(track.id)
    assert again.before_file_id == made.after_file_id and nothing.before_file_id is None


def test_a_preview_file_the_track_also_uses_as_audio_is_never_deleted(ws: Workspace, track: Track) -> None:
    ws.tracks.update(track.id, {"preview_file_id": track.audio_file_id})
    change = ws.previews.remove_preview(track.id)
    assert change.before_file is None and ws.files.get(track.audio_file_id) is not None


def test_damaged_audio_is_refused_in_words_and_nothing_changes(ws: Workspace, song: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "Broken.flac"
    damaged.write_bytes(song.read_bytes()[: song.stat().st_size // 3])
    track = ws.tracks.add_from_file(damaged)
    before, stored = dump(ws), blobs(ws)
    with pytest.raises(PreviewFailed, match=r"“Broken.flac” is damaged.*The track's preview was not changed\."):
        ws.previews.make_preview(track.id, 40.0, 10.0)
    with pytest.raises(PreviewFailed, match="A preview lasts 5 to 90 seconds"):
        ws.previews.make_preview(track.id, 0.0, 120.0)
    with pytest.raises(PreviewCancelled):
        ws.previews.make_preview(track.id, 0.0, 10.0, cancelled=lambda: True)
    with pytest.raises(NotFound):
        ws.previews.make_preview("no-such-track")
    assert dump(ws) == before and blobs(ws) == stored
    assert not any((ws.paths.cache / "previews").iterdir())


def test_audio_not_yet_on_this_computer_is_said_so(ws: Workspace, track: Track) -> None:
    ws.blobs.remove(ws.files.get(track.audio_file_id).blob_sha256)
    with pytest.raises(PreviewFailed, match=r"is not on this computer yet; sync to bring it here"):
        ws.previews.make_preview(track.id)


def test_the_waveform_is_cached_by_content_and_bucket_count(ws: Workspace, track: Track) -> None:
    seen: list[tuple[int, int]] = []
    waveform = ws.previews.waveform(track.id, 300, progress=lambda d, t: seen.append((d, t)))
    assert waveform.buckets == 300 and waveform.duration_seconds == pytest.approx(64.0, abs=0.05)
    assert seen[-1] == (64000, 64000)
    sha = ws.files.get(track.audio_file_id).blob_sha256
    assert (ws.paths.cache / "waveforms" / f"{sha}-300.json").is_file()
    ws.blobs.remove(sha)  # only the cache can answer now
    cached = ws.previews.waveform(track.id, 300)
    assert cached.buckets == 300 and cached.duration_seconds == waveform.duration_seconds
    flat = [v for pair in cached.peaks for v in pair]
    assert flat == pytest.approx([v for pair in waveform.peaks for v in pair], abs=1e-4)
    with pytest.raises(PreviewFailed, match="not on this computer"):
        ws.previews.waveform(track.id, 200)  # another bucket count is another waveform


def test_gigbag_preview_command_end_to_end(data_dir: Path, song: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Workspace.open(data_dir) as ws:
        track_id = ws.tracks.add_from_file(song).id
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gigbag",
            "--data-dir",
            str(data_dir),
            "preview",
            track_id,
            "--start",
            "12.5",
            "--length",
            "8",
        ],
        capture_output=True,
        text=True,
        cwd=data_dir,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Preview of “Night Drive” made: 8.0 s from 0:12.5 (file “Night Drive (preview).mp3”"
    )
    with Workspace.open(data_dir) as ws:
        preview_id = ws.tracks.get(track_id).preview_file_id
        assert preview_id is not None and f"id {preview_id}" in result.stdout

    assert main(["--data-dir", str(data_dir), "preview", track_id, "--length", "95"]) == 1
    assert "A preview lasts 5 to 90 seconds; 95 s was asked." in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "preview", "nope"]) == 1
    assert "track nope does not exist" in capsys.readouterr().err
    assert main(["preview", track_id, "--start", "70", "--length", "10", "--data-dir", str(data_dir)]) == 1
    assert "is not inside the track, which lasts 1:04.0" in capsys.readouterr().err
    with Workspace.open(data_dir) as ws:
        assert ws.tracks.get(track_id).preview_file_id == preview_id  # the failures changed nothing

    assert main(["--data-dir", str(data_dir), "preview", track_id]) == 0  # the default range
    assert "30.0 s from 0:16.0" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "preview", track_id, "--remove"]) == 0
    assert capsys.readouterr().out == "The preview of “Night Drive” was removed.\n"
    with Workspace.open(data_dir) as ws:
        assert ws.tracks.get(track_id).preview_file_id is None

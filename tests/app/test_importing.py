"""The one import use case behind Files and Tracks: folders expanded, refusals in words, progress, cancel."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from gigbag.app.errors import ValidationFailed
from gigbag.app.importing import ImportCancelled, expand_paths, import_files, import_tracks
from gigbag.app.salsanor import ConfigurationFileError, configuration_text, read_configuration, write_configuration
from gigbag.app.workspace import Workspace
from gigbag.schema.beat_catalog import catalog


@pytest.fixture
def ws(data_dir: Path) -> Workspace:
    workspace = Workspace.open(data_dir)
    yield workspace
    workspace.close()


class Watcher:
    """Records progress; cancels once ``cancel_after`` progress reports came in."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.reports: list[tuple[int, int, str]] = []
        self.cancel_after = cancel_after

    def progress(self, done: int, total: int = 0, text: str = "") -> None:
        self.reports.append((done, total, text))

    @property
    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.reports) >= self.cancel_after


def wav(path: Path, seconds: float = 0.2) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return path


def test_a_folder_is_expanded_to_its_visible_files(tmp_path: Path) -> None:
    (tmp_path / "set" / ".git").mkdir(parents=True)
    (tmp_path / "set" / "b.txt").write_text("b")
    (tmp_path / "set" / "a.txt").write_text("a")
    (tmp_path / "set" / ".hidden.txt").write_text("h")
    (tmp_path / "set" / ".git" / "config").write_text("c")
    (tmp_path / "loose.txt").write_text("l")
    found = expand_paths([tmp_path / "set", tmp_path / "loose.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["set/a.txt", "set/b.txt", "loose.txt"]


def test_files_are_imported_with_progress_over_the_whole_batch(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_bytes(b"x" * 100)
    (tmp_path / "two.txt").write_bytes(b"y" * 300)
    folder = ws.folders.create({"name": "Press"})
    watcher = Watcher()
    outcome = import_files(ws.files, [tmp_path / "one.txt", tmp_path / "two.txt"], folder.id, watcher)
    assert [f.filename for f in outcome.added] == ["one.txt", "two.txt"]
    assert {f.folder_id for f in ws.files.list()} == {folder.id}
    assert outcome.problems == [] and not outcome.cancelled
    assert watcher.reports[-1] == (400, 400, "Importing two.txt")
    assert all(total == 400 for _done, total, _text in watcher.reports)


def test_one_refused_file_is_noted_and_the_others_go_on(ws: Workspace, tmp_path: Path) -> None:
    song = wav(tmp_path / "son.wav")
    (tmp_path / "notes.txt").write_text("not audio")
    outcome = import_tracks(ws.tracks, [tmp_path / "notes.txt", song, tmp_path / "gone.wav"], Watcher())
    assert [t.title for t in outcome.added] == ["son"]
    assert len(outcome.problems) == 2 and "gone.wav" in outcome.problems[1]
    assert ws.tracks.count() == 1 and ws.files.count() == 1  # the refused text file left nothing behind


def test_nothing_imported_is_refused_in_words_and_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not audio")
    with pytest.raises(ValidationFailed) as refused:
        import_tracks(ws.tracks, [tmp_path / "notes.txt"], Watcher())
    assert "audio" in str(refused.value)
    with pytest.raises(ValidationFailed, match="no audio files were chosen"):
        import_tracks(ws.tracks, [], Watcher())
    assert ws.tracks.count() == 0 and ws.files.count() == 0


def test_cancel_stops_after_the_current_file(ws: Workspace, tmp_path: Path) -> None:
    paths = [wav(tmp_path / f"t{n}.wav") for n in range(3)]
    outcome = import_tracks(ws.tracks, paths, Watcher(cancel_after=1))
    assert outcome.cancelled and len(outcome.added) == 1
    assert ws.tracks.count() == 1
    with pytest.raises(ImportCancelled):
        import_tracks(ws.tracks, paths, Watcher(cancel_after=0))
    assert ws.tracks.count() == 1


def test_salsanor_configuration_round_trip_and_refusals(tmp_path: Path) -> None:
    salsa = catalog()["Salsa"].default_configuration()
    path = tmp_path / "salsa.json"
    write_configuration(path, configuration_text(salsa))
    assert read_configuration(path, "Salsa") == salsa
    others = [name for name in catalog() if name != "Salsa"]
    with pytest.raises(ConfigurationFileError, match="does not fit") as wrong_flavor:
        read_configuration(path, others[0])
    assert "switch the flavor to Salsa" in str(wrong_flavor.value)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigurationFileError, match="not valid JSON"):
        read_configuration(tmp_path / "bad.json", "Salsa")
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigurationFileError, match="not text"):
        read_configuration(tmp_path / "binary.json", "Salsa")
    with pytest.raises(ConfigurationFileError, match="could not be read"):
        read_configuration(tmp_path / "missing.json", "Salsa")
    assert json.loads(path.read_text("utf-8")) == salsa

"""The content-addressed file store: streamed, deduplicated, never trusting outside names."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gigbag.app.workspace import Workspace
from gigbag.local_db.blob_store import BlobCorruptError, BlobMissingError, BlobStore, BlobStoreError


def test_import_names_the_blob_by_its_digest_and_dedupes(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    a = tmp_path / "a.txt"
    a.write_bytes(b"same content")
    b = tmp_path / "other name.pdf"
    b.write_bytes(b"same content")
    first = store.import_file(a)
    second = store.import_file(b)
    assert first.sha256 == second.sha256 == hashlib.sha256(b"same content").hexdigest()
    assert first.mime_type == "text/plain" and second.mime_type == "application/pdf"
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name == first.sha256
    assert store.verify(first.sha256)


def test_outside_names_never_become_paths(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(BlobStoreError):
        store.path("../../etc/passwd")
    src = tmp_path / "..evil..name"
    src.write_bytes(b"x")
    stored = store.import_file(src)
    assert store.path(stored.sha256).resolve().is_relative_to((tmp_path / "blobs").resolve())


def test_write_stream_refuses_content_with_another_digest(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    import io

    with pytest.raises(BlobCorruptError):
        store.write_stream(io.BytesIO(b"abc"), expected_sha256="0" * 64)
    assert not store.has("0" * 64)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_missing_blob_is_reported_as_missing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(BlobMissingError, match="not on this computer"):
        store.open("a" * 64)


def test_audio_duration_is_read(tmp_path: Path) -> None:
    import wave

    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 8000 * 3)
    stored = BlobStore(tmp_path / "blobs").import_file(path)
    assert stored.mime_type in ("audio/x-wav", "audio/wav")
    assert stored.duration_seconds == pytest.approx(3.0, abs=0.01)


def test_garbage_collection_keeps_what_is_referenced(data_dir: Path, tmp_path: Path) -> None:
    from gigbag.app.blob_gc import collect_garbage

    with Workspace.open(data_dir) as ws:
        keep_src = tmp_path / "keep.txt"
        keep_src.write_text("keep")
        drop_src = tmp_path / "drop.txt"
        drop_src.write_text("drop")
        kept = ws.files.import_file(keep_src)
        dropped = ws.files.import_file(drop_src)
        ws.files.delete(dropped.id)
        removed = collect_garbage(ws)
        assert removed == [dropped.blob_sha256]
        assert ws.blobs.has(kept.blob_sha256)


@pytest.mark.slow
def test_importing_1_gb_keeps_memory_flat_and_stores_once(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as fh:  # 1 GiB of non-repeating-ish data, written in chunks
        block = hashlib.sha256(b"seed").digest() * (1024 * 1024 // 32)
        for i in range(1024):
            fh.write(block[:-4] + i.to_bytes(4, "big"))
    script = textwrap.dedent(
        f"""
        import resource, sys
        from pathlib import Path
        from gigbag.app.workspace import Workspace
        ws = Workspace.open({str(tmp_path / "dev")!r})
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        a = ws.files.import_file(Path({str(big)!r}))
        b = ws.files.import_file(Path({str(big)!r}))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(a.blob_sha256 == b.blob_sha256, (peak - base) // 1024, a.file_size_bytes)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout.split()
    same, grown_mb, size = out[0] == "True", int(out[1]), int(out[2])
    assert same and size == 1024**3
    assert grown_mb < 100, f"peak memory grew by {grown_mb} MB"
    blobs = [p for p in (tmp_path / "dev" / "blobs").rglob("*") if p.is_file() and p.parent.name != "tmp"]
    assert len(blobs) == 1

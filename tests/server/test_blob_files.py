"""The blob folder's housekeeping: temporary files a killed process left are removed once stale."""

from __future__ import annotations

import os
import time
from pathlib import Path

from gigbag.server.blob_files import STALE_TEMP_SECONDS, BlobFiles


def test_stale_temporary_files_are_removed_at_start(tmp_path: Path) -> None:
    files = BlobFiles(tmp_path / "blobs")
    old, f = files.new_temp()
    f.close()
    fresh, f = files.new_temp()
    f.close()
    long_ago = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    BlobFiles(tmp_path / "blobs")  # what a new server process does
    assert not old.exists()
    assert fresh.exists()  # may belong to a process still writing it


def test_a_checkpoint_counts_only_the_bytes_written_before_its_fsync_began(tmp_path: Path) -> None:
    # checkpoints run alongside the next writes: a write that lands during the fsync may not be durable
    files = BlobFiles(tmp_path / "blobs")
    files.upload_begin("u1", 100)
    appender = files.upload_append("u1", 100, 0)
    appender.write(b"a" * 40)
    sync = appender.incoming.sync

    def sync_while_another_write_lands() -> None:
        appender.write(b"b" * 30)
        sync()

    appender.incoming.sync = sync_while_another_write_lands  # type: ignore[method-assign]
    assert appender.checkpoint() == 40
    appender.incoming.sync = sync  # type: ignore[method-assign]
    assert appender.close() == 70

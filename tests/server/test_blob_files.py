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

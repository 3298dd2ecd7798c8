"""The demo artist: every section has realistic data, audio has real durations, images are real PNGs."""

from __future__ import annotations

import pytest

from gigbag.app.demo_data import pdf_bytes, png_bytes, seed_demo
from gigbag.app.errors import GigbagError
from gigbag.app.workspace import Workspace


def test_seed_demo_fills_every_section(data_dir):
    with Workspace.open(data_dir) as ws:
        counts = seed_demo(ws)
        assert counts["tracks"] == 6 and counts["goals"] == 7 and counts["contacts"] == 10
        assert ws.profile.completion().score == 100
        artist = ws.profile.current()
        for ref in (artist.avatar_url, artist.banner_url):
            sha = ref.removeprefix("blob:")
            assert ws.blobs.path(sha).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        tracks = ws.tracks.list()
        assert all(t.duration_seconds and 6 < t.duration_seconds < 15 for t in tracks)
        assert sum(1 for t in tracks if t.cover_file_id) == 5
        assert ws.folders.count() == 6
        assert ws.files.count(filters={"category": "document"}) == 5  # 2 PDFs, 3 texts
        assert ws.progress.count() == counts["progress entries"]
        goal_states = {g.status for g in ws.goals.list()}
        assert goal_states == {"active", "completed", "abandoned"}
        forks = [p for p in ws.patterns.list() if p.original_pattern_id]
        assert len(forks) == 1
        with pytest.raises(GigbagError, match="already has a profile"):
            seed_demo(ws)


def test_png_and_pdf_writers_produce_valid_files(qapp, tmp_path):
    from PySide6.QtGui import QImage

    path = tmp_path / "x.png"
    path.write_bytes(png_bytes(3, 2, lambda y: bytes([255, 0, 0] * 3)))
    img = QImage(str(path))
    assert (img.width(), img.height()) == (3, 2) and img.pixelColor(1, 1).red() == 255
    pdf = pdf_bytes("Rider", ["Stage (8 m)"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF") and b"Stage \\(8 m\\)" in pdf

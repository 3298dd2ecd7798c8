"""A realistic demo artist (a salsa bandleader from Miami) for trying Gigbag and for screenshots.

``gigbag demo`` fills an empty data folder through the same services the app uses: a full profile
with an avatar and a banner, tracks with real (generated) audio, folders of press photos, documents
and stems, goals with a progress history, beat patterns (one forked), timeline milestones, journal
entries and contact lists. Everything is generated here, with no download and without Qt: images
are PNGs written with zlib, audio is WAV written with the standard ``wave`` module (a son clave,
a tumbao bass and a piano montuno at the track's tempo), documents are text and a one-page PDF.
Dates are relative to today, so goals have days left and the timeline has past and coming gigs.
"""

from __future__ import annotations

import array
import colorsys
import datetime as dt
import math
import struct
import tempfile
import wave
import zlib
from collections.abc import Callable
from pathlib import Path

from ..schema.entities import BLOB_REF_PREFIX
from .errors import GigbagError
from .journal import text_blocks
from .workspace import Workspace

RATE = 22_050

# ---- images (PNG by hand) ----------------------------------------------------------------------

Color = tuple[float, float, float]


def png_bytes(width: int, height: int, row: Callable[[int], bytes]) -> bytes:
    """An 8-bit RGB PNG whose rows ``row(y)`` returns (3 bytes per pixel)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row(y) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def _hsv(h: float, s: float, v: float) -> Color:
    return colorsys.hsv_to_rgb(h % 1.0, max(0.0, min(1.0, s)), max(0.0, min(1.0, v)))


def _mix(a: Color, b: Color, t: float) -> Color:
    t = max(0.0, min(1.0, t))
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def poster_png(width: int, height: int, hue: float, style: str) -> bytes:
    """A graphic image: a warm gradient with rings (a record), waves, a sunset or stripes."""
    dark = _hsv(hue + 0.62, 0.65, 0.18)
    warm = _hsv(hue, 0.85, 0.95)
    hot = _hsv(hue + 0.08, 0.75, 1.0)
    cx, cy = width * 0.5, height * 0.55
    radius = min(width, height) * 0.42

    def pixel(x: int, y: int) -> Color:
        u, v = x / width, y / height
        if style == "rings":
            d = math.hypot(x - cx, y - cy) / radius
            if d < 1.0:
                groove = 0.5 + 0.5 * math.sin(d * 70)
                base = _mix(dark, (0.05, 0.05, 0.06), 0.6 + 0.1 * groove)
                if d < 0.33:
                    return _mix(hot, warm, d * 3)
                return base
            return _mix(warm, hot, v)
        if style == "waves":
            wave_y = 0.55 + 0.12 * math.sin(u * 9 + 1.3) + 0.05 * math.sin(u * 23)
            if v > wave_y:
                return _mix(dark, _hsv(hue + 0.55, 0.7, 0.45), (v - wave_y) * 3)
            return _mix(hot, warm, v / max(wave_y, 0.01))
        if style == "sunset":
            sun = math.hypot(x - width * 0.7, y - height * 0.62) / (height * 0.28)
            sky = _mix(_hsv(hue + 0.9, 0.6, 0.55), hot, v * 1.2)
            if sun < 1.0 and v < 0.78:
                return _mix((1.0, 0.93, 0.7), hot, sun * 0.6)
            if v > 0.78:
                stripes = 0.5 + 0.5 * math.sin(v * 160)
                return _mix(dark, sky, 0.25 + 0.2 * stripes)
            return sky
        stripe = int(u * 8 + v * 3) % 2
        return _mix(warm, dark, 0.15 + 0.55 * stripe * (0.6 + 0.4 * v))

    def row(y: int) -> bytes:
        out = bytearray(width * 3)
        for x in range(width):
            r, g, b = pixel(x, y)
            out[3 * x] = int(r * 255)
            out[3 * x + 1] = int(g * 255)
            out[3 * x + 2] = int(b * 255)
        return bytes(out)

    return png_bytes(width, height, row)


# ---- audio (WAV with the standard library) -----------------------------------------------------


def _tone(
    freq: float, seconds: float, decay: float, harmonics: tuple[float, ...] = (1.0,), gain: float = 1.0
) -> array.array:
    n = int(seconds * RATE)
    out = array.array("f", bytes(4 * n))
    for i in range(n):
        t = i / RATE
        env = math.exp(-t * decay) * min(1.0, i / 40)
        s = 0.0
        for k, amp in enumerate(harmonics, start=1):
            s += amp * math.sin(2 * math.pi * freq * k * t)
        out[i] = gain * env * s
    return out


def _mix_into(track: array.array, sound: array.array, at: float) -> None:
    start = int(at * RATE)
    end = min(len(track), start + len(sound))
    for i in range(start, end):
        track[i] += sound[i - start]


def _midi(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def salsa_wav(path: Path, bpm: int, key: int, bars: int, parts: tuple[str, ...] = ("clave", "bass", "piano")) -> float:
    """Write a salsa loop (3-2 son clave, tumbao bass, piano montuno) and return its length in seconds."""
    eighth = 60.0 / bpm / 2
    seconds = bars * 8 * eighth + 0.4
    mix = array.array("f", bytes(4 * int(seconds * RATE)))
    clave = _tone(2300, 0.08, 60, (1.0, 0.3), 0.35)
    root = 36 + key
    bass_notes = {n: _tone(_midi(n), eighth * 3, 3.5, (1.0, 0.5, 0.2), 0.5) for n in (root, root + 7, root + 5)}
    chord_tones = [root + 24 + i for i in (0, 4, 7, 12, 16)]
    piano = {n: _tone(_midi(n), eighth * 1.6, 6, (1.0, 0.45, 0.25, 0.1), 0.16) for n in chord_tones}
    son_clave = (0, 3, 6, 10, 12)  # 3-2 son clave in eighths over two bars
    for bar in range(bars):
        base = bar * 8 * eighth
        if "clave" in parts:
            for pos in son_clave:
                if (bar % 2 == 0 and pos < 8) or (bar % 2 == 1 and pos >= 8):
                    _mix_into(mix, clave, base + (pos % 8) * eighth)
        if "bass" in parts:
            chord_root = (root, root + 5, root + 7, root)[bar % 4]
            note = chord_root if chord_root in bass_notes else root
            _mix_into(mix, bass_notes[note], base + 3 * eighth)
            _mix_into(mix, bass_notes[root + 7 if note == root else root], base + 6 * eighth)
        if "piano" in parts:
            for step in range(8):
                tone = chord_tones[(step * 2 + bar) % len(chord_tones)] if step % 2 else chord_tones[0]
                _mix_into(mix, piano[tone], base + step * eighth)
    peak = max(1e-6, max(abs(s) for s in mix))
    frames = array.array("h", (int(32000 * s / peak) for s in mix))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames.tobytes())
    return len(mix) / RATE


# ---- documents -----------------------------------------------------------------------------------


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A one-page PDF (Helvetica) with a title and lines of text."""

    def esc(text: str) -> str:
        return (
            text.replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
            .encode("latin-1", "replace")
            .decode("latin-1")
        )

    ops = ["BT", "/F1 20 Tf", "56 780 Td", f"({esc(title)}) Tj", "/F1 11 Tf", "0 -30 Td"]
    for line in lines:
        ops += [f"({esc(line)}) Tj", "0 -16 Td"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---- the artist ----------------------------------------------------------------------------------

TRACKS = (
    # title, genre, year, bpm, key, bars, cover style, spotify id
    ("Candela en el Malecón", "Salsa", 2023, 190, 0, 8, "sunset", "4uLU6hMCjMI75M1A2tKUQC"),
    ("Son de Medianoche", "Son cubano", 2022, 176, 7, 7, "rings", "1h2PlnJrTN6tWlmcjKz3sl"),
    ("Guaguancó pa' Mamá", "Rumba", 2021, 200, 5, 8, "waves", "5Gz7mQq1wJ2vsvQZDdFhf4"),
    ("Timba Sabrosa", "Timba", 2024, 196, 9, 8, "stripes", "0pQskrTITgmCMyhhJwGKb0"),
    ("Bolero del Puerto", "Bolero", 2020, 160, 2, 6, None, None),
    ("Descarga 305", "Latin jazz", 2024, 184, 10, 8, "rings", "6rqhFgbbKwnb9MLmUQDhG6"),
)


def _day(offset_days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=offset_days)).isoformat()


def _when(offset_days: int, hour: int = 20) -> str:
    day = dt.datetime.now(dt.UTC).replace(hour=hour, minute=0, second=0, microsecond=0) + dt.timedelta(days=offset_days)
    return day.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def seed_demo(ws: Workspace) -> dict[str, int]:
    """Fill ``ws`` with the demo artist; refuses a data folder that already has a profile."""
    if ws.profile.current() is not None:
        raise GigbagError("this data folder already has a profile; run the demo on a new, empty data folder")
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="gigbag-demo-") as tmp_name:
        tmp = Path(tmp_name)

        def write(name: str, data: bytes) -> Path:
            path = tmp / name
            path.write_bytes(data)
            return path

        # folders
        press = ws.folders.create({"name": "Press kit"})
        photos = ws.folders.create({"name": "Photos", "parent_folder_id": press.id})
        music = ws.folders.create({"name": "Music"})
        masters = ws.folders.create({"name": "Masters", "parent_folder_id": music.id})
        stems = ws.folders.create({"name": "Stems", "parent_folder_id": music.id})
        business = ws.folders.create({"name": "Contracts and riders"})
        counts["folders"] = 6

        # images
        avatar = ws.files.import_file(
            write("Marisol portrait.png", poster_png(360, 360, 0.02, "rings")), folder_id=photos.id
        )
        banner = ws.files.import_file(
            write("Banner - live at the Fillmore.png", poster_png(1200, 330, 0.95, "sunset")), folder_id=photos.id
        )
        for i, (name, style) in enumerate(
            (("Band on stage.png", "waves"), ("Studio session.png", "stripes"), ("Festival crowd.png", "sunset"))
        ):
            ws.files.import_file(write(name, poster_png(720, 480, 0.05 + 0.07 * i, style)), folder_id=photos.id)

        # documents
        rider_title = "Marisol Vega y Su Orquesta - Technical rider"
        ws.files.import_file(
            write(
                "Technical rider 2025.pdf",
                pdf_bytes(
                    rider_title,
                    [
                        "Band: 11 musicians (lead vocal, 2 coros, piano, bass, congas, "
                        "timbales, bongo, 2 trumpets, trombone).",
                        "Stage: at least 8 m x 5 m; drum riser 2.4 m x 2.4 m for timbales.",
                        "Monitors: 6 wedges on 5 mixes; in-ear for lead vocal.",
                        "Backline: 88-key weighted piano, bass amp (500 W), 3 congas with stands.",
                        "Soundcheck: 90 minutes. Hospitality: water, fruit, hot meal for 13.",
                    ],
                ),
            ),
            folder_id=business.id,
        )
        ws.files.import_file(
            write(
                "Stage plot.pdf",
                pdf_bytes(
                    "Stage plot",
                    [
                        "Back row: timbales (left), congas (centre), bongo (right).",
                        "Middle: piano (left), bass (right). Front: coros left and right, lead vocal centre.",
                        "Horns: stage right, on the same line as the piano.",
                    ],
                ),
            ),
            folder_id=business.id,
        )
        ws.files.import_file(
            write(
                "Booking contract - Blue Note Miami.txt",
                (
                    "Engagement agreement\n\nArtist: Marisol Vega y Su Orquesta\nVenue: Blue Note Miami\n"
                    f"Date: {_day(24)}, two sets of 60 minutes\nFee: $2,400 flat, 50% deposit\n"
                ).encode(),
            ),
            folder_id=business.id,
        )
        ws.files.import_file(
            write(
                "Press release - Timba Sabrosa.txt",
                (
                    b"FOR IMMEDIATE RELEASE\n\nMarisol Vega releases 'Timba Sabrosa', a "
                    b"love letter to Havana's dance floors, "
                    b"recorded live in one take with her eleven-piece orchestra.\n"
                ),
            ),
            folder_id=press.id,
        )
        ws.files.import_file(
            write(
                "Bio - short.txt",
                (
                    b"Marisol Vega is a Miami singer, percussionist and bandleader whose orchestra plays salsa dura, "
                    b"son and timba for dancers from Little Havana to Lincoln Center.\n"
                ),
            ),
            folder_id=press.id,
        )

        # tracks (audio in Music / Masters), covers from generated art
        track_count = 0
        for title, genre, year, bpm, key, bars, cover_style, spotify in TRACKS:
            audio = tmp / f"{title}.wav"
            salsa_wav(audio, bpm, key, bars)
            values: dict[str, object] = {"title": title, "genre": genre, "release_year": year}
            if spotify:
                values["spotify_url"] = f"https://open.spotify.com/track/{spotify}"
                values["apple_music_url"] = f"https://music.apple.com/us/album/{spotify[:10].lower()}"
            track = ws.tracks.add_from_file(audio, values=values)
            ws.files.move(track.audio_file_id, masters.id)
            if cover_style:
                cover = write(f"Cover - {title}.png", poster_png(320, 320, 0.03 + 0.11 * track_count, cover_style))
                ws.tracks.set_cover(track.id, cover)
                ws.files.move(ws.tracks.get(track.id).cover_file_id, photos.id)  # type: ignore[arg-type]
            track_count += 1
        counts["tracks"] = track_count
        for part in ("bass", "piano", "clave"):
            stem = tmp / f"Candela en el Malecón - {part} stem.wav"
            salsa_wav(stem, 190, 0, 4, (part,))
            ws.files.import_file(stem, folder_id=stems.id)
        counts["files"] = ws.files.count()

        # the profile
        ws.profile.save(
            {
                "stage_name": "Marisol Vega y Su Orquesta",
                "legal_name": "Marisol Vega Castillo",
                "pronouns": "she/her",
                "location_city": "Miami",
                "location_state": "FL",
                "location_country": "US",
                "location_zip": "33135",
                "phone_number": "+1 305 555 0142",
                "tagline": "Salsa dura with a Miami heartbeat",
                "bio": (
                    "Singer, percussionist and bandleader. Marisol Vega leads an eleven-piece orchestra that plays "
                    "salsa dura, son montuno and timba for dancers, festivals and weddings across Florida."
                ),
                "story": (
                    "Raised between Little Havana and her grandmother's records, Marisol started on bongo at nine "
                    "and sang coro in local bands at fifteen. In 2019 she formed her own orchestra to play the "
                    "hard-driving salsa she grew up dancing to, with arrangements written for dancers first."
                ),
                "primary_genre": "Salsa",
                "secondary_genres": ["Son cubano", "Timba", "Latin jazz"],
                "influences": ["Celia Cruz", "Héctor Lavoe", "Eddie Palmieri", "Los Van Van", "La India"],
                "artist_type": "Band leader",
                "equipment": ["LP Galaxy congas", "Shure Beta 58A", "Nord Piano 5", "Yamaha timbales"],
                "daw": "Logic Pro",
                "platforms": "Spotify, Apple Music, YouTube, Bandcamp",
                "subscriptions": "DistroKid, Bandsintown",
                "struggles": "Finding venues with a stage big enough for eleven "
                "musicians at a fee that pays all of them.",
                "base_rate_flat": 2400,
                "base_rate_hourly": 650,
                "rates_negotiable": True,
                "largest_show_capacity": 3500,
                "travel_radius_miles": 300,
                "available_weekdays": False,
                "available_weekends": True,
                "advance_booking_weeks": 6,
                "available_dates": [_day(d) for d in (10, 17, 31, 45)],
                "time_split_creative": 55,
                "time_split_logistics": 45,
                "currently_making_music": True,
                "confident_online_presence": False,
                "struggles_creative_niche": False,
                "knows_where_find_gigs": True,
                "paid_fairly_performing": False,
                "understands_royalties": True,
                "tasks_outsource": "Booking outside Florida, social media scheduling, grant applications.",
                "sound_uniqueness": "Three-trombone mambos over timba bass lines, and "
                "coros written for the dance floor.",
                "dream_venue": "Madison Square Garden",
                "biggest_inspiration": "Celia Cruz",
                "favorite_create_time": "After a gig, around 2 a.m.",
                "platform_pain_point": "Streaming pays almost nothing to an eleven-piece band.",
                "website_url": "https://marisolvega.example.com",
                "instagram_handle": "@marisolvegasalsa",
                "tiktok_handle": "@marisolvega",
                "youtube_url": "https://www.youtube.com/@marisolvegasalsa",
                "spotify_url": "https://open.spotify.com/artist/2mSHY8JOR0nRi3mtHqVa04",
                "apple_music_url": "https://music.apple.com/us/artist/marisol-vega/1440000000",
                "soundcloud_url": "https://soundcloud.com/marisolvega",
                "bandcamp_url": "https://marisolvega.bandcamp.com",
                "facebook_url": "https://www.facebook.com/marisolvegasalsa",
                "avatar_url": f"{BLOB_REF_PREFIX}{avatar.blob_sha256}",
                "banner_url": f"{BLOB_REF_PREFIX}{banner.blob_sha256}",
            }
        )
        counts["profile"] = 1

    # goals and their progress
    goals = [
        (
            "Earn $30,000 from gigs this year",
            "earnings",
            30000,
            _day(120),
            [
                (-200, 2400, "Blue Note, two sets"),
                (-150, 4800, "Wedding season, three weddings"),
                (-95, 3500, "Calle Ocho festival"),
                (-40, 2400, "Ball & Chain residency, March"),
                (-12, 1900, "Corporate party"),
            ],
        ),
        ("Play 40 gigs", "gigs", 40, _day(120), [(-180, 8, "Winter"), (-110, 9, "Spring"), (-30, 7, "Summer")]),
        (
            "Reach 10,000 Instagram followers",
            "followers",
            10000,
            _day(60),
            [(-160, 4200, "Starting point"), (-90, 1800, "Reels from Calle Ocho"), (-20, 950, "Timba Sabrosa teaser")],
        ),
        ("Release 3 singles", "tracks", 3, _day(-5), [(-140, 1, "Timba Sabrosa"), (-60, 1, "Descarga 305")]),
        ("Record a live album", "custom", None, _day(200), []),
    ]
    progress: list[dict[str, object]] = []
    for title, kind, target, when, history in goals:
        goal = ws.goals.create(
            {"title": title, "goal_type": kind, "target_value": target, "target_date": when, "description": None}
        )
        progress += [
            {"goal_id": goal.id, "value": value, "note": note, "recorded_at": _when(offset)}
            for offset, value, note in history
        ]
    progress_entries = len(ws.progress.create_many(progress))
    done = ws.goals.create(
        {
            "title": "Get the orchestra on a festival poster",
            "goal_type": "custom",
            "status": "completed",
            "target_date": _day(-70),
        }
    )
    ws.goals.create(
        {
            "title": "Tour Puerto Rico in summer",
            "goal_type": "gigs",
            "target_value": 6,
            "status": "abandoned",
            "target_date": _day(-30),
            "description": "Postponed: the flights for eleven musicians cost more than the fees.",
        }
    )
    counts["goals"] = len(goals) + 2
    counts["progress entries"] = progress_entries
    del done

    # beat patterns
    montuno = ws.patterns.new("Montuno en Do", "Salsa", description="Practice groove for the coro section", bpm=190)
    ws.patterns.fork(montuno.id, "Montuno en Do - slow practice")
    ws.patterns.new("Merengue de la Calle", "Merengue", bpm=150)
    ws.patterns.new("Descarga groove", "Salsa", bpm=200, key_note=10)
    counts["patterns"] = 4

    # timeline
    timeline = [
        (-700, "Orchestra founded", "milestone", "First rehearsal with eleven musicians in a Hialeah garage."),
        (-420, "Bolero del Puerto released", "release", None),
        (-300, "Calle Ocho Festival main stage", "gig", "Our biggest crowd yet: about 3,500 people."),
        (-140, "Timba Sabrosa released", "release", "Premiered on WDNA 88.9."),
        (-95, "Ball & Chain residency begins", "gig", "Every first Friday."),
        (-60, "Descarga 305 released", "release", None),
        (-12, "Corporate party at the Biltmore", "gig", None),
        (24, "Blue Note Miami, two sets", "gig", "Contract in Files › Contracts and riders."),
        (52, "Live album recording", "milestone", "Two nights at the Fillmore, multitrack."),
    ]
    ws.timeline.create_many(
        [
            {"date": _day(offset), "title": title, "entry_type": kind, "description": description}
            for offset, title, kind, description in timeline
        ]
    )
    counts["timeline entries"] = len(timeline)

    # journal
    journal = [
        (
            "Coro idea: 'la noche es nuestra'",
            "song_idea",
            "Call and response over the mambo: 'la noche es nuestra' / 'y la calle también'.\n\n"
            "Try it in 3-2 clave at 196, trombones answer the coro.",
        ),
        (
            "Set list - Blue Note",
            "set_plan",
            "Set 1: Candela en el Malecón, Son de Medianoche, Bolero del Puerto, Timba Sabrosa.\n\n"
            "Set 2: Descarga 305 (long piano solo), Guaguancó pa' Mamá, encore: Quimbara.",
        ),
        (
            "After the Calle Ocho gig",
            "general_note",
            "Monitors were too quiet for the coros. Ask for a separate mix next time.\n\n"
            "Sold 40 CDs and signed up 120 people for the newsletter.",
        ),
    ]
    ws.journal.create_many(
        [{"title": title, "entry_type": kind, "content": text_blocks(text)} for title, kind, text in journal]
    )
    counts["journal entries"] = len(journal)

    # contact lists
    fans = ws.contact_lists.create({"name": "Newsletter", "description": "Fans who signed up at shows"})
    bookers = ws.contact_lists.create({"name": "Bookers and venues", "description": "Who books us, and where"})
    members = [
        (fans.id, "Ana Rodríguez", "ana.rodriguez@example.com", "+1 305 555 0101", True, True),
        (fans.id, "Luis Fernández", "luis.f@example.com", None, True, False),
        (fans.id, "Carmen Díaz", "carmen.diaz@example.com", "+1 786 555 0177", True, True),
        (fans.id, "Jorge Morales", "jmorales@example.com", None, False, False),
        (fans.id, "Yolanda Pérez", "yoli.perez@example.com", "+1 305 555 0190", True, False),
        (fans.id, "Ricardo Gómez", "ricky.gomez@example.com", None, True, True),
        (bookers.id, "Blue Note Miami - bookings", "bookings@bluenote.example.com", "+1 305 555 0400", True, False),
        (bookers.id, "Ball & Chain", "events@ballandchain.example.com", None, True, False),
        (bookers.id, "Calle Ocho Festival", "artists@calleocho.example.org", None, True, False),
        (bookers.id, "Sofía Martínez (wedding planner)", "sofia@bodas.example.com", "+1 786 555 0123", True, True),
    ]
    ws.contacts.create_many(
        [
            {
                "list_id": list_id,
                "name": name,
                "email": email,
                "phone": phone,
                "opted_in_email": by_email,
                "opted_in_sms": by_sms,
            }
            for list_id, name, email, phone, by_email, by_sms in members
        ]
    )
    counts["contact lists"] = 2
    counts["contacts"] = len(members)
    return counts

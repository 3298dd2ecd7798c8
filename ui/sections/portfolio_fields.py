"""The artist profile's fields as the Portfolio form lays them out: groups, labels, hints, kinds.

The groups follow Umbrella's ``artists`` row (identity, story, creative profile, rates and
availability, the six yes/no questions, links); the read-only metrics and the defaults of a profile
never saved are listed here too, with the two parsers of typed text (lists, whole numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text, long, list, dates, int, bool, yesno
    placeholder: str = ""
    help: str = ""


def _f(name: str, label: str, kind: str = "text", placeholder: str = "", help: str = "") -> FieldSpec:
    return FieldSpec(name, label, kind, placeholder, help)


GROUPS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "Identity",
        (
            _f("stage_name", "Stage name", placeholder="The name fans know you by"),
            _f("legal_name", "Legal name"),
            _f("pronouns", "Pronouns", placeholder="e.g. she/her"),
            _f("location_city", "City"),
            _f("location_state", "State or region"),
            _f("location_country", "Country", placeholder="e.g. US"),
            _f("location_zip", "Postal code"),
            _f("phone_number", "Phone"),
        ),
    ),
    (
        "Story",
        (
            _f("tagline", "Tagline", placeholder="One line that sums up your sound"),
            _f("bio", "Bio", "long", "A short biography for bookers and press"),
            _f("story", "Your story", "long", "How you got here"),
        ),
    ),
    (
        "Creative profile",
        (
            _f("primary_genre", "Primary genre", placeholder="e.g. Salsa"),
            _f("secondary_genres", "Other genres", "list", "Separate with commas: Timba, Latin jazz"),
            _f("influences", "Influences", "list", "Separate with commas"),
            _f("artist_type", "Artist type", placeholder="e.g. Band leader, DJ, Producer"),
            _f("equipment", "Equipment", "list", "Separate with commas"),
            _f("daw", "DAW", placeholder="e.g. Ableton Live"),
            _f("platforms", "Platforms", placeholder="Where your music is"),
            _f("subscriptions", "Subscriptions"),
            _f("struggles", "Struggles", "long"),
        ),
    ),
    (
        "Rates and availability",
        (
            _f("base_rate_flat", "Flat rate per show ($)", "int", "e.g. 800"),
            _f("base_rate_hourly", "Hourly rate ($)", "int"),
            _f("rates_negotiable", "Rates are negotiable", "bool"),
            _f("largest_show_capacity", "Largest show (audience)", "int"),
            _f("travel_radius_miles", "Travel radius (miles)", "int"),
            _f("available_weekdays", "Available on weekdays", "bool"),
            _f("available_weekends", "Available on weekends", "bool"),
            _f("advance_booking_weeks", "Book ahead (weeks)", "int"),
            _f("available_dates", "Available dates", "dates", "Separate with commas: 2025-07-04, 2025-07-11"),
            _f("time_split_creative", "Time on creative work (%)", "int"),
            _f("time_split_logistics", "Time on logistics (%)", "int"),
        ),
    ),
    (
        "Six questions",
        (
            _f("currently_making_music", "Are you making music right now?", "yesno"),
            _f("confident_online_presence", "Are you confident in your online presence?", "yesno"),
            _f("struggles_creative_niche", "Do you struggle to find your creative niche?", "yesno"),
            _f("knows_where_find_gigs", "Do you know where to find gigs?", "yesno"),
            _f("paid_fairly_performing", "Are you paid fairly for performing?", "yesno"),
            _f("understands_royalties", "Do you understand how royalties work?", "yesno"),
            _f("tasks_outsource", "Tasks you would hand off", "long"),
            _f("sound_uniqueness", "What makes your sound unique", "long"),
            _f("dream_venue", "Dream venue"),
            _f("biggest_inspiration", "Biggest inspiration"),
            _f("favorite_create_time", "Favorite time to create", placeholder="e.g. Late at night"),
            _f("platform_pain_point", "Platform frustrations", "long", "What frustrates you about music platforms"),
        ),
    ),
    (
        "Links",
        (
            _f("website_url", "Website", placeholder="https://"),
            _f("instagram_handle", "Instagram", placeholder="@handle"),
            _f("tiktok_handle", "TikTok", placeholder="@handle"),
            _f("youtube_url", "YouTube", placeholder="https://youtube.com/…"),
            _f("spotify_url", "Spotify", placeholder="https://open.spotify.com/artist/…"),
            _f("apple_music_url", "Apple Music", placeholder="https://music.apple.com/…"),
            _f("soundcloud_url", "SoundCloud", placeholder="https://soundcloud.com/…"),
            _f("bandcamp_url", "Bandcamp", placeholder="https://….bandcamp.com"),
            _f("facebook_url", "Facebook", placeholder="https://facebook.com/…"),
            _f("twitter_url", "X / Twitter", placeholder="https://x.com/…"),
        ),
    ),
)

FIELDS: dict[str, FieldSpec] = {spec.name: spec for _title, specs in GROUPS for spec in specs}
IMAGE_FIELDS = {"avatar_url": "Avatar", "banner_url": "Banner"}
LABELS = {**{n: s.label for n, s in FIELDS.items()}, **IMAGE_FIELDS}
METRICS = (
    ("verified", "Verified"),
    ("avg_rating", "Rating"),
    ("total_reviews", "Reviews"),
    ("total_gigs", "Gigs"),
    ("total_earnings", "Earnings"),
    ("profile_views", "Profile views"),
    ("follower_count", "Followers"),
)
DEFAULTS: dict[str, Any] = {
    "location_country": "US",
    "rates_negotiable": True,
    "available_weekdays": True,
    "available_weekends": True,
    "advance_booking_weeks": 2,
}


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def parse_int(text: str) -> int | str | None:
    """A whole number, None for an empty field, or the text itself (the service explains the error)."""
    text = text.strip().replace(",", "").lstrip("$")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text

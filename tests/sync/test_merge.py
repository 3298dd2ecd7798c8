"""Three-way merge of one entity: per field against the base, never by clock; deletes; append-only."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gigbag.schema.entities import validate_data
from gigbag.sync.merge import field_defaults, later_timestamp, merge_fields, reconcile

T0 = "2025-01-01T10:00:00Z"
T1 = "2025-01-02T10:00:00Z"
T2 = "2025-01-03T10:00:00.5Z"


def journal(**changes: Any) -> dict[str, Any]:
    base = {"created_at": T0, "updated_at": T0, "title": "Idea", "content": [], "entry_type": "general_note"}
    return validate_data("journal_entries", {**base, **changes})


def test_a_field_changed_on_one_side_takes_that_side() -> None:
    base = journal()
    local = journal(title="Montuno in G", updated_at=T1)
    remote = journal(entry_type="song_idea", updated_at=T2)
    result = reconcile("journal_entries", base, local, remote)
    assert not result.conflict
    assert result.merged is not None
    assert result.merged["title"] == "Montuno in G"
    assert result.merged["entry_type"] == "song_idea"
    assert result.merged["updated_at"] == T2  # the later one, compared as a time


def test_the_same_field_changed_to_different_values_is_a_conflict_with_local_kept_provisionally() -> None:
    base = journal()
    local = journal(title="Mine", updated_at=T2)
    remote = journal(title="Theirs", entry_type="set_plan", updated_at=T1)
    result = reconcile("journal_entries", base, local, remote)
    assert result.conflict
    assert result.fields == ("title",)
    assert result.merged is not None
    assert result.merged["title"] == "Mine"
    assert result.merged["entry_type"] == "set_plan"


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    base = journal()
    local = journal(title="Same", updated_at=T1)
    remote = journal(title="Same", updated_at=T2)
    result = reconcile("journal_entries", base, local, remote)
    assert not result.conflict
    assert result.merged == remote


def test_timestamps_never_conflict_and_compare_as_times_not_text() -> None:
    # As text "…00Z" sorts after "…00.5Z"; as times the fractional one is later.
    assert later_timestamp("2025-01-01T00:00:00Z", "2025-01-01T00:00:00.5Z") == "2025-01-01T00:00:00.5Z"
    merged, conflicts = merge_fields(
        "journal_entries", journal(), journal(created_at=T1, updated_at=T1), journal(created_at=T2, updated_at=T0)
    )
    assert conflicts == []
    assert (merged["created_at"], merged["updated_at"]) == (T2, T1)


def test_no_base_means_both_created_it_and_defaults_are_the_base() -> None:
    """The profile made offline on two computers is one entity: fields left at their default take the other side."""
    mine = validate_data("artists", {"created_at": T0, "updated_at": T0, "stage_name": "Orquesta", "bio": "From A"})
    theirs = validate_data(
        "artists", {"created_at": T1, "updated_at": T1, "stage_name": "Orquesta", "location_city": "Oslo"}
    )
    result = reconcile("artists", None, mine, theirs)
    assert not result.conflict
    assert result.merged is not None
    assert (result.merged["bio"], result.merged["location_city"]) == ("From A", "Oslo")
    other = validate_data("artists", {"created_at": T1, "updated_at": T1, "stage_name": "Other name"})
    clash = reconcile("artists", None, mine, other)
    assert clash.conflict and clash.fields == ("stage_name",)


def test_delete_against_edit_is_a_conflict_both_ways() -> None:
    base = journal()
    edited = journal(title="Edited", updated_at=T1)
    deleted_here = reconcile("journal_entries", base, None, edited)
    assert deleted_here.conflict and deleted_here.merged is None and deleted_here.fields == ()
    deleted_there = reconcile("journal_entries", base, edited, None)
    assert deleted_there.conflict and deleted_there.merged == edited


def test_delete_of_an_unchanged_entity_is_taken_and_delete_on_both_sides_agrees() -> None:
    base = journal()
    assert reconcile("journal_entries", base, base, None).merged is None
    assert not reconcile("journal_entries", base, base, None).conflict
    stands = reconcile("journal_entries", base, None, base)
    assert stands.merged is None and not stands.conflict
    both = reconcile("journal_entries", base, None, None)
    assert both.merged is None and not both.conflict


def test_goal_progress_is_append_only_and_never_conflicts() -> None:
    entry = validate_data(
        "goal_progress",
        {
            "created_at": T0,
            "updated_at": T0,
            "goal_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
            "value": 2,
            "recorded_at": T0,
        },
    )
    assert not reconcile("goal_progress", None, entry, None).conflict
    assert reconcile("goal_progress", entry, None, entry).merged is None
    assert reconcile("goal_progress", entry, entry, None).merged is None


def test_a_mix_that_breaks_the_schema_becomes_a_conflict_on_the_disagreeing_fields() -> None:
    def goal(**changes: Any) -> dict[str, Any]:
        data = {"created_at": T0, "updated_at": T0, "title": "Gigs", "status": "active", "completed": False}
        return validate_data("goals", {**data, **changes})

    base = goal()
    local = goal(status="completed", completed=True)
    remote = goal(status="abandoned")
    result = reconcile("goals", base, local, remote)
    assert result.conflict
    assert set(result.fields) == {"status"}
    assert result.merged is not None and validate_data("goals", result.merged)["status"] == "completed"


def test_a_merge_whose_result_breaks_the_schema_is_left_to_the_artist() -> None:
    # Each side is valid; the one-sided changes together are not: a Merengue pattern with a clave.
    def pattern(**changes: Any) -> dict[str, Any]:
        data = {
            "created_at": T0,
            "updated_at": T0,
            "title": "Groove",
            "flavor": "Salsa",
            "configuration": {"instruments": []},
        }
        return validate_data("patterns", {**data, **changes})

    clave = {"id": "clave", "enabled": True, "activeProgram": 0, "volume": 1.0, "pitchOffset": 0}
    base = pattern()
    local = pattern(flavor="Merengue")
    remote = pattern(configuration={"instruments": [clave]})
    result = reconcile("patterns", base, local, remote)
    assert result.conflict
    assert set(result.fields) == {"flavor", "configuration"}
    assert result.merged is not None
    assert validate_data("patterns", result.merged)["flavor"] == "Merengue"


def test_an_open_conflict_stays_open_until_both_sides_agree() -> None:
    base = journal(title="Theirs 1")
    local = journal(title="Mine")
    newer_remote = journal(title="Theirs 1", entry_type="set_plan")
    still = reconcile("journal_entries", base, local, newer_remote, still_conflicting=("title",))
    assert still.conflict and still.fields == ("title",)
    agreed = reconcile("journal_entries", base, local, journal(title="Mine"), still_conflicting=("title",))
    assert not agreed.conflict


# ---- properties --------------------------------------------------------------------------------
TITLES = st.sampled_from(["A", "B", "C"])
TYPES = st.sampled_from(["song_idea", "set_plan", "general_note"])
CONTENT = st.sampled_from([[], [{"type": "text", "text": "x"}], [{"type": "text", "text": "y"}]])


@st.composite
def versions(draw: st.DrawFn) -> dict[str, Any]:
    return journal(
        title=draw(TITLES),
        entry_type=draw(TYPES),
        content=draw(CONTENT),
        updated_at=draw(st.sampled_from([T0, T1, T2])),
    )


@settings(max_examples=300, deadline=None)
@given(base=versions(), local=versions(), remote=versions())
def test_merge_is_symmetric_and_takes_one_sided_changes(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]
) -> None:
    a = reconcile("journal_entries", base, local, remote)
    b = reconcile("journal_entries", base, remote, local)
    assert set(a.fields) == set(b.fields)
    assert a.merged is not None and b.merged is not None
    for name in field_defaults("journal_entries"):
        if name not in a.fields:
            assert a.merged[name] == b.merged[name], name
        if name in ("created_at", "updated_at"):
            continue
        if local[name] == base[name]:
            assert a.merged[name] == remote[name]
        elif remote[name] == base[name] or local[name] == remote[name]:
            assert a.merged[name] == local[name]
        else:
            assert name in a.fields and a.merged[name] == local[name]


@settings(max_examples=100, deadline=None)
@given(base=versions(), same=versions())
def test_identical_sides_merge_to_themselves(base: dict[str, Any], same: dict[str, Any]) -> None:
    result = reconcile("journal_entries", base, same, dict(same))
    assert not result.conflict and result.merged == same

"""Photos' rules (albums ⇄ folders, photos ⇄ files), case by case, plus properties over every
combination of changes on both sides."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.sync.model import Side
from shared.sync.photo_rules import (
    Adopt,
    AlbumBase,
    Copy,
    Forget,
    Ignore,
    Pair,
    PhotoBase,
    ProcoreAlbum,
    ProcorePhoto,
    Remove,
    Rename,
    Restore,
    Rules,
    SharePointAlbum,
    SharePointPhoto,
    Unchanged,
    Update,
    Wait,
    decide_album,
    decide_photo,
    writes_into,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = NOW - timedelta(days=3)
T1 = NOW - timedelta(days=2)
T2 = NOW - timedelta(days=1)
RULES = Rules(now=NOW)

BASE = PhotoBase(
    procore_id=1,
    sharepoint_id="s1",
    procore_name="IMG_1.jpg",
    sharepoint_name="IMG_1.jpg",
    procore_album_id=10,
    sharepoint_folder_id="f10",
    content="h1",
    size=100,
)
P = ProcorePhoto(id=1, name="IMG_1.jpg", album_id=10, updated_at=T0)
S = SharePointPhoto(
    id="s1", name="IMG_1.jpg", folder_id="f10", modified_at=T0, content="h1", size=100, album_id=10
)


def s_edit(at: datetime = T1, **kw: object) -> SharePointPhoto:
    return replace(S, content="h2", size=120, modified_at=at, **kw)  # type: ignore[arg-type]


# --- new photos -----------------------------------------------------------------------------


def test_new_in_procore_is_copied_to_sharepoint() -> None:
    assert decide_photo(None, P, None, RULES) == Copy(Side.PROCORE)


def test_new_in_sharepoint_is_copied_to_procore() -> None:
    assert decide_photo(None, None, S, RULES) == Copy(Side.SHAREPOINT)


@pytest.mark.parametrize("name", ["~$IMG_1.jpg", "scan.tmp", ".~lock.IMG_1.jpg#"])
def test_new_office_temp_or_lock_file_is_ignored(name: str) -> None:
    assert decide_photo(None, None, replace(S, name=name), RULES) == Ignore(
        "Office temporary or lock file"
    )


def test_new_file_within_the_quiet_period_waits() -> None:
    fresh = replace(S, modified_at=NOW - timedelta(seconds=5))
    assert decide_photo(None, None, fresh, RULES) == Wait("changed within the quiet period")


def test_new_file_checked_out_waits() -> None:
    assert decide_photo(None, None, replace(S, checked_out=True), RULES) == Wait(
        "checked out in SharePoint"
    )


def test_nothing_anywhere_is_unchanged() -> None:
    assert decide_photo(None, None, None, RULES) == Unchanged()


def test_new_on_both_sides_is_refused_as_one_decision() -> None:
    with pytest.raises(ValueError):
        decide_photo(None, P, S, RULES)


# --- one side changed -----------------------------------------------------------------------


def test_nothing_changed() -> None:
    assert decide_photo(BASE, P, S, RULES) == Unchanged()


def test_echo_of_our_own_write_is_unchanged() -> None:
    """The base holds what our write produced; the side reporting it back compares equal."""
    later = replace(S, modified_at=T2)
    assert decide_photo(BASE, replace(P, updated_at=T2), later, RULES) == Unchanged()


def test_renamed_in_procore() -> None:
    assert decide_photo(BASE, replace(P, name="slab.jpg"), S, RULES) == Update(
        name_from=Side.PROCORE
    )


def test_renamed_in_sharepoint() -> None:
    assert decide_photo(BASE, P, replace(S, name="slab.jpg"), RULES) == Update(
        name_from=Side.SHAREPOINT
    )


def test_moved_in_procore() -> None:
    assert decide_photo(BASE, replace(P, album_id=11), S, RULES) == Update(album_from=Side.PROCORE)


def test_moved_in_sharepoint() -> None:
    moved = replace(S, folder_id="f11", album_id=11)
    assert decide_photo(BASE, P, moved, RULES) == Update(album_from=Side.SHAREPOINT)


def test_edited_in_sharepoint_replaces_the_procore_image() -> None:
    assert decide_photo(BASE, P, s_edit(), RULES) == Update(content=True)


def test_content_compared_by_size_when_a_hash_is_missing() -> None:
    no_hash = replace(S, content=None)
    assert decide_photo(BASE, P, no_hash, RULES) == Unchanged()
    assert decide_photo(BASE, P, replace(no_hash, size=1), RULES) == Update(content=True)


def test_edit_within_the_quiet_period_waits() -> None:
    assert decide_photo(BASE, P, s_edit(at=NOW), RULES) == Wait("changed within the quiet period")


def test_edit_of_a_checked_out_file_waits() -> None:
    assert decide_photo(BASE, P, s_edit(checked_out=True), RULES) == Wait(
        "checked out in SharePoint"
    )


def test_a_rename_alone_does_not_wait_for_the_quiet_period() -> None:
    assert decide_photo(BASE, P, replace(S, name="b.jpg", modified_at=NOW), RULES) == Update(
        name_from=Side.SHAREPOINT
    )


def test_procore_content_never_changes() -> None:
    """Procore images take no new data (API-NOTES A7): a touched image is not an edit."""
    assert decide_photo(BASE, replace(P, updated_at=T2), S, RULES) == Unchanged()


# --- both sides changed ---------------------------------------------------------------------


def test_edit_in_sharepoint_and_rename_in_procore_both_apply() -> None:
    decision = decide_photo(BASE, replace(P, name="slab.jpg", updated_at=T2), s_edit(), RULES)
    assert decision == Update(content=True, name_from=Side.PROCORE)


def test_renamed_differently_on_both_sides_newer_wins() -> None:
    p = replace(P, name="p.jpg", updated_at=T2)
    s = replace(S, name="s.jpg", modified_at=T1)
    assert decide_photo(BASE, p, s, RULES) == Update(name_from=Side.PROCORE, contested=True)
    s_newer = replace(s, modified_at=NOW - timedelta(hours=1))
    assert decide_photo(BASE, p, s_newer, RULES) == Update(
        name_from=Side.SHAREPOINT, contested=True
    )


def test_renamed_alike_on_both_sides_is_adopted() -> None:
    assert decide_photo(BASE, replace(P, name="x.jpg"), replace(S, name="X.jpg"), RULES) == Adopt()


def test_mapped_names_agree() -> None:
    """A Procore name SharePoint forbids is compared as mapped (`:` → full-width)."""
    p = replace(P, name="A:B.jpg")
    s = replace(S, name="A\uff1aB.jpg")
    assert decide_photo(BASE, p, s, RULES) == Adopt()


def test_moved_to_different_albums_newer_wins() -> None:
    p = replace(P, album_id=11, updated_at=T1)
    s = replace(S, folder_id="f12", album_id=12, modified_at=T2)
    assert decide_photo(BASE, p, s, RULES) == Update(album_from=Side.SHAREPOINT, contested=True)


def test_moved_to_the_same_album_is_adopted() -> None:
    p = replace(P, album_id=11)
    s = replace(S, folder_id="f11", album_id=11)
    assert decide_photo(BASE, p, s, RULES) == Adopt()


def test_renamed_on_one_side_moved_on_the_other() -> None:
    p = replace(P, name="p.jpg")
    s = replace(S, folder_id="f11", album_id=11)
    assert decide_photo(BASE, p, s, RULES) == Update(
        name_from=Side.PROCORE, album_from=Side.SHAREPOINT
    )


# --- deletes --------------------------------------------------------------------------------


def test_deleted_in_procore_is_removed_from_sharepoint() -> None:
    assert decide_photo(BASE, None, S, RULES) == Remove(Side.PROCORE)


def test_deleted_in_sharepoint_is_removed_from_procore() -> None:
    assert decide_photo(BASE, P, None, RULES) == Remove(Side.SHAREPOINT)


def test_deleted_on_both_sides_is_forgotten() -> None:
    assert decide_photo(BASE, None, None, RULES) == Forget()


@pytest.mark.parametrize(
    "changed",
    [s_edit(), replace(S, name="b.jpg"), replace(S, folder_id="f11", album_id=11)],
    ids=["edit", "rename", "move"],
)
def test_changed_in_sharepoint_after_a_procore_delete_is_restored(
    changed: SharePointPhoto,
) -> None:
    assert decide_photo(BASE, None, changed, RULES) == Restore(Side.PROCORE)


@pytest.mark.parametrize(
    "changed", [replace(P, name="b.jpg"), replace(P, album_id=11)], ids=["rename", "move"]
)
def test_changed_in_procore_after_a_sharepoint_delete_is_restored(changed: ProcorePhoto) -> None:
    assert decide_photo(BASE, changed, None, RULES) == Restore(Side.SHAREPOINT)


def test_edit_after_a_procore_delete_still_waits_until_saved() -> None:
    assert decide_photo(BASE, None, s_edit(at=NOW), RULES) == Wait(
        "changed within the quiet period"
    )


# --- which album a decision writes into -----------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "side"),
    [
        (Copy(Side.PROCORE), Side.SHAREPOINT),
        (Copy(Side.SHAREPOINT), Side.PROCORE),
        (Restore(Side.PROCORE), Side.PROCORE),
        (Restore(Side.SHAREPOINT), Side.SHAREPOINT),
        (Wait("changed within the quiet period"), Side.PROCORE),
        (Update(album_from=Side.PROCORE), Side.SHAREPOINT),
        (Update(album_from=Side.SHAREPOINT), Side.PROCORE),
        (Update(content=True), None),
        (Update(name_from=Side.PROCORE), None),
        (Remove(Side.PROCORE), None),
        (Unchanged(), None),
        (Adopt(), None),
        (Forget(), None),
        (Ignore("x"), None),
    ],
)
def test_writes_into(decision: object, side: Side | None) -> None:
    assert writes_into(decision) == side  # type: ignore[arg-type]


# --- properties over every combination ------------------------------------------------------

names = st.sampled_from(["IMG_1.jpg", "a.jpg", "b.jpg"])
albums = st.sampled_from([10, 11])
times = st.sampled_from([T0, T1, T2])


@st.composite
def procore_now(draw: st.DrawFn) -> ProcorePhoto | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    return ProcorePhoto(id=1, name=draw(names), album_id=draw(albums), updated_at=draw(times))


@st.composite
def sharepoint_now(draw: st.DrawFn) -> SharePointPhoto | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    album = draw(albums)
    return SharePointPhoto(
        id="s1",
        name=draw(names),
        folder_id=f"f{album}",
        album_id=album,
        modified_at=draw(times),
        content=draw(st.sampled_from(["h1", "h2"])),
        size=100,
    )


@given(procore_now(), sharepoint_now())
def test_every_combination_gives_one_consistent_decision(
    procore: ProcorePhoto | None, sharepoint: SharePointPhoto | None
) -> None:
    decision = decide_photo(BASE, procore, sharepoint, RULES)
    p_changed = procore is not None and (
        procore.name != BASE.procore_name or procore.album_id != BASE.procore_album_id
    )
    s_changed = sharepoint is not None and (
        sharepoint.name != BASE.sharepoint_name
        or sharepoint.folder_id != BASE.sharepoint_folder_id
        or sharepoint.content != BASE.content
    )
    if procore is None and sharepoint is None:
        assert decision == Forget()
    elif procore is None:
        assert decision == (Restore(Side.PROCORE) if s_changed else Remove(Side.PROCORE))
    elif sharepoint is None:
        assert decision == (Restore(Side.SHAREPOINT) if p_changed else Remove(Side.SHAREPOINT))
    elif not p_changed and not s_changed:
        assert decision == Unchanged()
    else:
        assert isinstance(decision, Update | Adopt)
        if isinstance(decision, Update):
            assert decision.content == (sharepoint.content != BASE.content)
            if decision.name_from is Side.PROCORE:
                assert procore.name != BASE.procore_name
            if decision.name_from is Side.SHAREPOINT:
                assert sharepoint.name != BASE.sharepoint_name
            if decision.album_from is Side.PROCORE:
                assert procore.album_id != BASE.procore_album_id
            if decision.album_from is Side.SHAREPOINT:
                assert sharepoint.folder_id != BASE.sharepoint_folder_id


@given(procore_now(), sharepoint_now())
def test_a_decided_state_taken_as_the_base_is_unchanged(
    procore: ProcorePhoto | None, sharepoint: SharePointPhoto | None
) -> None:
    """Idempotence: once both sides hold the same photo and the base records it, nothing is left
    to do (what a second pass over the same state sees)."""
    if procore is None or sharepoint is None:
        return
    settled = replace(sharepoint, name=procore.name, folder_id=f"f{procore.album_id}")
    base = PhotoBase(
        procore_id=1,
        sharepoint_id="s1",
        procore_name=procore.name,
        sharepoint_name=settled.name,
        procore_album_id=procore.album_id,
        sharepoint_folder_id=settled.folder_id,
        content=settled.content,
        size=settled.size,
    )
    assert decide_photo(base, procore, settled, RULES) == Unchanged()


# --- albums ---------------------------------------------------------------------------------

ALBUM = AlbumBase(
    procore_id=10,
    sharepoint_id="f10",
    procore_name="Site Progress",
    sharepoint_name="Site Progress",
)
PA = ProcoreAlbum(id=10, name="Site Progress", updated_at=T0)
SA = SharePointAlbum(id="f10", name="Site Progress", modified_at=T0)


def test_album_new_on_either_side_is_copied() -> None:
    assert decide_album(None, PA, None) == Copy(Side.PROCORE)
    assert decide_album(None, None, SA) == Copy(Side.SHAREPOINT)
    assert decide_album(None, None, None) == Unchanged()


def test_album_new_on_both_sides_under_one_name_is_paired() -> None:
    assert decide_album(None, PA, replace(SA, name="site progress")) == Pair()
    with pytest.raises(ValueError):
        decide_album(None, PA, replace(SA, name="Other"))


def test_album_unchanged() -> None:
    assert decide_album(ALBUM, PA, SA) == Unchanged()


def test_album_renamed_on_one_side() -> None:
    assert decide_album(ALBUM, replace(PA, name="L1"), SA) == Rename(Side.PROCORE)
    assert decide_album(ALBUM, PA, replace(SA, name="L1")) == Rename(Side.SHAREPOINT)


def test_album_renamed_on_both_sides() -> None:
    assert decide_album(ALBUM, replace(PA, name="L1"), replace(SA, name="l1")) == Adopt()
    p = replace(PA, name="P", updated_at=T2)
    s = replace(SA, name="S", modified_at=T1)
    assert decide_album(ALBUM, p, s) == Rename(Side.PROCORE, contested=True)
    assert decide_album(ALBUM, replace(p, updated_at=T0), s) == Rename(
        Side.SHAREPOINT, contested=True
    )


def test_album_deleted_on_one_side_is_removed_from_the_other() -> None:
    assert decide_album(ALBUM, None, SA) == Remove(Side.PROCORE)
    assert decide_album(ALBUM, PA, None) == Remove(Side.SHAREPOINT)
    assert decide_album(ALBUM, None, None) == Forget()


def test_album_deleted_but_renamed_or_still_needed_on_the_other_side_is_restored() -> None:
    assert decide_album(ALBUM, None, replace(SA, name="L1")) == Restore(Side.PROCORE)
    assert decide_album(ALBUM, None, SA, needed_in_procore=True) == Restore(Side.PROCORE)
    assert decide_album(ALBUM, replace(PA, name="L1"), None) == Restore(Side.SHAREPOINT)
    assert decide_album(ALBUM, PA, None, needed_in_sharepoint=True) == Restore(Side.SHAREPOINT)


def test_a_need_on_the_side_that_still_has_the_album_changes_nothing() -> None:
    assert decide_album(ALBUM, None, SA, needed_in_sharepoint=True) == Remove(Side.PROCORE)
    assert decide_album(ALBUM, PA, SA, needed_in_procore=True) == Unchanged()

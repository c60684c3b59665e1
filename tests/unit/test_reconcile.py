"""The three-way decision (DESIGN §4), scenario by scenario, plus properties over all changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.sync.model import ConflictPolicy, Side
from shared.sync.reconcile import (
    AdoptBase,
    Apply,
    Base,
    CompareContent,
    CreateOther,
    Defer,
    Delete,
    Forget,
    Ignore,
    KeepCopy,
    NoChange,
    ProcoreNow,
    Restore,
    Rules,
    SharePointNow,
    decide,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
T0 = NOW - timedelta(days=3)
T1 = NOW - timedelta(days=2)
T2 = NOW - timedelta(days=1)
RULES = Rules(now=NOW)
KEEP_BOTH = Rules(now=NOW, policy=ConflictPolicy.KEEP_BOTH)

BASE = Base(
    procore_id=1,
    sharepoint_id="s1",
    is_folder=False,
    procore_name="Plan.pdf",
    sharepoint_name="Plan.pdf",
    procore_parent_id=10,
    sharepoint_parent_id="s10",
    procore_version_id=100,
    sharepoint_ctag="c1",
    size=50,
)
P = ProcoreNow(id=1, name="Plan.pdf", parent_id=10, updated_at=T0, version_id=100, size=50)
S = SharePointNow(id="s1", name="Plan.pdf", parent_id="s10", modified_at=T0, ctag="c1", size=50)


def p_edit(at: datetime = T1, size: int = 60) -> ProcoreNow:
    return replace(P, version_id=101, size=size, updated_at=at)


def s_edit(at: datetime = T1, size: int = 70, **kw: object) -> SharePointNow:
    return replace(S, ctag="c2", size=size, modified_at=at, **kw)  # type: ignore[arg-type]


def test_unchanged_is_no_change_and_our_own_write_does_not_echo() -> None:
    assert decide(BASE, P, S, RULES) == [NoChange()]


@pytest.mark.parametrize(
    ("procore", "sharepoint", "expected"),
    [
        (p_edit(), S, Apply(Side.PROCORE, content=True)),
        (P, s_edit(), Apply(Side.SHAREPOINT, content=True)),
        (replace(P, name="Plan v2.pdf"), S, Apply(Side.PROCORE, False, rename_to="Plan v2.pdf")),
        (P, replace(S, name="Renamed.pdf"), Apply(Side.SHAREPOINT, False, "Renamed.pdf")),
        (replace(P, parent_id=11), S, Apply(Side.PROCORE, content=False, move=True)),
        (P, replace(S, parent_id="s11"), Apply(Side.SHAREPOINT, content=False, move=True)),
        (
            replace(p_edit(), name="New.pdf", parent_id=12),
            S,
            Apply(Side.PROCORE, content=True, rename_to="New.pdf", move=True),
        ),
    ],
)
def test_one_side_changed_is_carried_to_the_other(
    procore: ProcoreNow, sharepoint: SharePointNow, expected: Apply
) -> None:
    assert decide(BASE, procore, sharepoint, RULES) == [expected]


def test_a_case_only_rename_is_a_rename() -> None:
    assert decide(BASE, P, replace(S, name="PLAN.pdf"), RULES) == [
        Apply(Side.SHAREPOINT, content=False, rename_to="PLAN.pdf")
    ]


def test_deletes_are_carried_and_both_deleted_is_forgotten() -> None:
    assert decide(BASE, None, S, RULES) == [Delete(Side.PROCORE)]
    assert decide(BASE, P, None, RULES) == [Delete(Side.SHAREPOINT)]
    assert decide(BASE, None, None, RULES) == [Forget()]


@pytest.mark.parametrize(
    ("procore", "sharepoint", "expected"),
    [
        (None, s_edit(), Restore(deleted_on=Side.PROCORE)),
        (None, replace(S, name="Moved.pdf"), Restore(deleted_on=Side.PROCORE)),
        (p_edit(), None, Restore(deleted_on=Side.SHAREPOINT)),
        (replace(P, parent_id=99), None, Restore(deleted_on=Side.SHAREPOINT)),
    ],
)
def test_edit_versus_delete_the_edit_wins(
    procore: ProcoreNow | None, sharepoint: SharePointNow | None, expected: Restore
) -> None:
    assert decide(BASE, procore, sharepoint, RULES) == [expected]


def test_both_edited_newest_wins() -> None:
    assert decide(BASE, p_edit(T2), s_edit(T1), RULES) == [
        Apply(Side.PROCORE, content=True, conflict=True)
    ]
    assert decide(BASE, p_edit(T1), s_edit(T2), RULES) == [
        Apply(Side.SHAREPOINT, content=True, conflict=True)
    ]


def test_both_edited_keep_both_keeps_the_loser_as_a_copy() -> None:
    assert decide(BASE, p_edit(T2), s_edit(T1), KEEP_BOTH) == [
        KeepCopy(loser=Side.SHAREPOINT, name="Plan (SharePoint copy).pdf"),
        Apply(Side.PROCORE, content=True, conflict=True),
    ]
    assert decide(BASE, p_edit(T1), s_edit(T2), KEEP_BOTH) == [
        KeepCopy(loser=Side.PROCORE, name="Plan (Procore copy).pdf"),
        Apply(Side.SHAREPOINT, content=True, conflict=True),
    ]


def test_both_edited_to_equal_sizes_compares_content_first() -> None:
    assert decide(BASE, p_edit(size=80), s_edit(size=80), RULES) == [CompareContent()]


def test_rename_on_one_side_and_edit_on_the_other_are_both_applied() -> None:
    decisions = decide(BASE, replace(P, name="Renamed.pdf"), s_edit(), RULES)
    assert decisions == [
        Apply(Side.PROCORE, content=False, rename_to="Renamed.pdf"),
        Apply(Side.SHAREPOINT, content=True),
    ]


def test_folder_moved_on_one_side_while_renamed_on_the_other() -> None:
    folder = replace(BASE, is_folder=True)
    decisions = decide(folder, replace(P, parent_id=77), replace(S, name="Drawings"), RULES)
    assert decisions == [
        Apply(Side.PROCORE, content=False, move=True),
        Apply(Side.SHAREPOINT, content=False, rename_to="Drawings"),
    ]


def test_both_renamed_alike_needs_no_transfer() -> None:
    decisions = decide(BASE, replace(P, name="A: B.pdf"), replace(S, name="A： B.pdf"), RULES)
    assert decisions == [AdoptBase()]


def test_both_renamed_differently_the_newer_name_wins() -> None:
    decisions = decide(
        BASE,
        replace(P, name="P.pdf", updated_at=T2),
        replace(S, name="S.pdf", modified_at=T1),
        RULES,
    )
    assert decisions == [Apply(Side.PROCORE, content=False, rename_to="P.pdf")]


def test_sharepoint_changes_not_saved_and_closed_are_deferred() -> None:
    assert decide(BASE, P, s_edit(checked_out=True), RULES) == [Defer("checked out in SharePoint")]
    recent = s_edit(at=NOW - timedelta(seconds=10))
    assert decide(BASE, P, recent, RULES) == [Defer("changed within the quiet period")]
    assert decide(BASE, None, recent, RULES) == [Defer("changed within the quiet period")]


def test_sharepoint_rewrite_of_our_upload_is_adopted_not_synced() -> None:
    rewritten = s_edit(modified_by_us=True)
    assert decide(BASE, P, rewritten, RULES) == [AdoptBase()]
    assert decide(BASE, p_edit(), rewritten, RULES) == [Apply(Side.PROCORE, content=True)]


def test_new_items_are_created_on_the_other_side() -> None:
    assert decide(None, P, None, RULES) == [CreateOther(Side.PROCORE)]
    assert decide(None, None, S, RULES) == [CreateOther(Side.SHAREPOINT)]
    assert decide(None, None, replace(S, name="~$Plan.docx"), RULES) == [
        Ignore("Office temporary or lock file")
    ]
    assert decide(None, None, replace(S, checked_out=True), RULES) == [
        Defer("checked out in SharePoint")
    ]


changes = st.fixed_dictionaries(
    {
        "content": st.booleans(),
        "rename": st.booleans(),
        "move": st.booleans(),
        "deleted": st.booleans(),
        "newer": st.booleans(),
    }
)


def build(p: dict[str, bool], s: dict[str, bool]) -> tuple[ProcoreNow | None, SharePointNow | None]:
    procore: ProcoreNow | None = replace(
        P,
        version_id=101 if p["content"] else 100,
        size=60 if p["content"] else 50,
        name="P.pdf" if p["rename"] else P.name,
        parent_id=11 if p["move"] else 10,
        updated_at=T2 if p["newer"] else T1,
    )
    sharepoint: SharePointNow | None = replace(
        S,
        ctag="c2" if s["content"] else "c1",
        size=70 if s["content"] else 50,
        name="S.pdf" if s["rename"] else S.name,
        parent_id="s11" if s["move"] else "s10",
        modified_at=T2 if s["newer"] and not p["newer"] else T1,
    )
    return (None if p["deleted"] else procore), (None if s["deleted"] else sharepoint)


@given(changes, changes, st.sampled_from(list(ConflictPolicy)))
def test_properties_over_every_combination(
    p: dict[str, bool], s: dict[str, bool], policy: ConflictPolicy
) -> None:
    procore, sharepoint = build(p, s)
    rules = Rules(now=NOW, policy=policy)
    decisions = decide(BASE, procore, sharepoint, rules)
    assert decisions, "every item gets a decision"
    p_changed = not p["deleted"] and (p["content"] or p["rename"] or p["move"])
    s_changed = not s["deleted"] and (s["content"] or s["rename"] or s["move"])
    if p["deleted"] and s["deleted"]:
        assert decisions == [Forget()]
    elif p["deleted"] or s["deleted"]:
        survivor_changed = s_changed if p["deleted"] else p_changed
        assert [type(d) for d in decisions] == [Restore if survivor_changed else Delete]
    elif not p_changed and not s_changed:
        assert decisions == [NoChange()]
    else:
        assert not any(isinstance(d, Delete | Forget | NoChange) for d in decisions)
        sources = [d.source for d in decisions if isinstance(d, Apply)]
        assert len(sources) == len(set(sources)), "at most one Apply per direction"
        if p["content"] and not s_changed:
            assert Apply in [type(d) for d in decisions]
    assert decide(BASE, procore, sharepoint, rules) == decisions

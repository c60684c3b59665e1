"""The initial sync's per-folder decision, case by case (DESIGN §1.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.sync.merge import (
    CompareContent,
    CopyToProcore,
    CopyToSharePoint,
    CreateProcoreFolder,
    CreateSharePointFolder,
    Defer,
    Link,
    MergeRules,
    PairFolders,
    RenameProcore,
    RenameSharePoint,
    Skip,
    plan_folder,
    resolve_same_name,
)
from shared.sync.model import ConflictPolicy, ProcoreEntry, SharePointEntry, Side

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=2)
LATER = NOW - timedelta(days=1)
RULES = MergeRules(now=NOW)
KEEP_BOTH = MergeRules(now=NOW, policy=ConflictPolicy.KEEP_BOTH)


def pfile(id_: int, name: str, size: int = 10, at: datetime = EARLIER) -> ProcoreEntry:
    return ProcoreEntry(id=id_, name=name, is_folder=False, updated_at=at, size=size, version_id=7)


def pfolder(id_: int, name: str) -> ProcoreEntry:
    return ProcoreEntry(id=id_, name=name, is_folder=True, updated_at=EARLIER)


def sfile(
    id_: str, name: str, size: int = 10, at: datetime = EARLIER, **kw: object
) -> SharePointEntry:
    return SharePointEntry(
        id=id_, name=name, is_folder=False, modified_at=at, size=size, etag=f"e-{id_}", **kw
    )  # type: ignore[arg-type]


def sfolder(id_: str, name: str) -> SharePointEntry:
    return SharePointEntry(id=id_, name=name, is_folder=True, modified_at=EARLIER)


def test_mirror_into_an_empty_folder_creates_and_copies_everything() -> None:
    actions = plan_folder([pfolder(1, "Drawings"), pfile(2, "Spec.pdf", 99)], [], RULES)
    assert actions == [CreateSharePointFolder(1, "Drawings"), CopyToSharePoint(2, "Spec.pdf", 99)]


def test_folders_on_both_sides_pair_ignoring_case() -> None:
    actions = plan_folder([pfolder(1, "Drawings")], [sfolder("a", "DRAWINGS")], RULES)
    assert actions == [PairFolders(1, "a")]


def test_one_sided_files_cross_in_both_directions() -> None:
    actions = plan_folder([pfile(1, "p.pdf")], [sfile("s", "s.pdf"), sfolder("f", "New")], RULES)
    assert actions == [
        CopyToSharePoint(1, "p.pdf", 10),
        CopyToProcore("s", "s.pdf", 10),
        CreateProcoreFolder("f", "New"),
    ]


def test_same_name_same_size_asks_for_the_content_hash() -> None:
    actions = plan_folder([pfile(1, "Plan.pdf")], [sfile("s", "plan.pdf")], RULES)
    assert actions == [CompareContent(1, "s", "Plan.pdf")]


def test_identical_content_is_linked_without_transfer() -> None:
    p, s = pfile(1, "Plan.pdf"), sfile("s", "Plan.pdf", quick_xor="H")
    assert resolve_same_name(p, s, "H", set(), RULES) == [Link(1, "s", "Plan.pdf")]


def test_different_content_newer_procore_overwrites_sharepoint_as_a_version() -> None:
    actions = plan_folder([pfile(1, "Plan.pdf", 20, LATER)], [sfile("s", "Plan.pdf", 10)], RULES)
    assert actions == [CopyToSharePoint(1, "Plan.pdf", 20, replace_id="s", if_match="e-s")]
    p, s = pfile(1, "Plan.pdf", 10, LATER), sfile("s", "Plan.pdf", 10, quick_xor="X")
    assert resolve_same_name(p, s, "Y", set(), RULES) == [
        CopyToSharePoint(1, "Plan.pdf", 10, replace_id="s", if_match="e-s")
    ]


def test_different_content_newer_sharepoint_overwrites_procore_as_a_version() -> None:
    actions = plan_folder([pfile(1, "Plan.pdf", 20)], [sfile("s", "Plan.pdf", 10, LATER)], RULES)
    assert actions == [CopyToProcore("s", "Plan.pdf", 10, replace_id=1, expect_version=7)]


def test_a_tie_goes_to_procore() -> None:
    actions = plan_folder([pfile(1, "Plan.pdf", 20)], [sfile("s", "Plan.pdf", 10)], RULES)
    assert actions == [CopyToSharePoint(1, "Plan.pdf", 20, replace_id="s", if_match="e-s")]


def test_keep_both_keeps_the_older_beside_the_newer_on_both_sides() -> None:
    procore_newer = plan_folder(
        [pfile(1, "Plan.pdf", 20, LATER)], [sfile("s", "Plan.pdf", 10)], KEEP_BOTH
    )
    assert procore_newer == [
        RenameSharePoint("s", "Plan (SharePoint copy).pdf", if_match="e-s"),
        CopyToSharePoint(1, "Plan.pdf", 20),
        CopyToProcore("s", "Plan (SharePoint copy).pdf", 10),
    ]
    sharepoint_newer = plan_folder(
        [pfile(1, "Plan.pdf", 20)], [sfile("s", "Plan.pdf", 10, LATER)], KEEP_BOTH
    )
    assert sharepoint_newer == [
        RenameProcore(1, "Plan (Procore copy).pdf"),
        CopyToSharePoint(1, "Plan (Procore copy).pdf", 20),
        CopyToProcore("s", "Plan.pdf", 10),
    ]


def test_keep_both_never_overwrites_an_existing_copy() -> None:
    actions = plan_folder(
        [pfile(1, "Plan.pdf", 20, LATER)],
        [sfile("s", "Plan.pdf", 10), sfile("c", "plan (sharepoint copy).pdf", 5)],
        KEEP_BOTH,
    )
    assert actions[0] == RenameSharePoint("s", "Plan (SharePoint copy 2).pdf", if_match="e-s")


def test_names_sharepoint_rejects_are_mapped_and_matched_by_their_mapped_name() -> None:
    actions = plan_folder([pfile(1, "A: B.pdf"), pfile(2, "CON")], [sfile("s", "A： B.pdf")], RULES)
    assert actions == [CompareContent(1, "s", "A： B.pdf"), CopyToSharePoint(2, "CON_", 10)]


def test_unmappable_and_too_large_files_are_skipped_with_reasons() -> None:
    rules = MergeRules(now=NOW, max_file_bytes=100)
    actions = plan_folder([pfile(1, " . "), pfile(2, "huge.mov", 101)], [], rules)
    assert [type(a) for a in actions] == [Skip, Skip]
    assert all(isinstance(a, Skip) and a.side is Side.PROCORE for a in actions)
    assert "empty" in actions[0].reason and "limit" in actions[1].reason  # type: ignore[union-attr]


def test_a_file_and_a_folder_with_one_name_are_both_skipped() -> None:
    actions = plan_folder([pfolder(1, "Specs")], [sfile("s", "specs")], RULES)
    assert [(type(a), a.side) for a in actions] == [  # type: ignore[union-attr]
        (Skip, Side.PROCORE),
        (Skip, Side.SHAREPOINT),
    ]


def test_sharepoint_files_not_saved_and_closed_are_deferred_or_skipped() -> None:
    actions = plan_folder(
        [],
        [
            sfile("t", "~$Budget.xlsx"),
            sfile("o", "open.docx", checked_out=True),
            sfile("r", "recent.docx", at=NOW - timedelta(seconds=5)),
            sfile("ok", "done.docx"),
        ],
        RULES,
    )
    assert actions == [
        Skip(Side.SHAREPOINT, "t", "~$Budget.xlsx", "Office temporary or lock file"),
        Defer("o", "open.docx", "checked out in SharePoint"),
        Defer("r", "recent.docx", "changed within the quiet period"),
        CopyToProcore("ok", "done.docx", 10),
    ]


def test_a_checked_out_sharepoint_file_is_never_overwritten() -> None:
    actions = plan_folder(
        [pfile(1, "Plan.pdf", 20, LATER)], [sfile("s", "Plan.pdf", 10, checked_out=True)], RULES
    )
    assert actions == [Defer("s", "Plan.pdf", "checked out in SharePoint")]


def test_case_clashes_among_procore_siblings_get_distinct_names() -> None:
    actions = plan_folder([pfile(1, "a.pdf"), pfile(2, "A.pdf")], [], RULES)
    assert actions == [CopyToSharePoint(1, "a.pdf", 10), CopyToSharePoint(2, "A (2).pdf", 10)]


def test_nothing_is_ever_deleted() -> None:
    actions = plan_folder([], [sfile("s", "x.pdf"), sfolder("f", "Old")], RULES)
    assert all(type(a).__name__.startswith(("Copy", "Create")) for a in actions)

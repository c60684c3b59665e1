"""Both sides changed: conflicts by policy, identical edits, edit against delete, a folder moved
on one side while a file inside it is edited on the other, and names SharePoint treats apart.

To make both changes land before the app looks, the scenario pauses the project, changes both
sides, then resumes it and asks for a pass (as the safety net would).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from shared.admin import transitions
from shared.state.log import LogAction
from shared.state.projects import Phase
from shared.sync.model import ConflictPolicy
from tests.e2e.stack import Stack
from tests.scenarios.harness import Synced, baseline


@contextmanager
def held(s: Synced) -> Iterator[None]:
    """Changes made inside reach the app together, after it resumes."""
    store = s.store()
    store.projects.modify(s.key, lambda p: transitions.paused(p, p.updated_at or p.created_at))  # type: ignore[arg-type]
    yield
    store.projects.modify(s.key, transitions.resumed)
    assert store.projects.get(s.key).phase == Phase.REGULAR
    s.run_pass()


def settle(s: Synced, what: str, done: Callable[[], bool]) -> None:
    s.settle(what, lambda: s.trees_agree() and done())


def test_both_edited_the_newer_edit_wins_and_the_older_stays_a_version(stack: Stack) -> None:
    s = baseline(stack, "newest-wins", {"Plan.pdf": "base"})
    with held(s):
        s.sp("edit", "Plan.pdf", content="sharepoint edit, older")
        s.procore_edit("Plan.pdf", "procore edit, newer!")
    settle(
        s,
        "Procore's newer edit on both sides",
        lambda: s.sharepoint_content("Plan.pdf") == b"procore edit, newer!",
    )
    assert s.procore_content("Plan.pdf") == b"procore edit, newer!"
    sizes = [v["size"] for v in s.sharepoint_versions("Plan.pdf")]
    assert len(b"sharepoint edit, older") in sizes  # the loser survives as a prior version
    assert any(e.action == LogAction.CONFLICT for e in s.log()), s.log()
    s.assert_quiet()


def test_keep_both_keeps_the_loser_beside_the_winner_on_both_sides(stack: Stack) -> None:
    s = baseline(stack, "keep-both", {"Plan.pdf": "base"}, conflict_policy=ConflictPolicy.KEEP_BOTH)
    with held(s):
        s.procore_edit("Plan.pdf", "procore edit, older")
        s.sp("edit", "Plan.pdf", content="sharepoint edit, the newer one")
    copy = "Plan (Procore copy).pdf"
    settle(s, "the kept copy on both sides", lambda: copy in s.sharepoint_items())
    assert s.sharepoint_content("Plan.pdf") == b"sharepoint edit, the newer one"
    assert s.procore_content("Plan.pdf") == b"sharepoint edit, the newer one"
    assert s.sharepoint_content(copy) == b"procore edit, older"
    assert s.procore_content(copy) == b"procore edit, older"
    conflict = [e for e in s.log() if e.action == LogAction.CONFLICT]
    assert conflict and copy in (conflict[0].reason or "")
    s.assert_quiet()


def test_identical_edits_on_both_sides_are_no_conflict_and_transfer_nothing(stack: Stack) -> None:
    s = baseline(stack, "identical", {"Plan.pdf": "base"})
    with held(s):
        s.sp("edit", "Plan.pdf", content="the same new text")
        s.procore_edit("Plan.pdf", "the same new text")
    s.settle("the pass", lambda: True)
    assert len(s.sharepoint_versions("Plan.pdf")) == 2  # the seed and the user's edit, no upload
    assert len(s.procore_versions("Plan.pdf")) == 2
    assert not [e for e in s.log() if e.action in (LogAction.CONFLICT, LogAction.UPDATED)]
    s.assert_quiet()


def test_an_edit_in_procore_wins_over_a_delete_in_sharepoint(stack: Stack) -> None:
    s = baseline(stack, "edit-beats-sp-delete", {"Plans": {"Plan.pdf": "base"}})
    with held(s):
        s.sp("delete", "Plans/Plan.pdf")
        s.procore_edit("Plans/Plan.pdf", "edited in procore")
    settle(s, "the file restored in SharePoint", lambda: "Plans/Plan.pdf" in s.sharepoint_items())
    assert s.sharepoint_content("Plans/Plan.pdf") == b"edited in procore"
    assert any(e.action == LogAction.RESTORED for e in s.log())
    s.assert_quiet()


def test_an_edit_in_sharepoint_wins_over_a_delete_in_procore(stack: Stack) -> None:
    s = baseline(stack, "edit-beats-procore-delete", {"Plans": {"Plan.pdf": "base"}})
    with held(s):
        s.procore_delete("Plans/Plan.pdf")
        s.sp("edit", "Plans/Plan.pdf", content="edited in sharepoint")
    settle(s, "the file restored in Procore", lambda: "Plans/Plan.pdf" in s.procore_items())
    assert s.procore_content("Plans/Plan.pdf") == b"edited in sharepoint"
    s.assert_quiet()


def test_a_folder_moved_in_sharepoint_while_a_file_inside_is_edited_in_procore(
    stack: Stack,
) -> None:
    s = baseline(stack, "move-and-edit", {"Area": {"Level 1": {"Plan.pdf": "base"}}, "Archive": {}})
    folder_id = s.procore_id("Area/Level 1")
    with held(s):
        s.sp("move", "Area/Level 1", parent_path=f"{s.sp_base}/Archive")
        s.procore_edit("Area/Level 1/Plan.pdf", "edited in procore")
    settle(s, "the move in Procore", lambda: "Archive/Level 1/Plan.pdf" in s.procore_items())
    assert s.sharepoint_content("Archive/Level 1/Plan.pdf") == b"edited in procore"
    assert s.procore_id("Archive/Level 1") == folder_id
    s.assert_quiet()


def test_a_case_only_rename_reaches_the_other_side(stack: Stack) -> None:
    s = baseline(stack, "case-rename", {"plan.pdf": "base"})
    s.procore_rename("plan.pdf", "PLAN.pdf")
    s.settle("the case-only rename", lambda: "PLAN.pdf" in s.sharepoint_items())
    assert "plan.pdf" not in s.sharepoint_items()
    s.sp("rename", "PLAN.pdf", name="Plan.pdf")
    s.settle("the case-only rename back", lambda: "Plan.pdf" in s.procore_items())
    s.assert_quiet()


def test_a_rename_to_a_name_sharepoint_rejects_is_mapped(stack: Stack) -> None:
    s = baseline(stack, "rejected-name", {"Plan.pdf": "base"})
    s.procore_rename("Plan.pdf", "Plan: final?.pdf")
    s.settle("the mapped name in SharePoint", lambda: "Plan.pdf" not in s.sharepoint_items())
    names = set(s.sharepoint_items())
    assert len(names) == 1
    (mapped,) = names
    assert mapped.endswith(".pdf") and ":" not in mapped and "?" not in mapped
    assert s.trees_agree()
    assert "Plan: final?.pdf" in s.procore_items()
    s.assert_quiet()

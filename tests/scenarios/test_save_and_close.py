"""The Save & Close rule (DESIGN §1.3): a SharePoint file is taken only once saved and closed:
not an Office temp or lock file, not checked out, not changed within the quiet period; and a
file open in Office (locked) is not overwritten but looked at again once released."""

from __future__ import annotations

import time

from shared.state.log import LogAction
from tests.e2e.stack import Stack, poll
from tests.scenarios.harness import baseline

QUIET_S = 3
stack_settings = {"QUIET_PERIOD_S": str(QUIET_S)}


def test_temp_and_lock_files_are_never_taken(stack: Stack) -> None:
    s = baseline(stack, "temp-files", {"Plan.docx": "base"})
    s.sp("create", "scan.tmp", content="scratch")
    s.sp("create", ".~lock.Plan.docx#", content="lock")
    s.sp("create", "Real.pdf", content="a real file")
    s.settle("the real file in Procore", lambda: "Real.pdf" in s.procore_items(), 30)
    s.run_pass()
    assert set(s.procore_items()) == {"Plan.docx", "Real.pdf"}
    s.assert_quiet()


def test_a_file_changed_within_the_quiet_period_waits_for_it(stack: Stack) -> None:
    s = baseline(stack, "quiet-period", {"Plan.pdf": "base"})
    edited_at = time.monotonic()
    s.sp("edit", "Plan.pdf", content="still being saved")
    poll(
        "the Procore copy to take the edit",
        lambda: s.procore_content("Plan.pdf") == b"still being saved",
        30,
        0.1,
    )
    waited = time.monotonic() - edited_at
    assert waited >= QUIET_S, f"taken after {waited:.1f} s, inside the quiet period"
    assert len(s.procore_versions("Plan.pdf")) == 2
    s.settle("the pass", lambda: True)
    s.assert_quiet()


def test_a_checked_out_file_is_taken_once_checked_in(stack: Stack) -> None:
    s = baseline(stack, "checked-out", {"Plan.pdf": "base"})
    s.sp("checkout", "Plan.pdf")
    s.sp("edit", "Plan.pdf", content="draft while checked out")
    deadline = time.monotonic() + QUIET_S + 4
    while time.monotonic() < deadline:  # the rule is "not before check-in": watch it hold
        assert s.procore_content("Plan.pdf") == b"base"
        time.sleep(0.5)
    s.sp("checkin", "Plan.pdf", comment="done")
    s.settle(
        "the checked-in edit in Procore",
        lambda: s.procore_content("Plan.pdf") == b"draft while checked out",
        30,
    )
    s.assert_quiet()


def test_a_file_open_in_office_is_not_overwritten_until_released(stack: Stack) -> None:
    s = baseline(stack, "locked", {"Plan.pdf": "base"})
    s.sp("lock", "Plan.pdf")
    s.procore_edit("Plan.pdf", "edited in procore while open in office")
    poll(
        "the lock to be noticed",
        lambda: any(e.action == LogAction.INFO and "locked" in (e.reason or "") for e in s.log()),
        30,
    )
    assert s.sharepoint_content("Plan.pdf") == b"base"
    s.sp("unlock", "Plan.pdf")
    s.settle(
        "the edit in SharePoint after the release",
        lambda: s.sharepoint_content("Plan.pdf") == b"edited in procore while open in office",
        30,
    )
    s.assert_quiet()

"""Changes made on either side while the initial sync runs arrive afterwards (DESIGN §4)."""

from __future__ import annotations

from shared.state.projects import Phase
from tests.e2e.stack import Stack, failed_invocations, poll

PROJECT = 4300009201
BASE = "/Projects/During/Documents"


def test_edits_and_uploads_made_during_the_initial_sync_are_not_lost(stack: Stack) -> None:
    seeded = stack.procore.seed_project(
        PROJECT,
        "During Tower",
        {"Plans": {"edit in procore.pdf": "procore v1", "steady.pdf": "steady"}},
    )
    plans = seeded["paths"]["Plans"]
    stack.graph.seed(
        {"Projects": {"During": {"Documents": {"Plans": {"edit in sharepoint.pdf": "sp v1"}}}}}
    )
    # Hold the copying (Procore downloads answer after 4 s) so that the changes below land
    # after the enumeration has listed both folders and before the run completes.
    stack.procore.call(
        "POST",
        "/faults",
        {"kind": "slow", "path_prefix": "/prostore/", "method": "GET", "delay_s": 4, "count": 2},
    )
    project = stack.connect(PROJECT, "During Tower", "Projects/During")
    store = stack.store()

    def plans_listed() -> bool:
        run = store.projects.get(project.key).initial_run_id
        state = store.work.unit_state(project.key, f"initial-{run}", f"scan:{plans}")
        return state is not None and state.value == "done"

    poll("the enumeration to list the Plans folder", plans_listed, 30, 0.05)
    assert store.projects.get(project.key).phase == Phase.INITIAL_SYNC
    stack.procore.call(
        "POST",
        "/act/files",
        {
            "project_id": PROJECT,
            "parent_id": plans,
            "name": "new in procore.pdf",
            "content": "made in procore during the sync",
        },
    )
    edit_id = seeded["paths"]["Plans/edit in procore.pdf"]
    stack.procore.call("PATCH", f"/act/files/{edit_id}", {"content": "procore v2"})
    stack.graph.act(
        action="create",
        path=f"{BASE}/Plans/new in sharepoint.pdf",
        content="made in sharepoint during the sync",
    )
    stack.graph.act(action="edit", path=f"{BASE}/Plans/edit in sharepoint.pdf", content="sp v2")

    stack.wait_for_phase(project.key, Phase.REGULAR)

    def converged() -> bool:
        procore = {i["path"]: i for i in stack.procore.tree(PROJECT)}
        sp = {i["rel"] for i in stack.graph.tree(BASE)}
        if not {"Plans/new in procore.pdf", "Plans/edit in procore.pdf"} <= sp:
            return False
        if "Plans/new in sharepoint.pdf" not in procore:
            return False
        edited = procore.get("Plans/edit in sharepoint.pdf")
        return bool(
            edited
            and stack.procore.content(edited["id"]) == b"sp v2"
            and stack.graph.content(f"{BASE}/Plans/edit in procore.pdf") == b"procore v2"
        )

    poll("both sides to hold the changes made during the sync", converged, 60)
    procore = {i["path"]: i for i in stack.procore.tree(PROJECT)}
    assert stack.procore.content(procore["Plans/new in sharepoint.pdf"]["id"]) == (
        b"made in sharepoint during the sync"
    )
    assert stack.graph.content(f"{BASE}/Plans/new in procore.pdf") == (
        b"made in procore during the sync"
    )
    assert stack.graph.content(f"{BASE}/Plans/steady.pdf") == b"steady"
    assert failed_invocations(stack) == []

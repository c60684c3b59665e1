"""Initial sync into an empty SharePoint folder (mirror), end to end, compared byte for byte."""

from __future__ import annotations

import hashlib
from typing import Any

from shared.state.projects import Phase, SyncMode
from shared.sync.names import MappedName, sharepoint_name
from tests.e2e.stack import Stack, failed_invocations

PROJECT = 4300009001
LARGE = 21 * 1024 * 1024
ODD_NAMES = [
    "Spec: Concrete?.pdf",
    "CON.txt",
    "desktop.ini",
    "~$budget.xlsx",
    "a|b <c>.pdf",
    "Final..",
    "Ünïcødé 設計図.pdf",
    "Plan – Revisión 2.pdf",
    "100% done #1.pdf",
]


def sharepoint_path(procore_path: str) -> str:
    parts = []
    for segment in procore_path.split("/"):
        mapped = sharepoint_name(segment)
        assert isinstance(mapped, MappedName), segment
        parts.append(mapped.name)
    return "/".join(parts)


def nested_project() -> dict[str, Any]:
    documents: dict[str, Any] = {}
    for area in range(15):
        folder: dict[str, Any] = {
            f"Sheet {area:02d}-{n:02d}.pdf": 1000 + area * 37 + n for n in range(20)
        }
        folder["Empty"] = {}
        documents[f"Area {area:02d}"] = folder
    deep: dict[str, Any] = {"deep.pdf": 4321}
    for level in range(7, 0, -1):
        deep = {f"Level {level}": deep}
    documents["Deep"] = deep
    documents["Odd names"] = {name: 2000 + i for i, name in enumerate(ODD_NAMES)}
    documents["Large"] = {"Site model.ifc": LARGE}
    documents["Empty at top"] = {}
    return documents


def test_mirror_of_a_nested_project(stack: Stack) -> None:
    stack.graph.seed({"Projects": {"Mirror": {}}})
    stack.procore.seed_project(PROJECT, "Harbor View Tower", nested_project())
    project = stack.connect(PROJECT, "Harbor View Tower", "Projects/Mirror")

    done = stack.wait_for_phase(project.key, Phase.REGULAR, deadline_s=240)

    assert done.mode == SyncMode.MIRROR
    procore_items = stack.procore.tree(PROJECT)
    procore_files = [i for i in procore_items if i["type"] == "file"]
    procore_folders = [i for i in procore_items if i["type"] == "folder"]
    assert len(procore_files) >= 300
    sharepoint = {i["rel"]: i for i in stack.graph.tree("/Projects/Mirror/Documents")}
    for folder in procore_folders:
        assert sharepoint[sharepoint_path(folder["path"])]["folder"], folder["path"]
    for item in procore_files:
        path = sharepoint_path(item["path"])
        assert path in sharepoint, path
        assert sharepoint[path]["size"] == item["size"], path
        sp_bytes = stack.graph.content(f"/Projects/Mirror/Documents/{path}")
        assert (
            hashlib.sha256(sp_bytes).hexdigest()
            == hashlib.sha256(stack.procore.content(item["id"])).hexdigest()
        ), path
    assert len(sharepoint) == len(procore_items), "nothing extra in SharePoint"
    assert sharepoint["Large/Site model.ifc"]["size"] == LARGE

    store = stack.store()
    bases = list(store.items.list_items(project.key))
    assert len(bases) == len(procore_items) + 1  # every file and folder, and the root
    counters = done.run_counters
    assert counters.files_to_sharepoint == len(procore_files)
    assert counters.files_copied == len(procore_files)
    assert counters.skipped == 0 and counters.files_to_procore == 0
    assert counters.bytes_copied == sum(i["size"] for i in procore_files)

    mail = stack.wait_for_email("Two way sync initiated for project Harbor View Tower")
    body = mail["message"]["body"]["content"]
    assert f"<th align='left'>Files copied to SharePoint</th><td>{len(procore_files)}</td>" in body
    assert "Projects/Mirror" in body
    # the change pass that follows the run (and precedes the email) found nothing to do: mapped
    # names are not mistaken for renames, our own uploads are not mistaken for edits
    passes = [
        e for e in store.log.recent(project.key, 2000) if e.at > done.initial_sync_finished_at
    ]
    assert [e for e in passes if e.action.value != "info"] == []
    assert failed_invocations(stack) == []

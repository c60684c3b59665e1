"""Initial sync into an empty SharePoint folder (mirror), end to end."""

from __future__ import annotations

import hashlib

from shared.state.projects import Phase, SyncMode
from shared.sync.names import MappedName, sharepoint_name
from tests.e2e.stack import Stack


def sharepoint_path(procore_path: str) -> str:
    parts = []
    for segment in procore_path.split("/"):
        mapped = sharepoint_name(segment)
        assert isinstance(mapped, MappedName)
        parts.append(mapped.name)
    return "/".join(parts)


def test_small_mirror(stack: Stack) -> None:
    stack.graph.seed({"Projects": {"Tower A": {}}})
    stack.procore.seed_project(
        4300009001,
        "Tower A",
        {
            "Drawings": {"A-101.pdf": 5000, "Structural": {"S-101.pdf": 7000}},
            "Specs": {"Spec: Concrete?.pdf": 3000},
            "Empty": {},
            "Readme.txt": "hello",
        },
    )
    project = stack.connect(4300009001, "Tower A", "Projects/Tower A")
    done = stack.wait_for_phase(project.key, Phase.REGULAR)
    assert done.mode == SyncMode.MIRROR
    procore_files = [i for i in stack.procore.tree(4300009001) if i["type"] == "file"]
    sharepoint = {i["rel"]: i for i in stack.graph.tree("/Projects/Tower A/Documents")}
    for item in procore_files:
        path = sharepoint_path(item["path"])
        assert path in sharepoint, (path, sorted(sharepoint))
        sp_bytes = stack.graph.content(f"/Projects/Tower A/Documents/{path}")
        assert (
            hashlib.sha256(sp_bytes).digest()
            == hashlib.sha256(stack.procore.content(item["id"])).digest()
        )
    assert "Empty" in sharepoint and sharepoint["Empty"]["folder"]
    mail = stack.wait_for_email("Two way sync initiated for project Tower A")
    assert mail["message"]["toRecipients"][0]["emailAddress"]["address"] == "dc@contoso.example"

"""Initial sync into a SharePoint folder that already holds files (merge), end to end."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from shared.state.log import LogAction
from shared.state.projects import Phase, SyncMode
from tests.e2e.stack import COMPANY, Stack, failed_invocations, poll

PROJECT = 4300009101
BASE = "/Projects/Merge/Documents"
OLD = {"lastModifiedDateTime": "2020-01-01T00:00:00Z", "createdDateTime": "2020-01-01T00:00:00Z"}


def test_merge_links_identical_files_and_newer_wins(stack: Stack) -> None:
    seeded = stack.procore.seed_project(
        PROJECT,
        "Merge Tower",
        {
            "Plans": {
                "same.pdf": "identical content on both sides",
                "newer in procore.pdf": "procore version (newer)",
                "newer in sharepoint.pdf": "procore version (older)",
                "procore only.pdf": "only in procore",
            },
            "Procore folder": {"inner.txt": "procore inner"},
        },
    )
    paths = seeded["paths"]
    # SharePoint's copies are written after Procore's, so they are newer unless dated back.
    # The emulator's clock may run ahead of ours (each change moves it on): wait it out.
    with ProcoreClient(stack.settings) as procore:
        stamp = procore.get_file(
            Scope.project(COMPANY, PROJECT), paths["Plans/newer in sharepoint.pdf"]
        ).updated_at
    assert stamp is not None
    poll("our clock to pass Procore's", lambda: datetime.now(UTC) > stamp, 30, 0.05)
    stack.graph.seed(
        {
            "Projects": {
                "Merge": {
                    "Documents": {
                        "Plans": {
                            "same.pdf": "identical content on both sides",
                            "newer in procore.pdf": {
                                "content_b64": "c2hhcmVwb2ludCB2ZXJzaW9uIChvbGRlcik=",
                                "fileSystemInfo": OLD,
                            },
                            "newer in sharepoint.pdf": "sharepoint version (newer)",
                            "sharepoint only.pdf": "only in sharepoint",
                        },
                        "SharePoint folder": {"inner.txt": "sharepoint inner"},
                    }
                }
            }
        }
    )
    project = stack.connect(PROJECT, "Merge Tower", "Projects/Merge")

    done = stack.wait_for_phase(project.key, Phase.REGULAR)

    assert done.mode == SyncMode.MERGE
    graph = stack.graph
    assert graph.content(f"{BASE}/Plans/same.pdf") == b"identical content on both sides"
    assert graph.content(f"{BASE}/Plans/newer in procore.pdf") == b"procore version (newer)"
    assert graph.content(f"{BASE}/Plans/procore only.pdf") == b"only in procore"
    assert graph.content(f"{BASE}/Procore folder/inner.txt") == b"procore inner"
    # the overwritten SharePoint copy survives as a version
    versions = graph.call(
        "GET",
        "/drives/b!documents-construction/versions",
        path=f"{BASE}/Plans/newer in procore.pdf",
    )
    assert len(versions) == 2
    # identical content was linked, not uploaded: still one version
    same_versions = graph.call(
        "GET", "/drives/b!documents-construction/versions", path=f"{BASE}/Plans/same.pdf"
    )
    assert len(same_versions) == 1

    procore = {i["path"]: i for i in stack.procore.tree(PROJECT)}
    newer_s = procore["Plans/newer in sharepoint.pdf"]
    assert stack.procore.content(newer_s["id"]) == b"sharepoint version (newer)"
    assert newer_s["version"] == 2
    assert procore["Plans/same.pdf"]["version"] == 1
    assert stack.procore.content(procore["Plans/sharepoint only.pdf"]["id"]) == (
        b"only in sharepoint"
    )
    assert stack.procore.content(procore["SharePoint folder/inner.txt"]["id"]) == (
        b"sharepoint inner"
    )
    assert paths["Plans/same.pdf"] == procore["Plans/same.pdf"]["id"]

    counters = done.run_counters
    assert counters.files_linked == 1
    assert counters.conflicts == 2
    assert counters.files_to_sharepoint == 3  # newer in procore, procore only, inner.txt
    assert counters.files_to_procore == 3  # newer in sharepoint, sharepoint only, inner.txt
    log = stack.store().log.recent(project.key, 200)
    assert any(e.action == LogAction.LINKED and e.name == "same.pdf" for e in log)
    mail = stack.wait_for_email("Two way sync initiated for project Merge Tower")
    body = mail["message"]["body"]["content"]
    assert "Identical files linked (not copied)</th><td>1</td>" in body
    assert "Conflicts resolved</th><td>2</td>" in body
    assert failed_invocations(stack) == []

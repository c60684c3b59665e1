"""The one-way export, end to end: seeded tools in Procore, a connected project, its initial sync;
then changes in Procore, an unchanged pass, and a SharePoint edit of an exported PDF."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pypdf
import pytest

from devhost.stack import COMPANY, Stack, failed_invocations, poll
from shared.export.item_export import OVERWRITTEN
from shared.export.schedule import enqueue_exports
from shared.export.state import ExportState, ToolState
from shared.graph.client import GraphClient
from shared.intake.procore_hooks import HookRegistrar
from shared.intake.project_intake import ProjectIntake
from shared.intake.subscriptions import SubscriptionKeeper
from shared.procore.client import ProcoreClient
from shared.procore.scope import Scope
from shared.procore.tool_items import ToolEndpoint
from shared.queues import QueueSender, ToolExport
from shared.state.projects import Phase
from shared.storage import queue_service

PROJECT = 4300009701
FOLDER = "Projects/Export Tower"
ROOT = "/" + FOLDER
UNICODE_TITLE = "Bürogebäude – Ø 12 mm"
LONG_TITLE = "Very long title " + "about the curtain wall anchors " * 12
ENABLED = ["documents", "rfis", "submittals", "drawings", "forms", "observations", "inspections"]
ENABLED += ["incidents"]  # commitments are seeded but not enabled


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), data[:20]
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def world(stack: Stack) -> dict[str, Any]:
    spec = {
        "projects": [
            {
                "id": PROJECT,
                "name": "Export Tower",
                "permitted": True,
                "documents": {"Plans": {"A.pdf": 100}},
                "tools": {
                    "rfis": [
                        {},
                        {"fields": {"subject": UNICODE_TITLE}},
                        {"fields": {"subject": LONG_TITLE}},
                    ],
                    "submittals": 2,
                    "drawing_revisions": 2,
                    "forms": 1,
                    "observations": [{"attachments": 50}],
                    "inspections": 1,
                    "incidents": 1,
                    "commitments": 2,
                },
            }
        ]
    }
    seeded = stack.procore.call("POST", "/seed", spec)["projects"][str(PROJECT)]
    stack.graph.seed({"Projects": {"Export Tower": {}}})
    project = stack.connect(PROJECT, "Export Tower", FOLDER, tools=ENABLED)
    done = stack.wait_for_phase(project.key, Phase.REGULAR, deadline_s=120)
    stack.wait_for_email("Two way sync initiated for project Export Tower")
    return {"key": done.key, "tools": seeded["tools"]}


def files(stack: Stack, folder: str) -> dict[str, dict[str, Any]]:
    return {i["rel"]: i for i in stack.graph.tree(f"{ROOT}/{folder}") if not i["folder"]}


def procore_item(stack: Stack, endpoint: ToolEndpoint, item_id: int) -> Any:
    with ProcoreClient(stack.settings) as procore:
        return procore.get_tool_item(Scope.project(COMPANY, PROJECT), endpoint, item_id)


def procore_bytes(stack: Stack, url: str) -> bytes:
    with ProcoreClient(stack.settings) as procore:
        return b"".join(procore.download(Scope.project(COMPANY, PROJECT), url))


def tool_state(stack: Stack, key: str, tool: str) -> ToolState:
    state = ExportState(stack.store().items.table).tool(key, tool)
    assert state is not None
    return state


def run_pass(stack: Stack, key: str, tools: list[str]) -> None:
    """Ask for an export pass as the regular sync's tick would, and wait until it is done."""
    before = {t: tool_state(stack, key, t).listed_at for t in tools}
    settings = stack.settings
    sent = enqueue_exports(
        stack.store(),
        QueueSender(queue_service(settings)),
        settings,
        key,
        tools,
        "test",
        now=datetime.now(UTC),
    )
    assert sent == len(tools)

    def done() -> bool:
        states = {t: tool_state(stack, key, t) for t in tools}
        return all(s.pass_id is None and s.listed_at != before[t] for t, s in states.items())

    poll("the export pass", done, deadline_s=60)


def test_every_enabled_tool_is_exported(stack: Stack, world: dict[str, Any]) -> None:
    rfis = files(stack, "RFIs")
    pdfs = sorted(n for n in rfis if "/" not in n)
    assert pdfs[0] == "RFI-001 Curtain wall anchor spacing.pdf"
    assert pdfs[1] == f"RFI-002 {UNICODE_TITLE}.pdf"
    long_name = pdfs[2]
    assert long_name.startswith("RFI-003 Very long title about") and long_name.endswith(".pdf")
    assert len(long_name) <= 120
    first = pdf_text(stack.graph.content(f"{ROOT}/RFIs/{pdfs[0]}"))
    for expected in (
        "RFI-001",
        "Curtain wall anchor spacing",
        "Please clarify item 1.",
        "Answer to RFI 1.",
        "Ana Architect",
        "official response",
        "Pat Builder",
        "RFI-001 sketch.pdf",
        "Acme Concrete",
    ):
        assert expected in first, expected
    assert UNICODE_TITLE in pdf_text(stack.graph.content(f"{ROOT}/RFIs/{pdfs[1]}"))
    assert "Very long title about the curtain" in pdf_text(
        stack.graph.content(f"{ROOT}/RFIs/{long_name}")
    )
    rfi_id = world["tools"]["rfis"][0]
    detail = procore_item(stack, ToolEndpoint.RFIS, rfi_id)
    sketch = detail.attachments[0]
    copied = stack.graph.content(f"{ROOT}/RFIs/RFI-001 Curtain wall anchor spacing/{sketch.name}")
    assert copied == procore_bytes(stack, sketch.url)

    for folder, count in {"Submittals": 2, "Forms": 1, "Inspections": 1, "Incidents": 1}.items():
        tree = files(stack, folder)
        pdf_names = [n for n in tree if "/" not in n]
        assert len(pdf_names) == count, (folder, tree)
        assert all(n.endswith(".pdf") for n in pdf_names)
        assert len(tree) == 2 * count  # one attachment each, in the item's folder
    submittal = files(stack, "Submittals")
    assert "03 30 00-1 Concrete mix design 1.pdf" in submittal
    text = pdf_text(stack.graph.content(f"{ROOT}/Submittals/03 30 00-1 Concrete mix design 1.pdf"))
    assert "Cast-in-Place Concrete" in text and "Submittal 1 product data.pdf" in text

    drawings = files(stack, "Drawings")
    assert set(drawings) == {
        "A-101 Floor plan level 1 Rev 1.pdf",
        "A-102 Floor plan level 2 Rev 1.pdf",
    }
    revision = procore_item(
        stack, ToolEndpoint.DRAWING_REVISIONS, world["tools"]["drawing_revisions"][0]
    )
    assert stack.graph.content(f"{ROOT}/Drawings/A-101 Floor plan level 1 Rev 1.pdf") == (
        procore_bytes(stack, str(revision.fields["pdf_url"]))
    )

    observations = files(stack, "Observations")
    folder = "OBS-001 Missing guardrail 1"
    attached = sorted(n for n in observations if n.startswith(folder + "/"))
    assert len(attached) == 50
    detail = procore_item(stack, ToolEndpoint.OBSERVATIONS, world["tools"]["observations"][0])
    for attachment in detail.attachments[:50:7]:
        assert stack.graph.content(f"{ROOT}/Observations/{folder}/{attachment.name}") == (
            procore_bytes(stack, attachment.url)
        )
    text = pdf_text(stack.graph.content(f"{ROOT}/Observations/{folder}.pdf"))
    assert "Attachments (50)" in text and "Attachment 50.pdf" in text

    names = {i["rel"].split("/")[0] for i in stack.graph.tree(ROOT)}
    assert "Commitments" not in names  # not enabled: untouched
    mail = stack.wait_for_email("Two way sync initiated for project Export Tower")
    assert "Procore tool items exported as PDF" in mail["message"]["body"]["content"]
    assert failed_invocations(stack) == []


def test_unchanged_pass_transfers_nothing(stack: Stack, world: dict[str, Any]) -> None:
    before = {i["path"]: i["eTag"] for i in stack.graph.tree(ROOT)}
    run_pass(stack, world["key"], ["rfis", "observations", "drawings"])
    after = {i["path"]: i["eTag"] for i in stack.graph.tree(ROOT)}
    assert after == before


def versions(stack: Stack, path: str) -> list[dict[str, Any]]:
    return list(stack.graph.call("GET", f"/drives/{stack_drive()}/versions", path=path))


def stack_drive() -> str:
    from devhost.stack import DRIVE

    return DRIVE


def test_changed_item_is_exported_once_and_sharepoint_edits_never_reach_procore(
    stack: Stack, world: dict[str, Any]
) -> None:
    key = world["key"]
    rfi_id = world["tools"]["rfis"][0]
    old = f"{ROOT}/RFIs/RFI-001 Curtain wall anchor spacing.pdf"
    attachment = f"{ROOT}/RFIs/RFI-001 Curtain wall anchor spacing/RFI-001 sketch.pdf"
    pdf_id = stack.graph.call("GET", f"/drives/{stack_drive()}/item", path=old)["id"]
    stack.procore.call("PATCH", f"/act/tools/rfis/{rfi_id}", {"fields": {"status": "closed"}})
    run_pass(stack, key, ["rfis"])
    assert len(versions(stack, old)) == 2  # re-exported exactly once
    assert "closed" in pdf_text(stack.graph.content(old))
    assert len(versions(stack, attachment)) == 1  # unchanged attachment not copied again

    stack.graph.act(action="edit", path=old, content="someone's edit")
    stack.procore.call(
        "PATCH", f"/act/tools/rfis/{rfi_id}", {"fields": {"subject": "Anchor spacing revised"}}
    )
    counters_before = stack.procore.counters()["by_endpoint"]
    run_pass(stack, key, ["rfis"])
    renamed = f"{ROOT}/RFIs/RFI-001 Anchor spacing revised.pdf"
    item = stack.graph.call("GET", f"/drives/{stack_drive()}/item", path=renamed)
    assert item["id"] == pdf_id  # replaced in place, renamed to follow the title
    assert "Anchor spacing revised" in pdf_text(stack.graph.content(renamed))
    kept = versions(stack, renamed)
    assert len(kept) == 4  # export, re-export, the SharePoint edit, the overwrite
    edited = stack.graph.http.get(
        f"/drives/{stack_drive()}/versions/{kept[1]['id']}/content", params={"path": renamed}
    )
    assert edited.content == b"someone's edit"
    log = stack.store().log.recent(key, 200)
    assert any(e.reason == OVERWRITTEN and e.name == renamed.rsplit("/", 1)[1] for e in log)
    counters = stack.procore.counters()["by_endpoint"]
    writes = [e for e in counters if not e.startswith("GET ") and "oauth" not in e]
    assert writes == [e for e in counters_before if not e.startswith("GET ") and "oauth" not in e]
    assert not [e for e in counters if e.startswith(("POST /rest", "PATCH /rest", "DELETE /rest"))]
    assert procore_item(stack, ToolEndpoint.RFIS, rfi_id).title == "Anchor spacing revised"
    assert failed_invocations(stack) == []


def test_deleted_item_goes_to_the_recycle_bin_and_new_revision_replaces_drawing(
    stack: Stack, world: dict[str, Any]
) -> None:
    key = world["key"]
    form_id = world["tools"]["forms"][0]
    before = files(stack, "Forms")
    stack.procore.call("DELETE", f"/act/tools/forms/{form_id}")
    revision_id = world["tools"]["drawing_revisions"][1]
    stack.procore.call("POST", f"/act/tools/drawing_revisions/{revision_id}/revise", {"size": 5000})
    sender = QueueSender(queue_service(stack.settings))
    for tool in ("forms", "drawings"):  # a full listing finds deletes (hourly by default)
        sender.send(ToolExport(project_key=key, tool=tool, pass_id=f"full-{tool}", full=True))
    poll("form files recycled", lambda: not files(stack, "Forms"), deadline_s=60)
    recycled = {i["name"] for i in stack.graph.call("GET", f"/drives/{stack_drive()}/recycle-bin")}
    assert {n for n in before if "/" not in n} <= recycled
    drawings = poll(
        "the new revision",
        lambda: (d := files(stack, "Drawings")) and "A-102 Floor plan level 2 Rev 2.pdf" in d and d,
        deadline_s=60,
    )
    assert set(drawings) == {
        "A-101 Floor plan level 1 Rev 1.pdf",
        "A-102 Floor plan level 2 Rev 2.pdf",
    }
    assert len(versions(stack, f"{ROOT}/Drawings/A-102 Floor plan level 2 Rev 2.pdf")) == 2
    assert failed_invocations(stack) == []


def test_throttled_page_comes_back_later_and_exports_once(
    stack: Stack, world: dict[str, Any]
) -> None:
    rfi_id = world["tools"]["rfis"][1]
    path = f"{ROOT}/RFIs/RFI-002 {UNICODE_TITLE}.pdf"
    stack.procore.call(
        "POST",
        "/faults",
        {
            "kind": "429",
            "count": 2,
            "path_prefix": f"/rest/v1.0/projects/{PROJECT}/rfis/",
            "retry_after_s": 1,
        },
    )
    statuses_before = stack.procore.counters()["by_status"].get("429", 0)
    stack.procore.call("POST", f"/act/tools/rfis/{rfi_id}/touch")
    run_pass(stack, world["key"], ["rfis"])
    assert stack.procore.counters()["by_status"].get("429", 0) - statuses_before == 2
    assert len(versions(stack, path)) == 2
    assert failed_invocations(stack) == []


def test_a_delete_webhook_recycles_the_items_files_at_once(
    stack: Stack, world: dict[str, Any]
) -> None:
    """No full listing is asked for here: Procore's delete webhook brings it about."""
    settings = stack.settings
    store = stack.store()
    project = store.projects.get(world["key"])
    ProjectIntake(
        store,
        HookRegistrar(ProcoreClient(settings), settings),
        SubscriptionKeeper(GraphClient(settings), store.drives, settings),
    ).connected(project)
    before = files(stack, "Incidents")
    assert before
    incident_id = world["tools"]["incidents"][0]
    stack.procore.call("DELETE", f"/act/tools/incidents/{incident_id}")
    poll("the incident's files recycled", lambda: not files(stack, "Incidents"), deadline_s=60)
    recycled = {i["name"] for i in stack.graph.call("GET", f"/drives/{stack_drive()}/recycle-bin")}
    assert {n.rsplit("/", 1)[-1] for n in before} & recycled
    assert failed_invocations(stack) == []

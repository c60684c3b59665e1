"""Read-only items of the other tools (API-NOTES A8) and realistic fixtures for them.

Each item carries `attachments` whose `url` is a bearer-protected download like a file version's,
and the people and dates a reader needs (`created_by`, assignees, replies with their authors).
RFI lists are compact: their `questions` (with `answers`) come only with the detail **[U]**
(Procore documents no list serializer; a compact list is the cautious reading).
"""

from __future__ import annotations

from typing import Any

from emulators.procore.content import DerivedContent, seed_for
from emulators.procore.documents_json import blob_url
from emulators.procore.emulator import Emulator
from emulators.procore.model import HUMAN_USER_ID, USERS, Attachment, ToolItem
from emulators.procore.timefmt import iso

TOOLS = (
    "rfis",
    "submittals",
    "drawing_areas",
    "drawing_sets",
    "drawing_revisions",
    "drawings",
    "forms",
    "observations",
    "inspections",
    "incidents",
    "commitments",
)

# Webhook resource names (API-NOTES A9) for `update` events of touched items.
RESOURCE_NAMES = {
    "rfis": "RFIs",
    "submittals": "Submittals",
    "drawing_areas": "Drawing Areas",
    "drawing_sets": "Drawing Sets",
    "drawing_revisions": "Drawings",
    "drawings": "Drawings",
    "forms": "Forms",
    "observations": "Observation Items",
    "inspections": "Inspection Checklists",
    "incidents": "Incidents",
    "commitments": "Commitments",
}

PERSON = USERS[HUMAN_USER_ID]
ARCHITECT = {"id": 4300000503, "login": "ana.arch@example.com", "name": "Ana Architect"}


LIST_OMITS = {"rfis": ("questions",)}
"""Fields a tool's list leaves out (the detail has them)."""


def item_json(emu: Emulator, item: ToolItem, *, listed: bool = False) -> dict[str, Any]:
    attachments = [
        {
            "id": a.id,
            "name": a.name,
            "filename": a.name,
            "url": blob_url(emu.options.base_url, a.blob_id),
            "size": a.size,
        }
        for a in item.attachments
    ]
    body: dict[str, Any] = {
        "id": item.id,
        **{
            k: v
            for k, v in item.fields.items()
            if k != "replies" and not (listed and k in LIST_OMITS.get(item.tool, ()))
        },
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "attachments": attachments,
    }
    if item.tool == "submittals":
        body["associated_attachments"] = attachments
    if item.tool == "drawing_revisions" and item.attachments:
        body["pdf_url"] = attachments[0]["url"]
        body["pdf_size"] = attachments[0]["size"]
        body["png_url"] = attachments[0]["url"]
    return body


def _attach(emu: Emulator, name: str, size: int, *seed_parts: object) -> Attachment:
    blob = emu.world.add_blob(DerivedContent(seed_for(*seed_parts, name), size), name)
    return Attachment(emu.world.new_id(), name, blob.id, size)


def _add(
    emu: Emulator,
    tool: str,
    project_id: int,
    fields: dict[str, Any],
    attachments: list[tuple[str, int]],
) -> ToolItem:
    now = emu.world.now()
    fields.setdefault("created_by", PERSON)
    item = ToolItem(tool, emu.world.new_id(), project_id, now, now, fields)
    item.attachments = [_attach(emu, n, s, project_id, tool, item.id) for n, s in attachments]
    emu.world.tool_items.setdefault(tool, {})[item.id] = item
    return item


def _ensure(emu: Emulator, project_id: int, tool: str, fields: dict[str, Any]) -> ToolItem:
    for item in emu.world.tool_items.get(tool, {}).values():
        if item.project_id == project_id:
            return item
    return _add(emu, tool, project_id, fields, [])


def seed_tool(
    emu: Emulator, project_id: int, tool: str, count: int | list[dict[str, Any]]
) -> list[int]:
    """`count` plausible items of `tool` (drawings get their area, set and drawing too); or one
    item per spec `{"fields": {...overrides}, "attachments": N | [{"name", "size"}]}`."""
    specs: list[dict[str, Any]] = [{}] * count if isinstance(count, int) else count
    ids: list[int] = []
    for n, spec in enumerate(specs, start=1):
        if tool == "rfis":
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "number": str(n),
                    "full_number": f"RFI-{n:03d}",
                    "subject": [
                        "Slab edge detail at grid C",
                        "Curtain wall anchor spacing",
                        "Door hardware schedule",
                    ][n % 3],
                    "status": ["open", "closed", "draft"][n % 3],
                    "due_date": f"2025-04-{n % 28 + 1:02d}",
                    "deleted": False,
                    "assignees": [PERSON],
                    "ball_in_court": [PERSON],
                    "questions": [
                        {
                            "id": emu.world.new_id(),
                            "plain_text_body": f"Please clarify item {n}.",
                            "created_by": PERSON,
                            "answers": [
                                {
                                    "id": emu.world.new_id(),
                                    "plain_text_body": f"Answer to RFI {n}.",
                                    "official": True,
                                    "created_by": ARCHITECT,
                                    "created_at": "2025-03-04T09:30:00.000Z",
                                }
                            ],
                        }
                    ],
                    "created_by": PERSON,
                    "responsible_contractor": {"id": 501, "name": "Acme Concrete"},
                    "rfi_manager": PERSON,
                    "cost_impact": {"status": "tbd"},
                    "schedule_impact": {"status": "tbd"},
                    "location": {"id": 77, "name": "Level 2"},
                    "replies": [
                        {
                            "id": emu.world.new_id(),
                            "body": f"Answer to RFI {n}.",
                            "official": True,
                            "created_by": PERSON,
                        }
                    ],
                },
                [(f"RFI-{n:03d} sketch.pdf", 18_000 + n * 111)],
            )
        elif tool == "submittals":
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "number": str(n),
                    "formatted_number": f"03 30 00-{n}",
                    "title": f"Concrete mix design {n}",
                    "status": {"name": "Open"},
                    "revision": "0",
                    "specification_section": {
                        "number": "03 30 00",
                        "description": "Cast-in-Place Concrete",
                    },
                    "due_date": "2025-05-01",
                    "received_date": None,
                    "issue_date": "2025-03-01",
                    "approvers": [PERSON],
                    "submittal_package": {"id": 900 + n, "title": "Concrete"},
                },
                [(f"Submittal {n} product data.pdf", 25_000 + n * 7)],
            )
        elif tool == "drawing_revisions":
            area = _ensure(emu, project_id, "drawing_areas", {"name": "Main Building"})
            dset = _ensure(
                emu,
                project_id,
                "drawing_sets",
                {"name": "Issued for Construction", "date": "2025-02-15"},
            )
            number = f"A-{100 + n}"
            drawing = _add(
                emu,
                "drawings",
                project_id,
                {
                    "number": number,
                    "title": f"Floor plan level {n}",
                    "drawing_area_id": area.id,
                    "discipline": {"name": "Architectural"},
                },
                [],
            )
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "revision_number": "1",
                    "drawing_date": "2025-02-10",
                    "received_date": "2025-02-12",
                    "current": True,
                    "number": number,
                    "title": drawing.fields["title"],
                    "drawing_area_id": area.id,
                    "drawing_id": drawing.id,
                    "drawing_set": {"id": dset.id, "name": dset.fields["name"]},
                },
                [(f"{number}.pdf", 60_000 + n * 13)],
            )
        elif tool == "forms":
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "name": f"Daily pre-task plan {n}",
                    "description": "Crew sign-in and hazards",
                    "form_template": {"id": 3001, "name": "Pre-Task Plan"},
                    "private": False,
                },
                [(f"Pre-task plan {n}.pdf", 12_000 + n)],
            )
        elif tool == "observations":
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "number": n,
                    "name": f"Missing guardrail {n}",
                    "description": "Open edge on level 3",
                    "status": "initiated",
                    "priority": "High",
                    "type": {"name": "Safety"},
                    "due_date": "2025-03-20",
                    "assignee": PERSON,
                    "location": {"name": "Level 3"},
                    "trade": {"name": "Carpentry"},
                    "closed_at": None,
                    "deleted_at": None,
                },
                [(f"Observation {n}.jpg", 30_000 + n)],
            )
        elif tool == "inspections":
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "name": f"Pre-pour inspection {n}",
                    "number": n,
                    "status": "in_progress",
                    "inspection_date": "2025-03-05",
                    "inspection_type": {"name": "Quality"},
                    "closed_at": None,
                    "deleted": False,
                    "item_count": 12,
                    "conforming_item_count": 10,
                },
                [(f"Inspection {n} photo.jpg", 22_000 + n)],
            )
        elif tool == "incidents":
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "title": f"Near miss {n}",
                    "description": "Dropped tool from scaffold",
                    "status": "open",
                    "event_date": "2025-03-03",
                    "recordable": False,
                    "private": False,
                },
                [(f"Incident {n} report.pdf", 15_000 + n)],
            )
        elif tool == "commitments":
            item = _add(
                emu,
                tool,
                project_id,
                {
                    "number": f"SC-{n:03d}",
                    "title": f"Subcontract {n}",
                    "status": "Approved",
                    "contract_type": "work_order_contract",
                    "vendor": {"id": 601, "name": "Acme Concrete"},
                    "grand_total": 125000.0 * n,
                },
                [(f"SC-{n:03d} executed.pdf", 40_000 + n)],
            )
        elif tool in ("drawing_areas", "drawing_sets", "drawings"):
            item = _add(emu, tool, project_id, {"name": f"{tool} {n}"}, [])
        else:
            raise ValueError(f"unknown tool {tool}")
        _apply_spec(emu, item, spec)
        ids.append(item.id)
    return ids


def _apply_spec(emu: Emulator, item: ToolItem, spec: dict[str, Any]) -> None:
    item.fields.update(spec.get("fields", {}))
    wanted = spec.get("attachments")
    if wanted is None:
        return
    if isinstance(wanted, int):
        wanted = [
            {"name": f"Attachment {i:02d}.pdf", "size": 1000 + i} for i in range(1, wanted + 1)
        ]
    item.attachments = [
        _attach(emu, str(a["name"]), int(a["size"]), item.project_id, item.tool, item.id, i)
        for i, a in enumerate(wanted)
    ]


def revise_drawing(emu: Emulator, revision: ToolItem, size: int) -> ToolItem:
    """A new current revision of the drawing `revision` belongs to; the old one is superseded."""
    revision.fields["current"] = False
    revision.updated_at = emu.world.now()
    number = int(str(revision.fields.get("revision_number") or "0")) + 1
    fields = {**revision.fields, "revision_number": str(number), "current": True}
    fields.pop("created_by", None)
    name = f"{fields.get('number', 'drawing')} rev {number}.pdf"
    return _add(emu, "drawing_revisions", revision.project_id, fields, [(name, size)])

"""The demo's Procore project: a construction project's Documents tree and photo albums.

Pure (no I/O): the seed spec the Procore emulator takes (`POST /_emulator/seed`, an integer is a
file of that many bytes with content derived from the path), built so every run is the same.
It holds what a real project holds (drawings by discipline, specifications by CSI division,
submittals, contracts, RFIs, meeting minutes, a large BIM model) and what makes a sync hard:
unicode names, names SharePoint rejects (DESIGN §4), empty folders, deep nesting.
"""

from __future__ import annotations

import zlib
from typing import Any

PROJECT_ID = 4300000201
PROJECT_NAME = "Harbor View Tower"
LARGE_FILE = "BIM/Harbor View Tower – Federated Model.ifc"
LARGE_BYTES = 28 * 1024 * 1024

DISCIPLINES = {
    "Architectural": ("A", 36),
    "Structural": ("S", 24),
    "Civil": ("C", 8),
    "Landscape": ("L", 6),
}
MEP = {"Mechanical": ("M", 12), "Electrical": ("E", 12), "Plumbing": ("P", 8)}
MEP["Fire Protection"] = ("FP", 4)
SHEET_TITLES = (
    "Floor Plan",
    "Reflected Ceiling Plan",
    "Elevations",
    "Sections",
    "Details",
    "Schedules",
    "Enlarged Plan",
    "Roof Plan",
)
CSI_DIVISIONS = {
    "01": ("General Requirements", ["01 10 00 Summary", "01 33 00 Submittal Procedures"]),
    "03": (
        "Concrete",
        ["03 10 00 Concrete Forming", "03 20 00 Reinforcing", "03 30 00 Cast-in-Place Concrete"],
    ),
    "05": ("Metals", ["05 12 00 Structural Steel Framing", "05 50 00 Metal Fabrications"]),
    "07": (
        "Thermal and Moisture Protection",
        ["07 21 00 Thermal Insulation", "07 54 00 Thermoplastic Membrane Roofing"],
    ),
    "08": ("Openings", ["08 11 13 Hollow Metal Doors", "08 44 13 Glazed Curtain Walls"]),
    "09": (
        "Finishes",
        ["09 29 00 Gypsum Board", "09 65 00 Resilient Flooring", "09 91 00 Painting"],
    ),
    "22": ("Plumbing", ["22 11 16 Domestic Water Piping", "22 40 00 Plumbing Fixtures"]),
    "23": ("HVAC", ["23 05 93 Testing, Adjusting and Balancing", "23 31 13 Metal Ducts"]),
    "26": ("Electrical", ["26 05 19 Conductors and Cables", "26 24 16 Panelboards"]),
}
# Names SharePoint rejects or reserves: each is mapped (and remembered) or skipped with a reason.
ODD_FILES = [
    "Spec: Concrete?.pdf",
    "CON.txt",
    "a|b.pdf",
    "Final markup.",
    "desktop.ini",
    "Owner <draft> notes.docx",
    '"Quoted" memo.pdf',
]
# A path SharePoint cannot hold (over 400 characters once under the library): skipped, with why.
LONG_FOLDER = "Design Development Correspondence with the Owner's Representative " + (
    "regarding the Curtain Wall Mock-up Review and Acceptance Criteria"
)
LONG_FILE = (
    "Letter from the Owner's Representative to the Architect of Record and the General "
    "Contractor concerning the Curtain Wall Performance Mock-up Test Results, the Water "
    "Infiltration Retest Protocol and the Revised Acceptance Criteria for Level 3.pdf"
)
UNICODE_FILES = [
    "Lettre à l'architecte – révisée.pdf",
    "Prüfbericht Statik (geprüft).pdf",
    "設計図 1F 平面図.pdf",
    "Plan – Revisión 2.pdf",
    "Ωmega façade study.pdf",
]


def size_of(path: str, low: int = 12_000, high: int = 420_000) -> int:
    """A deterministic file size in [low, high) for `path` (the same on every run)."""
    return low + zlib.crc32(path.encode("utf-8")) % (high - low)


def _files(folder: str, names: list[str]) -> dict[str, Any]:
    return {name: size_of(f"{folder}/{name}") for name in names}


def _drawings() -> dict[str, Any]:
    def sheets(prefix: str, count: int, folder: str) -> dict[str, Any]:
        names = [
            f"{prefix}-{100 + n:03d} {SHEET_TITLES[n % len(SHEET_TITLES)]}.pdf"
            for n in range(1, count + 1)
        ]
        return _files(f"Drawings/{folder}", names)

    drawings: dict[str, Any] = {
        name: sheets(prefix, count, name) for name, (prefix, count) in DISCIPLINES.items()
    }
    drawings["Architectural"]["Superseded"] = sheets("A", 6, "Architectural/Superseded")
    drawings["MEP"] = {
        name: sheets(prefix, count, f"MEP/{name}") for name, (prefix, count) in MEP.items()
    }
    drawings["Issued for Construction"] = {
        "Set 01 – 2025-03-14": _files(
            "Drawings/IFC/1", [f"IFC Sheet {n:02d}.pdf" for n in range(1, 9)]
        ),
        "Set 02 – 2025-06-02": {},
    }
    return drawings


def _specifications() -> dict[str, Any]:
    divisions: dict[str, Any] = {}
    for number, (title, sections) in CSI_DIVISIONS.items():
        folder = f"Division {number} – {title}"
        divisions[folder] = _files(f"Specifications/{folder}", [f"{s}.pdf" for s in sections])
    return divisions


def _submittals() -> dict[str, Any]:
    submittals: dict[str, Any] = {}
    for number, (title, sections) in list(CSI_DIVISIONS.items())[1:7]:
        names = [
            f"Submittal {number}-{n:03d} {section[9:]} – {kind}.pdf"
            for n, section in enumerate(sections, start=1)
            for kind in ("Product Data", "Shop Drawings")
        ]
        submittals[f"{number} {title}"] = {
            "Approved": _files(f"Submittals/{number}/Approved", names[: len(names) // 2]),
            "Pending Review": _files(f"Submittals/{number}/Pending", names[len(names) // 2 :]),
        }
    return submittals


def _rfis() -> dict[str, Any]:
    rfis: dict[str, Any] = {}
    for n in range(1, 41):
        rfis[f"RFI-{n:03d}.pdf"] = size_of(f"RFIs/{n}")
        if n % 4 == 0:
            rfis[f"RFI-{n:03d} Attachments"] = _files(
                f"RFIs/{n}/att", [f"Sketch {n:03d}-{k}.pdf" for k in (1, 2)]
            )
    return rfis


def _deep_archive() -> dict[str, Any]:
    """Six levels of folders, as an archive of correspondence tends to become."""
    tree: dict[str, Any] = _files("Archive/deep", ["Transmittal 0001.pdf", "Transmittal 0002.pdf"])
    for level in ("Week 12", "March", "2024", "Design Development", "Correspondence"):
        tree = {level: tree}
    return tree


def documents() -> dict[str, Any]:
    """The Documents tree, as the Procore emulator's seed spec takes it."""
    return {
        "Drawings": _drawings(),
        "Specifications": _specifications(),
        "Submittals": _submittals(),
        "Contracts": {
            "_private": True,
            "Prime Contract – AIA A101.pdf": 412_000,
            "Subcontracts": _files(
                "Contracts/Subs",
                [f"Subcontract {trade}.pdf" for trade in ("Concrete", "Steel", "MEP", "Glazing")],
            ),
            "Change Orders": _files("Contracts/CO", [f"PCCO-{n:03d}.pdf" for n in range(1, 7)]),
        },
        "RFIs": _rfis(),
        "Meeting Minutes": _files(
            "Minutes", [f"OAC Meeting {n:03d} – Minutes.docx" for n in range(1, 25)]
        ),
        "Schedules": _files(
            "Schedules", ["Baseline Schedule.xml", "Three-Week Lookahead.xlsx", "Milestones.pdf"]
        ),
        "BIM": {LARGE_FILE.split("/", 1)[1]: LARGE_BYTES, "Clash Report 07.pdf": 880_000},
        "Correspondence": {
            **_files("Correspondence", UNICODE_FILES),
            "Names SharePoint rejects": _files("Correspondence/odd", ODD_FILES),
            "Site: North? Gate.": _files("Correspondence/odd folder", ["Gate log.pdf"]),
            LONG_FOLDER: _files("Correspondence/long", [LONG_FILE, "Short cover note.pdf"]),
        },
        "Archive": _deep_archive(),
        "Closeout": {"O&M Manuals": {}, "Warranties": {}, "As-Builts": {}},
    }


def photos() -> dict[str, Any]:
    """Photo albums (Procore image categories) with a few images each."""
    return {
        album: {
            f"IMG_{album[:3].upper()}_{n:04d}.jpg": size_of(f"{album}/{n}", 180_000, 900_000)
            for n in range(count)
        }
        for album, count in (
            ("Site Progress", 6),
            ("Safety Walk", 3),
            ("Concrete Pour – Level 3", 4),
        )
    }


def file_count(tree: dict[str, Any]) -> int:
    """How many files a seed tree holds (folders are dicts, `_` keys are folder options)."""
    return sum(
        file_count(value) if isinstance(value, dict) else 1
        for key, value in tree.items()
        if not key.startswith("_")
    )


def folder_count(tree: dict[str, Any]) -> int:
    return sum(
        1 + folder_count(value)
        for key, value in tree.items()
        if isinstance(value, dict) and not key.startswith("_")
    )


def total_bytes(tree: dict[str, Any]) -> int:
    return sum(
        total_bytes(value) if isinstance(value, dict) else int(value)
        for key, value in tree.items()
        if not key.startswith("_")
    )


# The other Procore tools, exported one way as a PDF per item with its attachments beside it.
# Tool names as the admin API takes them (shared.mapping.Tool), and the folder each lands in.
EXPORT_FOLDERS = {
    "rfis": "RFIs",
    "submittals": "Submittals",
    "drawings": "Drawings",
    "observations": "Observations",
}
UNICODE_RFI_SUBJECT = "Curtain wall anchors – Ø 16 mm at façade level 3"
UNICODE_RFI_PDF = f"RFI-002 {UNICODE_RFI_SUBJECT}.pdf"


def _attachments(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, "size": size_of(f"attachments/{name}", 8_000, 90_000)} for name in names]


def tools() -> dict[str, Any]:
    """Tool items, as the Procore emulator's seed spec takes them (`tools` of a project).

    Every item's attachments are listed here, so the export's folders can be checked against
    this spec alone; drawing revisions are exported as their own PDF, without attachments."""
    return {
        "rfis": [
            {
                "fields": {"subject": "Slab edge detail at grid C", "status": "closed"},
                "attachments": _attachments("SK-101 Slab edge sketch.pdf", "Grid C-4 photo.jpg"),
            },
            {
                "fields": {"subject": UNICODE_RFI_SUBJECT, "status": "open"},
                "attachments": _attachments("Anchor layout – façade east.pdf"),
            },
            {
                "fields": {"subject": "Door hardware schedule conflicts", "status": "open"},
                "attachments": _attachments("Hardware schedule markup.pdf"),
            },
            {
                "fields": {"subject": "Roof drain overflow height", "status": "draft"},
                "attachments": [],
            },
        ],
        "submittals": [
            {
                "fields": {"title": "Concrete mix design – podium slabs"},
                "attachments": _attachments(
                    "Mix design 5000 psi.pdf", "Batch plant certificate.pdf"
                ),
            },
            {
                "fields": {"title": "Rebar shop drawings level 3"},
                "attachments": _attachments("Rebar shop drawings L3.pdf"),
            },
        ],
        "drawing_revisions": 3,
        "observations": [
            {
                "fields": {"name": "Missing guardrail at level 3 east edge"},
                "attachments": _attachments(
                    "Guardrail gap 1.jpg", "Guardrail gap 2.jpg", "Corrective action plan.pdf"
                ),
            }
        ],
    }


def exported_counts() -> dict[str, tuple[int, int]]:
    """Per export folder: (PDFs, attachments) the export should make of `tools()`."""
    spec = tools()
    return {
        EXPORT_FOLDERS["rfis"]: (len(spec["rfis"]), _attachment_count(spec["rfis"])),
        EXPORT_FOLDERS["submittals"]: (
            len(spec["submittals"]),
            _attachment_count(spec["submittals"]),
        ),
        EXPORT_FOLDERS["drawings"]: (int(spec["drawing_revisions"]), 0),
        EXPORT_FOLDERS["observations"]: (
            len(spec["observations"]),
            _attachment_count(spec["observations"]),
        ),
    }


def _attachment_count(items: list[dict[str, Any]]) -> int:
    return sum(len(item["attachments"]) for item in items)

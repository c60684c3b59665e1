"""What the demo shows of the one-way export: per tool folder, its PDFs and their attachments.

Pure (no I/O): built from the SharePoint tree (the Graph emulator's control API) and, for the
example, the bytes of one exported PDF. The export writes `<tool folder>/<item>.pdf` and the
item's attachments under `<tool folder>/<item>/` (shared/export/).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pypdf


@dataclass(frozen=True)
class ExportFolder:
    name: str
    pdfs: list[str]
    """Names of the item PDFs directly in the folder, sorted."""
    attachments: int
    """Files in the items' attachment folders."""

    def line(self) -> str:
        pdfs = f"{len(self.pdfs)} PDF" + ("" if len(self.pdfs) == 1 else "s")
        attachments = f"{self.attachments} attachment" + ("" if self.attachments == 1 else "s")
        return f"{self.name}/  {pdfs}, {attachments}"


def export_folders(
    sharepoint_items: list[dict[str, Any]], project_root: str, folders: list[str]
) -> list[ExportFolder]:
    """The tool folders `folders` under `project_root`, in that order (a folder the export has
    not made shows as empty)."""
    shown = []
    for folder in folders:
        prefix = f"{project_root.rstrip('/')}/{folder}/"
        files = [
            item["path"][len(prefix) :]
            for item in sharepoint_items
            if item["path"].startswith(prefix) and not item["folder"]
        ]
        pdfs = sorted((f for f in files if "/" not in f and f.endswith(".pdf")), key=str.casefold)
        attachments = sum(1 for f in files if "/" in f)
        shown.append(ExportFolder(folder, pdfs, attachments))
    return shown


def pdf_lines(data: bytes, count: int) -> list[str]:
    """The first `count` non-blank lines of a PDF's text, as a reader would see them."""
    if not data.startswith(b"%PDF"):
        raise ValueError(f"not a PDF: starts with {data[:8]!r}")
    lines: list[str] = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        lines += [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        if len(lines) >= count:
            break
    return lines[:count]

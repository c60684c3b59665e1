"""What an exported item's PDF shows, as plain data: built by a tool module, drawn by `render`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

EXPORTED = "exported from Procore"
"""How the log's detail of an exported item begins (the completion email counts them)."""


class Entry(BaseModel):
    """A reply, response, answer or comment: who wrote what, and when."""

    model_config = ConfigDict(frozen=True)

    author: str = ""
    date: str = ""
    text: str = ""
    note: str = ""
    """E.g. "official response"."""


class Section(BaseModel):
    """A titled part of the document: free text paragraphs and/or dated entries."""

    model_config = ConfigDict(frozen=True)

    heading: str
    paragraphs: list[str] = Field(default_factory=list)
    entries: list[Entry] = Field(default_factory=list)


class ExportDocument(BaseModel):
    """An item of a tool, ready to render: header fields, sections, the attachments' names."""

    model_config = ConfigDict(frozen=True)

    tool_label: str
    """E.g. "RFI", "Submittal"."""
    number: str = ""
    title: str = ""
    project: str = ""
    fields: list[tuple[str, str]] = Field(default_factory=list)
    """Header fields in reading order (status, dates, people...); empty values are left out."""
    sections: list[Section] = Field(default_factory=list)
    attachments: list[str] = Field(default_factory=list)
    source: str = ""
    """Where it came from, e.g. "Procore RFI 4300100123, updated 2025-03-04 09:30 UTC"."""

    @property
    def heading(self) -> str:
        repeated = self.number.casefold().startswith(self.tool_label.casefold())
        parts = [p for p in (None if repeated else self.tool_label, self.number) if p]
        head = " ".join(parts)
        return f"{head}: {self.title}" if self.title else head

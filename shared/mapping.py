"""What a connected project maps: the admin API's connect request and the rules it must meet.

Pure (no I/O). DESIGN §1.1: a Procore company + project maps to a SharePoint site, library and
folder path, with the tools to sync, who is notified, the conflict policy and the delete limit.
The mapped folder holds one folder per tool; their names are configurable per project.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from shared.sync.model import ConflictPolicy
from shared.sync.names import MappedName, sharepoint_name


class Tool(StrEnum):
    DOCUMENTS = "documents"
    PHOTOS = "photos"
    RFIS = "rfis"
    SUBMITTALS = "submittals"
    DRAWINGS = "drawings"
    FORMS = "forms"
    OBSERVATIONS = "observations"
    INSPECTIONS = "inspections"
    INCIDENTS = "incidents"
    COMMITMENTS = "commitments"


TWO_WAY_TOOLS = frozenset({Tool.DOCUMENTS, Tool.PHOTOS})
ONE_WAY_TOOLS = frozenset(Tool) - TWO_WAY_TOOLS
"""Exported Procore → SharePoint as a PDF per item (shared.export.tools has one module each;
each reads its own Procore endpoint, `shared.procore.tool_items.ToolEndpoint`)."""
DEFAULT_TOOL_FOLDERS: dict[Tool, str] = {
    Tool.DOCUMENTS: "Documents",
    Tool.PHOTOS: "Photos",
    Tool.RFIS: "RFIs",
    Tool.SUBMITTALS: "Submittals",
    Tool.DRAWINGS: "Drawings",
    Tool.FORMS: "Forms",
    Tool.OBSERVATIONS: "Observations",
    Tool.INSPECTIONS: "Inspections",
    Tool.INCIDENTS: "Incidents",
    Tool.COMMITMENTS: "Commitments",
}

ProcoreId = Annotated[int, Field(gt=0, lt=2**63)]
"""Procore ids may exceed 32 bits (API-NOTES A1): int64."""


def project_key(company_id: int, project_id: int) -> str:
    """The key of a project in every table: `<company>-<project>` (DESIGN §3). Procore ids are
    non-negative integers, which keeps the key unambiguous (`-` cannot occur inside either part)
    and safe in a table key."""
    company, project = int(company_id), int(project_id)
    if company < 0 or project < 0:
        raise ValueError(f"Procore ids are non-negative, got {company_id!r}/{project_id!r}")
    return f"{company}-{project}"


def folder_segments(path: str) -> list[str]:
    """`/Projects//Tower A/` → [`Projects`, `Tower A`]."""
    return [segment for segment in path.replace("\\", "/").split("/") if segment]


def folders_overlap(a: str, b: str) -> bool:
    """Whether two folder paths of one library are the same or one contains the other
    (compared segment by segment, ignoring case as SharePoint does)."""
    left = [s.casefold() for s in folder_segments(a)]
    right = [s.casefold() for s in folder_segments(b)]
    shorter = min(len(left), len(right))
    return left[:shorter] == right[:shorter]


class SharePointTarget(BaseModel):
    """Where the project's files go: a site (by hostname and path), a library, a folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site_hostname: str = Field(
        min_length=3,
        max_length=253,
        pattern=r"^[A-Za-z0-9.-]+$",
        examples=["contoso.sharepoint.com"],
    )
    site_path: str = Field(min_length=1, max_length=400, examples=["/sites/Construction"])
    library: str = Field(min_length=1, max_length=255, examples=["Documents"])
    folder_path: str = Field(default="", max_length=400, examples=["Projects/Tower A"])

    @field_validator("site_path")
    @classmethod
    def _site_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/', e.g. /sites/Construction")
        return value.rstrip("/") or "/"

    @field_validator("folder_path")
    @classmethod
    def _folder_path(cls, value: str) -> str:
        segments = folder_segments(value)
        for segment in segments:
            mapped = sharepoint_name(segment, is_folder=True)
            if not isinstance(mapped, MappedName) or mapped.changed:
                raise ValueError(f"'{segment}' is not a name SharePoint accepts for a folder")
        return "/".join(segments)


class ConnectRequest(BaseModel):
    """The admin API's body for connecting a project."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    procore_company_id: ProcoreId
    procore_project_id: ProcoreId
    sharepoint: SharePointTarget
    tools: list[Tool] = Field(default_factory=lambda: [Tool.DOCUMENTS, Tool.PHOTOS], min_length=1)
    tool_folders: dict[Tool, str] = Field(default_factory=dict)
    recipients: list[EmailStr] = Field(default_factory=list, max_length=50)
    conflict_policy: ConflictPolicy = ConflictPolicy.NEWEST_WINS
    delete_limit: int | None = Field(default=None, ge=0, le=100_000)

    @field_validator("tools")
    @classmethod
    def _unique_tools(cls, value: list[Tool]) -> list[Tool]:
        if len(set(value)) != len(value):
            raise ValueError("each tool may be listed once")
        return value

    @field_validator("tool_folders")
    @classmethod
    def _folder_names(cls, value: dict[Tool, str]) -> dict[Tool, str]:
        for tool, name in value.items():
            mapped = sharepoint_name(name, is_folder=True)
            if not isinstance(mapped, MappedName) or mapped.changed:
                raise ValueError(f"{tool.value}: '{name}' is not a name SharePoint accepts")
        return value

    @model_validator(mode="after")
    def _distinct_folders(self) -> ConnectRequest:
        names = [self.folder_for(tool).casefold() for tool in self.tools]
        if len(set(names)) != len(names):
            raise ValueError("two tools would share one folder; give each tool its own folder")
        return self

    @property
    def key(self) -> str:
        return project_key(self.procore_company_id, self.procore_project_id)

    def folder_for(self, tool: Tool) -> str:
        return self.tool_folders.get(tool, DEFAULT_TOOL_FOLDERS[tool])

"""What was exported, in the Items table (DESIGN §3), apart from the two-way pairs:

- partition `<project key>~export-<tool>`, row `i-<id>`: one `ExportRecord` per item (per drawing
  for drawings): the `updated_at` exported, the PDF's driveItem id and eTag after our upload, the
  attachment folder and each attachment's driveItem;
- partition `<project key>~export`, row `tool-<tool>`: one `ToolState` per tool: its folder, the
  watermark up to which changes are exported, the pass that holds the tool, when it last listed.

Keys: the project key and tool names are safe characters; ids go through `encode_key`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.state.clock import Clock, utc_now
from shared.state.codec import Entity
from shared.state.errors import AlreadyExists, EntityNotFound
from shared.state.keys import encode_key
from shared.state.repository import Repository
from shared.state.tables import StateTable

_ITEM_PREFIX = "i-"
_TOOL_PREFIX = "tool-"


def records_partition(project_key: str, tool: str) -> str:
    return f"{encode_key(project_key)}~export-{encode_key(tool)}"


def tools_partition(project_key: str) -> str:
    return f"{encode_key(project_key)}~export"


class ExportedFile(BaseModel):
    """An attachment copied beside the item's PDF."""

    model_config = ConfigDict(frozen=True)

    procore_id: int
    name: str
    size: int | None = None
    sharepoint_id: str


class ExportRecord(Entity):
    """The last export of one item."""

    project_key: str
    tool: str
    record_id: int
    source_id: int
    """The Procore item exported (for drawings: the revision)."""
    updated_at: datetime | None = None
    pdf_name: str | None = None
    pdf_item_id: str | None = None
    pdf_etag: str | None = None
    folder_name: str | None = None
    folder_item_id: str | None = None
    attachments: list[ExportedFile] = Field(default_factory=list)
    superseded: list[str] = Field(
        default_factory=list, description="driveItem ids of kept superseded drawing revisions."
    )
    deleted: bool = False
    skipped_reason: str | None = Field(
        default=None, description="Why this version of the item was not exported (logged once)."
    )
    exported_at: datetime | None = None


class ToolState(Entity):
    """Per project and tool: the folder, the watermark, the pass holding the tool."""

    project_key: str
    tool: str
    folder_item_id: str | None = None
    watermark: datetime | None = Field(
        default=None, description="Procore changes up to here are exported."
    )
    pass_id: str | None = None
    pass_until: datetime | None = None
    pass_started_at: datetime | None = None
    pass_full: bool = False
    rerun: bool = Field(default=False, description="A request came while a pass held the tool.")
    requested_at: datetime | None = None
    listed_at: datetime | None = Field(default=None, description="When the last pass listed.")
    full_listed_at: datetime | None = None


class ExportState(Repository[ExportRecord]):
    """Records of exported items and the per-tool state (both in the Items table)."""

    model = ExportRecord

    def __init__(self, table: StateTable, *, clock: Clock = utc_now) -> None:
        super().__init__(table, clock=clock)
        self._tools = _ToolRows(table, clock=clock)

    def find(self, project_key: str, tool: str, record_id: int) -> ExportRecord | None:
        return self._find(records_partition(project_key, tool), _row(record_id))

    def records(self, project_key: str, tool: str) -> Iterator[ExportRecord]:
        return self._partition(records_partition(project_key, tool))

    def save(self, record: ExportRecord) -> ExportRecord:
        """Create, or replace If-Match the ETag it was read with (`ConcurrencyConflict`)."""
        partition = records_partition(record.project_key, record.tool)
        if record.etag is None:
            return self._create(partition, _row(record.record_id), record)
        return self._replace(partition, _row(record.record_id), record)

    def tool(self, project_key: str, tool: str) -> ToolState | None:
        return self._tools.find(tools_partition(project_key), _TOOL_PREFIX + encode_key(tool))

    def tools(self, project_key: str) -> dict[str, ToolState]:
        """Every tool's state of the project (one query)."""
        return {t.tool: t for t in self._tools.all(tools_partition(project_key))}

    def modify_tool(
        self, project_key: str, tool: str, change: Callable[[ToolState], ToolState | None]
    ) -> ToolState:
        """Read-modify-write the tool's row (created empty first if missing)."""
        partition, row = tools_partition(project_key), _TOOL_PREFIX + encode_key(tool)
        try:
            return self._tools.modify(partition, row, change)
        except EntityNotFound:
            with contextlib.suppress(AlreadyExists):
                self._tools.create(partition, row, ToolState(project_key=project_key, tool=tool))
            return self._tools.modify(partition, row, change)


def _row(record_id: int) -> str:
    return _ITEM_PREFIX + encode_key(str(record_id))


class _ToolRows(Repository[ToolState]):
    model = ToolState

    def find(self, partition: str, row: str) -> ToolState | None:
        return self._find(partition, row)

    def all(self, partition: str) -> Iterator[ToolState]:
        return self._partition(partition)

    def create(self, partition: str, row: str, state: ToolState) -> ToolState:
        return self._create(partition, row, state)

    def modify(
        self, partition: str, row: str, change: Callable[[ToolState], ToolState | None]
    ) -> ToolState:
        return self._modify(partition, row, change)

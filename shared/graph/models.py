"""Typed Graph resources as the client returns them (API-NOTES B2-B5, B7).

Only the fields the sync reads are declared; everything else Graph sends is ignored. Field names
are snake_case; the wire names (camelCase, `@odata.*`, `@microsoft.graph.*`) are aliases.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class GraphModel(BaseModel):
    """Base of every Graph resource: camelCase on the wire, unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class Hashes(GraphModel):
    """`file.hashes`: on OneDrive for Business / SharePoint only quickXorHash exists (B2)."""

    quick_xor_hash: str | None = None


class FileFacet(GraphModel):
    mime_type: str | None = None
    hashes: Hashes | None = None


class FolderFacet(GraphModel):
    child_count: int | None = None


class FileSystemInfo(GraphModel):
    """Client-settable timestamps (set on upload to keep Procore's times)."""

    created_date_time: datetime | None = None
    last_modified_date_time: datetime | None = None


class ItemReference(GraphModel):
    """`parentReference`. Delta items carry no `path` (B3): track items by id."""

    id: str | None = None
    drive_id: str | None = None
    path: str | None = None


class IdentitySet(GraphModel):
    user: dict[str, Any] | None = None
    application: dict[str, Any] | None = None


class Publication(GraphModel):
    """The `publication` facet: `level` is "published" or "checkout" (B2)."""

    level: str | None = None
    version_id: str | None = None
    checked_out_by: IdentitySet | None = None


class DriveItem(GraphModel):
    """A file or folder in a document library.

    `e_tag` changes with metadata and content; `c_tag` with content only, and SharePoint sends no
    cTag for folders nor in delta (B2). `deleted` is set (and `name` absent) for deletes in delta.
    """

    id: str
    name: str | None = None
    e_tag: str | None = None
    c_tag: str | None = None
    size: int | None = None
    parent_reference: ItemReference | None = None
    file: FileFacet | None = None
    folder: FolderFacet | None = None
    file_system_info: FileSystemInfo | None = None
    last_modified_date_time: datetime | None = None
    created_date_time: datetime | None = None
    deleted: dict[str, Any] | None = None
    publication: Publication | None = None
    root: dict[str, Any] | None = None
    download_url: str | None = Field(default=None, alias="@microsoft.graph.downloadUrl")

    @property
    def is_folder(self) -> bool:
        return self.folder is not None or self.root is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted is not None

    @property
    def quick_xor_hash(self) -> str | None:
        if self.file is None or self.file.hashes is None:
            return None
        return self.file.hashes.quick_xor_hash

    @property
    def is_checked_out(self) -> bool:
        return self.publication is not None and self.publication.level == "checkout"


class Drive(GraphModel):
    """A document library."""

    id: str
    name: str | None = None
    drive_type: str | None = None
    web_url: str | None = None


class Site(GraphModel):
    id: str
    name: str | None = None
    display_name: str | None = None
    web_url: str | None = None


class DriveItemVersion(GraphModel):
    id: str
    last_modified_date_time: datetime | None = None
    size: int | None = None
    last_modified_by: IdentitySet | None = None


class DeltaPage(GraphModel):
    """One page of a delta feed: either `next_link` (more pages) or `delta_link` (caught up)."""

    items: list[DriveItem] = Field(default_factory=list, alias="value")
    next_link: str | None = Field(default=None, alias="@odata.nextLink")
    delta_link: str | None = Field(default=None, alias="@odata.deltaLink")


class Subscription(GraphModel):
    id: str
    resource: str | None = None
    change_type: str | None = None
    notification_url: str | None = None
    expiration_date_time: datetime
    client_state: str | None = None


class UploadSession(GraphModel):
    upload_url: str
    expiration_date_time: datetime | None = None
    next_expected_ranges: list[str] = Field(default_factory=list)


class BatchResponse(GraphModel):
    """One member of a `$batch` answer (B5): its own status, headers and body."""

    id: str
    status: int
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None


class BatchAnswer(GraphModel):
    responses: list[BatchResponse]


class WalkEntry(GraphModel):
    """An item found by walking a folder tree, with its path relative to the walk's start."""

    path: str
    item: DriveItem


class UploadResult(GraphModel):
    """The item as SharePoint stored it, plus what we sent.

    SharePoint may rewrite Office files after upload (B2), so `item` (its size and hash) is the
    new base, while `sent_quick_xor_hash` lets the caller tell such a rewrite from corruption.
    """

    item: DriveItem
    sent_bytes: int
    sent_quick_xor_hash: str


MailBodyType = Literal["Text", "HTML"]
ConflictBehavior = Literal["fail", "replace", "rename"]

"""Typed views of Procore's Documents and Photos resources (API-NOTES A5, A7).

Ids are int64 (A1). Unknown fields are ignored: Procore adds fields freely, and the sync reads only
what it needs. There is no checksum on files or versions (A5 [U]): change detection uses size,
version id/number and `updated_at`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProcoreModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UserRef(ProcoreModel):
    id: int | None = None
    login: str | None = None
    name: str | None = None


class FileVersion(ProcoreModel):
    id: int
    number: int | None = None
    notes: str | None = None
    url: str | None = None
    size: int | None = None
    created_at: datetime | None = None
    file_id: int | None = None
    created_by: UserRef | None = None


class ProcoreFile(ProcoreModel):
    """A file in the Documents tool, with its versions (all, or the latest only)."""

    id: int
    name: str
    parent_id: int | None = None
    size: int | None = None
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    checked_out_until: datetime | None = None
    checked_out_by: UserRef | None = None
    name_with_path: str | None = None
    private: bool | None = None
    is_tracked: bool | None = None
    file_type: str | None = None
    is_deleted: bool = False
    file_versions: list[FileVersion] = Field(default_factory=list)

    @property
    def latest_version(self) -> FileVersion | None:
        if not self.file_versions:
            return None
        return max(self.file_versions, key=lambda v: (v.number or 0, v.id))

    @property
    def download_url(self) -> str | None:
        """The latest version's URL, taken from the listing (no extra request per file)."""
        latest = self.latest_version
        return latest.url if latest is not None else None


class Folder(ProcoreModel):
    """A folder without its children (as it appears inside a parent's listing)."""

    id: int
    name: str | None = None
    parent_id: int | None = None
    private: bool | None = None
    updated_at: datetime | None = None
    is_tracked: bool | None = None
    name_with_path: str | None = None
    read_only: bool | None = None
    is_deleted: bool = False
    is_recycle_bin: bool = False
    has_children: bool | None = None
    has_children_files: bool | None = None
    has_children_folders: bool | None = None


class FolderListing(Folder):
    """A folder with its direct children (`GET /folders` or `/folders/{id}`)."""

    folders: list[Folder] = Field(default_factory=list)
    files: list[ProcoreFile] = Field(default_factory=list)

    def summary(self) -> Folder:
        return Folder.model_validate(self.model_dump(exclude={"folders", "files"}))


class DocumentEntry(ProcoreModel):
    """One row of the documents index (`/projects/{id}/documents`): a folder or a file.

    The index carries no download URLs ([3P] A5); fetch the file or its folder for those.
    """

    id: int
    name: str | None = None
    name_with_path: str | None = None
    parent_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    is_deleted: bool = False
    is_recycle_bin: bool = False
    document_type: str | None = None
    private: bool | None = None
    read_only: bool | None = None
    file: dict[str, Any] | None = None

    @property
    def is_folder(self) -> bool:
        return self.document_type == "folder"


class ImageCategory(ProcoreModel):
    """A Photos album."""

    id: int
    name: str
    count: int | None = None
    private: bool | None = None
    position: int | None = None
    cover_photo: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Image(ProcoreModel):
    """A photo; `url` is its content (bearer token needed on the API host, like files)."""

    id: int
    url: str | None = None
    size: int | None = None
    filename: str | None = None
    name: str | None = None
    description: str | None = None
    thumbnail_url: str | None = None
    taken_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    image_category_id: int | None = None
    image_category_name: str | None = None
    location: Any = None
    private: bool | None = None
    starred: bool | None = None
    width: int | None = None
    height: int | None = None
    permanently_deleted: bool | None = None

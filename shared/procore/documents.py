"""Documents tool operations, project and company level (API-NOTES A5).

A folder listing returns the folder's direct children with their download URLs, so a walk costs one
request per folder and a file costs no extra request to download (DESIGN §5).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from shared.config import Settings
from shared.procore.content import UploadSource, copy_to, upload_segmented
from shared.procore.models import DocumentEntry, Folder, FolderListing, ProcoreFile
from shared.procore.scope import Scope
from shared.procore.session import ProcoreSession, page_rows

DEFAULT_CONTENT_TYPE = "application/octet-stream"


def iso(moment: datetime) -> str:
    """Procore's ISO 8601 UTC form (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def updated_range(since: datetime | None, until: datetime | None) -> str | None:
    """A `filters[updated_at]` range `A...B` (API-NOTES A5); None when unbounded."""
    if since is None and until is None:
        return None
    start = iso(since) if since is not None else iso(datetime(2000, 1, 1, tzinfo=UTC))
    end = iso(until) if until is not None else iso(datetime.now(UTC) + timedelta(days=1))
    return f"{start}...{end}"


class DocumentOperations:
    """Folders, files, versions, the documents index and file content."""

    _session: ProcoreSession
    _settings: Settings

    # --- paths ----------------------------------------------------------------------------
    @staticmethod
    def _docs(scope: Scope, resource: str) -> tuple[str, dict[str, Any]]:
        if scope.is_company:
            return f"/rest/v1.0/companies/{scope.company_id}/{resource}", {}
        return f"/rest/v1.0/{resource}", {"project_id": scope.project_id}

    # --- folders --------------------------------------------------------------------------
    def get_folder(
        self, scope: Scope, folder_id: int | None = None, *, latest_version_only: bool = True
    ) -> FolderListing:
        """A folder (the Documents root when `folder_id` is None) with its direct children."""
        path, params = self._docs(scope, "folders" if folder_id is None else f"folders/{folder_id}")
        params["show_latest_file_version_only"] = latest_version_only
        response = self._session.request("GET", path, company_id=scope.company_id, params=params)
        return FolderListing.model_validate(response.json())

    def walk(
        self, scope: Scope, folder_id: int | None = None, *, latest_version_only: bool = True
    ) -> Iterator[FolderListing]:
        """Every live folder under (and including) a folder, depth first, one request each.

        Only pending folder ids are held, never the tree; stop iterating to stop the walk.
        """
        pending: list[int | None] = [folder_id]
        while pending:
            listing = self.get_folder(scope, pending.pop(), latest_version_only=latest_version_only)
            children = [f.id for f in listing.folders if not (f.is_deleted or f.is_recycle_bin)]
            pending.extend(reversed(children))
            yield listing

    def create_folder(self, scope: Scope, name: str, parent_id: int | None = None) -> Folder:
        """A new folder (under the root when `parent_id` is None); a name clash is `Conflict`."""
        path, params = self._docs(scope, "folders")
        body: dict[str, Any] = {"name": name}
        if parent_id is not None:
            body["parent_id"] = parent_id
        response = self._session.request(
            "POST", path, company_id=scope.company_id, params=params, json={"folder": body}
        )
        return Folder.model_validate(response.json())

    def _patch_folder(self, scope: Scope, folder_id: int, changes: dict[str, Any]) -> Folder:
        path, params = self._docs(scope, f"folders/{folder_id}")
        response = self._session.request(
            "PATCH", path, company_id=scope.company_id, params=params, json={"folder": changes}
        )
        return Folder.model_validate(response.json())

    def rename_folder(self, scope: Scope, folder_id: int, name: str) -> Folder:
        return self._patch_folder(scope, folder_id, {"name": name})

    def move_folder(self, scope: Scope, folder_id: int, parent_id: int) -> Folder:
        """Move by changing `parent_id` (API-NOTES A5)."""
        return self._patch_folder(scope, folder_id, {"parent_id": parent_id})

    def delete_folder(self, scope: Scope, folder_id: int) -> None:
        """To the recycle bin, with everything in it."""
        path, params = self._docs(scope, f"folders/{folder_id}")
        self._session.request("DELETE", path, company_id=scope.company_id, params=params)

    # --- files ----------------------------------------------------------------------------
    def get_file(
        self, scope: Scope, file_id: int, *, latest_version_only: bool = False
    ) -> ProcoreFile:
        path, params = self._docs(scope, f"files/{file_id}")
        params["show_latest_version_only"] = latest_version_only
        response = self._session.request("GET", path, company_id=scope.company_id, params=params)
        return ProcoreFile.model_validate(response.json())

    def _patch_file_json(self, scope: Scope, file_id: int, changes: dict[str, Any]) -> ProcoreFile:
        path, params = self._docs(scope, f"files/{file_id}")
        response = self._session.request(
            "PATCH", path, company_id=scope.company_id, params=params, json={"file": changes}
        )
        return ProcoreFile.model_validate(response.json())

    def rename_file(self, scope: Scope, file_id: int, name: str) -> ProcoreFile:
        return self._patch_file_json(scope, file_id, {"name": name})

    def move_file(self, scope: Scope, file_id: int, parent_id: int) -> ProcoreFile:
        return self._patch_file_json(scope, file_id, {"parent_id": parent_id})

    def delete_file(self, scope: Scope, file_id: int) -> None:
        """To the recycle bin."""
        path, params = self._docs(scope, f"files/{file_id}")
        self._session.request("DELETE", path, company_id=scope.company_id, params=params)

    def _is_direct(self, source: UploadSource) -> bool:
        return source.size <= self._settings.procore_direct_upload_max_bytes

    def _segmented(self, scope: Scope, source: UploadSource, name: str, content_type: str) -> str:
        return upload_segmented(
            self._session,
            scope,
            source,
            filename=name,
            content_type=content_type,
            part_bytes=self._settings.procore_upload_part_bytes,
            flow=self._settings.procore_upload_flow,
            poll_sleep=self._session.sleep,
        )

    def upload_file(
        self,
        scope: Scope,
        parent_id: int | None,
        name: str,
        source: UploadSource,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        unique_name: bool = False,
        description: str | None = None,
    ) -> ProcoreFile:
        """A new file: one multipart POST when small, else parts through the uploads endpoints
        and then `file[upload_uuid]`. A name clash is `Conflict` unless `unique_name`."""
        path, params = self._docs(scope, "files")
        fields: dict[str, str] = {"file[name]": name, "file[unique_name]": str(unique_name).lower()}
        if parent_id is not None:
            fields["file[parent_id]"] = str(parent_id)
        if description is not None:
            fields["file[description]"] = description
        if self._is_direct(source):
            response = self._session.request(
                "POST",
                path,
                company_id=scope.company_id,
                params=params,
                data=fields,
                files=lambda: {"file[data]": (name, source.read_all(), content_type)},
            )
        else:
            upload_id = self._segmented(scope, source, name, content_type)
            body: dict[str, Any] = {"name": name, "upload_uuid": upload_id}
            body["unique_name"] = unique_name
            if parent_id is not None:
                body["parent_id"] = parent_id
            if description is not None:
                body["description"] = description
            response = self._session.request(
                "POST", path, company_id=scope.company_id, params=params, json={"file": body}
            )
        return ProcoreFile.model_validate(response.json())

    def add_version(
        self,
        scope: Scope,
        file_id: int,
        source: UploadSource,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        name: str | None = None,
    ) -> ProcoreFile:
        """New content for an existing file: PATCH with data or upload_uuid adds a version."""
        path, params = self._docs(scope, f"files/{file_id}")
        filename = name or f"file-{file_id}"
        if self._is_direct(source):
            fields = {"file[name]": name} if name is not None else None
            response = self._session.request(
                "PATCH",
                path,
                company_id=scope.company_id,
                params=params,
                data=fields,
                files=lambda: {"file[data]": (filename, source.read_all(), content_type)},
            )
            return ProcoreFile.model_validate(response.json())
        upload_id = self._segmented(scope, source, filename, content_type)
        changes: dict[str, Any] = {"upload_uuid": upload_id}
        if name is not None:
            changes["name"] = name
        return self._patch_file_json(scope, file_id, changes)

    # --- the documents index (changes since a time) ---------------------------------------
    def list_documents(
        self,
        scope: Scope,
        *,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
        document_type: str | None = None,
        in_recycle_bin: bool | None = None,
        folder_id: int | None = None,
        sort: str = "updated_at",
    ) -> Iterator[DocumentEntry]:
        """Folders and files of the flat index, oldest change first, page by page."""
        if scope.is_company:
            path = f"/rest/v1.0/companies/{scope.company_id}/documents"
        else:
            path = f"/rest/v1.0/projects/{scope.project_id}/documents"
        params: dict[str, Any] = {
            "filters[updated_at]": updated_range(updated_since, updated_until),
            "filters[document_type]": document_type,
            "filters[is_in_recycle_bin]": in_recycle_bin,
            "filters[folder_id]": folder_id,
            "sort": sort,
            "per_page": self._settings.procore_per_page,
        }
        for page in self._session.pages(path, company_id=scope.company_id, params=params):
            for row in page_rows(page.json()):
                yield DocumentEntry.model_validate(row)

    def list_document_changes(
        self, scope: Scope, since: datetime, until: datetime | None = None
    ) -> Iterator[DocumentEntry]:
        """Live and recycled documents changed in [since, until], oldest change first."""
        for in_bin in (False, True):
            yield from self.list_documents(
                scope, updated_since=since, updated_until=until, in_recycle_bin=in_bin
            )

    # --- content --------------------------------------------------------------------------
    def download(self, scope: Scope, url: str) -> Iterator[bytes]:
        """The bytes at a file/image/attachment URL as chunks (bounded memory)."""
        return self._session.download(url, company_id=scope.company_id)

    def download_to(self, scope: Scope, url: str, sink: IO[bytes]) -> int:
        """Write the bytes at a URL into `sink`; return how many were written."""
        return copy_to(self.download(scope, url), sink)

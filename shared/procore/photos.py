"""Photos: albums (image categories) and images (API-NOTES A7). Project level only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from shared.config import Settings
from shared.procore.content import UploadSource, upload_segmented
from shared.procore.documents import DEFAULT_CONTENT_TYPE, updated_range
from shared.procore.models import Image, ImageCategory
from shared.procore.scope import Scope
from shared.procore.session import ProcoreSession, page_rows


class PhotoOperations:
    _session: ProcoreSession
    _settings: Settings

    # --- albums ---------------------------------------------------------------------------
    def list_albums(self, scope: Scope) -> Iterator[ImageCategory]:
        params = {
            "project_id": scope.require_project(),
            "per_page": self._settings.procore_per_page,
        }
        for page in self._session.pages(
            "/rest/v1.0/image_categories", company_id=scope.company_id, params=params
        ):
            for row in page_rows(page.json()):
                yield ImageCategory.model_validate(row)

    def get_album(self, scope: Scope, album_id: int) -> ImageCategory:
        response = self._session.request(
            "GET",
            f"/rest/v1.0/image_categories/{album_id}",
            company_id=scope.company_id,
            params={"project_id": scope.require_project()},
        )
        return ImageCategory.model_validate(response.json())

    def create_album(
        self, scope: Scope, name: str, *, private: bool | None = None
    ) -> ImageCategory:
        body: dict[str, Any] = {"name": name}
        if private is not None:
            body["private"] = private
        response = self._session.request(
            "POST",
            "/rest/v1.0/image_categories",
            company_id=scope.company_id,
            params={"project_id": scope.require_project()},
            json={"image_category": body},
        )
        return ImageCategory.model_validate(response.json())

    def rename_album(self, scope: Scope, album_id: int, name: str) -> ImageCategory:
        response = self._session.request(
            "PATCH",
            f"/rest/v1.0/image_categories/{album_id}",
            company_id=scope.company_id,
            params={"project_id": scope.require_project()},
            json={"image_category": {"name": name}},
        )
        return ImageCategory.model_validate(response.json())

    def delete_album(self, scope: Scope, album_id: int) -> None:
        self._session.request(
            "DELETE",
            f"/rest/v1.0/image_categories/{album_id}",
            company_id=scope.company_id,
            params={"project_id": scope.require_project()},
        )

    # --- photos ---------------------------------------------------------------------------
    def list_photos(
        self,
        scope: Scope,
        *,
        album_id: int | None = None,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
    ) -> Iterator[Image]:
        params: dict[str, Any] = {
            "project_id": scope.require_project(),
            "image_category_id": album_id,
            "filters[updated_at]": updated_range(updated_since, updated_until),
            "sort": "updated_at",
            "per_page": self._settings.procore_per_page,
        }
        for page in self._session.pages(
            "/rest/v1.0/images", company_id=scope.company_id, params=params
        ):
            for row in page_rows(page.json()):
                yield Image.model_validate(row)

    def get_photo(self, scope: Scope, image_id: int) -> Image:
        response = self._session.request(
            "GET",
            f"/rest/v1.0/images/{image_id}",
            company_id=scope.company_id,
            params={"project_id": scope.require_project()},
        )
        return Image.model_validate(response.json())

    def upload_photo(
        self,
        scope: Scope,
        album_id: int | None,
        filename: str,
        source: UploadSource,
        *,
        content_type: str = "image/jpeg",
        description: str | None = None,
    ) -> Image:
        """A new photo in an album: one multipart POST when small, else via an upload."""
        project_id = scope.require_project()
        fields: dict[str, str] = {"image[filename]": filename}
        if album_id is not None:
            fields["image[image_category_id]"] = str(album_id)
        if description is not None:
            fields["image[description]"] = description
        if source.size <= self._settings.procore_direct_upload_max_bytes:
            response = self._session.request(
                "POST",
                "/rest/v1.0/images",
                company_id=scope.company_id,
                params={"project_id": project_id},
                data=fields,
                files=lambda: {"image[data]": (filename, source.read_all(), content_type)},
            )
        else:
            upload_id = upload_segmented(
                self._session,
                scope,
                source,
                filename=filename,
                content_type=content_type or DEFAULT_CONTENT_TYPE,
                part_bytes=self._settings.procore_upload_part_bytes,
                flow=self._settings.procore_upload_flow,
                poll_sleep=self._session.sleep,
            )
            fields["image[upload_uuid]"] = upload_id
            response = self._session.request(
                "POST",
                "/rest/v1.0/images",
                company_id=scope.company_id,
                params={"project_id": project_id},
                json={"image": {k[6:-1]: v for k, v in fields.items()}},
            )
        return Image.model_validate(response.json())

    def update_photo(
        self,
        scope: Scope,
        image_id: int,
        *,
        filename: str | None = None,
        description: str | None = None,
        album_id: int | None = None,
    ) -> Image:
        """Rename, describe, or move a photo to another album."""
        changes: dict[str, Any] = {}
        if filename is not None:
            changes["filename"] = filename
        if description is not None:
            changes["description"] = description
        if album_id is not None:
            changes["image_category_id"] = album_id
        response = self._session.request(
            "PATCH",
            f"/rest/v1.0/images/{image_id}",
            company_id=scope.company_id,
            params={"project_id": scope.require_project()},
            json={"image": changes},
        )
        return Image.model_validate(response.json())

    def delete_photo(self, scope: Scope, image_id: int, *, permanent: bool = False) -> None:
        self._session.request(
            "DELETE",
            f"/rest/v1.0/images/{image_id}",
            company_id=scope.company_id,
            params={"project_id": scope.require_project(), "permanent": permanent or None},
        )

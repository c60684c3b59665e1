"""`GraphClient`: every Microsoft Graph operation the sync needs, returning typed models.

One client per process (or per handler invocation) holds one msal app (token cache) and one
httpx connection pool. The sync code never builds a Graph URL or reads a header (STYLE §2); it
branches on `shared.errors` (and `DeltaResyncRequired`).
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

import httpx

from shared.config import Settings
from shared.errors import ApiError, InvalidRequest, NotFound
from shared.graph.auth import GraphAuth
from shared.graph.failures import SERVICE, error_for
from shared.graph.folder_tree import create_folder_tree
from shared.graph.models import (
    ConflictBehavior,
    DeltaPage,
    Drive,
    DriveItem,
    DriveItemVersion,
    MailBodyType,
    Publication,
    Site,
    Subscription,
    UploadResult,
    WalkEntry,
)
from shared.graph.paths import (
    clean_path,
    drive_path,
    encode_path,
    item_path,
    root_relative,
)
from shared.graph.transport import GraphHttp
from shared.graph.uploads import SessionUpload, Source, upload_small

log = logging.getLogger(__name__)

MAX_SUBSCRIPTION_MINUTES = 42_300
"""Longest driveItem subscription Graph accepts (API-NOTES B4)."""

DOWNLOAD_CHUNK_BYTES = 1024 * 1024


class Sink(Protocol):
    """Where downloaded bytes go: a binary file or any object with `write(bytes)`."""

    def write(self, data: bytes, /) -> Any: ...


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class GraphClient:
    """Microsoft Graph for one app registration (settings), app-only."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        auth: GraphAuth | None = None,
    ) -> None:
        self.settings = settings
        self.auth = auth or GraphAuth(settings)
        self.http = GraphHttp(
            settings, self.auth.token, forget_tokens=self.auth.forget_tokens, transport=transport
        )

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # --- sites and drives --------------------------------------------------------------------

    def get_site(self, hostname: str, path: str = "") -> Site:
        """A site by hostname and server-relative path (`contoso.sharepoint.com`, `/sites/X`)."""
        url = f"/sites/{hostname}"
        if clean_path(path):
            url += f":/{encode_path(path)}"
        return Site.model_validate(self.http.get_json(url))

    def list_drives(self, site_id: str) -> Iterator[Drive]:
        """The site's document libraries."""
        for page in self.http.pages(f"/sites/{site_id}/drives"):
            for value in page.get("value", []):
                yield Drive.model_validate(value)

    def get_drive_by_name(self, site_id: str, name: str) -> Drive:
        """The library called `name` (case-insensitive, as SharePoint compares names)."""
        for drive in self.list_drives(site_id):
            if (drive.name or "").casefold() == name.casefold():
                return drive
        raise NotFound(f"site {site_id} has no library named {name!r}", service=SERVICE, status=404)

    def get_drive(self, drive_id: str) -> Drive:
        return Drive.model_validate(self.http.get_json(drive_path(drive_id)))

    # --- items -------------------------------------------------------------------------------

    def get_item(self, drive_id: str, item_id: str) -> DriveItem:
        return DriveItem.model_validate(self.http.get_json(item_path(drive_id, item_id)))

    def get_item_by_path(self, drive_id: str, path: str) -> DriveItem:
        """An item by its path from the library root (the root itself for '')."""
        return DriveItem.model_validate(self.http.get_json(root_relative(drive_id, path)))

    def get_folder_by_path(self, drive_id: str, path: str) -> DriveItem:
        """A folder by path; a file there is `InvalidRequest`, nothing there is `NotFound`."""
        item = self.get_item_by_path(drive_id, path)
        if not item.is_folder:
            raise InvalidRequest(f"{path!r} is a file, not a folder", service=SERVICE)
        return item

    def list_children(
        self, drive_id: str, item_id: str, *, page_size: int | None = None
    ) -> Iterator[DriveItem]:
        """A folder's children, page by page (`$top`, `@odata.nextLink`); stop whenever."""
        params = {"$top": str(page_size)} if page_size else None
        for page in self.http.pages(f"{item_path(drive_id, item_id)}/children", params):
            for value in page.get("value", []):
                yield DriveItem.model_validate(value)

    def walk(
        self, drive_id: str, folder_id: str, *, page_size: int | None = None
    ) -> Iterator[WalkEntry]:
        """Every item below a folder, parents before children, with paths relative to it.

        Children paging is not guaranteed complete under concurrent writes (B3); use delta where
        completeness matters.
        """
        stack: list[tuple[str, str]] = [(folder_id, "")]
        while stack:
            current_id, prefix = stack.pop()
            folders: list[tuple[str, str]] = []
            for child in self.list_children(drive_id, current_id, page_size=page_size):
                path = f"{prefix}/{child.name}" if prefix else str(child.name)
                yield WalkEntry(path=path, item=child)
                if child.is_folder:
                    folders.append((child.id, path))
            stack.extend(reversed(folders))

    def create_folder(
        self,
        drive_id: str,
        parent_id: str,
        name: str,
        *,
        conflict_behavior: ConflictBehavior = "fail",
    ) -> DriveItem:
        """A new folder; with "fail" an existing name is `Conflict` (409 nameAlreadyExists)."""
        body = {"name": name, "folder": {}, "@microsoft.graph.conflictBehavior": conflict_behavior}
        response = self.http.send("POST", f"{item_path(drive_id, parent_id)}/children", json=body)
        return DriveItem.model_validate(response.json())

    def create_folder_tree(
        self, drive_id: str, base_id: str, paths: Iterable[str]
    ) -> dict[str, DriveItem]:
        """Every folder in `paths` (relative to `base_id`) and its ancestors, via `$batch`."""
        return create_folder_tree(self.http, drive_id, base_id, list(paths))

    def update_item(
        self,
        drive_id: str,
        item_id: str,
        *,
        name: str | None = None,
        parent_id: str | None = None,
        if_match: str | None = None,
        created: datetime | None = None,
        modified: datetime | None = None,
    ) -> DriveItem:
        """Rename, move and/or set fileSystemInfo; a changed eTag is `PreconditionFailed`."""
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if parent_id is not None:
            body["parentReference"] = {"id": parent_id}
        info: dict[str, str] = {}
        if created is not None:
            info["createdDateTime"] = _iso(created)
        if modified is not None:
            info["lastModifiedDateTime"] = _iso(modified)
        if info:
            body["fileSystemInfo"] = info
        if not body:
            raise ValueError("update_item needs a name, a parent or timestamps")
        headers = {"If-Match": if_match} if if_match else None
        response = self.http.send("PATCH", item_path(drive_id, item_id), json=body, headers=headers)
        return DriveItem.model_validate(response.json())

    def rename_item(
        self, drive_id: str, item_id: str, name: str, *, if_match: str | None = None
    ) -> DriveItem:
        return self.update_item(drive_id, item_id, name=name, if_match=if_match)

    def move_item(
        self,
        drive_id: str,
        item_id: str,
        parent_id: str,
        *,
        name: str | None = None,
        if_match: str | None = None,
    ) -> DriveItem:
        return self.update_item(
            drive_id, item_id, name=name, parent_id=parent_id, if_match=if_match
        )

    def delete_item(self, drive_id: str, item_id: str, *, if_match: str | None = None) -> None:
        """To the recycle bin; with `if_match`, a changed item is `PreconditionFailed`."""
        headers = {"If-Match": if_match} if if_match else None
        self.http.send("DELETE", item_path(drive_id, item_id), headers=headers, ok=(204,))

    # --- uploads -----------------------------------------------------------------------------

    def upload_file(
        self,
        drive_id: str,
        source: Source,
        size: int,
        *,
        parent_id: str | None = None,
        name: str | None = None,
        item_id: str | None = None,
        conflict_behavior: ConflictBehavior = "fail",
        if_match: str | None = None,
        created: datetime | None = None,
        modified: datetime | None = None,
    ) -> UploadResult:
        """Upload `size` bytes from `source`: a new file (`parent_id` + `name`) or new content
        for `item_id` (with `if_match`, a changed file is `PreconditionFailed`).

        Small files without timestamps take one PUT; larger ones, or ones whose Procore
        timestamps must be kept, go through an upload session (same request count as PUT+PATCH,
        and the timestamps land with the content).
        """
        small = size <= self.settings.graph_simple_upload_max_bytes
        if size == 0 or (small and created is None and modified is None):
            data = source.read(size) if size else b""
            if len(data) != size:
                raise InvalidRequest(
                    f"upload source holds {len(data)} bytes, expected {size}", service=SERVICE
                )
            return upload_small(
                self.http,
                drive_id,
                data=data,
                parent_id=parent_id,
                name=name,
                item_id=item_id,
                conflict_behavior="replace" if item_id else conflict_behavior,
                if_match=if_match,
            )
        return self.upload_large(
            drive_id,
            source,
            size,
            parent_id=parent_id,
            name=name,
            item_id=item_id,
            conflict_behavior=conflict_behavior,
            if_match=if_match,
            created=created,
            modified=modified,
        )

    def upload_large(
        self,
        drive_id: str,
        source: Source,
        size: int,
        *,
        parent_id: str | None = None,
        name: str | None = None,
        item_id: str | None = None,
        conflict_behavior: ConflictBehavior = "fail",
        if_match: str | None = None,
        created: datetime | None = None,
        modified: datetime | None = None,
    ) -> UploadResult:
        """Upload through a resumable session, streaming chunk by chunk (bounded memory)."""
        if size <= 0:
            raise InvalidRequest("an upload session needs at least one byte", service=SERVICE)
        upload = SessionUpload(self.http, self.settings.graph_upload_chunk_bytes)
        session = upload.create(
            drive_id,
            size=size,
            parent_id=parent_id,
            name=name,
            item_id=item_id,
            conflict_behavior="replace" if item_id else conflict_behavior,
            if_match=if_match,
            created=created,
            modified=modified,
        )
        return upload.send(session, source, size)

    # --- downloads ---------------------------------------------------------------------------

    def download(self, drive_id: str, item_id: str, sink: Sink) -> int:
        """Stream the file's content into `sink`; returns the byte count."""
        return self._download(f"{item_path(drive_id, item_id)}/content", sink)

    def download_version(self, drive_id: str, item_id: str, version_id: str, sink: Sink) -> int:
        """Stream one version's content into `sink`; returns the byte count."""
        url = f"{item_path(drive_id, item_id)}/versions/{version_id}/content"
        return self._download(url, sink)

    def download_url(self, url: str, sink: Sink) -> int:
        """Stream a pre-authenticated `@microsoft.graph.downloadUrl` (no token is sent)."""
        return self._stream_to(url, sink, auth=False)

    def _download(self, path: str, sink: Sink) -> int:
        url = self.http.url(path)
        with self.http.stream("GET", url, auth=True) as response:
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise ApiError(f"{path}: redirect without Location", service=SERVICE)
            elif response.status_code == 200:
                return self._copy(response, sink)
            else:
                response.read()
                raise error_for(response)
        # A pre-authenticated URL: never send the token there (B2).
        return self._stream_to(str(httpx.URL(url).join(location)), sink, auth=False)

    def _stream_to(self, url: str, sink: Sink, *, auth: bool) -> int:
        with self.http.stream("GET", url, auth=auth) as response:
            if response.status_code != 200:
                response.read()
                raise error_for(response)
            return self._copy(response, sink)

    @staticmethod
    def _copy(response: httpx.Response, sink: Sink) -> int:
        total = 0
        for chunk in response.iter_bytes(DOWNLOAD_CHUNK_BYTES):
            sink.write(chunk)
            total += len(chunk)
        return total

    # --- versions and check-out --------------------------------------------------------------

    def list_versions(self, drive_id: str, item_id: str) -> list[DriveItemVersion]:
        """The file's versions, newest first (the current one included)."""
        versions: list[DriveItemVersion] = []
        for page in self.http.pages(f"{item_path(drive_id, item_id)}/versions"):
            versions.extend(DriveItemVersion.model_validate(v) for v in page.get("value", []))
        return versions

    def get_publication(self, drive_id: str, item_id: str) -> Publication | None:
        """The check-out state (`publication` facet; Graph returns it only when selected)."""
        body = self.http.get_json(
            item_path(drive_id, item_id), params={"$select": "id,name,eTag,publication"}
        )
        return DriveItem.model_validate(body).publication

    def checkout(self, drive_id: str, item_id: str) -> None:
        self.http.send("POST", f"{item_path(drive_id, item_id)}/checkout", ok=(200, 204))

    def checkin(
        self,
        drive_id: str,
        item_id: str,
        *,
        comment: str = "",
        check_in_as: str | None = None,
    ) -> None:
        body: dict[str, str] = {"comment": comment}
        if check_in_as:
            body["checkInAs"] = check_in_as
        self.http.send("POST", f"{item_path(drive_id, item_id)}/checkin", json=body, ok=(200, 204))

    # --- delta -------------------------------------------------------------------------------

    def delta_pages(self, drive_id: str, link: str | None = None) -> Iterator[DeltaPage]:
        """The drive root's delta feed page by page, from `link` (a stored deltaLink or a
        resync link) or from the start. An expired token raises `DeltaResyncRequired`."""
        url = link or f"{drive_path(drive_id)}/root/delta"
        while True:
            page = DeltaPage.model_validate(self.http.get_json(url, delta=True))
            yield page
            if page.next_link:
                url = page.next_link
                continue
            if page.delta_link:
                return
            raise ApiError("delta page has neither nextLink nor deltaLink", service=SERVICE)

    def delta(self, drive_id: str, link: str | None = None) -> Generator[DriveItem, None, str]:
        """Every changed item (latest state; deletes carry `deleted`); returns the new deltaLink.

        Store the returned link only after the items are applied or queued (DESIGN §4).
        """
        for page in self.delta_pages(drive_id, link):
            yield from page.items
            if page.delta_link:
                return page.delta_link
        raise ApiError("delta feed ended without a deltaLink", service=SERVICE)

    def latest_delta_link(self, drive_id: str) -> str:
        """A deltaLink for "now" (`token=latest`), taken before an initial enumeration."""
        body = self.http.get_json(
            f"{drive_path(drive_id)}/root/delta", params={"token": "latest"}, delta=True
        )
        page = DeltaPage.model_validate(body)
        if not page.delta_link:
            raise ApiError("token=latest answered without a deltaLink", service=SERVICE)
        return page.delta_link

    # --- change notifications ----------------------------------------------------------------

    def create_subscription(
        self,
        drive_id: str,
        notification_url: str,
        *,
        expires_at: datetime | None = None,
        client_state: str | None = None,
    ) -> Subscription:
        """Subscribe to `updated` on the drive root (the only kind SharePoint offers, B4).

        Graph validates `notification_url` during this call (the receiver must echo the token).
        """
        state = client_state or self.settings.graph_client_state.get_secret_value()
        body = {
            "changeType": "updated",
            "notificationUrl": notification_url,
            "resource": f"drives/{drive_id}/root",
            "expirationDateTime": _iso(self._capped_expiry(expires_at)),
            "clientState": state,
        }
        response = self.http.send("POST", "/subscriptions", json=body, retries=0)
        return Subscription.model_validate(response.json())

    def renew_subscription(
        self, subscription_id: str, expires_at: datetime | None = None
    ) -> Subscription:
        body = {"expirationDateTime": _iso(self._capped_expiry(expires_at))}
        response = self.http.send("PATCH", f"/subscriptions/{subscription_id}", json=body)
        return Subscription.model_validate(response.json())

    def delete_subscription(self, subscription_id: str) -> None:
        self.http.send("DELETE", f"/subscriptions/{subscription_id}", ok=(204,))

    def list_subscriptions(self) -> list[Subscription]:
        subscriptions: list[Subscription] = []
        for page in self.http.pages("/subscriptions"):
            subscriptions.extend(Subscription.model_validate(v) for v in page.get("value", []))
        return subscriptions

    @staticmethod
    def _capped_expiry(expires_at: datetime | None) -> datetime:
        # A minute under the cap, so clock skew does not make Graph refuse the request.
        latest = datetime.now(UTC) + timedelta(minutes=MAX_SUBSCRIPTION_MINUTES - 1)
        if expires_at is None:
            return latest
        return min(expires_at, latest)

    # --- mail --------------------------------------------------------------------------------

    def send_mail(
        self,
        to: Iterable[str],
        subject: str,
        body: str,
        *,
        cc: Iterable[str] = (),
        content_type: MailBodyType = "Text",
        sender: str | None = None,
        save_to_sent_items: bool = True,
    ) -> None:
        """Send a message as `sender` (NOTIFY_SENDER by default); Graph answers 202 (B7)."""
        to_list = [{"emailAddress": {"address": a}} for a in to]
        if not to_list:
            raise ValueError("send_mail needs at least one recipient")
        message: dict[str, Any] = {
            "subject": subject,
            "body": {"contentType": content_type, "content": body},
            "toRecipients": to_list,
        }
        cc_list = [{"emailAddress": {"address": a}} for a in cc]
        if cc_list:
            message["ccRecipients"] = cc_list
        mailbox = sender or str(self.settings.notify_sender)
        self.http.send(
            "POST",
            f"/users/{mailbox}/sendMail",
            json={"message": message, "saveToSentItems": save_to_sent_items},
            ok=(202,),
            retries=0,
        )

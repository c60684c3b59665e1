"""Graph v1.0 routes: sites, drives, driveItems, versions, checkout, delta, subscriptions, mail.

Every handler charges its resource units first (API-NOTES B5) and raises `GraphError` for
failures; `$batch` runs members through the same `handle`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .blobs import Blob
from .delta import delta_page
from .errors import GraphError, invalid_request, not_found
from .graph_request import GraphRequest, GraphResponse, Token, tokenize
from .model import Drive, Item, Site, iso, now, parse_iso
from .render import drive_json, item_json, site_json
from .store import GraphStore
from .subscriptions import Notifier
from .throttle import ResourceUnitMeter
from .uploads import UploadSessions

CONFLICT = "@microsoft.graph.conflictBehavior"


@dataclass
class ItemRef:
    """An addressed item, or (for uploads) a missing leaf under an existing parent."""

    drive: Drive
    item: Item | None
    parent: Item | None = None
    leaf: str | None = None

    def existing(self) -> Item:
        if self.item is None:
            raise not_found()
        return self.item


def json_body(request: GraphRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload.") from None
    if not isinstance(data, dict):
        raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
    return data


def fs_times(info: Any) -> tuple[Any, Any]:
    if info is None:
        return None, None
    if not isinstance(info, dict):
        raise invalid_request("fileSystemInfo must be an object.")
    out = []
    for key in ("createdDateTime", "lastModifiedDateTime"):
        value = info.get(key)
        try:
            out.append(parse_iso(value) if isinstance(value, str) else None)
        except ValueError:
            raise invalid_request(f"fileSystemInfo.{key} is not a date: {value}") from None
    return out[0], out[1]


def select_of(request: GraphRequest) -> list[str] | None:
    raw = request.query.get("$select")
    return [s.strip() for s in raw.split(",") if s.strip()] if raw else None


def behavior_of(value: Any, default: str) -> str:
    if value is None:
        return default
    if value not in ("fail", "replace", "rename"):
        raise invalid_request(f"Invalid conflictBehavior: {value}")
    return str(value)


class GraphApi:
    def __init__(
        self,
        store: GraphStore,
        meter: ResourceUnitMeter,
        notifier: Notifier,
        uploads: UploadSessions,
    ) -> None:
        self.store = store
        self.meter = meter
        self.notifier = notifier
        self.uploads = uploads

    def charge(self, request: GraphRequest, cost: int, out: dict[str, str]) -> None:
        out.update(self.meter.charge(request.app.client_id, cost))

    async def handle(self, request: GraphRequest) -> GraphResponse:
        tokens = tokenize(request.path)
        if not tokens or tokens[0].kind != "seg":
            raise GraphError(
                400, "BadRequest", f"Resource not found for the segment '{request.path}'."
            )
        head = tokens[0].value
        if head == "subscriptions":
            return await self.subscriptions(request, tokens[1:])
        if head == "users":
            return self.send_mail(request, tokens[1:])
        rate: dict[str, str] = {}
        response = await self.drive_area(request, tokens, rate)
        response.headers.update(rate)
        return response

    # ---- sites and drives ---------------------------------------------------------------

    async def drive_area(
        self, request: GraphRequest, tokens: list[Token], rate: dict[str, str]
    ) -> GraphResponse:
        index = 0
        head = tokens[0].value
        drive: Drive | None = None
        if head == "sites":
            if len(tokens) < 2:
                raise GraphError(400, "BadRequest", "A site id is required.")
            if len(tokens) > 2 and tokens[2].kind == "path":
                site = self.store.site_by_path(tokens[1].value, tokens[2].value)
                index = 3
            else:
                site = self.store.site(tokens[1].value)
                index = 2
            if index == len(tokens):
                self.only(request, "GET")
                self.charge(request, 1, rate)
                return GraphResponse(200, site_json(site))
            word = tokens[index].value
            if word == "drives" and index + 1 == len(tokens):
                self.only(request, "GET")
                self.charge(request, 2, rate)
                return GraphResponse(
                    200,
                    {
                        "value": [
                            drive_json(self.store, self.store.drives[d]) for d in site.drive_ids
                        ]
                    },
                )
            if word == "drives":
                drive = self.site_drive(site, tokens[index + 1].value)
                index += 2
            elif word == "drive":
                if not site.drive_ids:
                    raise not_found("The site has no document library.")
                drive = self.store.drives[site.drive_ids[0]]
                index += 1
            else:
                raise GraphError(400, "BadRequest", f"Resource not found for the segment '{word}'.")
        elif head == "drives":
            if len(tokens) < 2:
                raise GraphError(400, "BadRequest", "A drive id is required.")
            drive = self.store.drive(tokens[1].value)
            index = 2
        else:
            raise GraphError(400, "BadRequest", f"Resource not found for the segment '{head}'.")
        assert drive is not None
        rest = tokens[index:]
        if not rest:
            self.only(request, "GET")
            self.charge(request, 1, rate)
            return GraphResponse(200, drive_json(self.store, drive))
        ref, rest = self.address(drive, rest)
        return await self.item_action(request, ref, rest, rate)

    def site_drive(self, site: Site, drive_id: str) -> Drive:
        if drive_id not in site.drive_ids:
            raise not_found(f"The drive {drive_id} does not exist in this site.")
        return self.store.drives[drive_id]

    @staticmethod
    def only(request: GraphRequest, *methods: str) -> None:
        if request.method not in methods:
            raise GraphError(405, "BadRequest", f"The method {request.method} is not allowed here.")

    def address(self, drive: Drive, tokens: list[Token]) -> tuple[ItemRef, list[Token]]:
        first = tokens[0]
        if first.value == "root" and first.kind == "seg":
            start = drive.items[drive.root_id]
            rest = tokens[1:]
        elif first.value == "items" and len(tokens) > 1:
            item_id = tokens[1].value
            start = (
                drive.items[drive.root_id] if item_id == "root" else self.store.item(drive, item_id)
            )
            rest = tokens[2:]
        else:
            raise GraphError(
                400, "BadRequest", f"Resource not found for the segment '{first.value}'."
            )
        if rest and rest[0].kind == "path":
            segments = [s for s in rest[0].value.split("/") if s]
            rest = rest[1:]
            if not segments:
                return ItemRef(drive, start), rest
            parent = self.store.by_path(drive, start, "/".join(segments[:-1]))
            leaf = segments[-1]
            item = self.store.child(drive, parent, leaf) if parent.folder else None
            return ItemRef(drive, item, parent, leaf), rest
        return ItemRef(drive, start), rest

    # ---- items --------------------------------------------------------------------------

    async def item_action(
        self, request: GraphRequest, ref: ItemRef, rest: list[Token], rate: dict[str, str]
    ) -> GraphResponse:
        store = self.store
        drive = ref.drive
        actor = request.app.actor()
        action = rest[0].value if rest else ""
        method = request.method
        if action == "":
            item = ref.existing()
            if method == "GET":
                self.charge(request, 1, rate)
                return GraphResponse(
                    200, item_json(store, drive, item, request.base_url, select=select_of(request))
                )
            if method == "PATCH":
                self.charge(request, 2, rate)
                return self.patch(request, drive, item)
            if method == "DELETE":
                self.charge(request, 2, rate)
                store.delete(drive, item, actor, request.header("if-match"))
                return GraphResponse(204)
            self.only(request, "GET", "PATCH", "DELETE")
        if action == "children":
            item = ref.existing()
            if method == "GET":
                self.charge(request, 2, rate)
                return self.children(request, drive, item)
            self.only(request, "POST")
            self.charge(request, 2, rate)
            return self.create_folder(request, drive, item)
        if action == "content":
            if method == "GET":
                item = ref.existing()
                self.charge(request, 1, rate)
                return self.download(request, item)
            self.only(request, "PUT")
            self.charge(request, 2, rate)
            return await self.simple_upload(request, ref)
        if action == "createUploadSession":
            self.only(request, "POST")
            self.charge(request, 2, rate)
            return self.create_upload_session(request, ref)
        if action == "versions":
            return self.versions(request, ref.existing(), rest[1:], rate)
        if action in ("checkout", "checkin"):
            self.only(request, "POST")
            item = ref.existing()
            self.charge(request, 2, rate)
            if action == "checkout":
                store.checkout(drive, item, actor)
            else:
                store.checkin(drive, item, actor)
            return GraphResponse(204)
        if action == "delta":
            self.only(request, "GET")
            item = ref.existing()
            if item.id != drive.root_id:
                raise invalid_request("Delta is only supported on the root of a SharePoint drive.")
            token = request.query.get("token")
            self.charge(request, 1 if token else 2, rate)
            top = self.top(request)
            return delta_page(store, drive, request.base_url, token, top, select_of(request))
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{action}'.")

    def top(self, request: GraphRequest) -> int:
        raw = request.query.get("$top")
        if raw is None:
            return self.store.options.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= 999:
            raise GraphError(
                400, "invalidRequest", "$top must be between 1 and 999.", "invalidQueryOption"
            )
        return int(raw)

    def children(self, request: GraphRequest, drive: Drive, item: Item) -> GraphResponse:
        if not item.folder:
            raise GraphError(400, "invalidRequest", "The item is not a folder.")
        if request.header("if-none-match") == item.etag:
            return GraphResponse(304)
        top = self.top(request)
        skip_raw = request.query.get("$skiptoken", "0")
        if not skip_raw.isdigit():
            raise GraphError(400, "invalidRequest", "Invalid $skiptoken.", "invalidQueryOption")
        skip = int(skip_raw)
        children = self.store.sorted_children(drive, item)
        page = children[skip : skip + top]
        body: dict[str, Any] = {
            "value": [
                item_json(self.store, drive, c, request.base_url, select=select_of(request))
                for c in page
            ]
        }
        if skip + top < len(children):
            query = f"$top={top}&$skiptoken={skip + top}"
            if "$select" in request.query:
                query += "&$select=" + quote(request.query["$select"], safe=",")
            body["@odata.nextLink"] = (
                f"{request.base_url}/v1.0/drives/{quote(drive.id)}/items/{item.id}/children?{query}"
            )
        return GraphResponse(200, body)

    def create_folder(self, request: GraphRequest, drive: Drive, parent: Item) -> GraphResponse:
        body = json_body(request)
        name = body.get("name")
        if not isinstance(name, str):
            raise invalid_request("name is required.")
        if "folder" not in body and "file" in body:
            raise invalid_request("Only folders can be created with POST children.")
        if "folder" not in body:
            raise invalid_request("The folder facet is required.")
        created, modified = fs_times(body.get("fileSystemInfo"))
        behavior = behavior_of(body.get(CONFLICT), "fail")
        item = self.store.create_folder(
            drive, parent, name, behavior, request.app.actor(), created, modified
        )
        return GraphResponse(201, item_json(self.store, drive, item, request.base_url))

    def patch(self, request: GraphRequest, drive: Drive, item: Item) -> GraphResponse:
        body = json_body(request)
        name = body.get("name")
        if name is not None and not isinstance(name, str):
            raise invalid_request("name must be a string.")
        parent: Item | None = None
        reference = body.get("parentReference")
        if reference is not None:
            if not isinstance(reference, dict):
                raise invalid_request("parentReference must be an object.")
            target_drive = reference.get("driveId")
            if target_drive not in (None, drive.id):
                raise invalid_request("Items cannot be moved between drives with PATCH.")
            if "id" in reference:
                parent = self.store.item(drive, str(reference["id"]))
            elif "path" in reference:
                path = str(reference["path"]).split("root:", 1)[-1]
                parent = self.store.by_path(drive, drive.items[drive.root_id], path)
        created, modified = fs_times(body.get("fileSystemInfo"))
        behavior = behavior_of(body.get(CONFLICT), "fail")
        self.store.update(
            drive,
            item,
            request.app.actor(),
            name=name,
            parent=parent,
            fs_created=created,
            fs_modified=modified,
            if_match=request.header("if-match"),
            behavior=behavior,
        )
        return GraphResponse(200, item_json(self.store, drive, item, request.base_url))

    def download(self, request: GraphRequest, item: Item) -> GraphResponse:
        if item.folder or item.current is None:
            raise GraphError(400, "invalidRequest", "Folders have no content.")
        if request.header("if-none-match") in (item.etag, item.ctag):
            return GraphResponse(304)
        token = self.store.grant_download(item.current.blob, item.name)
        return GraphResponse(302, headers={"Location": f"{request.base_url}/_download/{token}"})

    async def simple_upload(self, request: GraphRequest, ref: ItemRef) -> GraphResponse:
        limit = self.store.options.simple_upload_max_bytes
        declared = request.header("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise GraphError(
                413,
                "invalidRequest",
                f"Simple upload is limited to {limit} bytes; use an upload session.",
                "maxFileSizeExceeded",
            )
        behavior = behavior_of(request.query.get(CONFLICT), "replace")
        if ref.item is not None and ref.item.folder:
            raise GraphError(409, "nameAlreadyExists", "A folder with this name exists.")
        blob = await self.spool(request, limit)
        if ref.item is not None and ref.leaf is None:
            item, created = self.store.write_content(
                ref.drive,
                blob,
                request.app.actor(),
                target=ref.item,
                if_match=request.header("if-match"),
            )
        else:
            if ref.parent is None or ref.leaf is None:
                raise invalid_request("Address the file by path or id.")
            item, created = self.store.write_content(
                ref.drive,
                blob,
                request.app.actor(),
                parent=ref.parent,
                name=ref.leaf,
                behavior=behavior,
                if_match=request.header("if-match"),
            )
        return GraphResponse(
            201 if created else 200, item_json(self.store, ref.drive, item, request.base_url)
        )

    async def spool(self, request: GraphRequest, limit: int) -> Blob:
        if request.stream is None:
            if len(request.body) > limit:
                raise GraphError(
                    413, "invalidRequest", "The body is too large.", "maxFileSizeExceeded"
                )
            return self.store.blobs.from_bytes(request.body)
        path = self.store.blobs.new_path()
        size = 0
        with path.open("wb") as handle:
            async for chunk in request.stream:
                size += len(chunk)
                if size > limit:
                    handle.close()
                    path.unlink(missing_ok=True)
                    raise GraphError(
                        413, "invalidRequest", "The body is too large.", "maxFileSizeExceeded"
                    )
                handle.write(chunk)
        return self.store.blobs.from_file(path)

    def create_upload_session(self, request: GraphRequest, ref: ItemRef) -> GraphResponse:
        body = json_body(request)
        item_part = body.get("item") or {}
        if not isinstance(item_part, dict):
            raise invalid_request("item must be an object.")
        behavior = behavior_of(
            item_part.get(CONFLICT), "fail" if ref.item is None or ref.leaf else "replace"
        )
        created, modified = fs_times(item_part.get("fileSystemInfo"))
        actor = request.app.actor()
        if_match = request.header("if-match")
        if ref.item is not None:
            if ref.item.folder:
                raise GraphError(409, "nameAlreadyExists", "A folder with this name exists.")
            self.store.check_if_match(ref.item, if_match)
            self.store.check_writable(ref.item, actor)
            if request.header("if-none-match") == "*":
                raise GraphError(
                    412, "resourceModified", "The item already exists.", "entityTagDoesNotMatch"
                )
            if ref.leaf is not None and behavior == "fail":
                raise GraphError(
                    409, "nameAlreadyExists", f"The specified item name already exists: {ref.leaf}"
                )
        else:
            if ref.parent is None or ref.leaf is None:
                raise not_found()
            if if_match not in (None, "*"):
                raise GraphError(
                    412, "resourceModified", "The item does not exist.", "entityTagDoesNotMatch"
                )
            self.store.check_new_name(ref.drive, ref.parent, ref.leaf, folder=False)
        session = self.uploads.create(
            app=request.app,
            drive_id=ref.drive.id,
            parent_id=ref.parent.id if ref.parent else None,
            name=ref.leaf,
            target_id=ref.item.id
            if ref.item is not None and (ref.leaf is None or behavior == "replace")
            else None,
            behavior=behavior,
            if_match=if_match,
            fs_created=created,
            fs_modified=modified,
            defer_commit=bool(body.get("deferCommit")),
        )
        return GraphResponse(
            200,
            {
                "uploadUrl": f"{request.base_url}/_upload/{session.id}",
                "expirationDateTime": iso(session.expires_at),
                "nextExpectedRanges": ["0-"],
            },
        )

    def commit_upload(self, session_id: str, base_url: str) -> GraphResponse:
        session = self.uploads.get(session_id)
        drive = self.store.drive(session.drive_id)
        blob = self.uploads.blob_of(session)
        actor = session.app.actor()
        target = drive.items.get(session.target_id) if session.target_id else None
        if target is not None:
            item, created = self.store.write_content(
                drive,
                blob,
                actor,
                target=target,
                if_match=session.if_match,
                fs_created=session.fs_created,
                fs_modified=session.fs_modified,
            )
        else:
            parent = drive.items.get(session.parent_id or "")
            if parent is None or session.name is None:
                raise GraphError(404, "itemNotFound", "The parent folder no longer exists.")
            item, created = self.store.write_content(
                drive,
                blob,
                actor,
                parent=parent,
                name=session.name,
                behavior=session.behavior,
                fs_created=session.fs_created,
                fs_modified=session.fs_modified,
            )
        self.uploads.sessions.pop(session_id, None)
        return GraphResponse(201 if created else 200, item_json(self.store, drive, item, base_url))

    def versions(
        self, request: GraphRequest, item: Item, rest: list[Token], rate: dict[str, str]
    ) -> GraphResponse:
        if item.folder:
            raise invalid_request("Folders have no versions.")
        self.only(request, "GET", "POST")
        if not rest:
            self.only(request, "GET")
            self.charge(request, 2, rate)
            return GraphResponse(
                200, {"value": [self.version_json(item, v) for v in reversed(item.versions)]}
            )
        version = next((v for v in item.versions if v.id == rest[0].value), None)
        if version is None:
            raise not_found(f"Version {rest[0].value} was not found.")
        if len(rest) == 1:
            self.only(request, "GET")
            self.charge(request, 1, rate)
            return GraphResponse(200, self.version_json(item, version))
        if rest[1].value == "content":
            self.only(request, "GET")
            self.charge(request, 1, rate)
            token = self.store.grant_download(version.blob, item.name)
            return GraphResponse(302, headers={"Location": f"{request.base_url}/_download/{token}"})
        if rest[1].value == "restoreVersion":
            self.only(request, "POST")
            self.charge(request, 2, rate)
            drive = self.store.drive(item.drive_id)
            copy = self.store.blobs.from_bytes(version.blob.read())
            self.store.write_content(drive, copy, request.app.actor(), target=item)
            return GraphResponse(204)
        raise GraphError(
            400, "BadRequest", f"Resource not found for the segment '{rest[1].value}'."
        )

    @staticmethod
    def version_json(item: Item, version: Any) -> dict[str, Any]:
        return {
            "id": version.id,
            "lastModifiedDateTime": iso(version.modified_at),
            "size": version.blob.size,
            "lastModifiedBy": version.modified_by.identity_set(),
        }

    # ---- subscriptions and mail ---------------------------------------------------------

    async def subscriptions(self, request: GraphRequest, rest: list[Token]) -> GraphResponse:
        app = request.app
        if not rest:
            if request.method == "GET":
                self.notifier.expire()
                subs = [
                    s.json()
                    for s in self.notifier.subscriptions.values()
                    if s.app.client_id == app.client_id
                ]
                return GraphResponse(200, {"value": subs})
            self.only(request, "POST")
            sub = await self.notifier.create(app, json_body(request))
            return GraphResponse(201, sub.json())
        sub_id = rest[0].value
        if request.method == "GET":
            return GraphResponse(200, self.notifier.get(app, sub_id).json())
        if request.method == "PATCH":
            return GraphResponse(200, self.notifier.renew(app, sub_id, json_body(request)).json())
        self.only(request, "DELETE")
        self.notifier.delete(app, sub_id)
        return GraphResponse(204)

    def send_mail(self, request: GraphRequest, rest: list[Token]) -> GraphResponse:
        if len(rest) != 2 or rest[1].value != "sendMail":
            raise GraphError(400, "BadRequest", "Only users/{id}/sendMail is supported.")
        self.only(request, "POST")
        box = self.store.mailbox(rest[0].value)
        content_type = (request.header("content-type") or "").lower()
        if content_type.startswith("text/plain"):
            try:
                mime = base64.b64decode(request.body, validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise GraphError(
                    400,
                    "ErrorMimeContentInvalidBase64String",
                    "Invalid base64 string for MIME content.",
                ) from None
            box.messages.append(
                {
                    "from": box.address,
                    "mime": mime,
                    "saveToSentItems": True,
                    "receivedDateTime": iso(now()),
                }
            )
            return GraphResponse(202)
        body = json_body(request)
        message = body.get("message")
        if not isinstance(message, dict):
            raise GraphError(400, "ErrorInvalidRequest", "The message is required.")
        recipients = [
            *(message.get("toRecipients") or []),
            *(message.get("ccRecipients") or []),
            *(message.get("bccRecipients") or []),
        ]
        if not recipients:
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
        for recipient in recipients:
            address = (
                (recipient or {}).get("emailAddress", {}).get("address")
                if isinstance(recipient, dict)
                else None
            )
            if not isinstance(address, str) or "@" not in address:
                raise GraphError(
                    400, "ErrorInvalidRecipients", "At least one recipient isn't valid."
                )
        for attachment in message.get("attachments") or []:
            try:
                base64.b64decode(str(attachment.get("contentBytes", "")), validate=True)
            except (binascii.Error, ValueError, AttributeError):
                raise GraphError(
                    400, "ErrorInvalidRequest", "An attachment's contentBytes is not base64."
                ) from None
        box.messages.append(
            {
                "from": box.address,
                "message": message,
                "saveToSentItems": body.get("saveToSentItems", True),
                "receivedDateTime": iso(now()),
            }
        )
        return GraphResponse(202)

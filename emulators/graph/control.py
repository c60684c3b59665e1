"""Control API under `/_emulator/`: reset and seed, act as a SharePoint user, read state,
counters, faults, the mailbox and notification attempts (see README.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import GraphError, invalid_request
from .faults import FaultSpec
from .model import Actor, Drive, Item, RecycledFile, RecycledItem, iso
from .options import OptionsUpdate
from .render import item_json
from .seed import file_bytes, seed_demo, seed_tree

if TYPE_CHECKING:
    from .app import Emulator


def _actor(body: dict[str, Any]) -> Actor:
    name = str(body.get("user") or "Alice Example")
    return Actor("user", "user-" + name.lower().replace(" ", "-"), name)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload.") from None
    if not isinstance(data, dict):
        raise GraphError(400, "BadRequest", "The body must be a JSON object.")
    return data


def control_routes(emu: Emulator) -> list[Route]:
    store = emu.store

    def drive_of(request: Request) -> Drive:
        return store.drive(request.path_params["drive_id"])

    def find(drive: Drive, source: dict[str, Any], key: str = "path", id_key: str = "id") -> Item:
        if source.get(id_key):
            return store.item(drive, str(source[id_key]))
        if source.get(key) is not None:
            return store.by_path(drive, drive.items[drive.root_id], str(source[key]))
        raise invalid_request(f"'{key}' or '{id_key}' is required.")

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def state(request: Request) -> Response:
        return JSONResponse(store.summary())

    async def reset(request: Request) -> Response:
        body = await _body(request)
        seed = body.get("seed", "demo")
        if seed not in ("demo", "none"):
            raise invalid_request("seed must be 'demo' or 'none'.")
        emu.reset(seed)
        return JSONResponse(store.summary())

    async def add_app(request: Request) -> Response:
        body = await _body(request)
        if not body.get("tenant_id") or not body.get("client_id"):
            raise invalid_request("tenant_id and client_id are required.")
        certs = body.get("certificate_pem")
        pems = [certs] if isinstance(certs, str) else list(certs or [])
        app = store.add_app(
            str(body["tenant_id"]), str(body["client_id"]), body.get("client_secret"), pems
        )
        return JSONResponse({"tenant_id": app.tenant_id, "client_id": app.client_id}, 201)

    async def add_site(request: Request) -> Response:
        body = await _body(request)
        if not body.get("hostname") or not body.get("path"):
            raise invalid_request("hostname and path are required.")
        site = store.add_site(
            str(body["hostname"]),
            str(body["path"]),
            str(body.get("display_name") or str(body["path"]).rsplit("/", 1)[-1]),
            body.get("site_id"),
        )
        drives = []
        for library in body.get("libraries") or [{"name": "Documents"}]:
            name = str(library["name"])
            url_name = str(
                library.get("url_name") or ("Shared Documents" if name == "Documents" else name)
            )
            drive = store.add_drive(site, name, url_name, library.get("drive_id"))
            drives.append({"id": drive.id, "name": drive.name, "url_name": drive.url_name})
        return JSONResponse({"id": site.id, "drives": drives}, 201)

    async def add_mailbox(request: Request) -> Response:
        body = await _body(request)
        if not body.get("address"):
            raise invalid_request("address is required.")
        box = store.add_mailbox(str(body["address"]), body.get("user_id"))
        return JSONResponse({"address": box.address, "user_id": box.user_id}, 201)

    async def seed(request: Request) -> Response:
        drive = drive_of(request)
        body = await _body(request)
        under = str(body.get("under") or "/")
        start = store.by_path(drive, drive.items[drive.root_id], under)
        prefix = store.path_of(drive, start)
        items = seed_tree(store, drive, start, body.get("tree") or {}, _actor(body), prefix)
        return JSONResponse({"items": items}, 201)

    async def action(request: Request) -> Response:
        drive = drive_of(request)
        body = await _body(request)
        actor = _actor(body)
        kind = body.get("action")
        root = drive.items[drive.root_id]
        if kind == "create":
            path = str(body.get("path") or "")
            parent_path, _, name = path.rstrip("/").rpartition("/")
            parent = store.by_path(drive, root, parent_path)
            from .api import fs_times

            created, modified = fs_times(body.get("fileSystemInfo"))
            if body.get("folder"):
                item = store.create_folder(drive, parent, name, "fail", actor, created, modified)
            else:
                blob = store.blobs.from_bytes(file_bytes(body, path))
                item, _ = store.write_content(
                    drive,
                    blob,
                    actor,
                    parent=parent,
                    name=name,
                    behavior="fail",
                    fs_created=created,
                    fs_modified=modified,
                )
        elif kind == "edit":
            item = find(drive, body)
            blob = store.blobs.from_bytes(file_bytes(body, str(body.get("path") or item.id)))
            store.write_content(drive, blob, actor, target=item)
        elif kind == "rename":
            item = find(drive, body)
            store.update(drive, item, actor, name=str(body.get("name") or ""))
        elif kind == "move":
            item = find(drive, body)
            parent = find(drive, body, "parent_path", "parent_id")
            store.update(drive, item, actor, parent=parent, name=body.get("name"))
        elif kind == "delete":
            store.delete(drive, find(drive, body), actor, None)
            return JSONResponse({})
        elif kind in ("lock", "unlock"):
            item = find(drive, body)
            store.set_office_lock(drive, item, actor, kind == "lock")
        elif kind == "checkout":
            item = find(drive, body)
            store.checkout(drive, item, actor)
        elif kind == "checkin":
            item = find(drive, body)
            store.checkin(drive, item, actor)
        else:
            raise invalid_request(f"Unknown action: {kind!r}")
        return JSONResponse(item_json(store, drive, item, base(request)))

    async def tree(request: Request) -> Response:
        drive = drive_of(request)
        rows = []
        for item in store.descendants(drive, drive.items[drive.root_id]):
            rows.append(
                {
                    "path": store.path_of(drive, item),
                    "id": item.id,
                    "folder": item.folder,
                    "size": item.size,
                    "quickXorHash": item.current.blob.quick_xor_hash if item.current else None,
                    "eTag": item.etag,
                    "cTag": None if item.folder else item.ctag,
                    "locked": item.office_lock is not None,
                    "checkedOutBy": item.checked_out_by.display_name
                    if item.checked_out_by
                    else None,
                    "fileSystemInfo": {
                        "createdDateTime": iso(item.fs_created),
                        "lastModifiedDateTime": iso(item.fs_modified),
                    },
                }
            )
        rows.sort(key=lambda row: str(row["path"]).lower())
        return JSONResponse(rows)

    def query_item(request: Request) -> tuple[Drive, Item]:
        drive = drive_of(request)
        return drive, find(drive, dict(request.query_params))

    async def one_item(request: Request) -> Response:
        drive, item = query_item(request)
        data = item_json(store, drive, item, base(request))
        data["_locked"] = item.office_lock is not None
        data["_checkedOutBy"] = item.checked_out_by.display_name if item.checked_out_by else None
        return JSONResponse(data)

    async def content(request: Request) -> Response:
        _, item = query_item(request)
        if item.current is None:
            raise invalid_request("Folders have no content.")
        return Response(item.current.blob.read(), media_type="application/octet-stream")

    async def versions(request: Request) -> Response:
        _, item = query_item(request)
        return JSONResponse(
            [
                {
                    "id": v.id,
                    "size": v.blob.size,
                    "quickXorHash": v.blob.quick_xor_hash,
                    "lastModifiedDateTime": iso(v.modified_at),
                }
                for v in reversed(item.versions)
            ]
        )

    async def version_content(request: Request) -> Response:
        _, item = query_item(request)
        version = next((v for v in item.versions if v.id == request.path_params["vid"]), None)
        if version is None:
            raise GraphError(404, "itemNotFound", "No such version.")
        return Response(version.blob.read(), media_type="application/octet-stream")

    async def recycle_bin(request: Request) -> Response:
        drive = drive_of(request)
        return JSONResponse(
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "path": r.path,
                    "folder": r.folder,
                    "deletedDateTime": iso(r.deleted_at),
                    "deletedBy": r.deleted_by.display_name,
                }
                for r in drive.recycle_bin
            ]
        )

    def recycled_files(drive: Drive) -> list[tuple[RecycledItem, RecycledFile]]:
        return [(r, f) for r in drive.recycle_bin for f in r.files]

    async def recycled_file_list(request: Request) -> Response:
        """Every file in the recycle bin, those inside a recycled folder too, with the versions
        it went there with: a test can tell that deleted content is still recoverable."""
        return JSONResponse(
            [
                {
                    "id": f.id,
                    "path": f.path,
                    "deletedDateTime": iso(r.deleted_at),
                    "versions": [
                        {"id": v.id, "size": v.blob.size, "quickXorHash": v.blob.quick_xor_hash}
                        for v in reversed(f.versions)
                    ],
                }
                for r, f in recycled_files(drive_of(request))
            ]
        )

    async def recycled_version_content(request: Request) -> Response:
        wanted_id, wanted_vid = request.path_params["item_id"], request.path_params["vid"]
        for _, f in recycled_files(drive_of(request)):
            if f.id == wanted_id:
                for v in f.versions:
                    if v.id == wanted_vid:
                        return Response(v.blob.read(), media_type="application/octet-stream")
                raise GraphError(404, "itemNotFound", "No such version.")
        raise GraphError(404, "itemNotFound", "No such file in the recycle bin.")

    async def counters(request: Request) -> Response:
        return JSONResponse(emu.meter.snapshot())

    async def counters_reset(request: Request) -> Response:
        emu.meter.reset()
        return JSONResponse(emu.meter.snapshot())

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            emu.faults.clear()
            return JSONResponse([])
        if request.method == "POST":
            try:
                spec = FaultSpec.model_validate(await _body(request))
            except ValidationError as exc:
                raise invalid_request(f"Invalid fault: {exc.errors(include_url=False)}") from None
            return JSONResponse(emu.faults.add(spec).describe(), 201)
        return JSONResponse([f.describe() for f in emu.faults.faults])

    async def resync(request: Request) -> Response:
        body = await _body(request)
        drives = (
            [store.drive(str(body["drive_id"]))]
            if body.get("drive_id")
            else list(store.drives.values())
        )
        for drive in drives:
            drive.delta_generation += 1
            drive.delta_cursors.clear()
        return JSONResponse({"drives": [d.id for d in drives]})

    async def settings(request: Request) -> Response:
        try:
            update = OptionsUpdate.model_validate(await _body(request))
            for key, value in update.model_dump(exclude_none=True).items():
                setattr(store.options, key, value)
        except ValidationError as exc:
            raise invalid_request(f"Invalid settings: {exc.errors(include_url=False)}") from None
        return JSONResponse(store.options.model_dump())

    async def expire_tokens(request: Request) -> Response:
        from .model import now

        for issued in store.tokens.values():
            issued.expires_at = now()
        return JSONResponse({"expired": len(store.tokens)})

    async def mailbox(request: Request) -> Response:
        if request.method == "DELETE":
            for box in store.mailboxes.values():
                box.messages.clear()
            return JSONResponse([])
        address = request.query_params.get("address")
        boxes = [store.mailbox(address)] if address else list(store.mailboxes.values())
        return JSONResponse([m for box in boxes for m in box.messages])

    async def subscriptions(request: Request) -> Response:
        emu.notifier.expire()
        return JSONResponse([s.json() for s in emu.notifier.subscriptions.values()])

    async def notifications(request: Request) -> Response:
        return JSONResponse(emu.notifier.log_entries)

    p = "/_emulator"
    return [
        Route(f"{p}/health", health),
        Route(f"{p}/state", state),
        Route(f"{p}/reset", reset, methods=["POST"]),
        Route(f"{p}/apps", add_app, methods=["POST"]),
        Route(f"{p}/sites", add_site, methods=["POST"]),
        Route(f"{p}/mailboxes", add_mailbox, methods=["POST"]),
        Route(f"{p}/drives/{{drive_id}}/seed", seed, methods=["POST"]),
        Route(f"{p}/drives/{{drive_id}}/actions", action, methods=["POST"]),
        Route(f"{p}/drives/{{drive_id}}/tree", tree),
        Route(f"{p}/drives/{{drive_id}}/item", one_item),
        Route(f"{p}/drives/{{drive_id}}/content", content),
        Route(f"{p}/drives/{{drive_id}}/versions", versions),
        Route(f"{p}/drives/{{drive_id}}/versions/{{vid}}/content", version_content),
        Route(f"{p}/drives/{{drive_id}}/recycle-bin", recycle_bin),
        Route(f"{p}/drives/{{drive_id}}/recycle-bin/files", recycled_file_list),
        Route(
            f"{p}/drives/{{drive_id}}/recycle-bin/files/{{item_id}}/versions/{{vid}}/content",
            recycled_version_content,
        ),
        Route(f"{p}/counters", counters),
        Route(f"{p}/counters/reset", counters_reset, methods=["POST"]),
        Route(f"{p}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{p}/delta/resync", resync, methods=["POST"]),
        Route(f"{p}/settings", settings, methods=["POST", "GET"]),
        Route(f"{p}/tokens/expire", expire_tokens, methods=["POST"]),
        Route(f"{p}/mailbox", mailbox, methods=["GET", "DELETE"]),
        Route(f"{p}/subscriptions", subscriptions),
        Route(f"{p}/notifications", notifications),
    ]


__all__ = ["control_routes", "seed_demo"]

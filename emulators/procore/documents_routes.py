"""Documents tool endpoints, project level (`?project_id=`) and company level
(`/companies/{company_id}/...`), per API-NOTES A5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore import tree
from emulators.procore.api_errors import ApiError, bad_request, field_error, not_found
from emulators.procore.content import Content, StoredContent
from emulators.procore.documents_json import file_json, folder_json, index_item, version_json
from emulators.procore.model import APP_ACTOR, File, Folder
from emulators.procore.paging import paged
from emulators.procore.request_body import opt_bool, opt_int, opt_str, resource_body
from emulators.procore.rest_context import RestContext, flag, rest_context
from emulators.procore.timefmt import parse_iso
from emulators.procore.upload_store import claim_upload


def scope_context(request: Request) -> RestContext:
    if "company_id" in request.path_params:
        return rest_context(request)
    return rest_context(request, project="required")


def _folder(ctx: RestContext, request: Request) -> Folder:
    folder = ctx.emu.world.folders.get(request.path_params["folder_id"])
    if folder is None or folder.scope != ctx.scope:
        raise not_found()
    return folder


def _file(ctx: RestContext, file_id: int) -> File:
    file = ctx.emu.world.files.get(file_id)
    if file is None or file.scope != ctx.scope:
        raise not_found()
    return file


def _folder_response(
    ctx: RestContext, request: Request, folder: Folder, status: int = 200
) -> Response:
    q = request.query_params
    body = folder_json(
        ctx.emu.world,
        folder,
        ctx.emu.options.base_url,
        exclude_folders=flag(q.get("exclude_folders")),
        exclude_files=flag(q.get("exclude_files")),
        latest_only=flag(q.get("show_latest_file_version_only")),
    )
    return JSONResponse(body, status_code=status)


async def get_root(request: Request) -> Response:
    ctx = scope_context(request)
    return _folder_response(ctx, request, ctx.emu.world.scope_root(ctx.scope))


async def get_folder(request: Request) -> Response:
    ctx = scope_context(request)
    return _folder_response(ctx, request, _folder(ctx, request))


async def create_folder(request: Request) -> Response:
    ctx = scope_context(request)
    body = await resource_body(request, "folder")
    folder = tree.create_folder(
        ctx.emu,
        ctx.scope,
        opt_int(body.fields, "parent_id"),
        opt_str(body.fields, "name"),
        APP_ACTOR,
        private=bool(opt_bool(body.fields, "private")),
    )
    folder.is_tracked = bool(opt_bool(body.fields, "is_tracked"))
    return _folder_response(ctx, request, folder, 201)


async def update_folder(request: Request) -> Response:
    ctx = scope_context(request)
    folder = _folder(ctx, request)
    body = await resource_body(request, "folder")
    tree.update_folder(
        ctx.emu,
        folder,
        APP_ACTOR,
        name=opt_str(body.fields, "name"),
        parent_id=opt_int(body.fields, "parent_id"),
        private=opt_bool(body.fields, "private"),
    )
    return _folder_response(ctx, request, folder)


async def delete_folder(request: Request) -> Response:
    ctx = scope_context(request)
    tree.delete_folder(ctx.emu, _folder(ctx, request), APP_ACTOR)
    return Response(status_code=204)


def _content(ctx: RestContext, fields: dict[str, Any], data: bytes | None) -> Content | None:
    upload_uuid = opt_str(fields, "upload_uuid")
    if data is not None and upload_uuid:
        raise bad_request("Provide either data or upload_uuid, not both")
    if upload_uuid:
        return claim_upload(ctx.emu, upload_uuid, ctx.scope)
    if data is not None:
        return StoredContent(data)
    return None


def _file_response(ctx: RestContext, request: Request, file: File, status: int = 200) -> Response:
    latest = flag(request.query_params.get("show_latest_version_only"))
    return JSONResponse(
        file_json(ctx.emu.world, file, ctx.emu.options.base_url, latest_only=latest),
        status_code=status,
    )


async def create_file(request: Request) -> Response:
    ctx = scope_context(request)
    body = await resource_body(request, "file")
    content = _content(ctx, body.fields, body.data)
    if content is None:
        raise field_error(400, "data", "is missing (send file[data] or file[upload_uuid])")
    name = opt_str(body.fields, "name") or body.filename
    file = tree.create_file(
        ctx.emu,
        ctx.scope,
        opt_int(body.fields, "parent_id"),
        name,
        content,
        APP_ACTOR,
        unique_name=bool(opt_bool(body.fields, "unique_name")),
        description=opt_str(body.fields, "description") or "",
        private=bool(opt_bool(body.fields, "private")),
    )
    return _file_response(ctx, request, file, 201)


async def get_file(request: Request) -> Response:
    ctx = scope_context(request)
    return _file_response(ctx, request, _file(ctx, request.path_params["file_id"]))


async def update_file(request: Request) -> Response:
    ctx = scope_context(request)
    file = _file(ctx, request.path_params["file_id"])
    body = await resource_body(request, "file")
    tree.check_editable(file, APP_ACTOR)
    content = _content(ctx, body.fields, body.data)
    tree.update_file(
        ctx.emu,
        file,
        APP_ACTOR,
        name=opt_str(body.fields, "name"),
        parent_id=opt_int(body.fields, "parent_id"),
        description=opt_str(body.fields, "description"),
        private=opt_bool(body.fields, "private"),
        checked_out_until=opt_str(body.fields, "checked_out_until"),
        content=content,
    )
    return _file_response(ctx, request, file)


async def delete_file(request: Request) -> Response:
    ctx = scope_context(request)
    tree.delete_file(ctx.emu, _file(ctx, request.path_params["file_id"]), APP_ACTOR)
    return Response(status_code=204)


async def create_version(request: Request) -> Response:
    ctx = scope_context(request)
    body = await resource_body(request, "file_version")
    file_id = opt_int(body.top, "file_id") or opt_int(body.fields, "file_id")
    if file_id is None:
        raise field_error(400, "file_id", "is missing")
    file = _file(ctx, file_id)
    content = _content(ctx, body.fields, body.data)
    if content is None:
        raise field_error(400, "data", "is missing (send file_version[data] or [upload_uuid])")
    version = tree.add_version(
        ctx.emu, file, content, APP_ACTOR, notes=opt_str(body.fields, "notes") or ""
    )
    return JSONResponse(version_json(ctx.emu.world, version, ctx.emu.options.base_url), 201)


async def get_version(request: Request) -> Response:
    ctx = scope_context(request)
    version = ctx.emu.world.versions.get(request.path_params["version_id"])
    if version is None:
        raise not_found()
    _file(ctx, version.file_id)
    return JSONResponse(version_json(ctx.emu.world, version, ctx.emu.options.base_url))


def time_range(request: Request, name: str) -> tuple[float, float] | None:
    """`filters[name]=A...B` (inclusive; either end may be open)."""
    raw = request.query_params.get(f"filters[{name}]")
    if raw is None or raw == "":
        return None
    start_text, sep, end_text = raw.partition("...")
    if not sep:
        raise field_error(
            400,
            f"filters[{name}]",
            "must be a range like 2025-01-01T00:00:00Z...2025-02-01T00:00:00Z",
        )
    try:
        start = parse_iso(start_text) if start_text.strip() else float("-inf")
        end = parse_iso(end_text) if end_text.strip() else float("inf")
    except ValueError:
        raise field_error(400, f"filters[{name}]", "is not a valid ISO 8601 range") from None
    return start, end


def in_range(ts: float, bounds: tuple[float, float]) -> bool:
    """Compared at the millisecond precision the API shows timestamps with."""
    millis = int(ts * 1000)
    low, high = bounds
    return (low == float("-inf") or millis >= round(low * 1000)) and (
        high == float("inf") or millis <= round(high * 1000)
    )


SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "id": lambda i: i.id,
    "name": lambda i: (i.name.casefold(), i.id),
    "updated_at": lambda i: (i.updated_at, i.id),
    "created_at": lambda i: (i.created_at, i.id),
}


def sort_items(
    request: Request, items: list[Any], allowed: dict[str, Callable[[Any], Any]]
) -> list[Any]:
    raw = request.query_params.get("sort") or "id"
    descending = raw.startswith("-")
    key = allowed.get(raw.lstrip("-"))
    if key is None:
        raise field_error(400, "sort", f"must be one of {', '.join(sorted(allowed))}")
    return sorted(items, key=key, reverse=descending)


def _descendant_ids(ctx: RestContext, folder_id: int) -> set[int]:
    folder = ctx.emu.world.folders.get(folder_id)
    if folder is None or folder.scope != ctx.scope:
        raise not_found()
    ids: set[int] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        ids.update(current.file_ids)
        ids.update(current.folder_ids)
        stack.extend(ctx.emu.world.folders[i] for i in current.folder_ids)
    return ids


async def documents_index(request: Request) -> Response:
    ctx = scope_context(request)
    world = ctx.emu.world
    q = request.query_params
    updated = time_range(request, "updated_at")
    created = time_range(request, "created_at")
    document_type = q.get("filters[document_type]")
    if document_type not in (None, "", "file", "folder"):
        raise field_error(400, "filters[document_type]", "must be file or folder")
    recycled_text = q.get("filters[is_in_recycle_bin]")
    if recycled_text not in (None, "", "true", "false"):
        raise field_error(400, "filters[is_in_recycle_bin]", "must be true or false")
    recycled = recycled_text == "true"
    folder_filter = q.get("filters[folder_id]")
    within: set[int] | None = None
    if folder_filter:
        try:
            within = _descendant_ids(ctx, int(folder_filter))
        except ValueError:
            raise field_error(400, "filters[folder_id]", "must be an integer") from None
    search = (q.get("filters[search]") or "").casefold()
    wanted_type = (q.get("filters[file_type]") or "").lower().lstrip(".")
    candidates: list[Folder | File] = []
    if document_type != "file":
        candidates.extend(
            f for f in world.folders.values() if f.scope == ctx.scope and f.parent_id is not None
        )
    if document_type != "folder":
        candidates.extend(f for f in world.files.values() if f.scope == ctx.scope)
    items: list[Folder | File] = []
    for item in candidates:
        if item.is_deleted != recycled:
            continue
        if updated and not in_range(item.updated_at, updated):
            continue
        if created and not in_range(item.created_at, created):
            continue
        if within is not None and item.id not in within:
            continue
        if search and search not in item.name.casefold():
            continue
        if wanted_type and not (
            isinstance(item, File) and item.name.lower().endswith("." + wanted_type)
        ):
            continue
        items.append(item)
    ordered = sort_items(request, items, SORT_KEYS)
    return paged(request, ctx.emu.options, ordered, lambda i: index_item(world, i))


def _both(path: str, endpoint: Callable[..., Any], methods: list[str]) -> list[Route]:
    return [
        Route(f"/rest/v1.0{path}", endpoint, methods=methods),
        Route(f"/rest/v1.0/companies/{{company_id:int}}{path}", endpoint, methods=methods),
    ]


routes = [
    *_both("/folders", get_root, ["GET"]),
    *_both("/folders", create_folder, ["POST"]),
    *_both("/folders/{folder_id:int}", get_folder, ["GET"]),
    *_both("/folders/{folder_id:int}", update_folder, ["PATCH", "PUT"]),
    *_both("/folders/{folder_id:int}", delete_folder, ["DELETE"]),
    *_both("/files", create_file, ["POST"]),
    *_both("/files/{file_id:int}", get_file, ["GET"]),
    *_both("/files/{file_id:int}", update_file, ["PATCH", "PUT"]),
    *_both("/files/{file_id:int}", delete_file, ["DELETE"]),
    *_both("/file_versions", create_version, ["POST"]),
    *_both("/file_versions/{version_id:int}", get_version, ["GET"]),
    Route("/rest/v1.0/projects/{project_id:int}/documents", documents_index, methods=["GET"]),
    Route("/rest/v1.0/companies/{company_id:int}/documents", documents_index, methods=["GET"]),
]

__all__ = ["ApiError", "routes"]

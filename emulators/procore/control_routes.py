"""The control API under `/_emulator/`: reset, seed, act as a Procore user, counters, faults,
webhook delivery log, options. Not rate limited and not counted."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore import photos, tree
from emulators.procore.api_errors import ApiError, read_json
from emulators.procore.content import (
    Content,
    DerivedContent,
    StoredContent,
    read_all,
    seed_for,
    sha256_hex,
)
from emulators.procore.documents_json import file_json, folder_json
from emulators.procore.emulator import Emulator
from emulators.procore.faults import FaultSpec
from emulators.procore.model import HUMAN_ACTOR, File, Folder, Scope, ToolItem
from emulators.procore.options import OptionsPatch
from emulators.procore.rest_context import emulator_of
from emulators.procore.seed import LargeSeedSpec, SeedSpec, apply_spec, seed_demo, seed_large
from emulators.procore.timefmt import iso
from emulators.procore.tool_items import RESOURCE_NAMES, item_json, revise_drawing


def control_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"error": message})


async def parse(request: Request, model: type[BaseModel]) -> Any:
    body = await read_json(request)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise control_error(400, details) from None


class ScopeRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: int | None = None
    company_id: int | None = None


class FolderCreate(ScopeRef):
    parent_id: int | None = None
    name: str
    private: bool = False


class FolderUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    parent_id: int | None = None
    private: bool | None = None


class ContentFields(BaseModel):
    content: str | None = None
    content_b64: str | None = None
    size: int | None = Field(default=None, ge=0)


class FileCreate(ScopeRef, ContentFields):
    parent_id: int | None = None
    name: str
    description: str = ""


class FileUpdate(ContentFields):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    parent_id: int | None = None
    description: str | None = None


class Checkout(BaseModel):
    model_config = ConfigDict(extra="forbid")
    until: str = "2099-01-01T00:00:00Z"


class AlbumCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: int
    name: str
    private: bool = False


class AlbumUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    private: bool | None = None


class ImageCreate(ContentFields):
    model_config = ConfigDict(extra="forbid")
    project_id: int
    image_category_id: int | None = None
    filename: str
    description: str = ""


class ImageUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str | None = None
    description: str | None = None
    image_category_id: int | None = None


class ResetBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seed: str = Field(default="none", pattern="^(demo|none)$")


def _content(emu: Emulator, fields: ContentFields, *seed: object) -> Content | None:
    given = [v for v in (fields.content, fields.content_b64, fields.size) if v is not None]
    if len(given) > 1:
        raise control_error(400, "give one of content, content_b64, size")
    if fields.content is not None:
        return StoredContent(fields.content.encode())
    if fields.content_b64 is not None:
        try:
            return StoredContent(base64.b64decode(fields.content_b64, validate=True))
        except (binascii.Error, ValueError):
            raise control_error(400, "content_b64 is not valid base64") from None
    if fields.size is not None:
        return DerivedContent(seed_for(*seed, emu.world.now()), fields.size)
    return None


def _scope(emu: Emulator, ref: ScopeRef) -> Scope:
    if ref.project_id is not None:
        project = emu.world.projects.get(ref.project_id)
        if project is None:
            raise control_error(404, f"project {ref.project_id} not found")
        return Scope(project.company_id, project.id)
    if ref.company_id is not None:
        if ref.company_id not in emu.world.companies:
            raise control_error(404, f"company {ref.company_id} not found")
        return Scope(ref.company_id, None)
    raise control_error(400, "project_id or company_id is required")


def _folder(emu: Emulator, request: Request) -> Folder:
    folder = emu.world.folders.get(request.path_params["folder_id"])
    if folder is None:
        raise control_error(404, "folder not found")
    return folder


def _file(emu: Emulator, file_id: int) -> File:
    file = emu.world.files.get(file_id)
    if file is None:
        raise control_error(404, "file not found")
    return file


# --- housekeeping -----------------------------------------------------------------------------


async def health(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def reset(request: Request) -> Response:
    emu = emulator_of(request)
    body: ResetBody = await parse(request, ResetBody)
    emu.reset()
    if body.seed == "demo":
        seed_demo(emu)
    return JSONResponse({"status": "reset", "seed": body.seed})


async def get_config(request: Request) -> Response:
    return JSONResponse(emulator_of(request).options.model_dump())


async def patch_config(request: Request) -> Response:
    emu = emulator_of(request)
    patch: OptionsPatch = await parse(request, OptionsPatch)
    changes = patch.model_dump(exclude_none=True)
    for key, value in changes.items():
        setattr(emu.options, key, value)
    if any(k.startswith(("hourly", "spike")) for k in changes):
        emu.reset_rate_limit()
    return JSONResponse(emu.options.model_dump())


async def reset_rate_limit(request: Request) -> Response:
    emulator_of(request).reset_rate_limit()
    return JSONResponse({"status": "reset"})


async def expire_tokens(request: Request) -> Response:
    emu = emulator_of(request)
    for token in emu.world.tokens.values():
        token.expires_at = 0
    return JSONResponse({"expired": len(emu.world.tokens)})


async def seed(request: Request) -> Response:
    emu = emulator_of(request)
    spec: SeedSpec = await parse(request, SeedSpec)
    return JSONResponse(apply_spec(emu, spec), status_code=201)


async def seed_large_tree(request: Request) -> Response:
    emu = emulator_of(request)
    spec: LargeSeedSpec = await parse(request, LargeSeedSpec)
    return JSONResponse(seed_large(emu, spec), status_code=201)


def _tree_items(emu: Emulator, scope: Scope) -> dict[str, Any]:
    root = emu.world.scope_root(scope)
    items: list[dict[str, Any]] = []
    stack: list[tuple[Folder, str]] = [(root, "")]
    while stack:
        folder, path = stack.pop()
        for fid in sorted(folder.folder_ids, reverse=True):
            child = emu.world.folders[fid]
            child_path = f"{path}/{child.name}" if path else child.name
            items.append(
                {
                    "id": child.id,
                    "type": "folder",
                    "path": child_path,
                    "is_deleted": child.is_deleted,
                }
            )
            stack.append((child, child_path))
        for fid in folder.file_ids:
            file = emu.world.files[fid]
            items.append(
                {
                    "id": file.id,
                    "type": "file",
                    "path": f"{path}/{file.name}" if path else file.name,
                    "size": file.latest.size,
                    "version": file.latest.number,
                    "is_deleted": file.is_deleted,
                }
            )
    return {"root_folder_id": root.id, "items": sorted(items, key=lambda i: i["id"])}


async def project_tree(request: Request) -> Response:
    emu = emulator_of(request)
    project = emu.world.projects.get(request.path_params["project_id"])
    if project is None:
        raise control_error(404, "project not found")
    return JSONResponse(_tree_items(emu, Scope(project.company_id, project.id)))


async def company_tree(request: Request) -> Response:
    emu = emulator_of(request)
    company_id = request.path_params["company_id"]
    if company_id not in emu.world.companies:
        raise control_error(404, "company not found")
    return JSONResponse(_tree_items(emu, Scope(company_id, None)))


async def lookup(request: Request) -> Response:
    emu = emulator_of(request)
    q = request.query_params
    try:
        ref = ScopeRef(
            project_id=int(q["project_id"]) if q.get("project_id") else None,
            company_id=int(q["company_id"]) if q.get("company_id") else None,
        )
    except ValueError:
        raise control_error(400, "project_id/company_id must be integers") from None
    scope = _scope(emu, ref)
    path = (q.get("path") or "").strip("/")
    for item in _tree_items(emu, scope)["items"]:
        if item["path"] == path and not item["is_deleted"]:
            return JSONResponse(item)
    raise control_error(404, f"no live item at {path!r}")


async def file_info(request: Request) -> Response:
    emu = emulator_of(request)
    file = _file(emu, request.path_params["file_id"])
    versions = [
        {
            "id": v.id,
            "number": v.number,
            "size": v.size,
            "sha256": sha256_hex(emu.world.blobs[v.blob_id].content),
        }
        for v in file.versions
    ]
    return JSONResponse(
        {
            "id": file.id,
            "name": file.name,
            "path": emu.world.file_path(file),
            "size": file.latest.size,
            "sha256": versions[-1]["sha256"],
            "versions": versions,
            "is_deleted": file.is_deleted,
            "checked_out_by": file.checked_out_by,
            "updated_at": iso(file.updated_at),
        }
    )


async def file_content(request: Request) -> Response:
    emu = emulator_of(request)
    file = _file(emu, request.path_params["file_id"])
    wanted = request.query_params.get("version")
    version = file.latest
    if wanted:
        matches = [v for v in file.versions if str(v.number) == wanted]
        if not matches:
            raise control_error(404, f"file has no version {wanted}")
        version = matches[0]
    data = read_all(emu.world.blobs[version.blob_id].content)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"X-Sha256": hashlib.sha256(data).hexdigest()},
    )


async def image_content(request: Request) -> Response:
    emu = emulator_of(request)
    image = emu.world.images.get(request.path_params["image_id"])
    if image is None:
        raise control_error(404, "image not found")
    return Response(
        read_all(emu.world.blobs[image.blob_id].content), media_type="application/octet-stream"
    )


async def counters(request: Request) -> Response:
    emu = emulator_of(request)
    if request.method == "DELETE":
        emu.counters.clear()
        return Response(status_code=204)
    return JSONResponse(emu.counters.snapshot())


async def faults(request: Request) -> Response:
    emu = emulator_of(request)
    if request.method == "GET":
        return JSONResponse({"faults": [f.model_dump() for f in emu.faults.items]})
    if request.method == "DELETE":
        emu.faults.clear()
        return Response(status_code=204)
    spec: FaultSpec = await parse(request, FaultSpec)
    return JSONResponse(emu.faults.add(spec).model_dump(), status_code=201)


async def delete_fault(request: Request) -> Response:
    if not emulator_of(request).faults.remove(request.path_params["fault_id"]):
        raise control_error(404, "fault not found")
    return Response(status_code=204)


async def deliveries(request: Request) -> Response:
    emu = emulator_of(request)
    if request.method == "DELETE":
        emu.sender.log.clear()
        return Response(status_code=204)
    q = request.query_params
    rows = [
        r
        for r in emu.sender.log
        if (not q.get("hook_id") or str(r["hook_id"]) == q["hook_id"])
        and (not q.get("resource_name") or r["event"]["resource_name"] == q["resource_name"])
        and (not q.get("event_type") or r["event"]["event_type"] == q["event_type"])
    ]
    return JSONResponse({"deliveries": rows, "pending": emu.sender.pending()})


# --- acting as a Procore user -----------------------------------------------------------------


def _folder_out(emu: Emulator, folder: Folder, status: int = 200) -> Response:
    return JSONResponse(folder_json(emu.world, folder, emu.options.base_url), status_code=status)


def _file_out(emu: Emulator, file: File, status: int = 200) -> Response:
    return JSONResponse(file_json(emu.world, file, emu.options.base_url), status_code=status)


async def act_create_folder(request: Request) -> Response:
    emu = emulator_of(request)
    body: FolderCreate = await parse(request, FolderCreate)
    folder = tree.create_folder(
        emu, _scope(emu, body), body.parent_id, body.name, HUMAN_ACTOR, body.private
    )
    return _folder_out(emu, folder, 201)


async def act_folder(request: Request) -> Response:
    emu = emulator_of(request)
    folder = _folder(emu, request)
    if request.method == "DELETE":
        tree.delete_folder(emu, folder, HUMAN_ACTOR)
        return Response(status_code=204)
    body: FolderUpdate = await parse(request, FolderUpdate)
    tree.update_folder(emu, folder, HUMAN_ACTOR, body.name, body.parent_id, body.private)
    return _folder_out(emu, folder)


async def act_create_file(request: Request) -> Response:
    emu = emulator_of(request)
    body: FileCreate = await parse(request, FileCreate)
    scope = _scope(emu, body)
    content = _content(emu, body, scope, body.name) or StoredContent(b"")
    file = tree.create_file(
        emu, scope, body.parent_id, body.name, content, HUMAN_ACTOR, description=body.description
    )
    return _file_out(emu, file, 201)


async def act_file(request: Request) -> Response:
    emu = emulator_of(request)
    file = _file(emu, request.path_params["file_id"])
    if request.method == "DELETE":
        tree.delete_file(emu, file, HUMAN_ACTOR)
        return Response(status_code=204)
    body: FileUpdate = await parse(request, FileUpdate)
    content = _content(emu, body, file.id, file.name)
    tree.update_file(
        emu,
        file,
        HUMAN_ACTOR,
        name=body.name,
        parent_id=body.parent_id,
        description=body.description,
        content=content,
    )
    return _file_out(emu, file)


async def act_checkout(request: Request) -> Response:
    emu = emulator_of(request)
    file = _file(emu, request.path_params["file_id"])
    if request.method == "DELETE":
        file.checked_out_by = None
        file.checked_out_until = None
    else:
        body: Checkout = await parse(request, Checkout)
        file.checked_out_by = HUMAN_ACTOR.user_id
        file.checked_out_until = body.until
    file.updated_at = emu.world.now()
    emu.emit(f"{file.scope.kind} Files", "update", file.id, file.scope, HUMAN_ACTOR)
    return _file_out(emu, file)


async def act_create_album(request: Request) -> Response:
    emu = emulator_of(request)
    body: AlbumCreate = await parse(request, AlbumCreate)
    _scope(emu, ScopeRef(project_id=body.project_id))
    album = photos.create_album(emu, body.project_id, body.name, HUMAN_ACTOR, body.private)
    return JSONResponse(photos.album_json(emu, album), status_code=201)


async def act_album(request: Request) -> Response:
    emu = emulator_of(request)
    album = emu.world.albums.get(request.path_params["album_id"])
    if album is None:
        raise control_error(404, "album not found")
    if request.method == "DELETE":
        photos.delete_album(emu, album, HUMAN_ACTOR)
        return Response(status_code=204)
    body: AlbumUpdate = await parse(request, AlbumUpdate)
    photos.update_album(emu, album, HUMAN_ACTOR, body.name, body.private)
    return JSONResponse(photos.album_json(emu, album))


async def act_create_image(request: Request) -> Response:
    emu = emulator_of(request)
    body: ImageCreate = await parse(request, ImageCreate)
    _scope(emu, ScopeRef(project_id=body.project_id))
    content = _content(emu, body, body.project_id, body.filename) or StoredContent(b"")
    image = photos.create_image(
        emu,
        body.project_id,
        body.image_category_id,
        body.filename,
        content,
        HUMAN_ACTOR,
        body.description,
    )
    return JSONResponse(photos.image_json(emu, image), status_code=201)


async def act_image(request: Request) -> Response:
    emu = emulator_of(request)
    image = emu.world.images.get(request.path_params["image_id"])
    if image is None or image.deleted:
        raise control_error(404, "image not found")
    if request.method == "DELETE":
        photos.delete_image(emu, image, HUMAN_ACTOR)
        return Response(status_code=204)
    body: ImageUpdate = await parse(request, ImageUpdate)
    photos.update_image(
        emu,
        image,
        HUMAN_ACTOR,
        description=body.description,
        album_id=body.image_category_id,
        filename=body.filename,
    )
    return JSONResponse(photos.image_json(emu, image))


TOUCHABLE = {
    "rfis": "rfis",
    "submittals": "submittals",
    "drawing_revisions": "drawing_revisions",
    "forms": "forms",
    "observations": "observations",
    "inspections": "inspections",
    "incidents": "incidents",
    "commitments": "commitments",
}


def _tool_item(request: Request) -> tuple[Emulator, str, ToolItem]:
    emu = emulator_of(request)
    tool = TOUCHABLE.get(request.path_params["tool"])
    if tool is None:
        raise control_error(404, f"unknown tool; one of {', '.join(TOUCHABLE)}")
    item = emu.world.tool_items.get(tool, {}).get(request.path_params["item_id"])
    if item is None:
        raise control_error(404, "item not found")
    return emu, tool, item


def _emit_tool(emu: Emulator, tool: str, event: str, item: ToolItem) -> None:
    project = emu.world.projects[item.project_id]
    emu.emit(
        RESOURCE_NAMES[tool], event, item.id, Scope(project.company_id, project.id), HUMAN_ACTOR
    )


async def act_touch_tool(request: Request) -> Response:
    emu, tool, item = _tool_item(request)
    item.updated_at = emu.world.now()
    _emit_tool(emu, tool, "update", item)
    return JSONResponse(item_json(emu, item))


class ToolEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, Any] = Field(default_factory=dict)


async def act_tool_item(request: Request) -> Response:
    """PATCH `{"fields": {...}}` edits an item (a user's change); DELETE sends it to the
    recycle bin (it leaves the lists and its detail answers 404)."""
    emu, tool, item = _tool_item(request)
    if request.method == "DELETE":
        del emu.world.tool_items[tool][item.id]
        _emit_tool(emu, tool, "delete", item)
        return Response(status_code=204)
    edit: ToolEdit = await parse(request, ToolEdit)
    item.fields.update(edit.fields)
    item.updated_at = emu.world.now()
    _emit_tool(emu, tool, "update", item)
    return JSONResponse(item_json(emu, item))


class Revision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int = Field(default=70_000, gt=0, le=50_000_000)


async def act_revise_drawing(request: Request) -> Response:
    """A new revision of a drawing is uploaded: it becomes current, the old one superseded."""
    emu, tool, item = _tool_item(request)
    if tool != "drawing_revisions":
        raise control_error(404, "only drawing revisions can be revised")
    spec: Revision = await parse(request, Revision)
    revision = revise_drawing(emu, item, spec.size)
    _emit_tool(emu, tool, "update", item)
    _emit_tool(emu, tool, "create", revision)
    return JSONResponse(item_json(emu, revision), status_code=201)


E = "/_emulator"
routes = [
    Route(f"{E}/health", health, methods=["GET"]),
    Route(f"{E}/reset", reset, methods=["POST"]),
    Route(f"{E}/config", get_config, methods=["GET"]),
    Route(f"{E}/config", patch_config, methods=["PATCH"]),
    Route(f"{E}/rate_limit/reset", reset_rate_limit, methods=["POST"]),
    Route(f"{E}/tokens/expire", expire_tokens, methods=["POST"]),
    Route(f"{E}/seed", seed, methods=["POST"]),
    Route(f"{E}/seed/large", seed_large_tree, methods=["POST"]),
    Route(f"{E}/projects/{{project_id:int}}/tree", project_tree, methods=["GET"]),
    Route(f"{E}/companies/{{company_id:int}}/tree", company_tree, methods=["GET"]),
    Route(f"{E}/lookup", lookup, methods=["GET"]),
    Route(f"{E}/files/{{file_id:int}}", file_info, methods=["GET"]),
    Route(f"{E}/files/{{file_id:int}}/content", file_content, methods=["GET"]),
    Route(f"{E}/images/{{image_id:int}}/content", image_content, methods=["GET"]),
    Route(f"{E}/counters", counters, methods=["GET", "DELETE"]),
    Route(f"{E}/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route(f"{E}/faults/{{fault_id}}", delete_fault, methods=["DELETE"]),
    Route(f"{E}/webhooks/deliveries", deliveries, methods=["GET", "DELETE"]),
    Route(f"{E}/act/folders", act_create_folder, methods=["POST"]),
    Route(f"{E}/act/folders/{{folder_id:int}}", act_folder, methods=["PATCH", "DELETE"]),
    Route(f"{E}/act/files", act_create_file, methods=["POST"]),
    Route(f"{E}/act/files/{{file_id:int}}", act_file, methods=["PATCH", "DELETE"]),
    Route(f"{E}/act/files/{{file_id:int}}/checkout", act_checkout, methods=["POST", "DELETE"]),
    Route(f"{E}/act/image_categories", act_create_album, methods=["POST"]),
    Route(f"{E}/act/image_categories/{{album_id:int}}", act_album, methods=["PATCH", "DELETE"]),
    Route(f"{E}/act/images", act_create_image, methods=["POST"]),
    Route(f"{E}/act/images/{{image_id:int}}", act_image, methods=["PATCH", "DELETE"]),
    Route(f"{E}/act/tools/{{tool}}/{{item_id:int}}/touch", act_touch_tool, methods=["POST"]),
    Route(f"{E}/act/tools/{{tool}}/{{item_id:int}}", act_tool_item, methods=["PATCH", "DELETE"]),
    Route(f"{E}/act/tools/{{tool}}/{{item_id:int}}/revise", act_revise_drawing, methods=["POST"]),
]

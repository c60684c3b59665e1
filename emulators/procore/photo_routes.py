"""Photos endpoints (`?project_id=`), API-NOTES A7."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore import photos
from emulators.procore.api_errors import bad_request, field_error
from emulators.procore.content import Content, StoredContent
from emulators.procore.documents_routes import SORT_KEYS, in_range, sort_items, time_range
from emulators.procore.model import APP_ACTOR
from emulators.procore.paging import paged
from emulators.procore.request_body import opt_bool, opt_int, opt_str, resource_body
from emulators.procore.rest_context import RestContext, flag, int_param, rest_context
from emulators.procore.upload_store import claim_upload


def _ctx(request: Request) -> tuple[RestContext, int]:
    ctx = rest_context(request, project="required")
    assert ctx.project is not None
    return ctx, ctx.project.id


async def list_albums(request: Request) -> Response:
    ctx, pid = _ctx(request)
    albums = sorted(
        (a for a in ctx.emu.world.albums.values() if a.project_id == pid),
        key=lambda a: (a.position, a.id),
    )
    return paged(request, ctx.emu.options, albums, lambda a: photos.album_json(ctx.emu, a))


async def ids_with_images(request: Request) -> Response:
    ctx, pid = _ctx(request)
    ids = sorted(
        {
            i.album_id
            for i in ctx.emu.world.images.values()
            if i.project_id == pid and not i.deleted and i.album_id
        }
    )
    return JSONResponse(ids)


async def create_album(request: Request) -> Response:
    ctx, pid = _ctx(request)
    body = await resource_body(request, "image_category")
    album = photos.create_album(
        ctx.emu,
        pid,
        opt_str(body.fields, "name"),
        APP_ACTOR,
        bool(opt_bool(body.fields, "private")),
    )
    return JSONResponse(photos.album_json(ctx.emu, album), status_code=201)


async def get_album(request: Request) -> Response:
    ctx, pid = _ctx(request)
    album = photos.find_album(ctx.emu, pid, request.path_params["album_id"])
    return JSONResponse(photos.album_json(ctx.emu, album))


async def update_album(request: Request) -> Response:
    ctx, pid = _ctx(request)
    album = photos.find_album(ctx.emu, pid, request.path_params["album_id"])
    body = await resource_body(request, "image_category")
    photos.update_album(
        ctx.emu,
        album,
        APP_ACTOR,
        opt_str(body.fields, "name"),
        opt_bool(body.fields, "private"),
        opt_int(body.fields, "position"),
    )
    return JSONResponse(photos.album_json(ctx.emu, album))


async def delete_album(request: Request) -> Response:
    ctx, pid = _ctx(request)
    photos.delete_album(
        ctx.emu, photos.find_album(ctx.emu, pid, request.path_params["album_id"]), APP_ACTOR
    )
    return Response(status_code=204)


async def list_images(request: Request) -> Response:
    ctx, pid = _ctx(request)
    album_id = int_param(request, "image_category_id")
    updated = time_range(request, "updated_at")
    created = time_range(request, "created_at")
    items = [
        i
        for i in ctx.emu.world.images.values()
        if i.project_id == pid
        and not i.deleted
        and (album_id is None or i.album_id == album_id)
        and (updated is None or in_range(i.updated_at, updated))
        and (created is None or in_range(i.created_at, created))
    ]
    ordered = sort_items(
        request, items, {**SORT_KEYS, "name": lambda i: (i.filename.casefold(), i.id)}
    )
    return paged(request, ctx.emu.options, ordered, lambda i: photos.image_json(ctx.emu, i))


async def create_image(request: Request) -> Response:
    ctx, pid = _ctx(request)
    body = await resource_body(request, "image")
    upload_uuid = opt_str(body.fields, "upload_uuid")
    if body.data is not None and upload_uuid:
        raise bad_request("Provide either data or upload_uuid, not both")
    content: Content
    if upload_uuid:
        content = claim_upload(ctx.emu, upload_uuid, ctx.scope)
    elif body.data is not None:
        content = StoredContent(body.data)
    else:
        raise field_error(400, "data", "is missing (send image[data] or image[upload_uuid])")
    filename = (
        opt_str(body.fields, "filename")
        or opt_str(body.fields, "image_name")
        or opt_str(body.top, "image_name")
        or body.filename
    )
    image = photos.create_image(
        ctx.emu,
        pid,
        opt_int(body.fields, "image_category_id"),
        filename,
        content,
        APP_ACTOR,
        description=opt_str(body.fields, "description") or "",
        private=bool(opt_bool(body.fields, "private")),
        taken_at=opt_str(body.fields, "taken_at"),
    )
    return JSONResponse(photos.image_json(ctx.emu, image), status_code=201)


async def get_image(request: Request) -> Response:
    ctx, pid = _ctx(request)
    return JSONResponse(
        photos.image_json(ctx.emu, photos.find_image(ctx.emu, pid, request.path_params["image_id"]))
    )


async def update_image(request: Request) -> Response:
    ctx, pid = _ctx(request)
    image = photos.find_image(ctx.emu, pid, request.path_params["image_id"])
    body = await resource_body(request, "image")
    photos.update_image(
        ctx.emu,
        image,
        APP_ACTOR,
        description=opt_str(body.fields, "description"),
        album_id=opt_int(body.fields, "image_category_id"),
        filename=opt_str(body.fields, "filename"),
        private=opt_bool(body.fields, "private"),
        starred=opt_bool(body.fields, "starred"),
    )
    return JSONResponse(photos.image_json(ctx.emu, image))


async def delete_image(request: Request) -> Response:
    ctx, pid = _ctx(request)
    image = photos.find_image(ctx.emu, pid, request.path_params["image_id"])
    photos.delete_image(
        ctx.emu, image, APP_ACTOR, permanent=flag(request.query_params.get("permanent"))
    )
    return Response(status_code=204)


routes = [
    Route("/rest/v1.0/image_categories", list_albums, methods=["GET"]),
    Route("/rest/v1.0/image_categories", create_album, methods=["POST"]),
    Route("/rest/v1.0/image_categories/ids_with_images", ids_with_images, methods=["GET"]),
    Route("/rest/v1.0/image_categories/{album_id:int}", get_album, methods=["GET"]),
    Route("/rest/v1.0/image_categories/{album_id:int}", update_album, methods=["PATCH", "PUT"]),
    Route("/rest/v1.0/image_categories/{album_id:int}", delete_album, methods=["DELETE"]),
    Route("/rest/v1.0/images", list_images, methods=["GET"]),
    Route("/rest/v1.0/images", create_image, methods=["POST"]),
    Route("/rest/v1.0/images/{image_id:int}", get_image, methods=["GET"]),
    Route("/rest/v1.0/images/{image_id:int}", update_image, methods=["PATCH", "PUT"]),
    Route("/rest/v1.0/images/{image_id:int}", delete_image, methods=["DELETE"]),
]

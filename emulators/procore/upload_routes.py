"""Upload endpoints on the API host (API-NOTES A6): v1.1 and v2.1 unified uploads."""

from __future__ import annotations

import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore.api_errors import bad_request, field_error, not_found, read_json
from emulators.procore.emulator import Emulator
from emulators.procore.rest_context import RestContext, rest_context
from emulators.procore.timefmt import iso
from emulators.procore.upload_store import (
    ATTACH_WITHIN_S,
    Part,
    Upload,
    check_v1_segments,
    check_v2_parts,
    complete,
    parse_sha,
    uploads,
)


def _context(request: Request) -> RestContext:
    if "project_id" in request.path_params:
        return rest_context(request, project="required")
    return rest_context(request)


async def _object(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request("Body must be a JSON object")
    return body


def _parts(raw: object) -> list[Part]:
    if not isinstance(raw, list):
        raise field_error(422, "segments", "must be a list")
    parts: list[Part] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise field_error(422, "segments", f"segment {index}: must be an object")
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool):
            raise field_error(422, "segments", f"segment {index}: size must be an integer")
        parts.append(Part(size, parse_sha(item.get("sha256"), "segments")))
    return parts


def part_url(emu: Emulator, upload: Upload, index: int) -> tuple[str, int]:
    path = f"/_storage/uploads/{upload.id}/parts/{index}"
    return emu.presign("PUT", path, emu.options.upload_url_ttl_s)


def part_headers(upload: Upload, part: Part) -> dict[str, str]:
    headers = {"Content-Type": "application/octet-stream"}
    if part.checksum_b64:
        headers["x-amz-checksum-sha256"] = part.checksum_b64
    return headers


def _find(ctx: RestContext, request: Request, api: str) -> Upload:
    upload = uploads(ctx.emu).get(request.path_params["upload_id"])
    if upload is None or upload.api != api or upload.scope != ctx.scope:
        raise not_found()
    return upload


# --- v1.1 -------------------------------------------------------------------------------------


def v1_json(emu: Emulator, upload: Upload) -> dict[str, Any]:
    body: dict[str, Any] = {"uuid": upload.id, "status": upload.status}
    if upload.segmented:
        segments = []
        for index, part in enumerate(upload.parts):
            url, _ = part_url(emu, upload, index)
            segments.append({"size": part.size, "url": url, "headers": part_headers(upload, part)})
        body["segments"] = segments
    else:
        path = f"/_storage/uploads/{upload.id}"
        expires = int(upload.created_at) + emu.options.upload_url_ttl_s
        body["url"] = f"{emu.options.base_url}{path}"
        body["fields"] = {
            "key": f"uploads/{upload.id}/{upload.file_name}",
            "Content-Type": upload.content_type,
            "policy": str(expires),
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": "EMULATORKEY/us-east-1/s3/aws4_request",
            "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(upload.created_at)),
            "x-amz-signature": emu.signature("POST", path, expires),
            "success_action_status": "204",
        }
    return body


async def v1_create(request: Request) -> Response:
    ctx = _context(request)
    body = await _object(request)
    now = time.time()
    if "segments" in body:
        parts = _parts(body["segments"])
        check_v1_segments(parts)
        upload = Upload(
            str(uuid.uuid4()),
            "v1.1",
            ctx.scope,
            True,
            str(body.get("response_filename") or "upload"),
            str(body.get("response_content_type") or "application/octet-stream"),
            sum(p.size or 0 for p in parts),
            now,
            parts,
        )
    else:
        upload = Upload(
            str(uuid.uuid4()),
            "v1.1",
            ctx.scope,
            False,
            str(body.get("response_filename") or "upload"),
            str(body.get("response_content_type") or "application/octet-stream"),
            None,
            now,
            [Part(None, None)],
        )
    uploads(ctx.emu)[upload.id] = upload
    return JSONResponse(v1_json(ctx.emu, upload), status_code=201)


async def v1_update(request: Request) -> Response:
    ctx = _context(request)
    upload = _find(ctx, request, "v1.1")
    body = await _object(request)
    segments = body.get("segments")
    if not upload.segmented or not isinstance(segments, list):
        raise field_error(422, "segments", "a list of {etag} for a segmented upload is required")
    if len(segments) != len(upload.parts):
        raise field_error(422, "segments", "one etag per segment, in order")
    for index, (item, part) in enumerate(zip(segments, upload.parts, strict=True)):
        etag = item.get("etag") if isinstance(item, dict) else None
        if (
            part.etag is None
            or not isinstance(etag, str)
            or etag.strip('"') != part.etag.strip('"')
        ):
            raise field_error(
                422, "segments", f"segment {index}: etag does not match an uploaded part"
            )
    complete(upload)
    return JSONResponse(v1_json(ctx.emu, upload))


# --- v2.1 -------------------------------------------------------------------------------------


def v2_json(emu: Emulator, upload: Upload) -> dict[str, Any]:
    segments = []
    for index, part in enumerate(upload.parts):
        url, expires = part_url(emu, upload, index)
        segments.append(
            {
                "size": part.size,
                "url": url,
                "url_expires_at": iso(expires),
                "headers": part_headers(upload, part),
                "etag": part.etag,
            }
        )
    return {
        "data": {
            "upload_id": upload.id,
            "file_name": upload.file_name,
            "file_size": upload.file_size,
            "content_type": upload.content_type,
            "upload_expires_at": iso(upload.created_at + ATTACH_WITHIN_S),
            "segments": segments if upload.status in ("ready", "receiving") else [],
            "status": upload.status,
        }
    }


async def v2_create(request: Request) -> Response:
    ctx = _context(request)
    body = await _object(request)
    file_name = body.get("file_name")
    file_size = body.get("file_size")
    if not isinstance(file_name, str) or not file_name:
        raise field_error(422, "file_name", "is required")
    if not isinstance(file_size, int) or isinstance(file_size, bool) or file_size < 1:
        raise field_error(422, "file_size", "must be a positive integer")
    parse_sha(body.get("sha256"), "sha256")
    parts = _parts(body.get("segments"))
    check_v2_parts(file_size, parts)
    upload = Upload(
        str(uuid.uuid4()),
        "v2.1",
        ctx.scope,
        True,
        file_name,
        str(body.get("content_type") or "application/octet-stream"),
        file_size,
        time.time(),
        parts,
    )
    uploads(ctx.emu)[upload.id] = upload
    return JSONResponse(v2_json(ctx.emu, upload), status_code=201)


async def v2_update(request: Request) -> Response:
    ctx = _context(request)
    upload = _find(ctx, request, "v2.1")
    body = await _object(request)
    etags = body.get("part_etags")
    if not isinstance(etags, list) or len(etags) != len(upload.parts):
        raise field_error(422, "part_etags", "one entry (or null) per segment, in order")
    if upload.status in ("complete", "available"):
        return JSONResponse(v2_json(ctx.emu, upload))
    for index, (etag, part) in enumerate(zip(etags, upload.parts, strict=True)):
        if etag is None:
            continue
        if (
            not isinstance(etag, str)
            or part.etag is None
            or etag.strip('"') != part.etag.strip('"')
        ):
            raise field_error(
                422, "part_etags", f"part {index}: etag does not match an uploaded part"
            )
    if all(e is not None for e in etags):
        complete(upload)
    else:
        upload.status = "receiving"
    return JSONResponse(v2_json(ctx.emu, upload))


async def v2_get(request: Request) -> Response:
    ctx = _context(request)
    upload = _find(ctx, request, "v2.1")
    body = v2_json(ctx.emu, upload)
    if upload.status == "complete":
        upload.status = "available"
    return JSONResponse(body)


routes = [
    Route("/rest/v1.1/projects/{project_id:int}/uploads", v1_create, methods=["POST"]),
    Route("/rest/v1.1/companies/{company_id:int}/uploads", v1_create, methods=["POST"]),
    Route("/rest/v1.1/projects/{project_id:int}/uploads/{upload_id}", v1_update, methods=["PATCH"]),
    Route(
        "/rest/v1.1/companies/{company_id:int}/uploads/{upload_id}", v1_update, methods=["PATCH"]
    ),
    Route(
        "/rest/v2.1/companies/{company_id:int}/projects/{project_id:int}/uploads",
        v2_create,
        methods=["POST"],
    ),
    Route("/rest/v2.1/companies/{company_id:int}/uploads", v2_create, methods=["POST"]),
    Route(
        "/rest/v2.1/companies/{company_id:int}/projects/{project_id:int}/uploads/{upload_id}",
        v2_update,
        methods=["PATCH"],
    ),
    Route(
        "/rest/v2.1/companies/{company_id:int}/projects/{project_id:int}/uploads/{upload_id}",
        v2_get,
        methods=["GET"],
    ),
    Route(
        "/rest/v2.1/companies/{company_id:int}/uploads/{upload_id}", v2_update, methods=["PATCH"]
    ),
    Route("/rest/v2.1/companies/{company_id:int}/uploads/{upload_id}", v2_get, methods=["GET"]),
]

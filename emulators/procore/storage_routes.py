"""Content hosts: the bearer-protected download URL that redirects (API-NOTES A5 downloads), and
the presigned "S3" URLs behind it and behind uploads, which refuse an `Authorization` header as S3
does, so a client that forwards its Procore token over the redirect is caught."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from emulators.procore.api_errors import not_found, s3_error
from emulators.procore.emulator import Emulator
from emulators.procore.rest_context import bearer_token, emulator_of
from emulators.procore.upload_store import Upload, complete, etag_of, uploads

TWO_AUTH = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
    "string parameter or the Authorization header should be specified"
)


async def prostore_blob(request: Request) -> Response:
    emu = emulator_of(request)
    bearer_token(request)
    blob_id = request.path_params["blob_id"]
    if blob_id not in emu.world.blobs:
        raise not_found()
    url, _ = emu.presign("GET", f"/_storage/blobs/{blob_id}", emu.options.storage_url_ttl_s)
    return RedirectResponse(url, status_code=302)


def _presigned_error(emu: Emulator, request: Request, method: str) -> Response | None:
    if "authorization" in request.headers:
        return s3_error(400, "InvalidArgument", TWO_AUTH)
    q = request.query_params
    problem = emu.check_signature(
        method, request.url.path, q.get("Expires", ""), q.get("Signature", "")
    )
    if problem == "Expired":
        return s3_error(403, "AccessDenied", "Request has expired")
    if problem is not None:
        return s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    return None


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end exclusive), None for the whole body, or "bad"."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return "bad"
    first, _, last = spec.strip().partition("-")
    try:
        if first == "":
            length = int(last)
            if length <= 0:
                return "bad"
            return max(0, size - length), size
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return "bad"
    if start >= size or end <= start:
        return "bad"
    return start, min(end, size)


async def storage_blob(request: Request) -> Response:
    emu = emulator_of(request)
    error = _presigned_error(emu, request, "GET")
    if error is not None:
        return error
    blob = emu.world.blobs.get(request.path_params["blob_id"])
    if blob is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
    size = blob.content.size
    wanted = _byte_range(request.headers.get("range"), size)
    etag = f'"{blob.id:x}-{size:x}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(blob.filename),
    }
    if wanted == "bad":
        return s3_error(416, "InvalidRange", "The requested range is not satisfiable")
    if wanted is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(
            blob.content.chunks(), headers=headers, media_type="application/octet-stream"
        )
    assert isinstance(wanted, tuple)
    start, end = wanted
    headers["Content-Length"] = str(end - start)
    headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    return StreamingResponse(
        blob.content.chunks(start, end),
        status_code=206,
        headers=headers,
        media_type="application/octet-stream",
    )


def _upload_of(emu: Emulator, request: Request) -> Upload | None:
    return uploads(emu).get(request.path_params["upload_id"])


async def storage_put_part(request: Request) -> Response:
    emu = emulator_of(request)
    error = _presigned_error(emu, request, "PUT")
    if error is not None:
        return error
    upload = _upload_of(emu, request)
    index = request.path_params["index"]
    if upload is None or not upload.segmented or index >= len(upload.parts):
        return s3_error(404, "NoSuchUpload", "The specified upload does not exist.")
    if upload.status in ("complete", "available"):
        return s3_error(404, "NoSuchUpload", "The upload has already been completed.")
    if emu.faults.take("PUT", request.url.path, part_upload=True) is not None:
        return s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
    part = upload.parts[index]
    expected = part.checksum_b64
    sent = request.headers.get("x-amz-checksum-sha256")
    if expected is not None and sent != expected:
        return s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    data = await request.body()
    if part.size is not None and len(data) != part.size:
        return s3_error(
            400, "IncompleteBody", "The request body size does not match the part size."
        )
    if (
        expected is not None
        and base64.b64encode(hashlib.sha256(data).digest()).decode() != expected
    ):
        return s3_error(
            400, "BadDigest", "The sha256 you specified did not match what we received."
        )
    part.data = data
    part.etag = etag_of(data)
    if upload.status == "ready":
        upload.status = "receiving" if upload.api == "v2.1" else "ready"
    return Response(status_code=200, headers={"ETag": part.etag})


async def storage_post_form(request: Request) -> Response:
    """v1.1 non-segmented upload: an S3 browser-style POST with the returned fields + `file`."""
    emu = emulator_of(request)
    if "authorization" in request.headers:
        return s3_error(400, "InvalidArgument", TWO_AUTH)
    upload = _upload_of(emu, request)
    if upload is None or upload.segmented:
        return s3_error(404, "NoSuchUpload", "The specified upload does not exist.")
    try:
        form = await request.form(max_files=2, max_fields=50)
    except Exception:
        return s3_error(
            400,
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data.",
        )
    policy = str(form.get("policy") or "")
    signature = str(form.get("x-amz-signature") or "")
    problem = emu.check_signature("POST", request.url.path, policy, signature)
    if problem == "Expired":
        return s3_error(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    if problem is not None:
        return s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    if emu.faults.take("POST", request.url.path, part_upload=True) is not None:
        return s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
    file = form.get("file")
    if not isinstance(file, UploadFile):
        return s3_error(
            400, "InvalidArgument", "POST requires exactly one file upload per request."
        )
    data = await file.read()
    upload.parts[0].data = data
    upload.parts[0].size = len(data)
    upload.parts[0].etag = etag_of(data)
    complete(upload)
    return Response(status_code=204, headers={"ETag": upload.parts[0].etag})


routes = [
    Route("/prostore/blobs/{blob_id:int}", prostore_blob, methods=["GET"]),
    Route("/_storage/blobs/{blob_id:int}", storage_blob, methods=["GET"]),
    Route("/_storage/uploads/{upload_id}/parts/{index:int}", storage_put_part, methods=["PUT"]),
    Route("/_storage/uploads/{upload_id}", storage_post_form, methods=["POST"]),
]


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987), as S3
    serves names that are not Latin-1."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"

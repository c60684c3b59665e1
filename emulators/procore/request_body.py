"""Reading a resource from a body the way Procore accepts it: multipart `key[field]` parts
(file content as a file part) or JSON wrapped in the resource key (API-NOTES A2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from emulators.procore.api_errors import bad_request, read_json


@dataclass
class ResourceBody:
    fields: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    filename: str | None = None
    top: dict[str, Any] = field(default_factory=dict)


async def resource_body(request: Request, key: str) -> ResourceBody:
    content_type = request.headers.get("content-type", "")
    body = ResourceBody()
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            form = await request.form(max_files=10, max_fields=200)
        except Exception as exc:  # python-multipart raises several types on garbage
            raise bad_request(f"Malformed form body: {exc}") from None
        prefix = f"{key}["
        for name, value in form.multi_items():
            if name.startswith(prefix) and name.endswith("]"):
                inner = name[len(prefix) : -1]
                if isinstance(value, UploadFile):
                    if inner == "data":
                        body.data = await value.read()
                        body.filename = value.filename
                    continue
                body.fields[inner] = value
            elif not isinstance(value, UploadFile):
                body.top[name] = value
        return body
    payload = await read_json(request)
    if not isinstance(payload, dict):
        raise bad_request("Body must be a JSON object")
    inner = payload.get(key, {})
    if not isinstance(inner, dict):
        raise bad_request(f"{key} must be an object")
    body.fields = dict(inner)
    body.top = {k: v for k, v in payload.items() if k != key}
    return body


def opt_int(fields: dict[str, Any], name: str) -> int | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request(f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"{name} must be an integer") from None


def opt_bool(fields: dict[str, Any], name: str) -> bool | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_request(f"{name} must be true or false")


def opt_str(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value

"""Reading an admin request body into its pydantic model, with every field problem named.

A body that is not JSON, or that fails validation, becomes `InvalidInput` listing each problem
as `{"field": "sharepoint.folder_path", "message": ...}`, so the caller can fix all at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.admin.errors import FieldProblem, InvalidInput

BODY = "body"
"""The field name used for problems with the body as a whole."""

M = TypeVar("M", bound=BaseModel)

_JSON_KINDS: dict[type, str] = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def field_name(loc: Sequence[int | str]) -> str:
    """`("sharepoint", "folder_path")` → `sharepoint.folder_path`; `("recipients", 1)` →
    `recipients[1]`; a dict key's own problem (`[key]`) names the key."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            name += f".{part}" if name else str(part)
    return name or BODY


def _message(error: Any) -> str:
    message = str(error.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if error.get("type") == "extra_forbidden":
        return "unknown field"
    if error.get("loc") and error["loc"][-1] == "[key]":
        return f"not an accepted key: {message}"
    return message


def problems_of(exc: ValidationError) -> list[FieldProblem]:
    """Every problem of a validation error, in the model's field order."""
    return [
        FieldProblem(field=field_name(error.get("loc", ())), message=_message(error))
        for error in exc.errors()
    ]


def parse_body(model: type[M], body: bytes) -> M:
    """`body` as `model`; `InvalidInput` naming every problem otherwise."""
    if not body.strip():
        raise InvalidInput([FieldProblem(field=BODY, message="a JSON object is required")])
    try:
        decoded = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput([FieldProblem(field=BODY, message=f"not valid JSON: {exc}")]) from None
    if not isinstance(decoded, dict):
        got = _JSON_KINDS.get(type(decoded), "a value")
        raise InvalidInput(
            [FieldProblem(field=BODY, message=f"a JSON object is required, got {got}")]
        )
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidInput(problems_of(exc)) from None


_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def parse_flag(name: str, value: str | None) -> bool:
    """A boolean query parameter (`?force=true`); anything unclear is `InvalidInput`."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput([FieldProblem(field=name, message="must be true or false")])

"""Webhooks API (API-NOTES A9): hooks, triggers, deliveries, resources."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators.procore.api_errors import ApiError, bad_request, field_error, not_found, read_json
from emulators.procore.model import Hook, Trigger
from emulators.procore.paging import paged
from emulators.procore.rest_context import RestContext, rest_context
from emulators.procore.tool_items import RESOURCE_NAMES

NAMESPACE = re.compile(r"^[a-z0-9-]+$")
EVENT_TYPES = ("create", "update", "delete")
PROJECT_RESOURCES = sorted(
    {
        "Project Folders",
        "Project Files",
        "Project File Versions",
        "Images",
        "Image Categories",
        "RFI Replies",
        *RESOURCE_NAMES.values(),
    }
)
COMPANY_RESOURCES = ["Company File Versions", "Company Files", "Company Folders"]


def hook_json(hook: Hook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "owned_by_company_id": hook.company_id,
        "owned_by_project_id": hook.project_id,
        "api_version": hook.api_version,
        "namespace": hook.namespace,
        "destination_url": hook.destination_url,
        "destination_headers": hook.destination_headers,
    }


def trigger_json(trigger: Trigger) -> dict[str, Any]:
    return {
        "id": trigger.id,
        "hook_id": trigger.hook_id,
        "resource_name": trigger.resource_name,
        "event_type": trigger.event_type,
    }


async def _body(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request("Body must be a JSON object")
    return body


def _owner(request: Request, body: dict[str, Any]) -> RestContext:
    """A hook belongs to a project (`project_id`) or to the company (`company_id`)."""
    project_id = body.get("project_id") or request.query_params.get("project_id")
    if project_id is not None:
        return _with_project(request, project_id)
    return rest_context(request)


def _with_project(request: Request, project_id: object) -> RestContext:
    ctx = rest_context(request)
    try:
        pid = int(str(project_id))
    except ValueError:
        raise bad_request("project_id is invalid") from None
    project = ctx.emu.world.projects.get(pid)
    if project is None or project.company_id != ctx.company.id:
        raise not_found()
    if not project.permitted:
        raise ApiError(403, {"errors": "You do not have access to this project"})
    return RestContext(ctx.emu, ctx.company, project)


def _hook_fields(hook: dict[str, Any], partial: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "namespace" in hook or not partial:
        namespace = hook.get("namespace")
        if not isinstance(namespace, str) or not NAMESPACE.match(namespace):
            raise field_error(422, "namespace", "must be lowercase letters, digits and dashes")
        out["namespace"] = namespace
    if "destination_url" in hook or not partial:
        url = hook.get("destination_url")
        # [U] Procore requires https; the emulator also accepts http for local receivers.
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise field_error(422, "destination_url", "must be an http(s) URL")
        out["destination_url"] = url
    if "destination_headers" in hook:
        headers = hook.get("destination_headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise field_error(422, "destination_headers", "must be an object of strings")
        out["destination_headers"] = headers
    if "api_version" in hook:
        out["api_version"] = str(hook["api_version"])
    return out


async def create_hook(request: Request) -> Response:
    body = await _body(request)
    ctx = _owner(request, body)
    inner = body.get("hook")
    if not isinstance(inner, dict):
        raise field_error(400, "hook", "is missing")
    fields = _hook_fields(inner, partial=False)
    hook = Hook(
        ctx.emu.world.new_id(),
        ctx.company.id,
        ctx.project.id if ctx.project else None,
        fields["namespace"],
        fields["destination_url"],
        fields.get("destination_headers", {}),
        fields.get("api_version", "v2"),
    )
    ctx.emu.world.hooks[hook.id] = hook
    return JSONResponse(hook_json(hook), status_code=201)


def _owned(ctx: RestContext, hook: Hook | None) -> Hook:
    if hook is None or hook.company_id != ctx.company.id:
        raise not_found()
    return hook


async def list_hooks(request: Request) -> Response:
    ctx = _owner(request, {})
    namespace = request.query_params.get("namespace")
    owner = ctx.project.id if ctx.project else None
    hooks = [
        h
        for h in ctx.emu.world.hooks.values()
        if h.company_id == ctx.company.id
        and h.project_id == owner
        and (not namespace or h.namespace == namespace)
    ]
    return paged(request, ctx.emu.options, hooks, hook_json)


async def get_hook(request: Request) -> Response:
    ctx = rest_context(request)
    return JSONResponse(
        hook_json(_owned(ctx, ctx.emu.world.hooks.get(request.path_params["hook_id"])))
    )


async def update_hook(request: Request) -> Response:
    ctx = rest_context(request)
    hook = _owned(ctx, ctx.emu.world.hooks.get(request.path_params["hook_id"]))
    body = await _body(request)
    inner = body.get("hook")
    if not isinstance(inner, dict):
        raise field_error(400, "hook", "is missing")
    for key, value in _hook_fields(inner, partial=True).items():
        setattr(hook, key, value)
    return JSONResponse(hook_json(hook))


async def delete_hook(request: Request) -> Response:
    ctx = rest_context(request)
    hook = _owned(ctx, ctx.emu.world.hooks.get(request.path_params["hook_id"]))
    del ctx.emu.world.hooks[hook.id]
    return Response(status_code=204)


async def create_trigger(request: Request) -> Response:
    ctx = rest_context(request)
    hook = _owned(ctx, ctx.emu.world.hooks.get(request.path_params["hook_id"]))
    body = await _body(request)
    inner = body.get("trigger")
    if not isinstance(inner, dict):
        raise field_error(400, "trigger", "is missing")
    resource = inner.get("resource_name")
    event_type = inner.get("event_type")
    allowed = PROJECT_RESOURCES if hook.project_id is not None else COMPANY_RESOURCES
    if resource not in allowed:
        raise field_error(
            422, "resource_name", f"is not a valid resource for this hook: {resource!r}"
        )
    if event_type not in EVENT_TYPES:
        raise field_error(422, "event_type", "must be create, update or delete")
    for existing in hook.triggers.values():
        if existing.resource_name == resource and existing.event_type == event_type:
            return JSONResponse(trigger_json(existing), status_code=201)
    trigger = Trigger(ctx.emu.world.new_id(), hook.id, str(resource), str(event_type))
    hook.triggers[trigger.id] = trigger
    return JSONResponse(trigger_json(trigger), status_code=201)


async def list_triggers(request: Request) -> Response:
    ctx = rest_context(request)
    hook = _owned(ctx, ctx.emu.world.hooks.get(request.path_params["hook_id"]))
    return paged(request, ctx.emu.options, list(hook.triggers.values()), trigger_json)


async def delete_trigger(request: Request) -> Response:
    ctx = rest_context(request)
    hook = _owned(ctx, ctx.emu.world.hooks.get(request.path_params["hook_id"]))
    if hook.triggers.pop(request.path_params["trigger_id"], None) is None:
        raise not_found()
    return Response(status_code=204)


STATUS_OUTCOMES = {
    "successful": ("ok",),
    "discarded": ("discarded",),
    "failing": ("retried", "failed"),
}


async def list_deliveries(request: Request) -> Response:
    ctx = rest_context(request)
    hook = _owned(ctx, ctx.emu.world.hooks.get(request.path_params["hook_id"]))
    status = request.query_params.get("filter[status]") or "any"
    if status != "any" and status not in STATUS_OUTCOMES:
        raise field_error(400, "filter[status]", "must be any, successful, discarded or failing")
    rows = [
        r
        for r in ctx.emu.sender.log
        if r["hook_id"] == hook.id and (status == "any" or r["outcome"] in STATUS_OUTCOMES[status])
    ]
    return paged(request, ctx.emu.options, list(reversed(rows)))


async def resources(request: Request) -> Response:
    ctx = _owner(request, {})
    names = PROJECT_RESOURCES if ctx.project else COMPANY_RESOURCES
    return JSONResponse([{"resource_name": n, "event_types": list(EVENT_TYPES)} for n in names])


W = "/rest/v1.0/webhooks"
routes = [
    Route(f"{W}/hooks", create_hook, methods=["POST"]),
    Route(f"{W}/hooks", list_hooks, methods=["GET"]),
    Route(f"{W}/hooks/{{hook_id:int}}", get_hook, methods=["GET"]),
    Route(f"{W}/hooks/{{hook_id:int}}", update_hook, methods=["PATCH", "PUT"]),
    Route(f"{W}/hooks/{{hook_id:int}}", delete_hook, methods=["DELETE"]),
    Route(f"{W}/hooks/{{hook_id:int}}/triggers", create_trigger, methods=["POST"]),
    Route(f"{W}/hooks/{{hook_id:int}}/triggers", list_triggers, methods=["GET"]),
    Route(
        f"{W}/hooks/{{hook_id:int}}/triggers/{{trigger_id:int}}", delete_trigger, methods=["DELETE"]
    ),
    Route(f"{W}/hooks/{{hook_id:int}}/deliveries", list_deliveries, methods=["GET"]),
    Route(f"{W}/resources", resources, methods=["GET"]),
]

"""The admin API (function-key auth, JSON in and out): connect, list, show, pause, resume,
re-run and disconnect projects, and answer held-back deletes. Each handler reads the request
and calls one `ProjectAdmin` method; refusals become their status and JSON body
(shared/admin/README.md lists them)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable

import azure.functions as func
from pydantic import BaseModel

from shared.admin import AdminRefusal, ProjectAdmin, parse_body, parse_flag
from shared.mapping import ConnectRequest
from shared.state import StateUnavailable

bp = func.Blueprint()
log = logging.getLogger(__name__)

Handler = Callable[[func.HttpRequest], func.HttpResponse]


def _json(body: BaseModel | dict[str, object], status: int = 200) -> func.HttpResponse:
    if isinstance(body, BaseModel):
        text = body.model_dump_json()
    else:
        text = json.dumps(body, ensure_ascii=False)
    return func.HttpResponse(text, status_code=status, mimetype="application/json")


def answers_refusals(handler: Handler) -> Handler:
    """Turn a refusal into its status and body; a silent state store into 503."""

    @functools.wraps(handler)
    def wrapped(req: func.HttpRequest) -> func.HttpResponse:
        try:
            return handler(req)
        except AdminRefusal as refusal:
            return _json(refusal.body(), refusal.status)
        except StateUnavailable:
            log.warning("state store unavailable", exc_info=True)
            return _json({"error": "the state store did not answer; try again later"}, 503)

    return wrapped


def _key(req: func.HttpRequest) -> str:
    return req.route_params.get("key", "")


@bp.route(route="projects", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@answers_refusals
def connect_project(req: func.HttpRequest) -> func.HttpResponse:
    request = parse_body(ConnectRequest, req.get_body())
    return _json(ProjectAdmin.from_runtime().connect(request), 201)


@bp.route(route="projects", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@answers_refusals
def list_projects(req: func.HttpRequest) -> func.HttpResponse:
    return _json(ProjectAdmin.from_runtime().list_projects())


@bp.route(route="projects/{key}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@answers_refusals
def show_project(req: func.HttpRequest) -> func.HttpResponse:
    return _json(ProjectAdmin.from_runtime().show(_key(req)))


@bp.route(route="projects/{key}/pause", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@answers_refusals
def pause_project(req: func.HttpRequest) -> func.HttpResponse:
    return _json(ProjectAdmin.from_runtime().pause(_key(req)))


@bp.route(route="projects/{key}/resume", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@answers_refusals
def resume_project(req: func.HttpRequest) -> func.HttpResponse:
    return _json(ProjectAdmin.from_runtime().resume(_key(req)))


@bp.route(route="projects/{key}/resync", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@answers_refusals
def resync_project(req: func.HttpRequest) -> func.HttpResponse:
    force = parse_flag("force", req.params.get("force"))
    return _json(ProjectAdmin.from_runtime().resync(_key(req), force=force), 202)


@bp.route(
    route="projects/{key}/deletes/approve", methods=["POST"], auth_level=func.AuthLevel.FUNCTION
)
@answers_refusals
def approve_held_deletes(req: func.HttpRequest) -> func.HttpResponse:
    return _json(ProjectAdmin.from_runtime().answer_deletes(_key(req), "approve"), 202)


@bp.route(
    route="projects/{key}/deletes/restore", methods=["POST"], auth_level=func.AuthLevel.FUNCTION
)
@answers_refusals
def restore_held_deletes(req: func.HttpRequest) -> func.HttpResponse:
    return _json(ProjectAdmin.from_runtime().answer_deletes(_key(req), "restore"), 202)


@bp.route(route="projects/{key}", methods=["DELETE"], auth_level=func.AuthLevel.FUNCTION)
@answers_refusals
def disconnect_project(req: func.HttpRequest) -> func.HttpResponse:
    ProjectAdmin.from_runtime().disconnect(_key(req))
    return func.HttpResponse(status_code=204)

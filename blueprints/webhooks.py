"""The two webhook receivers (anonymous: neither service can send a function key; the shared
secret in each delivery is the authentication). Each parses the request and calls one receiver
of shared.intake, which answers fast and makes no API call."""

from __future__ import annotations

import azure.functions as func

from shared.intake import graph_receiver, procore_receiver
from shared.intake.context import IntakeContext
from shared.intake.reply import Reply
from shared.intake.routes import GRAPH_ROUTE, PROCORE_ROUTE

bp = func.Blueprint()


def _response(reply: Reply) -> func.HttpResponse:
    return func.HttpResponse(reply.body, status_code=reply.status, mimetype=reply.mimetype)


@bp.route(route=PROCORE_ROUTE, methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def procore_webhook(req: func.HttpRequest) -> func.HttpResponse:
    reply = procore_receiver.receive(
        IntakeContext.from_runtime(), req.headers.get("Authorization"), req.get_body()
    )
    return _response(reply)


@bp.route(route=GRAPH_ROUTE, methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def graph_webhook(req: func.HttpRequest) -> func.HttpResponse:
    reply = graph_receiver.receive(
        IntakeContext.from_runtime(), req.params.get("validationToken"), req.get_body()
    )
    return _response(reply)

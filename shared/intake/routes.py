"""Where Procore and Graph reach this app: the receivers' routes and their public URLs."""

from __future__ import annotations

from shared.config import Settings

ROUTE_PREFIX = "api"
"""host.json `extensions.http.routePrefix`."""
PROCORE_ROUTE = "webhooks/procore"
GRAPH_ROUTE = "webhooks/graph"


def receiver_url(settings: Settings, route: str) -> str:
    """The public URL of a receiver route (PUBLIC_BASE_URL + /api/ + route)."""
    base = str(settings.public_base_url).rstrip("/")
    return f"{base}/{ROUTE_PREFIX}/{route}"

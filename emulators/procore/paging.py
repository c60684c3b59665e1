"""Paging exactly as API-NOTES A3 / Procore's pagination page describe it.

`page` (1-based) and `per_page`; headers `Total`, `Per-Page` and `Link`. Link rels: page 1 has
`next` and `last`; page 2 has `first`, `next`, `last`; page 3+ adds `prev`; the last page has no
`next`. The v1 default and maximum page sizes are undocumented [U]: both come from `Options`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from emulators.procore.api_errors import field_error
from emulators.procore.options import Options


def _positive_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise field_error(400, name, "must be a positive integer") from None
    if value < 1:
        raise field_error(400, name, "must be a positive integer")
    return value


def link_header(request: Request, base_url: str, page: int, per_page: int, total: int) -> str:
    last = max(1, math.ceil(total / per_page))
    params = [
        (k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")
    ]

    def url(target: int) -> str:
        query = urlencode([*params, ("page", str(target)), ("per_page", str(per_page))])
        return f"<{base_url}{request.url.path}?{query}>"

    links: list[str] = []
    if page >= 2:
        links.append(f'{url(1)}; rel="first"')
    if page >= 3:
        links.append(f'{url(page - 1)}; rel="prev"')
    links.append(f'{url(last)}; rel="last"')
    if page < last:
        links.append(f'{url(page + 1)}; rel="next"')
    return ", ".join(links)


def paged(
    request: Request, options: Options, items: Sequence[Any], render: Any = None
) -> JSONResponse:
    """One page of `items` (rendered by `render` when given) with the paging headers."""
    per_page = min(
        _positive_int(request, "per_page", options.default_per_page), options.max_per_page
    )
    page = _positive_int(request, "page", 1)
    start = (page - 1) * per_page
    chunk = items[start : start + per_page]
    body = [render(item) for item in chunk] if render else list(chunk)
    headers = {
        "Total": str(len(items)),
        "Per-Page": str(per_page),
        "Link": link_header(request, options.base_url, page, per_page, len(items)),
    }
    return JSONResponse(body, headers=headers)

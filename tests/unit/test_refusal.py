"""What a user is told when a side refuses a file: words and the service's code, no URL."""

from __future__ import annotations

from shared.errors import ApiError, InvalidRequest
from shared.sync.refusals import refusal


def test_known_codes_are_put_into_words() -> None:
    exc = InvalidRequest(
        "Graph PUT https://graph/v1.0/drives/d/items/x:/long.pdf:/content -> 400: pathIsTooLong",
        service="graph",
        status=400,
        code="invalidRequest",
    )
    assert refusal(exc) == (
        "the SharePoint path would be longer than 400 characters (pathIsTooLong)"
    )


def test_unknown_refusals_keep_the_code_and_drop_the_request() -> None:
    exc = ApiError(
        "Procore POST https://api/rest/v1.0/files -> 422: file type not allowed",
        service="procore",
        status=422,
        code="unprocessable",
    )
    reason = refusal(exc)
    assert reason == "Procore refused it (unprocessable): 422: file type not allowed"
    assert "https://" not in reason

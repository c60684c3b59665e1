"""What a user is told when a service refuses a file: the service's code in words, never a
request URL (URLs carry ids and paths that belong in the logs, not in the project's log)."""

from __future__ import annotations

from shared.errors import ApiError

REFUSALS = {
    "pathIsTooLong": "the SharePoint path would be longer than 400 characters",
    "nameContainsInvalidCharacters": "SharePoint refused the name",
    "maxFileSizeExceeded": "the file is larger than SharePoint accepts",
    "nameAlreadyExists": "an item of that name already exists there",
}


def refusal(exc: ApiError) -> str:
    """The reason a user is told for a refused file: the service's own error code, in words
    where we know it, and the code itself (never a request URL)."""
    text = str(exc)
    for code, words in REFUSALS.items():
        if code == exc.code or code in text:
            return f"{words} ({code})"
    side = "SharePoint" if exc.service == "graph" else "Procore"
    return (
        f"{side} refused it ({exc.code or exc.status}): {text.rsplit(' -> ', maxsplit=1)[-1][:300]}"
    )

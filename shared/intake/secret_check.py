"""Constant-time checks of the shared secrets the two services echo back to us.

Procore offers no signature, only the `destination_headers` it repeats on every POST (API-NOTES
A9); Graph repeats the subscription's `clientState` in every notification (B4). Both are compared
with `hmac.compare_digest`, so the time taken says nothing about how much of a guess was right.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr

BEARER = "Bearer "


def same_secret(given: str | None, expected: SecretStr) -> bool:
    """True if `given` is exactly the secret (None and empty never match)."""
    secret = expected.get_secret_value()
    if not given or not secret:
        return False
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def bearer_header(secret: SecretStr) -> str:
    """The Authorization header value Procore is asked to send (`Bearer <secret>`)."""
    return BEARER + secret.get_secret_value()


def bearer_matches(authorization: str | None, expected: SecretStr) -> bool:
    """True if an Authorization header carries `Bearer <expected>`."""
    if authorization is None:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != BEARER.strip().lower():
        return False
    return same_secret(token.strip(), expected)

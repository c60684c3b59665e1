"""Client-credentials tokens for Procore (API-NOTES A1), cached and renewed before they expire.

`POST /oauth/token` with `grant_type=client_credentials` answers `access_token`, `expires_in`
(5,400 s) and `created_at`; there is no refresh token, so renewal is a new request.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class TokenResponse(BaseModel):
    """The token endpoint's answer."""

    model_config = ConfigDict(extra="ignore")

    access_token: SecretStr = Field(min_length=1)
    token_type: str = "bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: float = Field(default=5400, gt=0)
    created_at: float | None = None


class CachedToken:
    """A token and the local time after which it is renewed instead of used."""

    def __init__(self, response: TokenResponse, *, obtained_at: float, renew_before_s: float):
        self.value = response.access_token
        lifetime = response.expires_in
        margin = min(renew_before_s, lifetime / 2)
        self.renew_at = obtained_at + lifetime - margin

    def usable(self, now: float) -> bool:
        return now < self.renew_at

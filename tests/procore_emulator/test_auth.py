"""Auth host and the checks every /rest call passes (API-NOTES A1)."""

from __future__ import annotations

from tests.procore_emulator.conftest import (
    CLIENT_ID,
    COMPANY_ID,
    HIDDEN_PROJECT_ID,
    PROJECT_ID,
    Procore,
)


def test_client_credentials_token_has_documented_shape(procore: Procore) -> None:
    response = procore.http.post(
        f"{procore.base}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": "local-procore-secret",
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 5400
    assert isinstance(body["created_at"], int)
    assert len(body["access_token"]) > 20


def test_wrong_secret_and_grant_are_refused(procore: Procore) -> None:
    wrong = procore.http.post(
        f"{procore.base}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "nope"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    grant = procore.http.post(f"{procore.base}/oauth/token", data={"grant_type": "password"})
    assert grant.status_code == 400
    assert grant.json()["error"] == "unsupported_grant_type"


def test_missing_invalid_expired_and_revoked_tokens_get_401(procore: Procore) -> None:
    url = f"{procore.base}/rest/v1.0/folders?project_id={PROJECT_ID}"
    missing = procore.http.get(url, headers={"Procore-Company-Id": str(COMPANY_ID)})
    assert missing.status_code == 401
    assert missing.json()["reason"] == "unauthorized"
    assert "invalid_token" in missing.headers["www-authenticate"]
    bogus = procore.http.get(
        url, headers={"Authorization": "Bearer bogus", "Procore-Company-Id": str(COMPANY_ID)}
    )
    assert bogus.status_code == 401

    assert procore.get(f"/v1.0/folders?project_id={PROJECT_ID}").status_code == 200
    assert procore.control("POST", "/tokens/expire").json()["expired"] >= 1
    expired = procore.get(f"/v1.0/folders?project_id={PROJECT_ID}")
    assert expired.status_code == 401
    assert expired.json()["message"] == "The access token expired"

    procore.token = procore.new_token()
    info = procore.http.get(f"{procore.base}/oauth/token/info", headers=procore.headers(None))
    assert info.status_code == 200
    assert info.json()["application"]["uid"] == CLIENT_ID
    assert 5300 < info.json()["expires_in_seconds"] <= 5400
    revoked = procore.http.post(f"{procore.base}/oauth/revoke", data={"token": procore.token})
    assert revoked.status_code == 200
    assert procore.get("/v1.0/me").status_code == 401
    unknown = procore.http.post(f"{procore.base}/oauth/revoke", data={"token": "never-issued"})
    assert unknown.status_code == 200


def test_token_lifetime_is_an_option(procore: Procore) -> None:
    procore.control("PATCH", "/config", json={"token_lifetime_s": 120})
    response = procore.http.post(
        f"{procore.base}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": "local-procore-secret",
        },
    )
    assert response.json()["expires_in"] == 120


def test_company_header_is_required_even_on_me(procore: Procore) -> None:
    response = procore.http.get(f"{procore.base}/rest/v1.0/me", headers=procore.headers(None))
    assert response.status_code == 400
    assert response.json() == {"errors": "Missing Procore-Company-Id header!"}
    assert procore.get("/v1.0/me").json()["name"] == "Sync Service Account"


def test_unknown_company_is_403(procore: Procore) -> None:
    response = procore.get("/v1.0/me", headers={"Procore-Company-Id": "999"})
    assert response.status_code == 403
    assert "not connected" in response.json()["errors"]


def test_permitted_projects_only(procore: Procore) -> None:
    listed = procore.get("/v1.0/projects", params={"company_id": COMPANY_ID})
    assert [p["id"] for p in listed.json()] == [PROJECT_ID]
    hidden = procore.get(f"/v1.0/folders?project_id={HIDDEN_PROJECT_ID}")
    assert hidden.status_code == 403
    assert hidden.json() == {"errors": "You do not have access to this project"}
    unknown = procore.get("/v1.0/folders?project_id=12345")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "Not Found"}
    missing = procore.get("/v1.0/folders")
    assert missing.status_code == 400
    assert missing.json() == {"errors": "project_id is missing"}

"""The real msal obtains app-only tokens (secret and certificate); bad credentials fail like AAD."""

from __future__ import annotations

import datetime as dt

import httpx
import msal
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .conftest import CLIENT, DRIVE, SCOPE, TENANT, Emulator, error_of


def make_certificate() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sync app")])
    moment = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(minutes=1))
        .not_valid_after(moment + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def cert_app(
    emulator: Emulator, client_id: str, key_pem: str, cert_pem: str
) -> msal.ClientApplication:
    return msal.ConfidentialClientApplication(
        client_id,
        authority=emulator.authority,
        client_credential={"private_key": key_pem, "public_certificate": cert_pem},
        http_client=emulator.session(),
        instance_discovery=False,
    )


def test_msal_secret_token_reaches_graph(emulator: Emulator, graph: httpx.Client) -> None:
    response = graph.get(f"/drives/{DRIVE}")
    assert response.status_code == 200
    assert response.json()["driveType"] == "documentLibrary"


def test_wrong_secret_is_invalid_client_aadsts7000215(
    emulator: Emulator, control: httpx.Client
) -> None:
    app = msal.ConfidentialClientApplication(
        CLIENT,
        authority=emulator.authority,
        client_credential="not-the-secret",
        http_client=emulator.session(),
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=SCOPE)
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS7000215")


def test_certificate_credential_signed_assertion(emulator: Emulator, control: httpx.Client) -> None:
    key_pem, cert_pem = make_certificate()
    client_id = "00000000-0000-0000-0000-0000000000c1"
    registered = control.post(
        "/apps", json={"tenant_id": TENANT, "client_id": client_id, "certificate_pem": cert_pem}
    )
    assert registered.status_code == 201
    result = cert_app(emulator, client_id, key_pem, cert_pem).acquire_token_for_client(scopes=SCOPE)
    assert result.get("token_type") == "Bearer", result
    token = result["access_token"]
    response = httpx.get(
        f"{emulator.base_url}/v1.0/drives/{DRIVE}",
        headers={"Authorization": f"Bearer {token}"},
        verify=emulator.tls,
    )
    assert response.status_code == 200


def test_assertion_signed_by_another_key_is_refused(
    emulator: Emulator, control: httpx.Client
) -> None:
    _, cert_pem = make_certificate()
    other_key, other_cert = make_certificate()
    client_id = "00000000-0000-0000-0000-0000000000c2"
    control.post(
        "/apps", json={"tenant_id": TENANT, "client_id": client_id, "certificate_pem": cert_pem}
    )
    result = cert_app(emulator, client_id, other_key, other_cert).acquire_token_for_client(
        scopes=SCOPE
    )
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS700027")


def test_missing_and_expired_tokens_are_401(
    emulator: Emulator, graph: httpx.Client, control: httpx.Client
) -> None:
    anonymous = httpx.get(f"{emulator.base_url}/v1.0/drives/{DRIVE}", verify=emulator.tls)
    assert anonymous.status_code == 401
    assert error_of(anonymous)[0] == "InvalidAuthenticationToken"
    assert graph.get(f"/drives/{DRIVE}").status_code == 200
    assert control.post("/tokens/expire").status_code == 200
    expired = graph.get(f"/drives/{DRIVE}")
    assert expired.status_code == 401
    assert error_of(expired)[0] == "InvalidAuthenticationToken"


def test_token_lifetime_is_configurable(emulator: Emulator, control: httpx.Client) -> None:
    control.post("/settings", json={"token_lifetime_s": 120})
    response = httpx.post(
        f"{emulator.authority}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT,
            "client_secret": "local-graph-secret",
            "scope": SCOPE[0],
        },
        verify=emulator.tls,
    )
    assert response.status_code == 200
    assert response.json()["expires_in"] == 120

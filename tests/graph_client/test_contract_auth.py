"""The real msal obtains app-only tokens from the emulator: with a secret, with a certificate,
from its cache; a refused credential is an `AuthError` that names msal's error, not the secret."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from shared.errors import AuthError
from shared.graph import GraphClient
from shared.graph.auth import GraphAuth
from tests.graph_client.conftest import Emulator

TENANT = "00000000-0000-0000-0000-000000000001"
DRIVE = "b!documents-construction"


def test_secret_token_is_cached_and_works_for_graph(emulator: Emulator) -> None:
    settings = emulator.settings()
    auth = GraphAuth(settings)
    first = auth.token()
    second = auth.token()
    assert first == second  # msal answered the second call from its cache
    with GraphClient(settings, auth=auth) as client:
        assert client.get_drive(DRIVE).name == "Documents"
    assert auth.token() == first


def test_wrong_secret_is_auth_error_without_the_secret(emulator: Emulator) -> None:
    wrong = "definitely-not-the-secret-42"
    with emulator.client(GRAPH_CLIENT_SECRET=wrong) as client, pytest.raises(AuthError) as caught:
        client.get_drive(DRIVE)
    message = str(caught.value)
    assert "invalid_client" in message
    assert "AADSTS7000215" in message
    assert wrong not in message
    assert caught.value.code == "invalid_client"


def _certificate(path: Path) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "procore-sharepoint-sync-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    path.write_text(key_pem + cert_pem)
    return cert_pem


def test_certificate_credential_obtains_a_token(emulator: Emulator, tmp_path: Path) -> None:
    pem_path = tmp_path / "app.pem"
    cert_pem = _certificate(pem_path)
    der = x509.load_pem_x509_certificate(cert_pem.encode()).public_bytes(serialization.Encoding.DER)
    thumbprint = hashlib.sha1(der).hexdigest().upper()
    client_id = "00000000-0000-0000-0000-0000000000c1"
    emulator.post(
        "/apps", {"tenant_id": TENANT, "client_id": client_id, "certificate_pem": cert_pem}
    )
    overrides = {
        "GRAPH_CLIENT_ID": client_id,
        "GRAPH_CLIENT_SECRET": "",
        "GRAPH_CLIENT_CERT_PATH": str(pem_path),
        "GRAPH_CLIENT_CERT_THUMBPRINT": thumbprint,
    }
    with emulator.client(**overrides) as client:
        assert client.get_drive(DRIVE).id == DRIVE


def test_a_certificate_the_app_does_not_hold_is_refused(emulator: Emulator, tmp_path: Path) -> None:
    registered = _certificate(tmp_path / "registered.pem")
    other_path = tmp_path / "other.pem"
    other = _certificate(other_path)
    client_id = "00000000-0000-0000-0000-0000000000c2"
    emulator.post(
        "/apps", {"tenant_id": TENANT, "client_id": client_id, "certificate_pem": registered}
    )
    der = x509.load_pem_x509_certificate(other.encode()).public_bytes(serialization.Encoding.DER)
    overrides = {
        "GRAPH_CLIENT_ID": client_id,
        "GRAPH_CLIENT_SECRET": "",
        "GRAPH_CLIENT_CERT_PATH": str(other_path),
        "GRAPH_CLIENT_CERT_THUMBPRINT": hashlib.sha1(der).hexdigest().upper(),
    }
    with emulator.client(**overrides) as client, pytest.raises(AuthError) as caught:
        client.get_drive(DRIVE)
    assert "invalid_client" in str(caught.value)


def test_a_token_refused_before_its_expiry_is_replaced_once(emulator: Emulator) -> None:
    settings = emulator.settings()
    auth = GraphAuth(settings)
    with GraphClient(settings, auth=auth) as client:
        client.get_drive(DRIVE)
        old = auth.token()
        emulator.post("/tokens/expire")
        assert client.get_drive(DRIVE).id == DRIVE
        assert auth.token() != old

"""One Graph emulator per session (HTTPS, demo seed); each test starts from a reset."""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import msal
import pytest
import requests

from devhost.services import Services

TENANT = "00000000-0000-0000-0000-000000000001"
CLIENT = "00000000-0000-0000-0000-000000000002"
SECRET = "local-graph-secret"
DRIVE = "b!documents-construction"
SCOPE = ["https://graph.microsoft.com/.default"]


@dataclass
class Emulator:
    base_url: str
    ca_file: str

    @property
    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    @property
    def authority(self) -> str:
        return f"{self.base_url}/{TENANT}"

    def session(self) -> requests.Session:
        """A requests session for msal that trusts the emulator's certificate.

        trust_env=False: REQUESTS_CA_BUNDLE in the environment would override `verify`.
        """
        session = requests.Session()
        session.verify = self.ca_file
        session.trust_env = False
        return session

    def token(self, secret: str = SECRET) -> str:
        app = msal.ConfidentialClientApplication(
            CLIENT,
            authority=self.authority,
            client_credential=secret,
            http_client=self.session(),
            instance_discovery=False,
        )
        result = app.acquire_token_for_client(scopes=SCOPE)
        assert "access_token" in result, result
        return str(result["access_token"])


@pytest.fixture(scope="session")
def emulator(services: Services) -> Iterator[Emulator]:
    cert_dir = Path(tempfile.mkdtemp(prefix="graph-emulator-cert-"))
    ca_file = str(cert_dir / "graph-emulator-cert.pem")
    _, base_url = services.start_python_server(
        "graph-emulator",
        "emulators.graph",
        args=["--cert-dir", str(cert_dir), "--notify-delay-ms", "50", "--notify-retry-s", "0.2"],
        ready_path="/_emulator/health",
        scheme="https",
        verify=ca_file,
    )
    yield Emulator(base_url, ca_file)


@pytest.fixture
def control(emulator: Emulator) -> Iterator[httpx.Client]:
    """The control API, after a reset to the demo seed."""
    with httpx.Client(base_url=emulator.base_url + "/_emulator", verify=emulator.tls) as client:
        assert client.post("/reset", json={"seed": "demo"}).status_code == 200
        yield client


@pytest.fixture
def graph(emulator: Emulator, control: httpx.Client) -> Iterator[httpx.Client]:
    """A Graph v1.0 client with a token from the real msal."""
    token = emulator.token()
    with httpx.Client(
        base_url=emulator.base_url + "/v1.0",
        verify=emulator.tls,
        headers={"Authorization": f"Bearer {token}"},
        follow_redirects=False,
    ) as client:
        yield client


@pytest.fixture
def anonymous(emulator: Emulator) -> Iterator[httpx.Client]:
    """No auth: for upload and download URLs."""
    with httpx.Client(verify=emulator.tls) as client:
        yield client


def error_of(response: httpx.Response) -> tuple[str, str | None]:
    body = response.json()["error"]
    assert {"code", "message", "innerError"} <= set(body)
    assert {"date", "request-id", "client-request-id"} <= set(body["innerError"])
    return body["code"], body["innerError"].get("code")

"""No secret value or account key appears in any template, parameter file or azure.yaml."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from shared.config import Settings
from tests.conftest import REPO_ROOT, example_settings
from tests.infra.secret_scan import AZURITE_ACCOUNT_KEY, secret_findings
from tests.infra.test_app_settings import is_secret


def deployment_files() -> list[Path]:
    files = [p for p in sorted((REPO_ROOT / "infra").rglob("*")) if p.is_file()]
    return [*files, REPO_ROOT / "azure.yaml"]


def example_secret_values() -> list[str]:
    """The values of every secret setting in local.settings.example.json."""
    values = example_settings()
    secrets = [
        values[field.alias]
        for field in Settings.model_fields.values()
        if is_secret(field.annotation) and field.alias and values.get(field.alias)
    ]
    return [*secrets, AZURITE_ACCOUNT_KEY]


def test_the_scan_covers_templates_parameters_and_azure_yaml() -> None:
    names = {p.relative_to(REPO_ROOT).as_posix() for p in deployment_files()}
    assert {"infra/main.bicep", "infra/main.parameters.json", "azure.yaml"} <= names
    assert len(example_secret_values()) >= 6


@pytest.mark.parametrize(
    "path", deployment_files(), ids=lambda p: p.relative_to(REPO_ROOT).as_posix()
)
def test_deployment_file_holds_no_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert secret_findings(text, example_secret_values()) == []


CLEAN = """\
param procoreClientId string
var secretsUri = '${keyVaultUri}secrets/'
var roles = { keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' }
PROCORE_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${secretsUri}procore-client-secret/)'
"""


@pytest.mark.parametrize(
    ("planted", "kind"),
    [
        ("value: 'DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc'", "account key"),
        ("value: storage.listKeys().keys[0].value", "key-reading function"),
        ("value: listConnectionStrings(db.id, '2021-04-15')", "key-reading function"),
        (f"key: '{AZURITE_ACCOUNT_KEY}'", "Azurite account key"),
        ("key: 'c2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5YWJjZGVm'", "key-sized base64"),
        ("PROCORE_CLIENT_SECRET: 'hunter2hunter2'", "literal secret"),
        ('"GRAPH_CLIENT_STATE": "plain-client-state-value"', "literal secret"),
        ("param graphClientSecret string = 'pa55word!'", "secret parameter default"),
        ("url: 'https://x.blob.core.windows.net/c?sv=2022&sig=abc'", "SAS signature"),
        ("value: 'local-procore-secret'", "known secret value"),
    ],
)
def test_the_scan_finds_planted_secrets(planted: str, kind: str) -> None:
    known = example_secret_values()
    assert secret_findings(CLEAN, known) == []
    findings = secret_findings(CLEAN + planted + "\n", known)
    assert any(finding.endswith(kind) for finding in findings), findings
    assert all(finding.startswith("line 5:") for finding in findings), findings


def test_known_secret_values_are_real_example_values() -> None:
    values = example_settings()
    assert values["PROCORE_CLIENT_SECRET"] in example_secret_values()
    assert typing.cast(str, values["GRAPH_CLIENT_STATE"]) in example_secret_values()

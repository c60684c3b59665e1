"""The Bicep app settings and shared/config.py agree, in both directions.

Every setting the app reads is written by infra/modules/functionapp.bicep, except the documented
local-only ones; Bicep writes nothing the app does not read, except the documented settings the
Functions host reads. Secrets are Key Vault references; literal values mean what the model means.
"""

from __future__ import annotations

import json
import re
import typing

import pytest
from pydantic import SecretStr

from shared.config import Settings, setting_names
from tests.conftest import REPO_ROOT, example_settings
from tests.infra.bicep import BicepFile, literal_string, load, object_entries, text_of

LOCAL_ONLY_SETTINGS: dict[str, str] = {
    "AzureWebJobsStorage": "a connection string (Azurite's, with its account key); in Azure the "
    "identity-based AzureWebJobsStorage__* settings replace it and no account key exists",
    "GRAPH_CA_BUNDLE": "extra CAs for the local Graph emulator or a TLS-inspecting proxy; Azure "
    "trusts the public Microsoft endpoints already",
    "ADMIN_FUNCTION_KEY": "the function key devhost accepts; in Azure the Functions host keeps its "
    "own keys",
}
"""Settings the app reads that are deliberately absent from Azure, with the reason."""

HOST_ONLY_SETTINGS: dict[str, str] = {
    "AzureWebJobsStorage__credential": "tells the host to use the managed identity for storage",
    "AzureWebJobsStorage__blobServiceUri": "host storage endpoints, stated explicitly for the "
    "host and the scale controller",
    "AzureWebJobsStorage__queueServiceUri": "as above (queue triggers)",
    "AzureWebJobsStorage__tableServiceUri": "as above",
    "APPLICATIONINSIGHTS_CONNECTION_STRING": "where the host sends telemetry",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": "Entra ID ingestion with the managed identity "
    "(local auth is disabled on the component)",
}
"""Settings Bicep writes for the Functions host that the app itself does not read."""

LOCAL_HOST_SETTINGS = {"FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsFeatureFlags"}
"""Host settings in local.settings.example.json (Core Tools); Flex Consumption sets them itself."""

FLEX_DEPRECATED_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "ENABLE_ORYX_BUILD",
    "AzureWebJobsStorage",
}
"""Settings that must not appear in the Flex Consumption app (runtime and deployment come from
functionAppConfig; the storage connection string would carry an account key)."""

SETTINGS_VARIABLES = ("hostSettings", "appSettings", "syncDefaults")
KEY_VAULT_REFERENCE = re.compile(r"@Microsoft\.KeyVault\(SecretUri=\$\{secretsUri\}([a-z0-9-]+)/\)")


def function_app() -> BicepFile:
    return load("modules/functionapp.bicep")


def bicep_settings() -> dict[str, dict[str, typing.Any]]:
    """Variable name → {setting name → value node} for the variables that make the settings."""
    app = function_app()
    return {name: object_entries(app.variable(name)) for name in SETTINGS_VARIABLES}


def all_bicep_settings() -> dict[str, typing.Any]:
    merged: dict[str, typing.Any] = {}
    for entries in bicep_settings().values():
        overlap = set(merged) & set(entries)
        assert not overlap, f"set twice: {sorted(overlap)}"
        merged.update(entries)
    return merged


def field_by_alias() -> dict[str, typing.Any]:
    return {field.alias: (name, field) for name, field in Settings.model_fields.items()}


def is_secret(annotation: typing.Any) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def test_the_settings_resource_writes_exactly_those_variables() -> None:
    properties = function_app().resource_body("settings")["properties"]
    assert text_of(properties) == f"union({', '.join(SETTINGS_VARIABLES)}, syncTuning)"


def test_every_setting_the_app_reads_is_set_in_bicep() -> None:
    missing = set(setting_names()) - set(LOCAL_ONLY_SETTINGS) - set(all_bicep_settings())
    assert not missing, f"add to infra/modules/functionapp.bicep: {sorted(missing)}"


def test_bicep_sets_nothing_the_app_does_not_read() -> None:
    unread = set(all_bicep_settings()) - set(setting_names()) - set(HOST_ONLY_SETTINGS)
    assert not unread, f"not read by shared/config.py: {sorted(unread)}"


def test_host_settings_are_exactly_the_documented_host_only_list() -> None:
    assert set(bicep_settings()["hostSettings"]) == set(HOST_ONLY_SETTINGS)


def test_local_only_and_flex_deprecated_settings_are_not_in_bicep() -> None:
    present = set(all_bicep_settings()) & (set(LOCAL_ONLY_SETTINGS) | FLEX_DEPRECATED_SETTINGS)
    assert not present


def test_allow_lists_name_real_settings() -> None:
    assert set(LOCAL_ONLY_SETTINGS) <= set(setting_names())
    assert not set(HOST_ONLY_SETTINGS) & set(setting_names())


def test_every_setting_is_in_local_settings_example() -> None:
    values = json.loads((REPO_ROOT / "local.settings.example.json").read_text())["Values"]
    assert set(setting_names()) <= set(values)
    assert set(values) - set(setting_names()) <= LOCAL_HOST_SETTINGS


def test_secrets_are_key_vault_references() -> None:
    fields = field_by_alias()
    settings = all_bicep_settings()
    secret_names: list[str] = []
    for alias, (_, field) in fields.items():
        if not is_secret(field.annotation) or alias in LOCAL_ONLY_SETTINGS:
            continue
        references = KEY_VAULT_REFERENCE.findall(text_of(settings[alias]))
        assert len(references) == 1, f"{alias} must be a Key Vault reference"
        secret_names.extend(references)
    assert len(secret_names) == len(set(secret_names)) >= 4
    assert text_of(function_app().variable("secretsUri")) == "'${keyVaultUri}secrets/'"


def test_the_guide_sets_every_key_vault_secret() -> None:
    guide = (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    in_bicep = set(KEY_VAULT_REFERENCE.findall(function_app().source))
    in_guide = set(re.findall(r"az keyvault secret set [^\n]*--name ([a-z0-9-]+)", guide))
    assert in_bicep
    assert in_bicep == in_guide


def settings_with(overrides: dict[str, str]) -> Settings:
    values: dict[str, typing.Any] = {**example_settings(), **overrides}
    return Settings(**values)


def test_tunables_are_at_the_model_defaults() -> None:
    fields = field_by_alias()
    for alias, node in bicep_settings()["syncDefaults"].items():
        value = literal_string(node)
        assert value is not None, f"{alias}: a tunable default must be a plain string"
        name, field = fields[alias]
        assert getattr(settings_with({alias: value}), name) == field.default, alias


@pytest.mark.parametrize("variable", ["appSettings", "hostSettings"])
def test_literal_values_mean_the_model_defaults(variable: str) -> None:
    fields = field_by_alias()
    checked = 0
    for alias, node in bicep_settings()[variable].items():
        value = literal_string(node)
        if value is None or alias not in fields:
            continue
        name, field = fields[alias]
        assert not field.is_required(), f"{alias} is required: set it from a parameter"
        assert getattr(settings_with({alias: value}), name) == field.default, alias
        checked += 1
    assert checked >= (4 if variable == "appSettings" else 0)


def test_tuning_overrides_in_the_parameter_file_are_tunables() -> None:
    parameters = json.loads((REPO_ROOT / "infra" / "main.parameters.json").read_text())
    tuning = parameters["parameters"].get("syncTuning", {}).get("value", {})
    assert set(tuning) <= set(bicep_settings()["syncDefaults"])

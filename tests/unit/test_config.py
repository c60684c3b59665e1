"""The settings model: one clear error naming every bad setting; the example file in step."""

from __future__ import annotations

import json

import pytest

from shared.config import ConfigError, Settings, load_settings, setting_names
from tests.conftest import REPO_ROOT, example_settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def set_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def test_example_file_lists_exactly_the_settings_the_model_reads() -> None:
    values = json.loads((REPO_ROOT / "local.settings.example.json").read_text())["Values"]
    host_only = {"FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsFeatureFlags"}
    assert set(values) - host_only == set(setting_names())


def test_example_values_are_a_working_configuration(clean_env: pytest.MonkeyPatch) -> None:
    set_env(clean_env, example_settings())
    settings = load_settings()
    assert settings.procore_client_id == "local-procore-client"
    assert settings.notify_admin_recipients == ["it-admin@contoso.example"]
    assert settings.graph_upload_chunk_bytes % (320 * 1024) == 0


def test_missing_settings_are_all_named_in_one_message(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    for name in (
        "PROCORE_CLIENT_ID",
        "PROCORE_CLIENT_SECRET",
        "GRAPH_TENANT_ID",
        "GRAPH_CLIENT_ID",
        "NOTIFY_SENDER",
        "PUBLIC_BASE_URL",
    ):
        assert f"{name}: required but not set" in message


def test_invalid_values_name_the_setting_and_the_expectation(
    clean_env: pytest.MonkeyPatch,
) -> None:
    values = example_settings()
    values.update(
        PROCORE_PER_PAGE="lots",
        GRAPH_UPLOAD_CHUNK_BYTES="1000000",
        NOTIFY_SENDER="not-an-address",
        QUIET_PERIOD_S="-1",
    )
    set_env(clean_env, values)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    lines = str(caught.value).splitlines()
    assert any(line.startswith("  - PROCORE_PER_PAGE:") and "integer" in line for line in lines)
    assert any(
        line.startswith("  - GRAPH_UPLOAD_CHUNK_BYTES:") and "multiple of 327680" in line
        for line in lines
    )
    assert any(line.startswith("  - NOTIFY_SENDER:") for line in lines)
    assert any(line.startswith("  - QUIET_PERIOD_S:") and "0" in line for line in lines)


def test_secrets_never_appear_in_errors_or_repr(clean_env: pytest.MonkeyPatch) -> None:
    values = example_settings()
    values["PROCORE_PER_PAGE"] = "0"
    set_env(clean_env, values)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "local-procore-secret" not in str(caught.value)
    values["PROCORE_PER_PAGE"] = "100"
    set_env(clean_env, values)
    settings = load_settings()
    assert "local-procore-secret" not in repr(settings)
    assert "local-graph-secret" not in str(settings)


def test_storage_needs_a_connection_string_or_an_account(clean_env: pytest.MonkeyPatch) -> None:
    values = example_settings()
    del values["AzureWebJobsStorage"]
    values["AzureWebJobsStorage__accountName"] = ""
    set_env(clean_env, values)
    with pytest.raises(ConfigError, match="AzureWebJobsStorage__accountName"):
        load_settings()
    clean_env.setenv("AzureWebJobsStorage__accountName", "stsync")
    assert load_settings().storage_account_name == "stsync"


def test_graph_needs_a_secret_or_a_certificate(clean_env: pytest.MonkeyPatch) -> None:
    values = example_settings()
    values["GRAPH_CLIENT_SECRET"] = ""
    set_env(clean_env, values)
    with pytest.raises(ConfigError, match="GRAPH_CLIENT_CERT_PATH"):
        load_settings()
    clean_env.setenv("GRAPH_CLIENT_CERT_PATH", "/certs/app.pem")
    clean_env.setenv("GRAPH_CLIENT_CERT_THUMBPRINT", "AB" * 20)
    assert load_settings().graph_client_cert_path == "/certs/app.pem"


def test_recipient_lists_accept_json_or_commas(clean_env: pytest.MonkeyPatch) -> None:
    set_env(clean_env, example_settings())
    clean_env.setenv("NOTIFY_ADMIN_RECIPIENTS", "a@contoso.example, b@contoso.example")
    assert load_settings().notify_admin_recipients == ["a@contoso.example", "b@contoso.example"]


def test_table_names_carry_the_prefix(clean_env: pytest.MonkeyPatch) -> None:
    set_env(clean_env, example_settings())
    clean_env.setenv("TABLE_PREFIX", "t123")
    assert load_settings().table_name("Items") == "t123Items"
    clean_env.setenv("TABLE_PREFIX", "bad-prefix")
    with pytest.raises(ConfigError, match="TABLE_PREFIX"):
        load_settings()


def test_every_setting_has_an_upper_snake_or_host_alias() -> None:
    for name, field in Settings.model_fields.items():
        assert field.alias, name


def test_unresolved_key_vault_references_are_refused_by_name(
    clean_env: pytest.MonkeyPatch,
) -> None:
    set_env(clean_env, example_settings())
    clean_env.setenv(
        "PROCORE_CLIENT_SECRET",
        "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/procore-client-secret/)",
    )
    with pytest.raises(
        ConfigError, match=r"Key Vault reference not resolved.*PROCORE_CLIENT_SECRET"
    ):
        load_settings()

"""Every setting the app reads, in one pydantic-settings model.

Settings come from the environment (Azure app settings, `local.settings.json` under the Core
Tools, or devhost). Invalid or missing settings raise `ConfigError`, whose message names every
bad setting and what it expects, so a misconfigured deployment says everything at once.

Queue names are not settings: trigger bindings need them at import time, so they are constants in
`shared/queues.py`. Table names are settings (a prefix lets several installations, or test runs,
share one storage account).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    EmailStr,
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

STORAGE_CONNECTION_SETTING = "AzureWebJobsStorage"
"""The connection name every queue trigger uses (and the host's own storage)."""


class ConfigError(Exception):
    """The settings are missing or invalid; the message lists every problem."""


class Settings(BaseSettings):
    """The app's settings. Field aliases are the app-setting names (upper snake case)."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        extra="ignore",
        populate_by_name=False,
        frozen=True,
    )

    # --- Storage (Tables and Queues) -------------------------------------------------------
    storage_connection_string: SecretStr | None = Field(
        default=None,
        alias="AzureWebJobsStorage",
        description="Storage connection string (Azurite locally). Leave empty in Azure, where the "
        "identity-based AzureWebJobsStorage__accountName is used.",
    )
    storage_account_name: str | None = Field(
        default=None,
        alias="AzureWebJobsStorage__accountName",
        description="Storage account name for identity-based access (Azure).",
    )
    storage_client_id: str | None = Field(
        default=None,
        alias="AzureWebJobsStorage__clientId",
        description="Client id of the user-assigned managed identity used for storage.",
    )
    table_prefix: str = Field(
        default="",
        alias="TABLE_PREFIX",
        pattern=r"^([A-Za-z][A-Za-z0-9]{0,29})?$",
        description="Prefix for every table name (letters and digits, starting with a letter).",
    )

    # --- Procore ---------------------------------------------------------------------------
    procore_auth_url: HttpUrl = Field(
        default=HttpUrl("https://login.procore.com"), alias="PROCORE_AUTH_URL"
    )
    procore_api_url: HttpUrl = Field(
        default=HttpUrl("https://api.procore.com"), alias="PROCORE_API_URL"
    )
    procore_client_id: str = Field(alias="PROCORE_CLIENT_ID", min_length=1)
    procore_client_secret: SecretStr = Field(alias="PROCORE_CLIENT_SECRET", min_length=1)
    procore_per_page: int = Field(
        default=100,
        alias="PROCORE_PER_PAGE",
        ge=1,
        le=2000,
        description="Page size for list calls. Procore's v1 default and maximum page sizes are "
        "undocumented (API-NOTES A3 [U]); 2,000 is the recommended ceiling.",
    )
    procore_rate_reserve: int = Field(
        default=5,
        alias="PROCORE_RATE_RESERVE",
        ge=0,
        description="Requests kept in reserve in each rate-limit window before the client paces.",
    )
    procore_timeout_s: float = Field(default=60.0, alias="PROCORE_TIMEOUT_S", gt=0)
    procore_upload_part_bytes: int = Field(
        default=8 * 1024 * 1024,
        alias="PROCORE_UPLOAD_PART_BYTES",
        gt=5 * 1024 * 1024,
        le=100 * 1024 * 1024,
        description="Part size for segmented uploads (must exceed 5 MiB, at most 100 MiB).",
    )
    procore_pace_max_wait_s: float = Field(
        default=10.0,
        alias="PROCORE_PACE_MAX_WAIT_S",
        ge=0,
        description="Longest wait for a rate-limit window the client absorbs itself (enough for "
        "the 10-second spike window); a longer one raises Throttled for the caller to re-enqueue.",
    )
    procore_get_retries: int = Field(
        default=2,
        alias="PROCORE_GET_RETRIES",
        ge=0,
        le=5,
        description="Immediate retries of a GET after a 5xx, timeout or dropped connection.",
    )
    procore_token_renew_before_s: float = Field(
        default=300.0,
        alias="PROCORE_TOKEN_RENEW_BEFORE_S",
        ge=0,
        description="A cached access token is renewed this long before it expires.",
    )
    procore_user_agent: str = Field(
        default="ProcoreSharePointSync/0.1", alias="PROCORE_USER_AGENT", min_length=1
    )
    procore_direct_upload_max_bytes: int = Field(
        default=8 * 1024 * 1024,
        alias="PROCORE_DIRECT_UPLOAD_MAX_BYTES",
        ge=0,
        description="Files up to this size go up in one multipart POST; larger ones through the "
        "uploads endpoints in parts.",
    )
    procore_upload_flow: str = Field(
        default="v1.1",
        alias="PROCORE_UPLOAD_FLOW",
        pattern=r"^(v1\.1|v2\.1)$",
        description="Segmented upload flow: v1.1 (uploads + file[upload_uuid]) or v2.1 (unified "
        "uploads). Whether /rest/v1.0/files accepts a v2.1 upload_id is unconfirmed "
        "(API-NOTES A6 [U]).",
    )
    procore_webhook_secret: SecretStr = Field(
        alias="PROCORE_WEBHOOK_SECRET",
        min_length=16,
        description="Per-installation secret sent by Procore in destination_headers.",
    )
    procore_webhook_namespace: str = Field(
        default="procore-sharepoint-sync",
        alias="PROCORE_WEBHOOK_NAMESPACE",
        pattern=r"^[a-z0-9-]{1,100}$",
        description="Namespace of the app's Procore hooks (a-z0-9-, one per app; API-NOTES A9).",
    )
    webhook_event_keep_h: int = Field(
        default=24,
        alias="WEBHOOK_EVENT_KEEP_H",
        ge=13,
        le=720,
        description="Hours a Procore event's ulid is remembered to drop redeliveries (Procore "
        "retries for up to 12 h, API-NOTES A9).",
    )

    # --- Microsoft Graph -------------------------------------------------------------------
    graph_authority_host: HttpUrl = Field(
        default=HttpUrl("https://login.microsoftonline.com"), alias="GRAPH_AUTHORITY_HOST"
    )
    graph_api_url: HttpUrl = Field(
        default=HttpUrl("https://graph.microsoft.com/v1.0"), alias="GRAPH_API_URL"
    )
    graph_scope: str = Field(
        default="https://graph.microsoft.com/.default", alias="GRAPH_SCOPE", min_length=1
    )
    graph_tenant_id: str = Field(alias="GRAPH_TENANT_ID", min_length=1)
    graph_client_id: str = Field(alias="GRAPH_CLIENT_ID", min_length=1)
    graph_client_secret: SecretStr | None = Field(default=None, alias="GRAPH_CLIENT_SECRET")
    graph_client_cert_path: str | None = Field(
        default=None,
        alias="GRAPH_CLIENT_CERT_PATH",
        description="PEM file holding the private key and certificate (instead of a secret).",
    )
    graph_client_cert_thumbprint: str | None = Field(
        default=None, alias="GRAPH_CLIENT_CERT_THUMBPRINT"
    )
    graph_ca_bundle: str | None = Field(
        default=None,
        alias="GRAPH_CA_BUNDLE",
        description="PEM bundle used INSTEAD of the system CAs for the identity and Graph hosts "
        "(a TLS-inspecting proxy: include every CA needed; or the local Graph emulator's "
        "self-signed certificate).",
    )
    graph_user_agent: str = Field(
        default="NONISV|ProcoreSharePointSync|ProcoreSharePointSync/0.1",
        alias="GRAPH_USER_AGENT",
        description="Decorated User-Agent (API-NOTES B5): undecorated traffic is deprioritised.",
    )
    graph_timeout_s: float = Field(default=60.0, alias="GRAPH_TIMEOUT_S", gt=0)
    graph_simple_upload_max_bytes: int = Field(
        default=4 * 1024 * 1024,
        alias="GRAPH_SIMPLE_UPLOAD_MAX_BYTES",
        gt=0,
        description="Files up to this size go in one PUT; larger ones use an upload session.",
    )
    graph_upload_chunk_bytes: int = Field(
        default=10 * 1024 * 1024,
        alias="GRAPH_UPLOAD_CHUNK_BYTES",
        gt=0,
        lt=60 * 1024 * 1024,
        multiple_of=320 * 1024,
        description="Upload-session chunk: a multiple of 320 KiB, under 60 MiB.",
    )
    graph_client_state: SecretStr = Field(
        alias="GRAPH_CLIENT_STATE",
        min_length=16,
        max_length=128,
        description="clientState secret carried by every change notification (<= 128 chars).",
    )
    graph_subscription_minutes: int = Field(
        default=42300,
        alias="GRAPH_SUBSCRIPTION_MINUTES",
        ge=60,
        le=42300,
        description="Lifetime asked for a drive's change-notification subscription (driveItem "
        "maximum 42,300 minutes, API-NOTES B4).",
    )

    # --- Public endpoints of this app (webhook receivers) ---------------------------------
    public_base_url: HttpUrl = Field(
        alias="PUBLIC_BASE_URL",
        description="Base URL at which Procore and Graph reach this app's webhook receivers.",
    )

    # --- Notifications ---------------------------------------------------------------------
    notify_sender: EmailStr = Field(
        alias="NOTIFY_SENDER", description="Mailbox that sends notifications (Graph sendMail)."
    )
    notify_admin_recipients: Annotated[list[EmailStr], NoDecode] = Field(
        default_factory=list,
        alias="NOTIFY_ADMIN_RECIPIENTS",
        description="Addresses told about every project (besides its own): a JSON list or "
        "comma-separated.",
    )

    # --- Sync behaviour --------------------------------------------------------------------
    quiet_period_s: int = Field(
        default=60,
        alias="QUIET_PERIOD_S",
        ge=0,
        description="A SharePoint file changed more recently than this is not yet taken.",
    )
    delete_limit_per_day: int = Field(
        default=50,
        alias="DELETE_LIMIT_PER_DAY",
        ge=0,
        description="Default per-project limit of deletes carried across in 24 hours.",
    )
    delete_share_stop: float = Field(
        default=0.5,
        alias="DELETE_SHARE_STOP",
        gt=0,
        le=1,
        description="Safety stop: a pass that would delete more than this share of a project "
        "writes nothing.",
    )
    procore_poll_interval_s: int = Field(default=300, alias="PROCORE_POLL_INTERVAL_S", ge=30)
    procore_poll_overlap_s: int = Field(default=120, alias="PROCORE_POLL_OVERLAP_S", ge=0)
    graph_delta_interval_s: int = Field(default=300, alias="GRAPH_DELTA_INTERVAL_S", ge=30)
    subscription_renew_before_h: int = Field(
        default=72, alias="SUBSCRIPTION_RENEW_BEFORE_H", ge=1, le=600
    )
    transfer_batch_size: int = Field(default=20, alias="TRANSFER_BATCH_SIZE", ge=1, le=200)
    max_file_bytes: int = Field(
        default=250 * 1024**3,
        alias="MAX_FILE_BYTES",
        gt=0,
        description="Files larger than this are skipped with a reason (SharePoint: 250 GB).",
    )
    # --- One-way export of the other tools (shared/export) --------------------------------
    export_page_size: int = Field(
        default=100,
        alias="EXPORT_PAGE_SIZE",
        ge=1,
        le=1000,
        description="Items per list page of a tool's export; each page is one unit of work.",
    )
    export_keep_superseded_drawings: bool = Field(
        default=False,
        alias="EXPORT_KEEP_SUPERSEDED_DRAWINGS",
        description="Keep a drawing's superseded revision PDFs beside the current one (false: "
        "the current revision replaces them, the old content kept as a prior version).",
    )
    export_deleted_items: str = Field(
        default="recycle",
        alias="EXPORT_DELETED_ITEMS",
        pattern=r"^(recycle|keep)$",
        description="A tool item deleted in Procore: its exported files go to the recycle bin "
        "(recycle) or stay (keep).",
    )
    export_full_list_interval_s: int = Field(
        default=3600,
        alias="EXPORT_FULL_LIST_INTERVAL_S",
        ge=0,
        description="A tool's export lists every item (not only changed ones) at most this "
        "often, to find deleted items (lists filtered by updated_at do not show deletes).",
    )
    export_poll_min_interval_s: int = Field(
        default=300,
        alias="EXPORT_POLL_MIN_INTERVAL_S",
        ge=0,
        description="A safety-net poll skips a tool whose export listed it more recently than "
        "this (webhook-prompted exports always run).",
    )
    admin_function_key: SecretStr | None = Field(
        default=None,
        alias="ADMIN_FUNCTION_KEY",
        description="Function key devhost accepts for function-level routes (the Functions host "
        "manages its own keys in Azure).",
    )
    log_level: str = Field(
        default="INFO",
        alias="LOG_LEVEL",
        pattern=r"^(DEBUG|INFO|WARNING|ERROR)$",
    )

    @field_validator("notify_admin_recipients", mode="before")
    @classmethod
    def _address_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @model_validator(mode="before")
    @classmethod
    def _no_unresolved_key_vault_references(cls, values: Any) -> Any:
        """An App Service Key Vault reference that failed to resolve reaches the app as its
        literal text; refuse it by name rather than run with it as a secret."""
        if isinstance(values, dict):
            bad = sorted(
                name
                for name, value in values.items()
                if isinstance(value, str) and value.strip().startswith("@Microsoft.KeyVault(")
            )
            if bad:
                raise ValueError(
                    "Key Vault reference not resolved (check the app's identity has the "
                    "Key Vault Secrets User role and the secret exists): " + ", ".join(bad)
                )
        return values

    @model_validator(mode="after")
    def _one_storage_route(self) -> Settings:
        if not self.storage_connection_string and not self.storage_account_name:
            raise ValueError(
                "storage: set AzureWebJobsStorage (a connection string) or "
                "AzureWebJobsStorage__accountName (identity-based access)"
            )
        return self

    @model_validator(mode="after")
    def _one_graph_credential(self) -> Settings:
        has_secret = self.graph_client_secret is not None and bool(
            self.graph_client_secret.get_secret_value()
        )
        has_cert = bool(self.graph_client_cert_path and self.graph_client_cert_thumbprint)
        if not has_secret and not has_cert:
            raise ValueError(
                "graph credential: set GRAPH_CLIENT_SECRET, or both GRAPH_CLIENT_CERT_PATH and "
                "GRAPH_CLIENT_CERT_THUMBPRINT"
            )
        return self

    def table_name(self, base: str) -> str:
        """The full name of one of the app's tables (`Projects`, `Items`, ...)."""
        return f"{self.table_prefix}{base}"


def setting_names() -> list[str]:
    """Every app-setting name the model reads (for the settings checks in the test suite)."""
    names: list[str] = []
    for field in Settings.model_fields.values():
        alias = field.alias
        if isinstance(field.validation_alias, AliasChoices):
            raise TypeError("settings use a single alias each")
        assert alias is not None
        names.append(alias)
    return names


def _describe(error: Any) -> str:
    loc = error.get("loc") or ()
    name = str(loc[0]) if loc else "settings"
    if error.get("type") == "missing":
        return f"{name}: required but not set"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{name}: {message}" if loc else message


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; raise `ConfigError` naming every bad one."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "\n".join(f"  - {_describe(e)}" for e in exc.errors())
        raise ConfigError(f"invalid app settings:\n{problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()

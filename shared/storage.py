"""Clients for the app's storage account (Tables and Queues), built from the settings.

Locally (Azurite) a connection string is used; in Azure the identity-based
`AzureWebJobsStorage__accountName` (+ `__clientId` for a user-assigned identity) is used, with no
account key anywhere.
"""

from __future__ import annotations

from typing import Any

from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueServiceClient

from shared.config import Settings


def _credential(settings: Settings) -> Any:
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    if settings.storage_client_id:
        return ManagedIdentityCredential(client_id=settings.storage_client_id)
    return DefaultAzureCredential()


def table_service(settings: Settings) -> TableServiceClient:
    """The Table service of the app's storage account."""
    if settings.storage_connection_string:
        return TableServiceClient.from_connection_string(
            settings.storage_connection_string.get_secret_value()
        )
    account = settings.storage_account_name
    return TableServiceClient(
        endpoint=f"https://{account}.table.core.windows.net", credential=_credential(settings)
    )


def queue_service(settings: Settings) -> QueueServiceClient:
    """The Queue service of the app's storage account."""
    if settings.storage_connection_string:
        return QueueServiceClient.from_connection_string(
            settings.storage_connection_string.get_secret_value()
        )
    account = settings.storage_account_name
    return QueueServiceClient(
        account_url=f"https://{account}.queue.core.windows.net", credential=_credential(settings)
    )

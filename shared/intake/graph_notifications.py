"""The body Graph POSTs to a notification URL (API-NOTES B4), and the drive a resource names.

Drive-root notifications carry no item id: only the subscription, its clientState and the
resource (`drives/{d}/root` or `sites/{s}/drives/{d}/root`); the receiver runs delta on them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class ChangeNotification(BaseModel):
    model_config = ConfigDict(
        extra="ignore", frozen=True, alias_generator=to_camel, populate_by_name=True
    )

    subscription_id: str = Field(min_length=1)
    client_state: str | None = None
    resource: str = ""
    change_type: str | None = None
    subscription_expiration_date_time: datetime | None = None
    tenant_id: str | None = None


class NotificationBatch(BaseModel):
    """Possibly several subscriptions' notifications in one POST."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    value: list[ChangeNotification] = Field(max_length=1000)


def drive_of(resource: str) -> str | None:
    """The drive id in a drive-root resource, or None for anything else."""
    parts = [part for part in resource.strip("/").split("/") if part]
    if len(parts) == 3 and parts[0].lower() == "drives" and parts[2].lower() == "root":
        return parts[1]
    if (
        len(parts) == 5
        and parts[0].lower() == "sites"
        and parts[2].lower() == "drives"
        and parts[4].lower() == "root"
    ):
        return parts[3]
    return None

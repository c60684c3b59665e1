"""One Graph change-notification subscription per drive (API-NOTES B4), however many projects
share the drive: created at connect, renewed before expiry, recreated when lost, deleted when
no watched project is left on the drive.

Graph caps a driveItem subscription at 42,300 minutes and deletes it silently when it runs out,
so the renewal timer PATCHes every subscription within SUBSCRIPTION_RENEW_BEFORE_H of its
expiry; a 404 on renewal means it is gone, and a new one is created. The Drives row records the
subscription and `client_state_ref` (the NAME of the setting holding the clientState, never the
value). Two connects racing on one drive may both create one; the row keeps the first recorded,
and the loser deletes its own.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.config import Settings
from shared.errors import NotFound
from shared.graph.models import Subscription
from shared.intake.routes import GRAPH_ROUTE, receiver_url
from shared.state.clock import Clock, utc_now
from shared.state.drives import Drive, DriveRepository

log = logging.getLogger("intake.subscriptions")

CLIENT_STATE_REF = "GRAPH_CLIENT_STATE"


class SubscriptionClient(Protocol):
    """What the keeper needs of `GraphClient`."""

    def create_subscription(
        self,
        drive_id: str,
        notification_url: str,
        *,
        expires_at: datetime | None = None,
        client_state: str | None = None,
    ) -> Subscription: ...

    def renew_subscription(
        self, subscription_id: str, expires_at: datetime | None = None
    ) -> Subscription: ...

    def delete_subscription(self, subscription_id: str) -> None: ...

    def list_subscriptions(self) -> list[Subscription]: ...


@dataclass
class SubscriptionKeeper:
    graph: SubscriptionClient
    drives: DriveRepository
    settings: Settings
    clock: Clock = utc_now

    def _expiry(self) -> datetime:
        return self.clock() + timedelta(minutes=self.settings.graph_subscription_minutes)

    def _fresh(self, drive: Drive, now: datetime) -> bool:
        renew_before = timedelta(hours=self.settings.subscription_renew_before_h)
        return (
            drive.subscription_id is not None
            and drive.subscription_expires_at is not None
            and drive.subscription_expires_at - now > renew_before
        )

    def forget_lost(self, drive_ids: list[str]) -> list[str]:
        """Drives whose recorded subscription Graph no longer has (deleted by someone, or
        expired unnoticed): their record is cleared so `ensure` makes a new one. Graph tells
        nothing when a drive subscription is removed (API-NOTES B4), so the list is asked."""
        live = {s.id for s in self.graph.list_subscriptions()}
        lost: list[str] = []
        for drive_id in drive_ids:
            drive = self.drives.find(drive_id)
            if drive is None or drive.subscription_id is None or drive.subscription_id in live:
                continue
            log.warning(
                "graph subscription gone; recreating",
                extra={"drive_id": drive_id, "subscription_id": drive.subscription_id},
            )
            self.drives.set_subscription(drive_id, None, None)
            lost.append(drive_id)
        return lost

    def ensure(self, drive_id: str) -> str:
        """The drive's live subscription id: kept, renewed or (re)created. Says which in logs."""
        drive = self.drives.ensure(drive_id)
        now = self.clock()
        if self._fresh(drive, now):
            return str(drive.subscription_id)
        if drive.subscription_id is not None:
            try:
                renewed = self.graph.renew_subscription(drive.subscription_id, self._expiry())
            except NotFound:
                log.warning(
                    "graph subscription lost; recreating",
                    extra={"drive_id": drive_id, "subscription_id": drive.subscription_id},
                )
            else:
                self.drives.set_subscription(
                    drive_id, renewed.id, renewed.expiration_date_time, CLIENT_STATE_REF
                )
                log.info(
                    "graph subscription renewed",
                    extra={
                        "drive_id": drive_id,
                        "subscription_id": renewed.id,
                        "expires_at": renewed.expiration_date_time.isoformat(),
                    },
                )
                return renewed.id
        return self._create(drive_id, replacing=drive.subscription_id)

    def _create(self, drive_id: str, replacing: str | None) -> str:
        created = self.graph.create_subscription(
            drive_id,
            receiver_url(self.settings, GRAPH_ROUTE),
            expires_at=self._expiry(),
            client_state=self.settings.graph_client_state.get_secret_value(),
        )
        now = self.clock()
        kept: list[str] = []

        def record(drive: Drive) -> Drive | None:
            kept.clear()
            other = drive.subscription_id
            if other not in (None, replacing) and self._fresh(drive, now):
                kept.append(str(other))
                return None
            kept.append(created.id)
            return drive.model_copy(
                update={
                    "subscription_id": created.id,
                    "subscription_expires_at": created.expiration_date_time,
                    "client_state_ref": CLIENT_STATE_REF,
                }
            )

        self.drives.modify(drive_id, record)
        if kept and kept[0] != created.id:
            log.info(
                "graph subscription made twice; the recorded one stays",
                extra={"drive_id": drive_id, "subscription_id": kept[0]},
            )
            self._delete(created.id)
            return kept[0]
        log.info(
            "graph subscription created",
            extra={
                "drive_id": drive_id,
                "subscription_id": created.id,
                "expires_at": created.expiration_date_time.isoformat(),
            },
        )
        return created.id

    def drop(self, drive: Drive) -> None:
        """Delete the drive's subscription (no watched project is left on it)."""
        if drive.subscription_id is None:
            return
        self._delete(drive.subscription_id)
        self.drives.set_subscription(drive.drive_id, None, None, None)
        log.info(
            "graph subscription deleted: no project left on the drive",
            extra={"drive_id": drive.drive_id, "subscription_id": drive.subscription_id},
        )

    def _delete(self, subscription_id: str) -> None:
        with contextlib.suppress(NotFound):
            self.graph.delete_subscription(subscription_id)

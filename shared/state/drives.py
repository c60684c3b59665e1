"""The Drives table: one row per SharePoint drive (partition `drive`, row = drive id).

One Graph delta cursor serves every project on a drive (DESIGN §5), so the delta link, the change
notification subscription and a lease live here. The lease lets only one delta pull run per
drive at a time: it is taken, renewed and released with ETag-conditional writes, and an expired
lease may be taken over by anyone. The delta link is stored only under the lease, in the same
conditional write that checks the caller still holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field

from shared.state.codec import Entity
from shared.state.errors import AlreadyExists, ConcurrencyConflict, EntityNotFound, LeaseLost
from shared.state.keys import encode_key
from shared.state.repository import DEFAULT_ATTEMPTS, Repository

PARTITION = "drive"


def drive_row(drive_id: str) -> str:
    return encode_key(drive_id)


class Drive(Entity):
    """A drive's delta cursor, subscription and lease."""

    drive_id: str
    delta_link: str | None = Field(default=None, description="Graph deltaLink (an opaque URL).")
    delta_link_at: datetime | None = None
    subscription_id: str | None = None
    subscription_expires_at: datetime | None = None
    client_state_ref: str | None = Field(
        default=None,
        description="Which clientState secret the subscription uses (a reference, never the "
        "secret itself).",
    )
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None

    def leased_to_other(self, owner: str, now: datetime) -> bool:
        return (
            self.lease_owner is not None
            and self.lease_owner != owner
            and self.lease_expires_at is not None
            and self.lease_expires_at > now
        )


@dataclass(frozen=True)
class Lease:
    """Proof that `owner` held the drive's lease until `expires_at`."""

    drive_id: str
    owner: str
    expires_at: datetime


class DriveRepository(Repository[Drive]):
    """Reads and writes the Drives table."""

    model = Drive

    def get(self, drive_id: str) -> Drive:
        return self._get(PARTITION, drive_row(drive_id))

    def find(self, drive_id: str) -> Drive | None:
        return self._find(PARTITION, drive_row(drive_id))

    def ensure(self, drive_id: str) -> Drive:
        """The drive's row, created empty if absent (idempotent)."""
        found = self.find(drive_id)
        if found is not None:
            return found
        try:
            return self._create(PARTITION, drive_row(drive_id), Drive(drive_id=drive_id))
        except AlreadyExists:
            return self.get(drive_id)

    def replace(self, drive: Drive) -> Drive:
        """Write the drive If-Match its ETag; `ConcurrencyConflict` if it changed meanwhile."""
        return self._replace(PARTITION, drive_row(drive.drive_id), drive)

    def modify(self, drive_id: str, change: Callable[[Drive], Drive | None]) -> Drive:
        """Read-modify-write with re-reads on lost races (`change` may run more than once)."""
        return self._modify(PARTITION, drive_row(drive_id), change)

    def set_subscription(
        self,
        drive_id: str,
        subscription_id: str | None,
        expires_at: datetime | None,
        client_state_ref: str | None = None,
    ) -> Drive:
        """Record the drive's change-notification subscription (None clears it)."""
        self.ensure(drive_id)
        return self.modify(
            drive_id,
            lambda drive: drive.model_copy(
                update={
                    "subscription_id": subscription_id,
                    "subscription_expires_at": expires_at,
                    "client_state_ref": client_state_ref,
                }
            ),
        )

    # --- the lease ------------------------------------------------------------------------------

    def acquire_lease(
        self, drive_id: str, owner: str, duration: timedelta, *, attempts: int = DEFAULT_ATTEMPTS
    ) -> Lease | None:
        """Take the drive's lease for `duration`; None if someone else holds an unexpired one.

        Re-acquiring a lease one already holds extends it. An expired lease is taken over.
        """
        if not owner:
            raise ValueError("a lease owner must be a non-empty string")
        for _ in range(attempts):
            current = self.find(drive_id)
            now = self.clock()
            expires_at = now + duration
            if current is None:
                fresh = Drive(drive_id=drive_id, lease_owner=owner, lease_expires_at=expires_at)
                try:
                    self._create(PARTITION, drive_row(drive_id), fresh)
                except AlreadyExists:
                    continue
                return Lease(drive_id, owner, expires_at)
            if current.leased_to_other(owner, now):
                return None
            try:
                self.replace(
                    current.model_copy(
                        update={"lease_owner": owner, "lease_expires_at": expires_at}
                    )
                )
            except (ConcurrencyConflict, EntityNotFound):
                continue
            return Lease(drive_id, owner, expires_at)
        return None

    def _held(self, lease: Lease, drive: Drive) -> Drive:
        if drive.lease_owner != lease.owner:
            raise LeaseLost(
                f"the lease of drive {lease.drive_id!r} is no longer held by {lease.owner!r}",
                table=self.table.name,
                partition_key=PARTITION,
                row_key=drive_row(lease.drive_id),
            )
        return drive

    def renew_lease(self, lease: Lease, duration: timedelta) -> Lease:
        """Extend a lease still held by its owner (even if expired, as long as nobody took it
        over); `LeaseLost` otherwise."""
        expires_at = self.clock() + duration
        try:
            self.modify(
                lease.drive_id,
                lambda drive: self._held(lease, drive).model_copy(
                    update={"lease_expires_at": expires_at}
                ),
            )
        except EntityNotFound as exc:
            raise LeaseLost(f"drive {lease.drive_id!r} is gone", table=self.table.name) from exc
        return Lease(lease.drive_id, lease.owner, expires_at)

    def release_lease(self, lease: Lease) -> None:
        """Give the lease up; nothing happens if it was already taken over."""
        try:
            self.modify(
                lease.drive_id,
                lambda drive: (
                    drive.model_copy(update={"lease_owner": None, "lease_expires_at": None})
                    if drive.lease_owner == lease.owner
                    else None
                ),
            )
        except EntityNotFound:
            return

    def store_delta_link(self, lease: Lease, delta_link: str) -> Drive:
        """Store the drive's delta link, only while `lease` is still held (`LeaseLost`
        otherwise). Call it after the changes up to this link are applied or queued."""
        now = self.clock()
        return self.modify(
            lease.drive_id,
            lambda drive: self._held(lease, drive).model_copy(
                update={"delta_link": delta_link, "delta_link_at": now}
            ),
        )

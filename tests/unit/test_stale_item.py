"""A delta item older than the base it would change is not news (shared.sync.records)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.graph.models import DriveItem
from shared.state.items import ItemBase, ItemKind
from shared.sync.records import stale_item

SYNCED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def base(modified: datetime | None) -> ItemBase:
    return ItemBase(
        project_key="1-2",
        kind=ItemKind.FILE,
        procore_id=7,
        sharepoint_id="01A",
        procore_name="PLAN.pdf",
        sharepoint_name="PLAN.pdf",
        path="PLAN.pdf",
        sharepoint_modified_at=modified,
        synced_at=SYNCED,
    )


def item(modified: datetime | None) -> DriveItem:
    return DriveItem(id="01A", name="plan.pdf", last_modified_date_time=modified)


def test_an_item_read_before_our_own_later_write_is_stale() -> None:
    assert stale_item(item(SYNCED - timedelta(seconds=1)), base(SYNCED))


def test_an_item_as_new_as_the_base_or_newer_is_news() -> None:
    assert not stale_item(item(SYNCED), base(SYNCED))
    assert not stale_item(item(SYNCED + timedelta(seconds=1)), base(SYNCED))


def test_without_times_or_base_nothing_is_stale() -> None:
    assert not stale_item(item(None), base(SYNCED))
    assert not stale_item(item(SYNCED), base(None))
    assert not stale_item(item(SYNCED), None)

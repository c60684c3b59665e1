"""Safety stops and the delete limit (DESIGN §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.sync.safety import DeleteBudget, ListingFacts, SafetyStop, limit_deletes, safety_stop

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OK = ListingFacts(side="SharePoint", base_files=10, listed_files=10, complete=True)


def test_a_normal_pass_goes_ahead() -> None:
    assert safety_stop([OK], deletes=2, tracked_items=10, max_delete_share=0.5) is None


def test_an_empty_listing_where_files_were_synced_stops_the_pass() -> None:
    empty = ListingFacts(side="Procore", base_files=10, listed_files=0, complete=True)
    stop = safety_stop([OK, empty], deletes=10, tracked_items=10, max_delete_share=1.0)
    assert stop == SafetyStop("the Procore listing came back empty where 10 files were synced")


def test_an_empty_listing_of_an_empty_project_is_fine() -> None:
    empty = ListingFacts(side="Procore", base_files=0, listed_files=0, complete=True)
    assert safety_stop([empty], deletes=0, tracked_items=0, max_delete_share=0.5) is None


def test_partial_listings_and_lost_folders_stop_the_pass() -> None:
    partial = ListingFacts(side="SharePoint", base_files=10, listed_files=4, complete=False)
    lost = ListingFacts(
        side="SharePoint", base_files=10, listed_files=0, complete=True, folder_resolves=False
    )
    assert "incomplete" in safety_stop([partial], 0, 10, 0.5).reason  # type: ignore[union-attr]
    assert "no longer resolves" in safety_stop([lost], 0, 10, 0.5).reason  # type: ignore[union-attr]


def test_deleting_too_large_a_share_at_once_stops_the_pass() -> None:
    stop = safety_stop([OK], deletes=6, tracked_items=10, max_delete_share=0.5)
    assert stop == SafetyStop("6 of 10 items would be deleted at once (more than 50%)")
    assert safety_stop([OK], deletes=5, tracked_items=10, max_delete_share=0.5) is None


def test_the_delete_limit_holds_back_the_rest_within_24_hours() -> None:
    recent = [NOW - timedelta(hours=1), NOW - timedelta(hours=23), NOW - timedelta(hours=25)]
    budget = DeleteBudget(limit=4, recent=recent)
    assert budget.remaining(NOW) == 2
    done, held = limit_deletes(["a", "b", "c", "d"], budget, NOW)
    assert (done, held) == (["a", "b"], ["c", "d"])
    assert limit_deletes(["a"], DeleteBudget(limit=0, recent=[]), NOW) == ([], ["a"])

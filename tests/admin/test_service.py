"""The admin service over a real state store (Azurite) with fake APIs and a recording queue:
given these projects, when the administrator calls this, then the tables and the queue hold
this."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from azure.core.exceptions import ServiceRequestError

from shared.admin import (
    AccessRefused,
    AccessUndecided,
    ProjectAdmin,
    ProjectConflict,
    StoreUnavailable,
    UnknownProject,
)
from shared.errors import PermissionDenied, Throttled
from shared.mapping import ConnectRequest
from shared.queues import SyncStart
from shared.state import StateStore
from shared.state.items import ItemBase, ItemKind
from shared.state.log import LogAction
from shared.state.pending import Area, HeldDelete, PendingChange
from shared.state.projects import Phase, ProjectCounters
from shared.sync.records import photos_key
from tests.admin.fakes import (
    COMPANY,
    DRIVE_ID,
    FORBIDDEN_PROJECT,
    HOST,
    LIBRARY,
    OTHER_PROJECT,
    PROJECT,
    SITE_ID,
    SITE_PATH,
    FakeProcore,
    FakeSharePoint,
    RecordingSender,
)
from tests.state.clock import MovableClock

KEY = f"{COMPANY}-{PROJECT}"
OTHER_KEY = f"{COMPANY}-{OTHER_PROJECT}"


def connect_request(
    project: int = PROJECT,
    folder: str = "Projects/Harbor View",
    site_path: str = SITE_PATH,
    **extra: Any,
) -> ConnectRequest:
    return ConnectRequest.model_validate(
        {
            "procore_company_id": COMPANY,
            "procore_project_id": project,
            "sharepoint": {
                "site_hostname": HOST,
                "site_path": site_path,
                "library": LIBRARY,
                "folder_path": folder,
            },
            **extra,
        }
    )


# --- connect ---------------------------------------------------------------------------------


def test_connect_stores_the_project_and_queues_its_initial_sync(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender, graph: FakeSharePoint
) -> None:
    shown = admin.connect(
        connect_request(
            tools=["documents", "rfis"],
            tool_folders={"rfis": "Requests for Information"},
            recipients=["pat@contoso.example"],
            conflict_policy="keep_both",
            delete_limit=10,
        )
    )
    row = store.projects.get(KEY)
    assert row.phase == Phase.INITIAL_SYNC
    assert row.project_name == "Harbor View Tower"
    assert (row.site_id, row.drive_id, row.folder_item_id) == (SITE_ID, DRIVE_ID, "harbor-id")
    assert (row.site_hostname, row.site_path, row.library, row.folder_path) == (
        HOST,
        SITE_PATH,
        LIBRARY,
        "Projects/Harbor View",
    )
    assert row.tools == ["documents", "rfis"]
    assert row.tool_folders == {"documents": "Documents", "rfis": "Requests for Information"}
    assert row.recipients == ["pat@contoso.example"]
    assert row.conflict_policy.value == "keep_both"
    assert row.delete_limit == 10
    assert row.initial_run_id == "run-1"
    assert row.created_at is not None
    assert sender.sent == [SyncStart(project_key=KEY, run_id="run-1")]
    assert len(graph.created) == 1
    assert graph.deleted == ["probe-1"]
    assert shown.key == KEY
    assert shown.phase == Phase.INITIAL_SYNC
    assert shown.run_id == "run-1"
    assert shown.sharepoint.folder_id == "harbor-id"
    assert [line.action for line in shown.recent_log] == [LogAction.INFO]
    assert shown.recent_log[0].detail == (
        f"connected to {HOST}{SITE_PATH} / {LIBRARY} / Projects/Harbor View; "
        "initial sync run run-1 queued"
    )


def test_a_second_mapping_of_the_same_project_is_a_conflict(
    admin: ProjectAdmin, sender: RecordingSender, graph: FakeSharePoint
) -> None:
    admin.connect(connect_request())
    with pytest.raises(ProjectConflict) as refused:
        admin.connect(connect_request(folder="Projects/Dockside"))
    assert refused.value.message == (
        f"Procore project {PROJECT} is already connected "
        f"(project {KEY}, 'Projects/Harbor View' in {LIBRARY})"
    )
    assert len(sender.sent) == 1
    assert len(graph.created) == 1, "no access check for a refused duplicate"


@pytest.mark.parametrize(
    "folder", ["Projects", "projects/harbor view", "Projects/Harbor View/Level 2", ""]
)
def test_an_overlapping_folder_of_another_project_is_a_conflict_naming_it(
    admin: ProjectAdmin, store: StateStore, graph: FakeSharePoint, folder: str
) -> None:
    admin.connect(connect_request())
    graph.folders[(DRIVE_ID, "projects/harbor view/level 2")] = "level-2-id"
    with pytest.raises(ProjectConflict) as refused:
        admin.connect(connect_request(OTHER_PROJECT, folder=folder))
    assert f"folder of project {KEY} (Harbor View Tower)" in refused.value.message
    assert store.projects.find(OTHER_KEY) is None


def test_a_sibling_folder_is_not_an_overlap(admin: ProjectAdmin, store: StateStore) -> None:
    admin.connect(connect_request())
    admin.connect(connect_request(OTHER_PROJECT, folder="Projects/Dockside"))
    assert store.projects.get(OTHER_KEY).folder_item_id == "dockside-id"


def test_an_overlap_is_found_by_drive_when_the_site_is_spelled_differently(
    admin: ProjectAdmin, store: StateStore, graph: FakeSharePoint
) -> None:
    admin.connect(connect_request())
    graph.sites[(HOST, "/sites/construction-alias")] = SITE_ID
    with pytest.raises(ProjectConflict, match=f"folder of project {KEY}"):
        admin.connect(
            connect_request(OTHER_PROJECT, folder="Projects", site_path="/sites/Construction-Alias")
        )
    assert store.projects.find(OTHER_KEY) is None


def test_every_failed_check_is_stated_and_nothing_is_stored(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender, graph: FakeSharePoint
) -> None:
    graph.create_error = PermissionDenied("accessDenied", service="graph", status=403)
    with pytest.raises(AccessRefused) as refused:
        admin.connect(connect_request(FORBIDDEN_PROJECT))
    body = refused.value.body()
    assert refused.value.status == 422
    assert body["checks"] == {
        "procore": f"the Procore app is not permitted on project {FORBIDDEN_PROJECT} in company "
        f"{COMPANY} (add it to the app's permitted projects)",
        "sharepoint": f"no write access to folder 'Projects/Harbor View' of library "
        f"'{LIBRARY}' on {HOST}{SITE_PATH}",
    }
    assert body["error"] == "access check failed (procore, sharepoint)"
    assert store.projects.find(f"{COMPANY}-{FORBIDDEN_PROJECT}") is None
    assert sender.sent == []


def test_a_folder_that_does_not_exist_is_refused_and_not_created(
    admin: ProjectAdmin, graph: FakeSharePoint
) -> None:
    with pytest.raises(AccessRefused) as refused:
        admin.connect(connect_request(folder="Projects/Not There"))
    assert list(refused.value.checks) == ["sharepoint"]
    assert refused.value.checks["sharepoint"].startswith("folder not found: 'Projects/Not There'")
    assert graph.created == []


def test_a_side_that_cannot_be_asked_now_is_undecided(
    admin: ProjectAdmin, procore: FakeProcore, clock: MovableClock
) -> None:
    retry_at = clock() + timedelta(seconds=30)
    procore.projects[PROJECT] = Throttled("429", service="procore", retry_at=retry_at)
    with pytest.raises(AccessUndecided) as undecided:
        admin.connect(connect_request())
    assert undecided.value.status == 503
    assert undecided.value.body()["error"] == "access could not be checked now; try again later"
    assert undecided.value.checks["procore"].startswith("Procore is throttling the app until")


def test_a_refusal_outweighs_an_undecided_side(
    admin: ProjectAdmin, procore: FakeProcore, graph: FakeSharePoint, clock: MovableClock
) -> None:
    graph.sites.clear()
    procore.projects[PROJECT] = Throttled("429", service="procore", retry_at=clock())
    with pytest.raises(AccessRefused) as refused:
        admin.connect(connect_request())
    assert refused.value.status == 422
    assert set(refused.value.checks) == {"procore", "sharepoint"}


def test_a_start_that_cannot_be_queued_leaves_nothing_stored(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender
) -> None:
    sender.error = ServiceRequestError("connection refused")
    with pytest.raises(StoreUnavailable, match="nothing was stored"):
        admin.connect(connect_request())
    assert store.projects.find(KEY) is None


# --- list and show ---------------------------------------------------------------------------


def test_list_shows_every_project_with_its_location(admin: ProjectAdmin, store: StateStore) -> None:
    assert admin.list_projects().projects == []
    admin.connect(connect_request(OTHER_PROJECT, folder="Projects/Dockside"))
    admin.connect(connect_request())
    store.projects.add_counts(KEY, files_copied=3, bytes_copied=300)
    store.projects.set_phase(KEY, Phase.ERROR, error="the mapped folder no longer resolves")
    listed = admin.list_projects().projects
    assert [p.key for p in listed] == [KEY, OTHER_KEY]
    first = listed[0]
    assert (first.name, first.phase, first.mode) == ("Harbor View Tower", Phase.ERROR, None)
    assert first.counters == ProjectCounters(files_copied=3, bytes_copied=300)
    assert first.last_error == "the mapped folder no longer resolves"
    assert first.sharepoint.folder_path == "Projects/Harbor View"
    assert first.sharepoint.library == LIBRARY
    assert (first.procore.company_id, first.procore.project_id) == (COMPANY, PROJECT)


@pytest.mark.parametrize("key", [KEY, "abc", "1-2-3", "", "4300000001-"])
def test_an_unknown_project_is_not_found(admin: ProjectAdmin, key: str) -> None:
    with pytest.raises(UnknownProject) as missing:
        admin.show(key)
    assert missing.value.status == 404
    assert missing.value.body() == {"error": f"no project {key}"}


def test_show_gives_the_latest_fifty_log_entries_newest_first(
    admin: ProjectAdmin, store: StateStore, clock: MovableClock
) -> None:
    admin.connect(connect_request())
    for n in range(60):
        clock.advance(timedelta(seconds=1))
        store.log.append(store.log.entry(KEY, LogAction.COPIED, name=f"file {n:02}.pdf"))
    shown = admin.show(KEY)
    names = [line.name for line in shown.recent_log]
    assert len(names) == 50
    assert names[0] == "file 59.pdf"
    assert names[-1] == "file 10.pdf"
    assert shown.timestamps.created_at is not None
    assert shown.timestamps.initial_sync_started_at is not None


# --- pause, resume, re-run ------------------------------------------------------------------


def test_pause_and_resume_round_trip_and_are_safe_to_repeat(
    admin: ProjectAdmin, store: StateStore
) -> None:
    admin.connect(connect_request())
    first = admin.pause(KEY)
    second = admin.pause(KEY)
    assert (first.phase, first.paused_from) == (Phase.PAUSED, Phase.INITIAL_SYNC)
    assert (second.phase, second.paused_from) == (Phase.PAUSED, Phase.INITIAL_SYNC)
    assert store.projects.get(KEY).phase == Phase.PAUSED
    resumed = admin.resume(KEY)
    assert (resumed.phase, resumed.paused_from) == (Phase.INITIAL_SYNC, None)
    with pytest.raises(ProjectConflict, match="is not paused"):
        admin.resume(KEY)
    row = store.projects.get(KEY)
    assert (row.phase, row.paused_from, row.paused_at) == (Phase.INITIAL_SYNC, None, None)
    notes = [line.detail for line in admin.show(KEY).recent_log]
    assert notes[:2] == ["resumed (initial_sync)", "paused (was initial_sync)"]
    assert len(notes) == 3


@pytest.mark.parametrize("call", ["pause", "resume", "disconnect"])
def test_phase_changes_of_an_unknown_project_are_not_found(admin: ProjectAdmin, call: str) -> None:
    with pytest.raises(UnknownProject):
        getattr(admin, call)(KEY)


def test_resync_refuses_a_running_initial_sync_unless_forced(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender
) -> None:
    admin.connect(connect_request())
    with pytest.raises(ProjectConflict, match=r"already running its initial sync \(run run-1\)"):
        admin.resync(KEY)
    assert store.projects.get(KEY).initial_run_id == "run-1"
    forced = admin.resync(KEY, force=True)
    assert forced.run_id not in (None, "run-1")
    assert store.projects.get(KEY).initial_run_id == forced.run_id
    assert sender.sent[-1] == SyncStart(project_key=KEY, run_id=str(forced.run_id))
    assert len(sender.sent) == 2


def test_resync_of_a_project_in_regular_sync_starts_a_new_run(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender
) -> None:
    admin.connect(connect_request())
    store.projects.modify(
        KEY,
        lambda p: p.model_copy(
            update={"phase": Phase.REGULAR, "run_counters": ProjectCounters(files_copied=5)}
        ),
    )
    admin.resync(KEY)
    row = store.projects.get(KEY)
    assert (row.phase, row.initial_run_id) == (Phase.INITIAL_SYNC, "run-2")
    assert row.run_counters == ProjectCounters()
    assert sender.sent[-1] == SyncStart(project_key=KEY, run_id="run-2")


def test_a_resync_that_cannot_be_queued_leaves_the_project_as_it_was(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender
) -> None:
    admin.connect(connect_request())
    store.projects.set_phase(KEY, Phase.REGULAR)
    sender.error = ServiceRequestError("connection refused")
    with pytest.raises(StoreUnavailable, match="the project is as it was"):
        admin.resync(KEY)
    row = store.projects.get(KEY)
    assert (row.phase, row.initial_run_id) == (Phase.REGULAR, "run-1")


# --- disconnect ------------------------------------------------------------------------------


def pair(key: str, n: int) -> ItemBase:
    return ItemBase(
        project_key=key,
        kind=ItemKind.FILE,
        procore_id=5_000_000_000 + n,
        sharepoint_id=f"01SP{n:06}",
        procore_name=f"file {n}.pdf",
        sharepoint_name=f"file {n}.pdf",
        path=f"Drawings/file {n}.pdf",
        synced_at=MovableClock()(),
    )


def test_disconnect_removes_the_row_and_its_items_in_batches(
    admin: ProjectAdmin, store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin.connect(connect_request())
    admin.connect(connect_request(OTHER_PROJECT, folder="Projects/Dockside"))
    for n in range(130):
        store.items.save(pair(KEY, n))
    store.items.save(pair(OTHER_KEY, 1))
    sizes: list[int] = []
    original = store.items.table.client.submit_transaction

    def counting(operations: Any, **kwargs: Any) -> Any:
        operations = list(operations)
        sizes.append(len(operations))
        return original(operations, **kwargs)

    monkeypatch.setattr(store.items.table.client, "submit_transaction", counting)
    assert admin.disconnect(KEY) == 260
    assert sizes == [100, 100, 60]
    assert store.projects.find(KEY) is None
    assert list(store.items.list_items(KEY)) == []
    assert [item.procore_id for item in store.items.list_items(OTHER_KEY)] == [5_000_000_001]
    assert store.projects.find(OTHER_KEY) is not None
    assert store.log.recent(KEY, 1)[0].detail == (
        "disconnected; 260 item records removed; files in Procore and SharePoint left untouched"
    )
    with pytest.raises(UnknownProject):
        admin.disconnect(KEY)
    assert [p.key for p in admin.list_projects().projects] == [OTHER_KEY]


def test_disconnect_removes_photos_pending_changes_and_held_deletes_too(
    admin: ProjectAdmin, store: StateStore
) -> None:
    admin.connect(connect_request())
    admin.connect(connect_request(OTHER_PROJECT, folder="Projects/Dockside"))
    store.items.save(pair(KEY, 1))
    store.items.save(pair(photos_key(KEY), 2))
    store.items.save(pair(OTHER_KEY, 3))
    now = MovableClock()()
    store.pending.put_many(
        KEY,
        [
            PendingChange(
                item_id="01SPX", area=Area.DOCUMENTS, item_json='{"id": "01SPX"}', seen_at=now
            )
        ],
    )
    store.held.hold(
        KEY,
        [
            HeldDelete(
                procore_id=7,
                sharepoint_id="01SPY",
                deleted_on="sharepoint",
                name="a.pdf",
                path="a.pdf",
                held_at=now,
            )
        ],
    )
    assert admin.disconnect(KEY) == 4
    assert list(store.items.list_items(photos_key(KEY))) == []
    assert store.pending.count(KEY) == 0
    assert list(store.held.list_for(KEY)) == []
    assert [item.procore_id for item in store.items.list_items(OTHER_KEY)] == [5_000_000_003]


def test_disconnect_finishes_off_items_left_by_an_interrupted_one(
    admin: ProjectAdmin, store: StateStore
) -> None:
    store.items.save(pair(KEY, 1))
    assert admin.disconnect(KEY) == 2
    assert list(store.items.list_items(KEY)) == []


def test_a_project_can_be_connected_again_after_a_disconnect(
    admin: ProjectAdmin, store: StateStore, sender: RecordingSender
) -> None:
    admin.connect(connect_request())
    admin.disconnect(KEY)
    again = admin.connect(connect_request())
    assert again.run_id == "run-2"
    assert store.projects.get(KEY).initial_run_id == "run-2"
    assert [m.run_id for m in sender.sent if isinstance(m, SyncStart)] == ["run-1", "run-2"]

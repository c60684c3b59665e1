"""The admin API's service layer: connect, list, show, pause, resume, re-run, disconnect, and
the answer to held-back deletes (approve or restore).

Each method is one admin call; it raises an `AdminRefusal` for every answer other than success.
Disconnecting removes the project's state (its row and its Items rows) and nothing else: the
files in Procore and in SharePoint are left untouched, and queued messages of the project are
dropped by their handlers when they find no project.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from azure.core.exceptions import AzureError

from shared.admin import outstanding, transitions
from shared.admin.access import (
    ProcoreAccess,
    ProcoreSide,
    SharePointAccess,
    SharePointSide,
    check_access,
)
from shared.admin.errors import (
    AccessRefused,
    AccessUndecided,
    ProjectConflict,
    StoreUnavailable,
    UnknownProject,
)
from shared.admin.views import (
    LOG_WINDOW,
    ProjectDetail,
    ProjectList,
    detail,
    summary,
)
from shared.mapping import ConnectRequest, SharePointTarget, folders_overlap
from shared.queues import ProjectTick, QueueMessage, SyncStart
from shared.state import AlreadyExists, EntityNotFound, StateStore
from shared.state.clock import Clock, utc_now
from shared.state.log import LogAction
from shared.state.projects import Phase, Project
from shared.state.tables import Op

T = TypeVar("T")
log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^\d{1,19}-\d{1,19}$")
"""`<company>-<project>` (DESIGN §3); anything else cannot name a project."""

ITEMS_BATCH = 100
"""Entity-group transactions take at most 100 entities (one partition)."""


class MessageSender(Protocol):
    def send(self, message: QueueMessage, *, delay_s: float = 0) -> str: ...


class ChangeIntake(Protocol):
    """The project's webhooks (shared.intake): set up at connect, removed at disconnect; never
    raises (a failure is noted on the project and retried by the renewal timer)."""

    def connected(self, project: Project) -> Project: ...

    def disconnected(self, project: Project) -> None: ...


def new_run_id() -> str:
    return uuid.uuid4().hex


@dataclass
class ProjectAdmin:
    """The admin calls over the state store, the queues and both APIs."""

    store: StateStore
    queue: MessageSender
    procore: ProcoreSide
    graph: SharePointSide
    clock: Clock = utc_now
    run_ids: Callable[[], str] = field(default=new_run_id)
    intake: ChangeIntake | None = None

    @classmethod
    def from_runtime(cls) -> ProjectAdmin:
        from shared.intake.project_intake import ProjectIntake
        from shared.runtime import graph_client, procore_client, queue_sender, state_store

        return cls(
            state_store(),
            queue_sender(),
            procore_client(),
            graph_client(),
            intake=ProjectIntake.from_runtime(),
        )

    # --- reading ---------------------------------------------------------------------------

    def list_projects(self) -> ProjectList:
        projects = sorted(self.store.projects.list_projects(), key=lambda p: p.key)
        return ProjectList(projects=[summary(project) for project in projects])

    def show(self, key: str) -> ProjectDetail:
        return self._detail(self._get(key))

    def _get(self, key: str) -> Project:
        found = self.store.projects.find(key) if KEY_PATTERN.match(key) else None
        if found is None:
            raise UnknownProject(key)
        return found

    def _detail(self, project: Project) -> ProjectDetail:
        return detail(
            project,
            self.store.log.recent(project.key, LOG_WINDOW),
            pending=outstanding.pending_section(self.store, project.key),
            held=outstanding.held_section(self.store, project.key),
        )

    def _note(self, key: str, detail_text: str) -> None:
        self.store.log.append(self.store.log.entry(key, LogAction.INFO, detail=detail_text))

    # --- connect -----------------------------------------------------------------------------

    def connect(self, request: ConnectRequest) -> ProjectDetail:
        """Check, store and start: refuse a duplicate or an overlap (409), check both sides'
        access at once (422, or 503 when a side could not be asked), store the project in
        `initial_sync` and queue its first run."""
        key = request.key
        existing = self.store.projects.find(key)
        if existing is not None:
            raise ProjectConflict(
                f"Procore project {request.procore_project_id} is already connected "
                f"(project {key}, '{existing.folder_path}' in {existing.library or 'its library'})"
            )
        others = list(self.store.projects.list_projects())
        _refuse_overlap(request.sharepoint, _same_library(request.sharepoint, others))
        procore, sharepoint = check_access(self.procore, self.graph, request)
        _refuse_failed_checks(procore, sharepoint)
        _refuse_overlap(
            request.sharepoint, [o for o in others if o.drive_id == sharepoint.drive_id]
        )
        run_id = self.run_ids()
        project = _new_project(request, procore, sharepoint, run_id, self.clock())
        try:
            stored = self.store.projects.create(project)
        except AlreadyExists:
            raise ProjectConflict(
                f"Procore project {request.procore_project_id} was connected meanwhile "
                f"(project {key})"
            ) from None
        try:
            self.queue.send(SyncStart(project_key=key, run_id=run_id))
        except AzureError as exc:
            self.store.projects.delete(stored.model_copy(update={"etag": None}))
            raise StoreUnavailable(
                f"the initial sync could not be queued ({type(exc).__name__}); nothing was "
                "stored, try again"
            ) from exc
        self._note(
            key,
            f"connected to {_location(request.sharepoint)}; initial sync run {run_id} queued",
        )
        log.info("project connected", extra={"project_key": key, "run_id": run_id})
        if self.intake is not None:
            stored = self.intake.connected(stored)
        return self._detail(stored)

    # --- phase changes -----------------------------------------------------------------------

    def pause(self, key: str) -> ProjectDetail:
        """Stop work being taken; pausing a paused project changes nothing."""
        before = self._get(key)
        now = self.clock()
        after = self._modify(key, lambda project: transitions.paused(project, now))
        if after.phase == Phase.PAUSED and before.phase != Phase.PAUSED:
            self._note(key, f"paused (was {after.paused_from})")
        return self._detail(after)

    def resume(self, key: str) -> ProjectDetail:
        """Back to the phase the project was paused in (409 when it is not paused). A project
        halted by a safety stop goes back to regular when it holds no deletes back (409 when it
        does: those are answered with approve or restore), and its pass runs at once."""
        before = self._get(key)
        held = outstanding.held_count(self.store, key)
        after = self._modify(key, lambda project: transitions.resumed(project, held=held))
        if transitions.is_stopped(before):
            self._note(key, f"resumed after the safety stop ({before.stopped_reason})")
            self._tick(key, "resumed")
        else:
            self._note(key, f"resumed ({after.phase.value})")
        return self._detail(after)

    def answer_deletes(self, key: str, decision: transitions.DeletesDecision) -> ProjectDetail:
        """Record the administrator's answer to the held-back deletes for the next pass (409
        when nothing is held back); a stopped project goes back to regular. The pass is queued
        at once; should that fail, the safety-net poll runs it within PROCORE_POLL_INTERVAL_S."""
        before = self._get(key)
        held = outstanding.held_count(self.store, key)
        after = self._modify(
            key, lambda project: transitions.deletes_answered(project, decision, held)
        )
        note = f"{held} held delete(s): {decision} requested"
        if transitions.is_stopped(before):
            note += f"; the safety stop ({before.stopped_reason}) is answered, back to regular"
        self._note(key, note)
        self._tick(key, f"deletes_{decision}")
        log.info(
            "held deletes answered",
            extra={"project_key": key, "decision": decision, "held": held},
        )
        return self._detail(after)

    def _tick(self, key: str, reason: str) -> None:
        """Queue a change pass now; the safety-net poll is the fallback when the queue fails."""
        try:
            self.queue.send(ProjectTick(project_key=key, tick_id=self.run_ids(), reason=reason))
        except AzureError as exc:
            log.warning(
                "change pass not queued",
                extra={"project_key": key, "reason": reason, "error": type(exc).__name__},
            )
            self._note(key, "the change pass could not be queued now; the next poll runs it")

    def resync(self, key: str, *, force: bool = False) -> ProjectDetail:
        """Start the initial sync over under a new run id (409 while one runs, unless forced)."""
        before = self._get(key)
        run_id = self.run_ids()
        now = self.clock()
        after = self._modify(
            key, lambda project: transitions.rerun(project, run_id, now, force=force)
        )
        try:
            self.queue.send(SyncStart(project_key=key, run_id=run_id))
        except AzureError as exc:
            self._restore(key, before, run_id)
            raise StoreUnavailable(
                f"the initial sync could not be queued ({type(exc).__name__}); the project is "
                "as it was, try again"
            ) from exc
        self._note(key, f"initial sync run {run_id} queued" + (" (forced)" if force else ""))
        return self._detail(after)

    def _restore(self, key: str, before: Project, run_id: str) -> None:
        """Undo a re-run whose message could not be queued (unless another call moved on)."""

        def back(project: Project) -> Project | None:
            if project.initial_run_id != run_id:
                return None
            return before.model_copy(update={"etag": project.etag})

        try:
            self.store.projects.modify(key, back)
        except (EntityNotFound, AzureError):
            log.warning("re-run not undone", extra={"project_key": key, "run_id": run_id})

    def _modify(self, key: str, change: Callable[[Project], Project | None]) -> Project:
        try:
            return self.store.projects.modify(key, change)
        except EntityNotFound:
            raise UnknownProject(key) from None

    # --- disconnect --------------------------------------------------------------------------

    def disconnect(self, key: str) -> int:
        """Forget the project: its row first (handlers then drop its messages), then its Items
        rows, batched per partition. Returns how many Items rows were removed. A project whose
        row is gone but whose Items rows remain (an earlier disconnect cut short) is finished
        off; otherwise an unknown key is 404."""
        if not KEY_PATTERN.match(key):
            raise UnknownProject(key)
        project = self.store.projects.find(key)
        if project is not None:
            self.store.projects.delete(project.model_copy(update={"etag": None}))
        removed = self._remove_items(key)
        if project is None and removed == 0:
            raise UnknownProject(key)
        if project is not None and self.intake is not None:
            self.intake.disconnected(project)
        self._note(
            key,
            f"disconnected; {removed} item records removed; files in Procore and SharePoint "
            "left untouched",
        )
        log.info("project disconnected", extra={"project_key": key, "items_removed": removed})
        return removed

    def _remove_items(self, key: str) -> int:
        """Every Items row of the project: its documents' partition and the partitions named
        after it (`<key>~photos`, the export's `<key>~export…`); then its pending changes and
        held deletes in the Work table."""
        table = self.store.items.table
        rows = (
            (str(entity["PartitionKey"]), str(entity["RowKey"]))
            for entity in table.query(
                "PartitionKey eq @pk or ( PartitionKey ge @lo and PartitionKey lt @hi )",
                {"pk": key, "lo": f"{key}~", "hi": f"{key}\x7f"},
                select=["PartitionKey", "RowKey"],
            )
        )
        removed = 0
        for chunk in _chunks(rows, ITEMS_BATCH):
            for partition in sorted({p for p, _ in chunk}):
                mine = [r for p, r in chunk if p == partition]
                operations = [Op("delete", {"PartitionKey": partition, "RowKey": r}) for r in mine]
                try:
                    table.transact(operations)
                except EntityNotFound:
                    for row in mine:  # someone removed one meanwhile; single deletes ignore it
                        table.delete(partition, row)
            removed += len(chunk)
        self.store.pending.clear(key)
        self.store.skipped.clear(key)
        self.store.held.release(key, list(self.store.held.list_for(key)))
        return removed


def _chunks(values: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _location(target: SharePointTarget) -> str:
    folder = target.folder_path or "(library root)"
    return f"{target.site_hostname}{target.site_path} / {target.library} / {folder}"


def _same_library(target: SharePointTarget, others: list[Project]) -> list[Project]:
    """Projects connected to the same library by name (before any id is known)."""

    def same(value: str | None, wanted: str) -> bool:
        return (value or "").rstrip("/").casefold() == wanted.rstrip("/").casefold()

    return [
        other
        for other in others
        if same(other.site_hostname, target.site_hostname)
        and same(other.site_path, target.site_path)
        and same(other.library, target.library)
    ]


def _refuse_overlap(target: SharePointTarget, same_drive: list[Project]) -> None:
    for other in same_drive:
        if folders_overlap(target.folder_path, other.folder_path):
            mine = target.folder_path or "(library root)"
            theirs = other.folder_path or "(library root)"
            raise ProjectConflict(
                f"the SharePoint folder '{mine}' overlaps '{theirs}', the folder of project "
                f"{other.key} ({other.project_name}) in the same library; give each project a "
                "folder of its own"
            )


def _refuse_failed_checks(procore: ProcoreAccess, sharepoint: SharePointAccess) -> None:
    failures = {
        side: failure
        for side, failure in (("procore", procore.failure), ("sharepoint", sharepoint.failure))
        if failure is not None
    }
    if not failures:
        return
    checks = {side: failure.message for side, failure in failures.items()}
    if all(failure.temporary for failure in failures.values()):
        raise AccessUndecided(checks)
    raise AccessRefused(checks)


def _new_project(
    request: ConnectRequest,
    procore: ProcoreAccess,
    sharepoint: SharePointAccess,
    run_id: str,
    now: datetime,
) -> Project:
    target = request.sharepoint
    return Project.model_validate(
        {
            "company_id": request.procore_company_id,
            "project_id": request.procore_project_id,
            "project_name": procore.project_name,
            "site_id": sharepoint.site_id,
            "drive_id": sharepoint.drive_id,
            "site_hostname": target.site_hostname,
            "site_path": target.site_path,
            "library": target.library,
            "folder_path": target.folder_path,
            "folder_item_id": sharepoint.folder_id,
            "tools": [tool.value for tool in request.tools],
            "tool_folders": {tool.value: request.folder_for(tool) for tool in request.tools},
            "recipients": [str(address) for address in request.recipients],
            "conflict_policy": request.conflict_policy,
            "delete_limit": request.delete_limit,
            "phase": Phase.INITIAL_SYNC,
            "initial_run_id": run_id,
            "initial_sync_started_at": now,
        }
    )

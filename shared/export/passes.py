"""A pass over one tool: take the tool, list page 1, fan out the other pages, export each page's
changed items, and when the last page is done move the watermark (DESIGN §5: fan-out per page;
the Work table tells the last page that the pass is done, exactly once).

- `list` stage: the pass takes the tool (one pass at a time per tool; a request meanwhile is
  remembered and run after it), decides incremental (`filters[updated_at]` from the watermark) or
  full (every item, to find deleted ones; at most every EXPORT_FULL_LIST_INTERVAL_S), makes the
  tool's folder, reads page 1 and registers every page as a unit.
- `page` stage: one page, listed once; each item's detail fetched at most once (only when the list
  row lacks what the PDF needs); unchanged items cost nothing.
- completion: watermark = pass start - PROCORE_POLL_OVERLAP_S; a full pass retires the records of
  items no longer listed; the initial sync run's `export:<tool>` unit is finished.

Throttling re-enqueues the page with the service's delay (never sleeps); every step is
idempotent, so redeliveries redo nothing that was finished.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from shared.errors import Conflict, Throttled
from shared.export.context import ExportContext, load_context, utcnow
from shared.export.item_export import export_row, retire_record
from shared.export.kickoff import initial_unit
from shared.export.state import ToolState
from shared.procore.tool_items import ToolPage
from shared.procore.tool_models import ToolItem
from shared.queues import ToolExport
from shared.state.log import LogAction
from shared.state.projects import Phase
from shared.sync import initial
from shared.sync.handling import defer
from shared.sync.run import job_name as initial_job
from shared.sync.run import load_run

LEASE = timedelta(minutes=30)
CLAIM = timedelta(seconds=60)
PAUSED_RECHECK_S = 60


def job_name(tool: str, pass_id: str) -> str:
    return f"export-{tool}-{pass_id}"


def page_unit(page: int) -> str:
    return f"page:{page}"


def new_pass_id() -> str:
    return uuid.uuid4().hex


def run(message: ToolExport) -> None:
    """Handle one `tool-export` message."""
    ctx = load_context(message)
    if ctx is None:
        return
    if ctx.project.phase == Phase.PAUSED:
        defer(message, PAUSED_RECHECK_S, "project paused")
        return
    try:
        if message.stage == "list":
            _list(ctx, message)
        else:
            _page(ctx, message, None)
    finally:
        ctx.flush()


# --- list --------------------------------------------------------------------------------------


def _list(ctx: ExportContext, message: ToolExport) -> None:
    now = utcnow()
    interval = ctx.settings.export_full_list_interval_s
    held: list[bool] = []

    def take(state: ToolState) -> ToolState | None:
        held.clear()
        if state.pass_id == message.pass_id:
            return None
        busy = state.pass_id is not None and state.pass_until is not None and state.pass_until > now
        if busy and message.initial_run_id is None:
            held.append(True)
            return None if state.rerun else state.model_copy(update={"rerun": True})
        full = (
            message.full
            or state.watermark is None
            or state.full_listed_at is None
            or (now - state.full_listed_at).total_seconds() >= interval
        )
        return state.model_copy(
            update={
                "pass_id": message.pass_id,
                "pass_until": now + LEASE,
                "pass_started_at": now,
                "pass_full": full,
                "rerun": False,
            }
        )

    state = ctx.state.modify_tool(ctx.key, ctx.tool.name, take)
    if held:
        return  # another pass holds the tool; it runs again for this request when it ends
    if state.folder_item_id is None:
        state = _make_tool_folder(ctx)
    since = None if state.pass_full else state.watermark
    job = job_name(ctx.tool.name, message.pass_id)
    ctx.store.work.open_job(ctx.key, job)
    first = ctx.procore.tool_page(
        ctx.scope,
        ctx.tool.endpoint,
        1,
        per_page=ctx.settings.export_page_size,
        updated_since=since,
    )
    ctx.store.work.register(ctx.key, job, [page_unit(n) for n in range(1, first.last_page + 1)])
    page_message = message.model_copy(
        update={"stage": "page", "since": since, "full": state.pass_full}
    )
    for number in range(2, first.last_page + 1):
        ctx.sender.send(page_message.model_copy(update={"page": number}))
    ctx.store.work.seal(ctx.key, job)
    _page(ctx, page_message, first)


def _make_tool_folder(ctx: ExportContext) -> ToolState:
    """The tool's folder under the project folder (found again if it exists)."""
    parent = ctx.project.folder_item_id
    if parent is None:
        parent = ctx.graph.get_folder_by_path(ctx.drive_id, ctx.project.folder_path).id
    try:
        folder_id = ctx.graph.create_folder(ctx.drive_id, parent, ctx.folder_name).id
    except Conflict:
        path = "/".join(p for p in (ctx.project.folder_path, ctx.folder_name) if p)
        folder_id = ctx.graph.get_folder_by_path(ctx.drive_id, path).id
    return ctx.state.modify_tool(
        ctx.key,
        ctx.tool.name,
        lambda s: s.model_copy(update={"folder_item_id": folder_id}),
    )


# --- page --------------------------------------------------------------------------------------


def _page(ctx: ExportContext, message: ToolExport, listed: ToolPage | None) -> None:
    job = job_name(ctx.tool.name, message.pass_id)
    unit = page_unit(message.page)
    owner = uuid.uuid4().hex
    claim = ctx.store.work.claim(ctx.key, job, unit, owner, CLAIM)
    if not claim.taken:
        if claim.finished:
            finished = ctx.store.work.get_job(ctx.key, job)
            if finished.completed and finished.completed_by == unit:
                _complete(ctx, message)
        else:
            wait = (claim.until - utcnow()).total_seconds() if claim.until else 30
            defer(message, wait + 1, "another delivery is working on this page")
        return
    try:
        page = listed or ctx.procore.tool_page(
            ctx.scope,
            ctx.tool.endpoint,
            message.page,
            per_page=ctx.settings.export_page_size,
            updated_since=message.since,
        )
        seen = _export_page(ctx, message, page, job, unit, owner)
    except Throttled as exc:
        ctx.store.work.release(ctx.key, job, unit, owner)
        defer(message, (exc.retry_at - utcnow()).total_seconds(), f"{exc.service} throttled")
        return
    except Exception:
        ctx.store.work.release(ctx.key, job, unit, owner)
        raise
    ctx.flush()  # log lines land before the unit counts as done
    note = ",".join(str(i) for i in sorted(seen)) if message.full else None
    if ctx.store.work.finish(ctx.key, job, unit, note=note):
        _complete(ctx, message)


def _export_page(
    ctx: ExportContext, message: ToolExport, page: ToolPage, job: str, unit: str, owner: str
) -> set[int]:
    """Export the page's changed items; returns the record ids it listed (for a full pass)."""
    seen: set[int] = set()
    for index, raw in enumerate(page.rows):
        row = ToolItem.model_validate(raw)
        if not ctx.tool.wanted(row):
            continue
        if ctx.tool.is_deleted(row):
            continue
        seen.add(ctx.tool.record_id(row))
        if index:
            ctx.store.work.claim(ctx.key, job, unit, owner, CLAIM)
        export_row(ctx, row)
    return seen


# --- completion --------------------------------------------------------------------------------


def _complete(ctx: ExportContext, message: ToolExport) -> None:
    """The pass's last page is done (or a redelivered winner re-drives this; idempotent)."""
    job = job_name(ctx.tool.name, message.pass_id)
    if message.full:
        seen: set[int] = set()
        for unit in ctx.store.work.units(ctx.key, job):
            seen.update(int(part) for part in (unit.note or "").split(",") if part)
        for record in ctx.state.records(ctx.key, ctx.tool.name):
            if record.record_id not in seen and not record.deleted:
                retire_record(ctx, record)
    rerun: list[bool] = []
    overlap = timedelta(seconds=ctx.settings.procore_poll_overlap_s)

    def release(state: ToolState) -> ToolState | None:
        rerun.clear()
        if state.pass_id != message.pass_id:
            return None
        started = state.pass_started_at or utcnow()
        rerun.append(state.rerun)
        return state.model_copy(
            update={
                "watermark": started - overlap,
                "listed_at": started,
                "full_listed_at": started if state.pass_full else state.full_listed_at,
                "pass_id": None,
                "pass_until": None,
                "rerun": False,
            }
        )

    ctx.state.modify_tool(ctx.key, ctx.tool.name, release)
    if rerun and rerun[0]:
        ctx.sender.send(
            ToolExport(
                project_key=ctx.key,
                tool=ctx.tool.name,
                pass_id=new_pass_id(),
                reason="changes requested during the previous pass",
            )
        )
    if rerun:
        ctx.record(
            LogAction.INFO,
            detail=f"{ctx.folder_name}: export pass done ({'full' if message.full else 'changes'})",
        )
    if message.initial_run_id is not None:
        _finish_initial_unit(ctx, message.initial_run_id)


def _finish_initial_unit(ctx: ExportContext, run_id: str) -> None:
    """The first export is a unit of the initial sync run; the run's last unit finishes it."""
    ctx.flush()
    job = initial_job(run_id)
    unit = initial_unit(ctx.tool.name)
    completed = ctx.store.work.finish(ctx.key, job, unit)
    if not completed:
        marker = ctx.store.work.get_job(ctx.key, job)
        completed = marker.completed and marker.completed_by == unit
    if completed:
        run = load_run(ctx.key, run_id)
        if run is not None:
            initial.finish(run)

"""The export of one item: its PDF (rendered, or Procore's own for drawings) and its attachments
into the tool's folder, then the record of what was written.

Idempotent and duplicate-free: an item whose exported `updated_at` matches is left alone; a known
PDF is replaced in place by its driveItem id (SharePoint keeps the old one as a version); a new one
is uploaded by name with conflict "replace", so a redelivery never creates a second file. The PDF
is replaced If-Match the eTag of our last upload: a mismatch means someone edited the exported
file in SharePoint, which is then overwritten (its content survives as a prior version) and
logged. Nothing is ever written to Procore.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from shared.errors import ApiError, Conflict, Locked, NotFound, PreconditionFailed, Throttled
from shared.export.context import ExportContext, utcnow
from shared.export.document import EXPORTED
from shared.export.naming import attachment_name, folder_name, pdf_name
from shared.export.render import render
from shared.export.state import ExportedFile, ExportRecord
from shared.export.tools.base import Download
from shared.graph.models import DriveItem
from shared.procore.tool_models import Attachment, ToolItem
from shared.state.errors import AlreadyExists, ConcurrencyConflict
from shared.state.log import LogAction
from shared.sync.names import MappedName, Sibling, Unmappable, check_path, name_folder
from shared.sync.refusals import refusal
from shared.sync.spool import Spool

OVERWRITTEN = "a SharePoint edit to an exported file was overwritten (kept as a prior version)"


@dataclass
class Skip(Exception):
    """The item (or one attachment) cannot be exported; the reason is logged. With `retry`, the
    record is left as it was, so the next full listing tries the item again."""

    reason: str
    retry: bool = False


def export_row(ctx: ExportContext, row: ToolItem) -> bool:
    """Export one listed item if it changed since its last export; True if files were written."""
    tool = ctx.tool
    record = ctx.state.find(ctx.key, tool.name, tool.record_id(row))
    if (
        record is not None
        and not record.deleted
        and record.source_id == row.id
        and record.updated_at == row.updated_at
    ):
        return False
    try:
        item = (
            ctx.procore.get_tool_item(ctx.scope, tool.endpoint, row.id)
            if tool.needs_detail(row)
            else row
        )
    except NotFound:
        return False  # deleted since it was listed; the next full listing handles it
    try:
        updated = _export(ctx, item, record)
    except Skip as skip:
        _skipped(ctx, row, None if skip.retry else record, skip.reason, remember=not skip.retry)
        return False
    _save(ctx, updated)
    return True


def _export(ctx: ExportContext, item: ToolItem, record: ExportRecord | None) -> ExportRecord:
    tool = ctx.tool
    stem = tool.stem(item)
    name = _mapped(pdf_name(stem))
    _fits(ctx, [name])
    keep_old = (
        tool.name == "drawings"
        and ctx.settings.export_keep_superseded_drawings
        and record is not None
        and record.source_id != item.id
    )
    with Spool() as spool:
        source = tool.pdf(item, ctx.project.project_name)
        if isinstance(source, Download):
            _within_limit(ctx, source.size)
            spool.fill(ctx.procore.download(ctx.scope, source.url))
        else:
            spool.write(render(source))
            spool.finish()
        _within_limit(ctx, spool.size)
        pdf, overwritten = _put_pdf(ctx, None if keep_old else record, name, spool)
        size = spool.size
    superseded = list(record.superseded) if record else []
    if keep_old and record is not None and record.pdf_item_id:
        superseded.append(record.pdf_item_id)
    base = record or ExportRecord(
        project_key=ctx.key, tool=tool.name, record_id=tool.record_id(item), source_id=item.id
    )
    updated = base.model_copy(
        update={
            "source_id": item.id,
            "updated_at": item.updated_at,
            "pdf_name": pdf.name or name,
            "pdf_item_id": pdf.id,
            "pdf_etag": pdf.e_tag,
            "superseded": superseded,
            "deleted": False,
            "skipped_reason": None,
            "exported_at": utcnow(),
        }
    )
    updated, copied = _attachments(ctx, updated, stem, tool.attachments(item))
    ctx.record(
        LogAction.UPDATED if record is not None and not record.deleted else LogAction.COPIED,
        side="sharepoint",
        sharepoint_id=pdf.id,
        name=name,
        path=f"{ctx.folder_name}/{name}",
        reason=OVERWRITTEN if overwritten else None,
        detail=f"{EXPORTED} ({tool.label} {item.id}; {copied} attachment(s) copied)",
    )
    ctx.count(bytes_copied=size)
    return updated


def _mapped(mapped: MappedName | Unmappable) -> str:
    if isinstance(mapped, Unmappable):
        raise Skip(mapped.reason)
    return mapped.name


def _fits(ctx: ExportContext, segments: list[str]) -> None:
    problem = check_path(segments, base_path_length=ctx.base_path_length)
    if problem is not None:
        raise Skip(problem.reason)


def _within_limit(ctx: ExportContext, size: int | None) -> None:
    if size is not None and size > ctx.settings.max_file_bytes:
        raise Skip(f"the file is {size} bytes; the limit is {ctx.settings.max_file_bytes}")


def _upload(
    ctx: ExportContext,
    spool: Spool,
    *,
    name: str | None = None,
    parent_id: str | None = None,
    item_id: str | None = None,
    if_match: str | None = None,
) -> DriveItem:
    with spool.reader() as reader:
        try:
            result = ctx.graph.upload_file(
                ctx.drive_id,
                reader,
                spool.size,
                parent_id=None if item_id else parent_id,
                name=None if item_id else name,
                item_id=item_id,
                conflict_behavior="replace",
                if_match=if_match,
            )
        except (Throttled, NotFound, PreconditionFailed):
            raise
        except Locked as exc:
            raise Skip(
                f"open in SharePoint, tried again later: {refusal(exc)}", retry=True
            ) from None
        except ApiError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                raise Skip(refusal(exc)) from None
            raise
    return result.item


def _put_pdf(
    ctx: ExportContext, record: ExportRecord | None, name: str, spool: Spool
) -> tuple[DriveItem, bool]:
    """Upload the PDF: in place (by id, If-Match our last eTag) when known, else by name."""
    folder_id = _tool_folder(ctx)
    if record is None or record.pdf_item_id is None:
        return _upload(ctx, spool, name=name, parent_id=folder_id), False
    overwritten = False
    try:
        item = _upload(ctx, spool, item_id=record.pdf_item_id, if_match=record.pdf_etag)
    except PreconditionFailed:
        item = _upload(ctx, spool, item_id=record.pdf_item_id)
        overwritten = True
    except NotFound:
        return _upload(ctx, spool, name=name, parent_id=folder_id), False
    if item.name is not None and item.name != name:
        item = _rename(ctx, item, name)
    return item, overwritten


def _rename(ctx: ExportContext, item: DriveItem, name: str) -> DriveItem:
    try:
        return ctx.graph.update_item(ctx.drive_id, item.id, name=name)
    except Conflict:
        ctx.record(
            LogAction.INFO,
            side="sharepoint",
            sharepoint_id=item.id,
            name=item.name,
            reason=f"not renamed to '{name}': another file of that name is in the folder",
        )
        return item


def _tool_folder(ctx: ExportContext) -> str:
    state = ctx.state.tool(ctx.key, ctx.tool.name)
    if state is None or state.folder_item_id is None:
        raise NotFound(f"the {ctx.folder_name} folder is not made yet", service="graph")
    return state.folder_item_id


def _attachment_id(attachment: Attachment) -> int:
    if attachment.id is not None:
        return attachment.id
    return zlib.crc32(f"{attachment.name}|{attachment.url}".encode())


def _attachments(
    ctx: ExportContext, record: ExportRecord, stem: str, attachments: list[Attachment]
) -> tuple[ExportRecord, int]:
    """Copy new or changed attachments into the item's folder; retire removed ones."""
    known = {a.procore_id: a for a in record.attachments}
    wanted = {_attachment_id(a): a for a in attachments}
    if not wanted and not known:
        return record, 0
    folder = _mapped(folder_name(stem))
    folder_id = _item_folder(ctx, record, folder) if wanted else record.folder_item_id
    names = name_folder(
        [Sibling(str(pid), _mapped_or(a.name)) for pid, a in wanted.items()],
    )
    kept: list[ExportedFile] = []
    copied = 0
    for procore_id, attachment in wanted.items():
        mapped = names.names.get(str(procore_id))
        previous = known.get(procore_id)
        if mapped is None:
            reason = names.skipped[str(procore_id)].reason
            _skip_attachment(ctx, folder, attachment, reason)
            continue
        if (
            previous is not None
            and previous.name == mapped.name
            and previous.size == attachment.size
        ):
            kept.append(previous)
            continue
        try:
            _fits(ctx, [folder, mapped.name])
            _within_limit(ctx, attachment.size)
            assert folder_id is not None
            item = _copy_attachment(ctx, attachment, mapped.name, folder_id, previous)
        except Skip as skip:
            _skip_attachment(ctx, folder, attachment, skip.reason)
            continue
        except NotFound as exc:
            _skip_attachment(ctx, folder, attachment, refusal(exc))
            continue
        kept.append(
            ExportedFile(
                procore_id=procore_id, name=mapped.name, size=attachment.size, sharepoint_id=item.id
            )
        )
        copied += 1
    for procore_id, gone in known.items():
        if procore_id not in wanted:
            _retire(ctx, gone.sharepoint_id, f"{folder}/{gone.name}")
    folder_changed = {"folder_item_id": folder_id, "folder_name": folder}
    return record.model_copy(update={"attachments": kept, **folder_changed}), copied


def _mapped_or(name: str) -> str:
    mapped = attachment_name(name)
    return mapped.name if isinstance(mapped, MappedName) else name


def _copy_attachment(
    ctx: ExportContext,
    attachment: Attachment,
    name: str,
    folder_id: str,
    previous: ExportedFile | None,
) -> DriveItem:
    with Spool() as spool:
        spool.fill(ctx.procore.download(ctx.scope, attachment.url))
        _within_limit(ctx, spool.size)
        if previous is not None:
            try:
                item = _upload(ctx, spool, item_id=previous.sharepoint_id)
            except NotFound:
                item = _upload(ctx, spool, name=name, parent_id=folder_id)
            if item.name != name:
                item = _rename(ctx, item, name)
            return item
        return _upload(ctx, spool, name=name, parent_id=folder_id)


def _item_folder(ctx: ExportContext, record: ExportRecord, name: str) -> str:
    """The item's attachment folder: known, renamed to follow the title, or made now."""
    if record.folder_item_id is not None:
        if record.folder_name != name:
            try:
                ctx.graph.update_item(ctx.drive_id, record.folder_item_id, name=name)
            except NotFound:
                return _make_folder(ctx, name)
            except Conflict:
                pass
        return record.folder_item_id
    return _make_folder(ctx, name)


def _make_folder(ctx: ExportContext, name: str) -> str:
    parent = _tool_folder(ctx)
    try:
        return ctx.graph.create_folder(ctx.drive_id, parent, name).id
    except Conflict:
        path = "/".join(p for p in (ctx.project.folder_path, ctx.folder_name, name) if p)
        existing = ctx.graph.get_item_by_path(ctx.drive_id, path)
        if not existing.is_folder:
            raise Skip(f"'{name}' in {ctx.folder_name} is a file, not a folder") from None
        return existing.id


def _retire(ctx: ExportContext, item_id: str, path: str) -> None:
    """An exported file whose source is gone: to the recycle bin, or kept, per setting."""
    if ctx.settings.export_deleted_items == "keep":
        ctx.record(
            LogAction.INFO,
            side="sharepoint",
            sharepoint_id=item_id,
            path=f"{ctx.folder_name}/{path}",
            detail="removed in Procore; the exported file is kept (EXPORT_DELETED_ITEMS=keep)",
        )
        return
    try:
        ctx.graph.delete_item(ctx.drive_id, item_id)
    except NotFound:
        return
    ctx.record(
        LogAction.DELETED,
        side="sharepoint",
        sharepoint_id=item_id,
        path=f"{ctx.folder_name}/{path}",
        reason="removed in Procore; moved to the SharePoint recycle bin",
    )
    ctx.count(deleted=1)


def retire_record(ctx: ExportContext, record: ExportRecord) -> None:
    """An item deleted in Procore: its PDF and attachment folder go (or stay, per setting)."""
    if record.deleted:
        return
    if record.pdf_item_id:
        _retire(ctx, record.pdf_item_id, record.pdf_name or str(record.record_id))
    if record.folder_item_id:
        _retire(ctx, record.folder_item_id, record.folder_name or str(record.record_id))
    for old in record.superseded:
        _retire(ctx, old, f"superseded revision of {record.pdf_name}")
    _save(ctx, record.model_copy(update={"deleted": True}))


def _skip_attachment(ctx: ExportContext, folder: str, attachment: Attachment, reason: str) -> None:
    ctx.record(
        LogAction.SKIPPED,
        side="sharepoint",
        name=attachment.name,
        path=f"{ctx.folder_name}/{folder}/{attachment.name}",
        reason=reason,
    )
    ctx.count(skipped=1)


def _skipped(
    ctx: ExportContext,
    row: ToolItem,
    record: ExportRecord | None,
    reason: str,
    *,
    remember: bool = True,
) -> None:
    """Log the skip once per version of the item (the record remembers it)."""
    ctx.record(
        LogAction.SKIPPED,
        side="sharepoint",
        name=ctx.tool.stem(row),
        path=f"{ctx.folder_name}/{ctx.tool.stem(row)}",
        reason=reason,
    )
    ctx.count(skipped=1)
    if not remember:
        return
    base = record or ExportRecord(
        project_key=ctx.key, tool=ctx.tool.name, record_id=ctx.tool.record_id(row), source_id=row.id
    )
    _save(
        ctx,
        base.model_copy(
            update={"source_id": row.id, "updated_at": row.updated_at, "skipped_reason": reason}
        ),
    )


def _save(ctx: ExportContext, record: ExportRecord) -> None:
    """Write the record; a concurrent writer's record of the same item is replaced by ours
    (both describe files already written, and ours is the later)."""
    try:
        ctx.state.save(record)
    except (AlreadyExists, ConcurrencyConflict):
        current = ctx.state.find(ctx.key, record.tool, record.record_id)
        ctx.state.save(record.model_copy(update={"etag": current.etag if current else None}))

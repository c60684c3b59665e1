"""The regular sync's three-way decision for one item: base vs Procore now vs SharePoint now.

Pure (no I/O), DESIGN §4:
- only one side changed → apply that change (content, rename, move) to the other side;
- both changed → content-equal sides are no conflict; otherwise the newer last-modified wins
  (`newest_wins` overwrites the loser as a new version; `keep_both` keeps it beside the winner);
  a rename on one side and an edit on the other are not a conflict: both are applied;
- edit (or rename/move) vs delete → the edit wins and the item is restored on the deleting side;
- deleted on both sides → the base is forgotten;
- our own writes never come back: the base holds the version/cTag we produced, so an unchanged
  item compares equal (echo suppression); a change SharePoint made itself after our upload
  (Office files are rewritten, API-NOTES B6) is adopted as the new base, not taken as an edit;
- a SharePoint change that is not saved and closed yet (DESIGN §1.3) is deferred.

Parent ids are given per side; the step that carries out a move translates the parent through
the Items table (identity is by id, never by path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.sync.model import ConflictPolicy, Side, copy_name
from shared.sync.names import MappedName, is_office_temp_name
from shared.sync.names import sharepoint_name as map_name


@dataclass(frozen=True)
class Base:
    """What both sides held when the item was last synced (a pair of Items rows)."""

    procore_id: int
    sharepoint_id: str
    is_folder: bool
    procore_name: str
    sharepoint_name: str
    procore_parent_id: int | None
    sharepoint_parent_id: str | None
    procore_version_id: int | None = None
    sharepoint_ctag: str | None = None
    size: int = 0


@dataclass(frozen=True)
class ProcoreNow:
    id: int
    name: str
    parent_id: int | None
    updated_at: datetime
    version_id: int | None = None
    size: int = 0


@dataclass(frozen=True)
class SharePointNow:
    id: str
    name: str
    parent_id: str | None
    modified_at: datetime
    ctag: str | None = None
    size: int = 0
    quick_xor: str | None = None
    checked_out: bool = False
    modified_by_us: bool = False
    """The last change was made by this app (e.g. SharePoint's rewrite of our upload)."""


@dataclass(frozen=True)
class SideChange:
    """What changed on one side since the base."""

    content: bool = False
    rename: bool = False
    move: bool = False

    @property
    def any(self) -> bool:
        return self.content or self.rename or self.move


@dataclass(frozen=True)
class Apply:
    """Carry `change` from side `source` to the other side (content as a new version)."""

    source: Side
    content: bool
    rename_to: str | None = None
    move: bool = False
    conflict: bool = False
    """Both sides changed the content; this side's (newer) content wins."""


@dataclass(frozen=True)
class KeepCopy:
    """keep_both: keep the losing side's content beside the winner under `name`, on both sides."""

    loser: Side
    name: str


@dataclass(frozen=True)
class CreateOther:
    """An item new on `source` (no base): create it on the other side."""

    source: Side


@dataclass(frozen=True)
class Delete:
    """Deleted on `source`: send the other side's item to its recycle bin."""

    source: Side


@dataclass(frozen=True)
class Restore:
    """Deleted on `deleted_on` but changed on the other side: the edit wins; re-create it."""

    deleted_on: Side


@dataclass(frozen=True)
class CompareContent:
    """Both sides changed content with equal sizes: hashes decide (Procore has none)."""


@dataclass(frozen=True)
class AdoptBase:
    """Nothing to carry across, but the base must take the sides' current state."""


@dataclass(frozen=True)
class Forget:
    """Gone from both sides: drop the base."""


@dataclass(frozen=True)
class Defer:
    reason: str


@dataclass(frozen=True)
class Ignore:
    reason: str


@dataclass(frozen=True)
class NoChange:
    pass


Decision = (
    Apply
    | KeepCopy
    | CreateOther
    | Delete
    | Restore
    | CompareContent
    | AdoptBase
    | Forget
    | Defer
    | Ignore
    | NoChange
)


@dataclass(frozen=True)
class Rules:
    now: datetime
    policy: ConflictPolicy = ConflictPolicy.NEWEST_WINS
    quiet_period: timedelta = timedelta(seconds=60)


def procore_change(base: Base, now: ProcoreNow) -> SideChange:
    """Procore exposes no hash (API-NOTES A5): its version id says whether content changed
    (the size only when no version is known, since SharePoint may resize Office files)."""
    if base.is_folder:
        content = False
    elif now.version_id is not None and base.procore_version_id is not None:
        content = now.version_id != base.procore_version_id
    else:
        content = now.size != base.size
    return SideChange(
        content=content,
        rename=now.name != base.procore_name,
        move=now.parent_id != base.procore_parent_id,
    )


def sharepoint_change(base: Base, now: SharePointNow) -> SideChange:
    """`ctag` is the content token: the cTag, or the quickXorHash where SharePoint sends no
    cTag (delta items, API-NOTES B3), as long as base and now use the same kind."""
    content = not base.is_folder and now.ctag != base.sharepoint_ctag
    return SideChange(
        content=content,
        rename=now.name != base.sharepoint_name,
        move=now.parent_id != base.sharepoint_parent_id,
    )


def not_saved_and_closed(now: SharePointNow, rules: Rules) -> str | None:
    if is_office_temp_name(now.name):
        return "Office temporary or lock file"
    if now.checked_out:
        return "checked out in SharePoint"
    if rules.now - now.modified_at < rules.quiet_period:
        return "changed within the quiet period"
    return None


def decide(
    base: Base | None,
    procore: ProcoreNow | None,
    sharepoint: SharePointNow | None,
    rules: Rules,
) -> list[Decision]:
    """The decisions for one item (usually one; keep_both conflicts give two or three)."""
    if base is None:
        return _new_item(procore, sharepoint, rules)
    if procore is None and sharepoint is None:
        return [Forget()]
    p_change = procore_change(base, procore) if procore else None
    s_change = sharepoint_change(base, sharepoint) if sharepoint else None
    if sharepoint is not None and s_change is not None and s_change.content:
        if sharepoint.modified_by_us:
            s_change = SideChange(rename=s_change.rename, move=s_change.move)
            if not s_change.any and not (p_change and p_change.any):
                return [AdoptBase()]
        else:
            waiting = not_saved_and_closed(sharepoint, rules)
            if waiting:
                return [Defer(waiting)]
    if procore is None:
        assert s_change is not None
        return [Restore(deleted_on=Side.PROCORE)] if s_change.any else [Delete(Side.PROCORE)]
    if sharepoint is None:
        assert p_change is not None
        return [Restore(deleted_on=Side.SHAREPOINT)] if p_change.any else [Delete(Side.SHAREPOINT)]
    assert p_change is not None and s_change is not None
    if not p_change.any and not s_change.any:
        return [NoChange()]
    if not s_change.any:
        return [_carry(Side.PROCORE, p_change, procore.name)]
    if not p_change.any:
        return [_carry(Side.SHAREPOINT, s_change, sharepoint.name)]
    return _both_changed(procore, sharepoint, p_change, s_change, rules)


def same_name(procore_name: str, sharepoint_name: str) -> bool:
    """Whether a Procore name and a SharePoint name denote the same name once mapped."""
    return folded(procore_name) == sharepoint_name.casefold()


def folded(name: str) -> str:
    """A name as SharePoint compares it: mapped to what SharePoint accepts, case folded."""
    mapped = map_name(name)
    return (mapped.name if isinstance(mapped, MappedName) else name).casefold()


def _carry(source: Side, change: SideChange, name: str) -> Apply:
    return Apply(
        source=source,
        content=change.content,
        rename_to=name if change.rename else None,
        move=change.move,
    )


def _both_changed(
    procore: ProcoreNow,
    sharepoint: SharePointNow,
    p_change: SideChange,
    s_change: SideChange,
    rules: Rules,
) -> list[Decision]:
    procore_newer = procore.updated_at >= sharepoint.modified_at
    newer, older = (
        (Side.PROCORE, Side.SHAREPOINT) if procore_newer else (Side.SHAREPOINT, Side.PROCORE)
    )
    content_from: Side | None = None
    if p_change.content and s_change.content:
        if procore.size == sharepoint.size:
            return [CompareContent()]
        content_from = newer
    elif p_change.content:
        content_from = Side.PROCORE
    elif s_change.content:
        content_from = Side.SHAREPOINT

    decisions: list[Decision] = []
    if p_change.content and s_change.content and rules.policy is ConflictPolicy.KEEP_BOTH:
        loser_name = procore.name if older is Side.PROCORE else sharepoint.name
        decisions.append(KeepCopy(loser=older, name=copy_name(loser_name, older)))

    rename_from = _metadata_source(p_change.rename, s_change.rename, newer)
    move_from = _metadata_source(p_change.move, s_change.move, newer)
    names_agree = same_name(procore.name, sharepoint.name)
    for source in (Side.PROCORE, Side.SHAREPOINT):
        content = content_from is source
        rename = rename_from is source and not names_agree
        move = move_from is source
        if content or rename or move:
            name = procore.name if source is Side.PROCORE else sharepoint.name
            decisions.append(
                Apply(
                    source=source,
                    content=content,
                    rename_to=name if rename else None,
                    move=move,
                    conflict=content and p_change.content and s_change.content,
                )
            )
    return decisions or [AdoptBase()]


def _metadata_source(on_procore: bool, on_sharepoint: bool, newer: Side) -> Side | None:
    if on_procore and on_sharepoint:
        return newer
    if on_procore:
        return Side.PROCORE
    if on_sharepoint:
        return Side.SHAREPOINT
    return None


def _new_item(
    procore: ProcoreNow | None, sharepoint: SharePointNow | None, rules: Rules
) -> list[Decision]:
    if procore is not None and sharepoint is None:
        return [CreateOther(Side.PROCORE)]
    if sharepoint is not None and procore is None:
        waiting = not_saved_and_closed(sharepoint, rules)
        if waiting == "Office temporary or lock file":
            return [Ignore(waiting)]
        if waiting:
            return [Defer(waiting)]
        return [CreateOther(Side.SHAREPOINT)]
    if procore is None and sharepoint is None:
        return [NoChange()]
    return [CompareContent()]

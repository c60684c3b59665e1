"""The initial sync's decision for one folder: what to pair, copy, compare, defer or skip.

Pure (no I/O). Given the children of a Procore folder and of the SharePoint folder mapped to it,
returns the actions that make both hold the same tree (DESIGN §1.2):

- a folder on both sides (same name, ignoring case as SharePoint does) is paired and scanned next;
- a folder or file on one side only is created or copied on the other;
- a file on both sides with the same name is compared: different sizes decide at once (the newer
  last-modified wins and overwrites the other as a new version); equal sizes need the content
  hash (Procore has none, API-NOTES A5), so a `CompareContent` action asks for it and
  `resolve_same_name` decides once it is known — identical content is linked, never copied;
- nothing is deleted; names SharePoint rejects are mapped or skipped with a reason; SharePoint
  files that are not saved and closed (DESIGN §1.3) are deferred, temp files skipped.

An empty SharePoint folder makes this a mirror: every Procore child is created or copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.sync.model import ConflictPolicy, ProcoreEntry, SharePointEntry, Side, copy_name
from shared.sync.names import MappedName, Sibling, is_office_temp_name, name_folder


@dataclass(frozen=True)
class PairFolders:
    procore_id: int
    sharepoint_id: str


@dataclass(frozen=True)
class CreateSharePointFolder:
    procore_id: int
    name: str


@dataclass(frozen=True)
class CreateProcoreFolder:
    sharepoint_id: str
    name: str


@dataclass(frozen=True)
class CopyToSharePoint:
    """Copy a Procore file down; with `replace_id`, as a new version of that SharePoint file
    (guarded by `if_match`, the eTag seen when deciding)."""

    procore_id: int
    name: str
    size: int
    replace_id: str | None = None
    if_match: str | None = None


@dataclass(frozen=True)
class CopyToProcore:
    """Copy a SharePoint file up; with `replace_id`, as a new version of that Procore file
    (guarded by `expect_version`, the version seen when deciding)."""

    sharepoint_id: str
    name: str
    size: int
    replace_id: int | None = None
    expect_version: int | None = None


@dataclass(frozen=True)
class RenameSharePoint:
    """Rename a SharePoint item in place (keep_both: the loser moves aside first)."""

    sharepoint_id: str
    name: str
    if_match: str | None = None


@dataclass(frozen=True)
class RenameProcore:
    """Rename a Procore file in place (keep_both: the loser moves aside first)."""

    procore_id: int
    name: str


@dataclass(frozen=True)
class CompareContent:
    """Same name and size on both sides: the content hash decides (see `resolve_same_name`)."""

    procore_id: int
    sharepoint_id: str
    name: str


@dataclass(frozen=True)
class Link:
    """Identical on both sides: record the pair, transfer nothing."""

    procore_id: int
    sharepoint_id: str
    name: str


@dataclass(frozen=True)
class Defer:
    """Not taken now (in use, or changed too recently); looked at again later."""

    sharepoint_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class Skip:
    """Not synced, with the reason the user is told."""

    side: Side
    item_id: str
    name: str
    reason: str


MergeAction = (
    PairFolders
    | CreateSharePointFolder
    | CreateProcoreFolder
    | CopyToSharePoint
    | CopyToProcore
    | RenameSharePoint
    | RenameProcore
    | CompareContent
    | Link
    | Defer
    | Skip
)


@dataclass(frozen=True)
class MergeRules:
    """The settings a folder decision depends on."""

    now: datetime
    policy: ConflictPolicy = ConflictPolicy.NEWEST_WINS
    quiet_period: timedelta = timedelta(seconds=60)
    max_file_bytes: int = 250 * 1024**3
    at_library_root: bool = False


def sharepoint_not_ready(entry: SharePointEntry, rules: MergeRules) -> str | None:
    """Why a SharePoint file may not be taken yet (DESIGN §1.3 Save & Close), or None."""
    if entry.checked_out:
        return "checked out in SharePoint"
    if rules.now - entry.modified_at < rules.quiet_period:
        return "changed within the quiet period"
    return None


def plan_folder(
    procore: Sequence[ProcoreEntry],
    sharepoint: Sequence[SharePointEntry],
    rules: MergeRules,
) -> list[MergeAction]:
    """The actions for one pair of folders (children only; paired sub-folders come next)."""
    actions: list[MergeAction] = []
    by_name: dict[str, SharePointEntry] = {}
    for s_entry in sharepoint:
        by_name.setdefault(s_entry.name.casefold(), s_entry)
    names = name_folder(
        [Sibling(str(p.id), p.name, p.is_folder) for p in procore],
        at_library_root=rules.at_library_root,
    )
    taken = {e.name.casefold() for e in sharepoint} | {
        m.name.casefold() for m in names.names.values()
    }
    matched: set[str] = set()
    for p_entry in procore:
        key = str(p_entry.id)
        if key in names.skipped:
            actions.append(Skip(Side.PROCORE, key, p_entry.name, names.skipped[key].reason))
            continue
        mapped = names.names[key]
        s_match = by_name.get(mapped.name.casefold())
        if s_match is not None:
            matched.add(s_match.id)
        actions.extend(_decide_procore_child(p_entry, mapped, s_match, taken, rules))
    for s_entry in sharepoint:
        if s_entry.id not in matched:
            actions.append(_decide_sharepoint_only(s_entry, rules))
    return actions


def _decide_procore_child(
    p_entry: ProcoreEntry,
    mapped: MappedName,
    s_match: SharePointEntry | None,
    taken: set[str],
    rules: MergeRules,
) -> list[MergeAction]:
    if s_match is None:
        if p_entry.is_folder:
            return [CreateSharePointFolder(p_entry.id, mapped.name)]
        if p_entry.size > rules.max_file_bytes:
            return [_too_large(p_entry, rules)]
        return [CopyToSharePoint(p_entry.id, mapped.name, p_entry.size)]
    if p_entry.is_folder and s_match.is_folder:
        return [PairFolders(p_entry.id, s_match.id)]
    if p_entry.is_folder != s_match.is_folder:
        kind = "folder" if p_entry.is_folder else "file"
        other = "file" if p_entry.is_folder else "folder"
        reason = f"a {kind} in Procore and a {other} in SharePoint share the name '{mapped.name}'"
        return [
            Skip(Side.PROCORE, str(p_entry.id), p_entry.name, reason),
            Skip(Side.SHAREPOINT, s_match.id, s_match.name, reason),
        ]
    if p_entry.size > rules.max_file_bytes:
        return [_too_large(p_entry, rules)]
    if p_entry.size == s_match.size:
        return [CompareContent(p_entry.id, s_match.id, mapped.name)]
    return _newer_wins(p_entry, s_match, mapped.name, taken, rules)


def resolve_same_name(
    p_entry: ProcoreEntry,
    s_entry: SharePointEntry,
    procore_quick_xor: str,
    taken_names: set[str],
    rules: MergeRules,
) -> list[MergeAction]:
    """Decide a `CompareContent` once the Procore file's quickXorHash is known.

    `taken_names` holds the names (any case) used in the folder on either side, so a keep_both
    copy never lands on an existing name.
    """
    if s_entry.quick_xor is not None and s_entry.quick_xor == procore_quick_xor:
        return [Link(p_entry.id, s_entry.id, s_entry.name)]
    taken = {n.casefold() for n in taken_names}
    return _newer_wins(p_entry, s_entry, s_entry.name, taken, rules)


def _newer_wins(
    p_entry: ProcoreEntry,
    s_entry: SharePointEntry,
    name: str,
    taken: set[str],
    rules: MergeRules,
) -> list[MergeAction]:
    """Same name, different content: the newer last-modified wins (Procore on a tie).

    `newest_wins` overwrites the older as a new version; `keep_both` keeps the older beside it
    under a copy name on both sides (an existing copy is never overwritten).
    """
    procore_wins = p_entry.updated_at >= s_entry.modified_at
    not_ready = sharepoint_not_ready(s_entry, rules)
    if not_ready is not None:
        return [Defer(s_entry.id, s_entry.name, not_ready)]
    if rules.policy is ConflictPolicy.NEWEST_WINS:
        if procore_wins:
            return [
                CopyToSharePoint(
                    p_entry.id, name, p_entry.size, replace_id=s_entry.id, if_match=s_entry.etag
                )
            ]
        return [
            CopyToProcore(
                s_entry.id,
                p_entry.name,
                s_entry.size,
                replace_id=p_entry.id,
                expect_version=p_entry.version_id,
            )
        ]
    if procore_wins:
        aside = _free_copy_name(name, Side.SHAREPOINT, taken)
        return [
            RenameSharePoint(s_entry.id, aside, if_match=s_entry.etag),
            CopyToSharePoint(p_entry.id, name, p_entry.size),
            CopyToProcore(s_entry.id, aside, s_entry.size),
        ]
    aside = _free_copy_name(name, Side.PROCORE, taken)
    return [
        RenameProcore(p_entry.id, aside),
        CopyToSharePoint(p_entry.id, aside, p_entry.size),
        CopyToProcore(s_entry.id, p_entry.name, s_entry.size),
    ]


def _free_copy_name(name: str, loser: Side, taken: set[str]) -> str:
    candidate = copy_name(name, loser)
    number = 2
    while candidate.casefold() in taken:
        candidate = copy_name(name, loser).replace(" copy)", f" copy {number})")
        number += 1
    return candidate


def _decide_sharepoint_only(s_entry: SharePointEntry, rules: MergeRules) -> MergeAction:
    if s_entry.is_folder:
        return CreateProcoreFolder(s_entry.id, s_entry.name)
    if is_office_temp_name(s_entry.name):
        return Skip(Side.SHAREPOINT, s_entry.id, s_entry.name, "Office temporary or lock file")
    not_ready = sharepoint_not_ready(s_entry, rules)
    if not_ready is not None:
        return Defer(s_entry.id, s_entry.name, not_ready)
    return CopyToProcore(s_entry.id, s_entry.name, s_entry.size)


def _too_large(p_entry: ProcoreEntry, rules: MergeRules) -> Skip:
    return Skip(
        Side.PROCORE,
        str(p_entry.id),
        p_entry.name,
        f"{p_entry.size} bytes is over the {rules.max_file_bytes}-byte limit for SharePoint",
    )

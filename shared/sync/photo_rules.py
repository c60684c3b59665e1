"""Photos' own rules for the regular sync: albums ⇄ folders, photos ⇄ files (issue #6).

Pure (no I/O), like `shared.sync.reconcile`, whose shape they follow. Photos differ from
Documents in one fact: a Procore image keeps no versions and its content cannot be replaced
(API-NOTES A7: an image PATCH takes a filename, a description and an album, never data). So:

- an image id's content never changes on the Procore side; a photo edited in SharePoint becomes
  a new image in its album and the old image goes to the recycle bin, recorded as an update;
- two sides can never disagree on content, so neither conflict policy has a losing copy to keep:
  what both sides can change at once is the name and the album, and the newer side wins there;
- edit (rename, move, new content) vs delete → the edit wins and the item is restored on the
  deleting side; an album deleted on one side is restored when the other side renamed it or
  still needs it for a photo that is being written into it;
- a SharePoint file that is not saved and closed yet (DESIGN §1.3) waits; an Office temporary
  or lock file is never taken.

Echo suppression comes from the base: after every write the base holds what the sides now show
(our own rename, album, the new image's id, the quickXorHash of the uploaded file), so the change
our write makes on the other side compares equal to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.sync.model import Side
from shared.sync.names import is_office_temp_name
from shared.sync.reconcile import same_name

TEMP_FILE = "Office temporary or lock file"


@dataclass(frozen=True)
class Rules:
    now: datetime
    quiet_period: timedelta = timedelta(seconds=60)


# --- photos ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoBase:
    """A photo pair as last synced. `content` is the SharePoint file's quickXorHash."""

    procore_id: int
    sharepoint_id: str
    procore_name: str
    sharepoint_name: str
    procore_album_id: int | None
    sharepoint_folder_id: str | None
    content: str | None = None
    size: int = 0


@dataclass(frozen=True)
class ProcorePhoto:
    id: int
    name: str
    album_id: int | None
    updated_at: datetime


@dataclass(frozen=True)
class SharePointPhoto:
    """A file in an album folder. `album_id` is the Procore album paired with that folder (None
    while it has none), so that an album chosen on both sides can be compared."""

    id: str
    name: str
    folder_id: str | None
    modified_at: datetime
    content: str | None = None
    size: int = 0
    checked_out: bool = False
    album_id: int | None = None


@dataclass(frozen=True)
class Unchanged:
    pass


@dataclass(frozen=True)
class Wait:
    """Not saved and closed yet: looked at again by a later pass."""

    reason: str


@dataclass(frozen=True)
class Ignore:
    reason: str


@dataclass(frozen=True)
class Copy:
    """New on `source`: create it on the other side."""

    source: Side


@dataclass(frozen=True)
class Update:
    """Carry changes across. `content` always goes SharePoint → Procore (a new image replacing
    the old one); the name and the album each come from the side given, or stay. `contested`:
    both sides changed the same thing differently, and the newer side won."""

    content: bool = False
    name_from: Side | None = None
    album_from: Side | None = None
    contested: bool = False


@dataclass(frozen=True)
class Adopt:
    """Both sides changed alike: nothing to write, the base takes the sides' state."""


@dataclass(frozen=True)
class Remove:
    """Deleted on `deleted_on`: send the other side's copy to its recycle bin."""

    deleted_on: Side


@dataclass(frozen=True)
class Restore:
    """Deleted on `deleted_on`, changed on the other side: the edit wins; re-create it."""

    deleted_on: Side


@dataclass(frozen=True)
class Forget:
    """Gone from both sides: drop the base."""


PhotoDecision = Unchanged | Wait | Ignore | Copy | Update | Adopt | Remove | Restore | Forget


def not_saved_and_closed(photo: SharePointPhoto, rules: Rules) -> str | None:
    if is_office_temp_name(photo.name):
        return TEMP_FILE
    if photo.checked_out:
        return "checked out in SharePoint"
    if rules.now - photo.modified_at < rules.quiet_period:
        return "changed within the quiet period"
    return None


def content_changed(base: PhotoBase, photo: SharePointPhoto) -> bool:
    """The quickXorHash says it (delta carries no cTag, API-NOTES B3); the size where a hash is
    missing on either side."""
    if base.content is not None and photo.content is not None:
        return base.content != photo.content
    return base.size != photo.size


def decide_photo(
    base: PhotoBase | None,
    procore: ProcorePhoto | None,
    sharepoint: SharePointPhoto | None,
    rules: Rules,
) -> PhotoDecision:
    """The one decision for one photo: base vs Procore now vs SharePoint now."""
    if base is None:
        return _new_photo(procore, sharepoint, rules)
    if procore is None and sharepoint is None:
        return Forget()
    s_content = sharepoint is not None and content_changed(base, sharepoint)
    if sharepoint is not None and s_content:
        waiting = not_saved_and_closed(sharepoint, rules)
        if waiting:
            return Wait(waiting)
    s_rename = sharepoint is not None and sharepoint.name != base.sharepoint_name
    s_move = sharepoint is not None and sharepoint.folder_id != base.sharepoint_folder_id
    p_rename = procore is not None and procore.name != base.procore_name
    p_move = procore is not None and procore.album_id != base.procore_album_id
    if procore is None:
        changed = s_content or s_rename or s_move
        return Restore(Side.PROCORE) if changed else Remove(Side.PROCORE)
    if sharepoint is None:
        return Restore(Side.SHAREPOINT) if p_rename or p_move else Remove(Side.SHAREPOINT)
    if not (s_content or s_rename or s_move or p_rename or p_move):
        return Unchanged()
    newer = Side.PROCORE if procore.updated_at >= sharepoint.modified_at else Side.SHAREPOINT
    names_agree = same_name(procore.name, sharepoint.name)
    albums_agree = sharepoint.album_id is not None and sharepoint.album_id == procore.album_id
    name_from = _source(p_rename, s_rename, newer, agree=names_agree)
    album_from = _source(p_move, s_move, newer, agree=albums_agree)
    contested = (p_rename and s_rename and not names_agree) or (
        p_move and s_move and not albums_agree
    )
    if not s_content and name_from is None and album_from is None:
        return Adopt()
    return Update(
        content=s_content, name_from=name_from, album_from=album_from, contested=contested
    )


def _source(on_procore: bool, on_sharepoint: bool, newer: Side, *, agree: bool) -> Side | None:
    if on_procore and on_sharepoint:
        return None if agree else newer
    if on_procore:
        return Side.PROCORE
    if on_sharepoint:
        return Side.SHAREPOINT
    return None


def _new_photo(
    procore: ProcorePhoto | None, sharepoint: SharePointPhoto | None, rules: Rules
) -> PhotoDecision:
    if procore is not None and sharepoint is not None:
        raise ValueError("a photo new on both sides is two photos: decide each on its own")
    if procore is not None:
        return Copy(Side.PROCORE)
    if sharepoint is None:
        return Unchanged()
    waiting = not_saved_and_closed(sharepoint, rules)
    if waiting == TEMP_FILE:
        return Ignore(waiting)
    if waiting:
        return Wait(waiting)
    return Copy(Side.SHAREPOINT)


def writes_into(decision: PhotoDecision) -> Side | None:
    """The side on which a decision puts a photo into the album the other side holds it in (a
    new copy, a restore, a move, or a file still being saved there); None when it puts none.
    That album must exist on that side, even if it was just deleted there."""
    if isinstance(decision, Copy):
        return Side.SHAREPOINT if decision.source is Side.PROCORE else Side.PROCORE
    if isinstance(decision, Restore):
        return decision.deleted_on
    if isinstance(decision, Wait):
        return Side.PROCORE
    if isinstance(decision, Update) and decision.album_from is not None:
        return Side.SHAREPOINT if decision.album_from is Side.PROCORE else Side.PROCORE
    return None


# --- albums ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlbumBase:
    procore_id: int
    sharepoint_id: str
    procore_name: str
    sharepoint_name: str


@dataclass(frozen=True)
class ProcoreAlbum:
    id: int
    name: str
    updated_at: datetime


@dataclass(frozen=True)
class SharePointAlbum:
    id: str
    name: str
    modified_at: datetime


@dataclass(frozen=True)
class Pair:
    """New on both sides under the same name: the album and the folder are one."""


@dataclass(frozen=True)
class Rename:
    """Renamed on `source` (the newer side when both renamed, then `contested`)."""

    source: Side
    contested: bool = False


AlbumDecision = Unchanged | Copy | Pair | Rename | Adopt | Remove | Restore | Forget


def decide_album(
    base: AlbumBase | None,
    procore: ProcoreAlbum | None,
    sharepoint: SharePointAlbum | None,
    *,
    needed_in_procore: bool = False,
    needed_in_sharepoint: bool = False,
) -> AlbumDecision:
    """The decision for one album. `needed_in_*`: a photo is being written into this album on
    that side, which outweighs a delete there (edit vs delete: the edit wins)."""
    if base is None:
        if procore is not None and sharepoint is not None:
            if not same_name(procore.name, sharepoint.name):
                raise ValueError("an album and a folder new under different names are two albums")
            return Pair()
        if procore is not None:
            return Copy(Side.PROCORE)
        if sharepoint is not None:
            return Copy(Side.SHAREPOINT)
        return Unchanged()
    if procore is None and sharepoint is None:
        return Forget()
    if procore is None:
        assert sharepoint is not None
        renamed = sharepoint.name != base.sharepoint_name
        return Restore(Side.PROCORE) if renamed or needed_in_procore else Remove(Side.PROCORE)
    if sharepoint is None:
        renamed = procore.name != base.procore_name
        return (
            Restore(Side.SHAREPOINT) if renamed or needed_in_sharepoint else Remove(Side.SHAREPOINT)
        )
    p_rename = procore.name != base.procore_name
    s_rename = sharepoint.name != base.sharepoint_name
    if not p_rename and not s_rename:
        return Unchanged()
    if p_rename and s_rename:
        if same_name(procore.name, sharepoint.name):
            return Adopt()
        newer = Side.PROCORE if procore.updated_at >= sharepoint.modified_at else Side.SHAREPOINT
        return Rename(newer, contested=True)
    return Rename(Side.PROCORE if p_rename else Side.SHAREPOINT)

"""Photos in the regular sync: albums ⇄ folders under Photos, photos ⇄ files, both ways.

What a pass reads
- SharePoint: the delta items the caller routed to the project's Photos subtree. A delete
  carries only an id (API-NOTES B3), so it is recognised through the base; an album folder
  deleted in SharePoint takes the photos in it along, whether or not delta lists them.
- Procore (API-NOTES A7), two requests in the steady state:
  1. the album list (`image_categories`, one page): album creates, renames, deletes, and each
     album's `count`;
  2. the images changed since the watermark (`images` with `filters[updated_at]`, from the
     watermark less `PROCORE_POLL_OVERLAP_S`): new, renamed and moved photos.
  Image deletes do not show in an `updated_at` listing. The pass knows which images each album
  should hold (the base, moved by the changed listing); only an album whose `count` differs from
  that (or that comes without a count) is listed in full, one more request, and its base photos
  missing there were deleted in Procore. A full re-listing of every album every Nth pass would
  cost a request per album each time whether anything was deleted or not, and leave deletes
  unseen for N-1 passes; the count costs nothing until something was deleted. (Whether `count`
  counts exactly the images the app can list is not documented [U]; an album whose count
  disagrees is simply listed, so a wrong count costs a request, never a wrong delete.)
  Measured against the emulators (tests/sync/test_photo_pass.py): a pass with nothing to do
  costs 2 Procore requests and no Graph request; one image deleted in Procore adds 1.

What a pass does
Pure decisions (`shared.sync.photo_rules`) per album and per photo, then, in this order: album
creates/renames/restores, photo deletes, photo updates, photo copies and restores, and last the
album deletes (after the photos that left those albums have moved). State moves only after a
write succeeded. A throttle propagates (the caller re-enqueues); any other API error on one item
is logged, the item deferred, and the pass carries on.

Photos are kept in their own Items partition (`records.photos_key`): album pairs are folders
(`procore_id` = album id), photo pairs are files (`procore_id` = image id, parents = album id
and album folder id, `quick_xor_hash` = the SharePoint content token).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from shared import runtime
from shared.errors import ApiError, Locked, NotFound, Throttled
from shared.graph.models import DriveItem
from shared.procore.models import Image, ImageCategory
from shared.state.items import ItemBase, ItemKind
from shared.state.log import LogAction
from shared.state.pending import Area, HeldDelete
from shared.sync import photo_rules as rules
from shared.sync.model import Side
from shared.sync.names import MappedName, is_office_temp_name, sharepoint_name
from shared.sync.pass_context import Pass
from shared.sync.records import photos_key, save_pair, stale_item
from shared.sync.refusals import refusal
from shared.sync.spool import Spool

log = logging.getLogger("sync")

NO_ALBUM = "a file directly in the Photos folder belongs to no album; put it in an album's folder"
NESTED_FOLDER = "a folder inside an album: albums hold photos, not folders"
NESTED_FILE = "a file in a folder inside an album: only photos directly in an album are synced"
PROCORE_NO_ALBUM = "a Procore photo in no album has no folder in SharePoint"


def photo_pass(current: Pass, sp_items: list[DriveItem]) -> datetime | None:
    """Apply Photos changes from both sides; return the new Procore photos watermark."""
    photos_folder = current.project.tool_folder_ids.get("photos")
    if "photos" not in current.project.tools or not photos_folder:
        return None
    state = _PhotoState(current, photos_folder)
    state.read_base()
    state.read_sharepoint(sp_items)
    started = datetime.now(UTC)
    if not state.read_procore():
        return None
    state.decide_and_apply(rules.Rules(now=datetime.now(UTC), quiet_period=state.quiet_period))
    return state.next_watermark(started)


@dataclass
class _Album:
    """One album in this pass: its base and what each side holds now."""

    base: ItemBase | None = None
    procore: ImageCategory | None = None
    sharepoint: DriveItem | None = None
    sharepoint_gone: bool = False
    needed_in_procore: bool = False
    needed_in_sharepoint: bool = False
    failed: bool = False
    leaving: Side | None = None
    """The side this album is to be deleted from once its photos are done."""


@dataclass
class _Photo:
    base: ItemBase | None = None
    procore: Image | None = None
    procore_gone: bool = False
    sharepoint: DriveItem | None = None
    sharepoint_gone: bool = False


class _PhotoState:
    def __init__(self, current: Pass, photos_folder: str) -> None:
        self.current = current
        self.photos_folder = photos_folder
        self.key = photos_key(current.key)
        self.procore = runtime.procore_client()
        self.graph = runtime.graph_client()
        self.quiet_period = timedelta(seconds=current.settings.quiet_period_s)
        self.albums: list[_Album] = []
        self.photos: list[_Photo] = []
        self.album_by_procore: dict[int, _Album] = {}
        self.album_by_sharepoint: dict[str, _Album] = {}
        self.photo_by_procore: dict[int, _Photo] = {}
        self.photo_by_sharepoint: dict[str, _Photo] = {}
        self.since: datetime | None = None
        self.vanished: set[str] = set()
        """New SharePoint folders gone before they could be taken (a replayed feed)."""
        self.latest: datetime | None = None

    # --- reading -------------------------------------------------------------------------

    def read_base(self) -> None:
        for row in self.current.store.items.list_items(self.key):
            if row.kind == ItemKind.FOLDER:
                album = _Album(base=row)
                self.albums.append(album)
                self.album_by_procore[row.procore_id] = album
                self.album_by_sharepoint[row.sharepoint_id] = album
            else:
                photo = _Photo(base=row)
                self.photos.append(photo)
                self.photo_by_procore[row.procore_id] = photo
                self.photo_by_sharepoint[row.sharepoint_id] = photo

    def read_sharepoint(self, sp_items: list[DriveItem]) -> None:
        latest: dict[str, DriveItem] = {}
        for item in sp_items:
            latest[item.id] = item
        # Album folders first: pending changes come in no particular order, and a new folder's
        # photos must find their album.
        for item in sorted(latest.values(), key=lambda i: not i.is_folder):
            if item.is_deleted:
                self._sharepoint_delete(item.id)
                continue
            parent = item.parent_reference.id if item.parent_reference else None
            name = item.name or item.id
            if item.is_folder:
                if parent == self.photos_folder:
                    album = self.album_by_sharepoint.get(item.id)
                    if album is not None and stale_item(item, album.base):
                        continue
                    if album is None:
                        album = _Album()
                        self.albums.append(album)
                        self.album_by_sharepoint[item.id] = album
                    album.sharepoint = item
                else:
                    self._skip(name, NESTED_FOLDER, sharepoint_id=item.id)
                continue
            if is_office_temp_name(name) and item.id not in self.photo_by_sharepoint:
                continue
            known_album = self.album_by_sharepoint.get(parent or "")
            if parent == self.photos_folder or known_album is None or known_album.sharepoint_gone:
                reason = NO_ALBUM if parent == self.photos_folder else NESTED_FILE
                self._skip(name, reason, sharepoint_id=item.id)
                continue
            photo = self.photo_by_sharepoint.get(item.id)
            if photo is not None and stale_item(item, photo.base):
                continue
            if photo is None:
                photo = _Photo()
                self.photos.append(photo)
                self.photo_by_sharepoint[item.id] = photo
            photo.sharepoint = item
        for album in self.albums:
            if album.sharepoint_gone and album.base is not None:
                for photo in self.photos:
                    if (
                        photo.base is not None
                        and photo.sharepoint is None
                        and photo.base.sharepoint_parent_id == album.base.sharepoint_id
                    ):
                        photo.sharepoint_gone = True

    def _sharepoint_delete(self, item_id: str) -> None:
        album = self.album_by_sharepoint.get(item_id)
        if album is not None:
            album.sharepoint_gone = True
            album.sharepoint = None
            return
        photo = self.photo_by_sharepoint.get(item_id)
        if photo is not None:
            photo.sharepoint_gone = True
            photo.sharepoint = None

    def read_procore(self) -> bool:
        """Pull the album list and the changed images; False when the pass must stop."""
        scope = self.current.scope
        live = {a.id: a for a in self.procore.list_albums(scope)}
        synced = [a for a in self.albums if a.base is not None]
        if not live and synced:
            self.current.record(
                LogAction.ERROR,
                name="Photos",
                reason=f"Procore listed no albums while {len(synced)} are synced; "
                "nothing is deleted until it lists them again",
            )
            self.current.deferred.append("Photos")
            return False
        for album in synced:
            assert album.base is not None
            album.procore = live.get(album.base.procore_id)
        self._pair_new_albums(live)
        project = self.current.project
        mark = project.photo_watermark or project.procore_watermark
        overlap = timedelta(seconds=self.current.settings.procore_poll_overlap_s)
        self.since = mark - overlap if mark is not None else None
        images: dict[int, Image] = {}
        for image in self.procore.list_photos(scope, updated_since=self.since):
            images[image.id] = image
            if image.updated_at and (self.latest is None or image.updated_at > self.latest):
                self.latest = image.updated_at
        gone = self._procore_deletes(live, images)
        for image in images.values():
            self._take_image(image, live)
        for photo in self.photos:
            if photo.base is None or photo.procore is not None:
                continue
            if photo.base.procore_id in gone or photo.base.procore_parent_id not in live:
                photo.procore_gone = True
        return True

    def _pair_new_albums(self, live: dict[int, ImageCategory]) -> None:
        """Procore albums without a base: paired with a new folder of the same name, else new."""
        paired = {a.base.procore_id for a in self.albums if a.base is not None}
        new_folders = {
            _folded(a.sharepoint.name or ""): a
            for a in self.albums
            if a.base is None and a.sharepoint is not None
        }
        for album_id, category in live.items():
            if album_id in paired:
                continue
            album = new_folders.pop(_folded(_mapped(category.name, folder=True)), None)
            if album is None:
                album = _Album()
                self.albums.append(album)
            album.procore = category
            self.album_by_procore[album_id] = album

    def _procore_deletes(
        self, live: dict[int, ImageCategory], images: dict[int, Image]
    ) -> set[int]:
        """Image ids deleted in Procore, found by each album's count (see the module doc)."""
        holding: dict[int, set[int]] = {}
        for photo in self.photos:
            if photo.base is not None and photo.base.procore_parent_id is not None:
                holding.setdefault(photo.base.procore_parent_id, set()).add(photo.base.procore_id)
        for image in images.values():
            for members in holding.values():
                members.discard(image.id)
            if image.image_category_id is not None:
                holding.setdefault(image.image_category_id, set()).add(image.id)
        gone: set[int] = set()
        for album_id, category in live.items():
            expected = holding.get(album_id, set())
            if category.count is not None and category.count == len(expected):
                continue
            listed: set[int] = set()
            for image in self.procore.list_photos(self.current.scope, album_id=album_id):
                listed.add(image.id)
                images.setdefault(image.id, image)
            for image_id in expected - listed:
                moved = images.get(image_id)
                if moved is None or moved.image_category_id == album_id:
                    gone.add(image_id)
                    images.pop(image_id, None)
        return gone

    def _take_image(self, image: Image, live: dict[int, ImageCategory]) -> None:
        photo = self.photo_by_procore.get(image.id)
        if image.image_category_id is None or image.image_category_id not in live:
            if photo is None and self._newly_changed(image):
                self._skip(_image_name(image), PROCORE_NO_ALBUM, procore_id=image.id)
            return
        if photo is None:
            photo = _Photo()
            self.photos.append(photo)
            self.photo_by_procore[image.id] = photo
        photo.procore = image

    def _newly_changed(self, image: Image) -> bool:
        mark = self.current.project.photo_watermark
        return mark is None or image.updated_at is None or image.updated_at > mark

    def next_watermark(self, started: datetime) -> datetime | None:
        mark = self.current.project.photo_watermark
        if self.latest is not None and (mark is None or self.latest > mark):
            return self.latest
        if mark is None and self.since is None:
            return started
        return None

    # --- deciding --------------------------------------------------------------------------

    def decide_and_apply(self, photo_rules: rules.Rules) -> None:
        decided: list[tuple[_Photo, rules.PhotoDecision]] = []
        for photo in self.photos:
            if not (
                photo.procore or photo.sharepoint or photo.procore_gone or photo.sharepoint_gone
            ):
                continue
            decision = rules.decide_photo(
                _photo_base(photo.base) if photo.base else None,
                self._procore_photo(photo),
                self._sharepoint_photo(photo),
                photo_rules,
            )
            decided.append((photo, decision))
            self._mark_needed(photo, decision)
        for album in list(self.albums):
            self._run(album_name(album), partial(self._album_step, album), album=album)
        decided = self._limit_deletes(decided)
        order = (rules.Remove, rules.Forget, rules.Update, rules.Adopt, rules.Copy, rules.Restore)
        for kind in order:
            for photo, decision in decided:
                if isinstance(decision, kind):
                    self._run(_photo_name(photo), partial(self._photo_step, photo, decision))
        for photo, decision in decided:
            if isinstance(decision, rules.Wait):
                self._defer(photo, decision.reason)
        for album in self.albums:
            if album.leaving is not None and not album.failed:
                self._run(album_name(album), partial(self._remove_album, album), album=album)

    def _limit_deletes(
        self, decided: list[tuple[_Photo, rules.PhotoDecision]]
    ) -> list[tuple[_Photo, rules.PhotoDecision]]:
        """The delete limit (DESIGN §4) over this pass's photo and album deletes: when they
        exceed what the project may still delete today, all of them are held back (recorded for
        the administrator to approve or restore) and none is carried out. Deletes held earlier
        are not decided again."""
        held = {
            h.procore_id
            for h in self.current.store.held.list_for(self.current.key)
            if h.area is Area.PHOTOS
        }
        removes = [(p, d) for p, d in decided if isinstance(d, rules.Remove) and p.base is not None]
        leaving = [a for a in self.albums if a.leaving is not None and a.base is not None]
        fresh_removes = [(p, d) for p, d in removes if p.base and p.base.procore_id not in held]
        fresh_albums = [a for a in leaving if a.base and a.base.procore_id not in held]
        allowance = self.current.delete_allowance
        over = allowance is not None and len(fresh_removes) + len(fresh_albums) > allowance
        if over:
            self._hold(fresh_removes, fresh_albums)
        keep_out = {id(p) for p, _ in removes if over or (p.base and p.base.procore_id in held)}
        for album in leaving:
            if over or (album.base and album.base.procore_id in held):
                album.leaving = None
        return [(p, d) for p, d in decided if id(p) not in keep_out]

    def _hold(self, removes: list[tuple[_Photo, rules.Remove]], albums: list[_Album]) -> None:
        now = datetime.now(UTC)
        rows: list[HeldDelete] = []
        for photo, decision in removes:
            assert photo.base is not None
            rows.append(_held(photo.base, decision.deleted_on, now, folder=False))
        for album in albums:
            assert album.base is not None and album.leaving is not None
            deleted_on = Side.PROCORE if album.leaving is Side.SHAREPOINT else Side.SHAREPOINT
            rows.append(_held(album.base, deleted_on, now, folder=True))
        self.current.store.held.hold(self.current.key, rows)
        self.current.held_now += len(rows)
        for row in rows:
            self.current.record(
                LogAction.SKIPPED,
                procore_id=row.procore_id,
                sharepoint_id=row.sharepoint_id,
                name=row.name,
                path=f"Photos/{row.path}",
                reason=f"deleted in {row.deleted_on}; held back by the delete limit until an "
                "administrator approves or restores it",
            )

    def _mark_needed(self, photo: _Photo, decision: rules.PhotoDecision) -> None:
        side = rules.writes_into(decision)
        if side is Side.PROCORE:
            folder = self._sharepoint_folder(photo)
            album = self.album_by_sharepoint.get(folder or "")
            if album is not None:
                album.needed_in_procore = True
        elif side is Side.SHAREPOINT:
            album_id = self._procore_album(photo)
            album = self.album_by_procore.get(album_id) if album_id is not None else None
            if album is not None:
                album.needed_in_sharepoint = True

    def _procore_photo(self, photo: _Photo) -> rules.ProcorePhoto | None:
        if photo.procore is not None:
            image = photo.procore
            return rules.ProcorePhoto(
                id=image.id,
                name=_image_name(image),
                album_id=image.image_category_id,
                updated_at=image.updated_at or datetime.now(UTC),
            )
        if photo.base is None or photo.procore_gone:
            return None
        base = photo.base
        return rules.ProcorePhoto(
            id=base.procore_id,
            name=base.procore_name,
            album_id=base.procore_parent_id,
            updated_at=base.procore_modified_at or base.synced_at,
        )

    def _sharepoint_photo(self, photo: _Photo) -> rules.SharePointPhoto | None:
        item = photo.sharepoint
        if item is not None:
            folder = item.parent_reference.id if item.parent_reference else None
            album = self.album_by_sharepoint.get(folder or "")
            return rules.SharePointPhoto(
                id=item.id,
                name=item.name or item.id,
                folder_id=folder,
                modified_at=item.last_modified_date_time or datetime.now(UTC),
                content=item.quick_xor_hash,
                size=item.size or 0,
                checked_out=item.is_checked_out,
                album_id=album.base.procore_id if album and album.base else None,
            )
        if photo.base is None or photo.sharepoint_gone:
            return None
        base = photo.base
        return rules.SharePointPhoto(
            id=base.sharepoint_id,
            name=base.sharepoint_name,
            folder_id=base.sharepoint_parent_id,
            modified_at=base.sharepoint_modified_at or base.synced_at,
            content=base.quick_xor_hash,
            size=base.size or 0,
            album_id=base.procore_parent_id,
        )

    def _sharepoint_folder(self, photo: _Photo) -> str | None:
        if photo.sharepoint is not None and photo.sharepoint.parent_reference is not None:
            return photo.sharepoint.parent_reference.id
        return photo.base.sharepoint_parent_id if photo.base else None

    def _procore_album(self, photo: _Photo) -> int | None:
        if photo.procore is not None:
            return photo.procore.image_category_id
        return photo.base.procore_parent_id if photo.base else None

    def _run(self, name: str, step: Callable[[], None], album: _Album | None = None) -> None:
        self.current.keep_lease()
        try:
            step()
        except Throttled:
            raise
        except Locked as exc:
            if album is not None:
                album.failed = True
            self.current.deferred.append(name)
            self.current.record(
                LogAction.INFO,
                name=name,
                reason=f"locked in SharePoint; taken later ({refusal(exc)})",
            )
        except NotFound as exc:
            if album is not None:
                album.failed = True
            self.current.record(LogAction.ERROR, name=name, reason=refusal(exc))
        except ApiError as exc:
            if album is not None:
                album.failed = True
            self.current.deferred.append(name)
            self.current.record(LogAction.ERROR, name=name, reason=refusal(exc))

    def _defer(self, photo: _Photo, reason: str) -> None:
        self.current.deferred.append(_photo_name(photo))
        log.info("photo not taken yet", extra={"reason": reason, "operation": "photo_pass"})

    def _skip(self, name: str, reason: str, **ids: Any) -> None:
        self.current.record(
            LogAction.SKIPPED, name=name, path=f"Photos/{name}", reason=reason, **ids
        )

    # --- albums ----------------------------------------------------------------------------

    def _album_step(self, album: _Album) -> None:
        base = album.base
        p_now = (
            rules.ProcoreAlbum(
                id=album.procore.id,
                name=album.procore.name,
                updated_at=album.procore.updated_at or datetime.now(UTC),
            )
            if album.procore is not None
            else None
        )
        s_now: rules.SharePointAlbum | None = None
        if album.sharepoint is not None:
            s_now = rules.SharePointAlbum(
                id=album.sharepoint.id,
                name=album.sharepoint.name or album.sharepoint.id,
                modified_at=album.sharepoint.last_modified_date_time or datetime.now(UTC),
            )
        elif base is not None and not album.sharepoint_gone:
            s_now = rules.SharePointAlbum(
                id=base.sharepoint_id,
                name=base.sharepoint_name,
                modified_at=base.sharepoint_modified_at or base.synced_at,
            )
        decision = rules.decide_album(
            _album_base(base) if base else None,
            p_now,
            s_now,
            needed_in_procore=album.needed_in_procore,
            needed_in_sharepoint=album.needed_in_sharepoint,
        )
        if isinstance(decision, rules.Unchanged):
            return
        if isinstance(decision, rules.Forget):
            assert base is not None
            self.current.store.items.delete(base)
            album.base = None
            return
        if isinstance(decision, rules.Remove):
            album.leaving = Side.SHAREPOINT if decision.deleted_on is Side.PROCORE else Side.PROCORE
            return
        name_p = p_now.name if p_now else None
        name_s = s_now.name if s_now else None
        if isinstance(decision, rules.Copy) and decision.source is Side.SHAREPOINT:
            assert s_now is not None
            if not self._still_there(s_now.id):
                self.vanished.add(s_now.id)
                return
        if isinstance(decision, rules.Copy | rules.Restore):
            to_sharepoint = (
                decision.source is Side.PROCORE
                if isinstance(decision, rules.Copy)
                else decision.deleted_on is Side.SHAREPOINT
            )
            if to_sharepoint:
                assert name_p is not None and p_now is not None
                created = self.graph.create_folder(
                    self.current.drive,
                    self.photos_folder,
                    _mapped(name_p, folder=True),
                    conflict_behavior="rename",
                )
                self._save_album(
                    album,
                    p_now.id,
                    name_p,
                    created.id,
                    created.name or name_p,
                    created.last_modified_date_time,
                )
                album.sharepoint = created
            else:
                assert name_s is not None and s_now is not None
                made = self.procore.create_album(self.current.scope, name_s)
                self._save_album(album, made.id, made.name, s_now.id, name_s, s_now.modified_at)
                album.procore = made
            restored = isinstance(decision, rules.Restore)
            self.current.record(
                LogAction.RESTORED if restored else LogAction.COPIED,
                side="sharepoint" if to_sharepoint else "procore",
                name=name_p if to_sharepoint else name_s,
                path=f"Photos/{name_p if to_sharepoint else name_s}",
                detail="album folder created in SharePoint"
                if to_sharepoint
                else "album created in Procore",
                reason=(
                    f"the album changed or gained photos after it was deleted in "
                    f"{'SharePoint' if to_sharepoint else 'Procore'}"
                )
                if restored
                else None,
            )
            return
        assert p_now is not None and s_now is not None
        if isinstance(decision, rules.Pair | rules.Adopt):
            self._save_album(album, p_now.id, p_now.name, s_now.id, s_now.name, s_now.modified_at)
            return
        assert isinstance(decision, rules.Rename)
        if decision.source is Side.PROCORE:
            item = self.graph.update_item(
                self.current.drive, s_now.id, name=_mapped(p_now.name, folder=True)
            )
            self._save_album(
                album,
                p_now.id,
                p_now.name,
                s_now.id,
                item.name or p_now.name,
                item.last_modified_date_time,
            )
            new_name = p_now.name
        else:
            self.procore.rename_album(self.current.scope, p_now.id, s_now.name)
            self._save_album(album, p_now.id, s_now.name, s_now.id, s_now.name, s_now.modified_at)
            new_name = s_now.name
        side = "sharepoint" if decision.source is Side.PROCORE else "procore"
        self.current.record(
            LogAction.RENAMED, side=side, name=new_name, path=f"Photos/{new_name}", detail="album"
        )
        if decision.contested:
            self.current.record(
                LogAction.CONFLICT,
                name=new_name,
                path=f"Photos/{new_name}",
                reason=f"the album was renamed on both sides; the newer name "
                f"({decision.source.value}) won",
            )

    def _still_there(self, item_id: str) -> bool:
        """Whether a SharePoint item is still there: one GET before a new album is made from a
        folder, as a replayed delta feed may hold a folder deleted since."""
        try:
            self.graph.get_item(self.current.drive, item_id)
        except NotFound:
            return False
        return True

    def _save_album(
        self,
        album: _Album,
        procore_id: int,
        procore_name: str,
        folder_id: str,
        folder_name: str,
        modified: datetime | None,
    ) -> None:
        old = album.base
        pair = ItemBase(
            project_key=self.key,
            kind=ItemKind.FOLDER,
            tool="photos",
            procore_id=procore_id,
            sharepoint_id=folder_id,
            procore_parent_id=None,
            sharepoint_parent_id=self.photos_folder,
            procore_name=procore_name,
            sharepoint_name=folder_name,
            path=procore_name,
            sharepoint_modified_at=modified,
            synced_at=datetime.now(UTC),
        )
        album.base = save_pair(self.current.store, pair)
        if old is not None:
            self.album_by_procore.pop(old.procore_id, None)
            self.album_by_sharepoint.pop(old.sharepoint_id, None)
        self.album_by_procore[procore_id] = album
        self.album_by_sharepoint[folder_id] = album
        album.sharepoint_gone = False

    def _remove_album(self, album: _Album) -> None:
        base = album.base
        assert base is not None
        if album.leaving is Side.SHAREPOINT:
            _gone_ok(lambda: self.graph.delete_item(self.current.drive, base.sharepoint_id))
            reason = "album deleted in Procore; its folder and photos moved to the recycle bin"
        else:
            _gone_ok(lambda: self.procore.delete_album(self.current.scope, base.procore_id))
            reason = "album folder deleted in SharePoint; the album deleted in Procore"
        for photo in self.photos:
            if photo.base is not None and photo.base.procore_parent_id == base.procore_id:
                self.current.store.items.delete(photo.base)
                photo.base = None
        self.current.store.items.delete(base)
        album.base = None
        self.current.deletes_carried += 1
        self.current.record(
            LogAction.DELETED,
            side="sharepoint" if album.leaving is Side.SHAREPOINT else "procore",
            procore_id=base.procore_id,
            sharepoint_id=base.sharepoint_id,
            name=base.procore_name,
            path=f"Photos/{base.procore_name}",
            reason=reason,
        )

    # --- photos ----------------------------------------------------------------------------

    def _photo_step(self, photo: _Photo, decision: rules.PhotoDecision) -> None:
        if isinstance(decision, rules.Forget):
            assert photo.base is not None
            self.current.store.items.delete(photo.base)
            photo.base = None
        elif isinstance(decision, rules.Remove):
            self._remove_photo(photo, decision)
        elif isinstance(decision, rules.Copy):
            if decision.source is Side.PROCORE:
                self._to_sharepoint(photo, restored=False)
            else:
                self._to_procore(photo, restored=False)
        elif isinstance(decision, rules.Restore):
            if decision.deleted_on is Side.SHAREPOINT:
                self._to_sharepoint(photo, restored=True)
            else:
                self._to_procore(photo, restored=True)
        elif isinstance(decision, rules.Update | rules.Adopt):
            self._update(photo, decision)

    def _remove_photo(self, photo: _Photo, decision: rules.Remove) -> None:
        base = photo.base
        assert base is not None
        if decision.deleted_on is Side.PROCORE:
            album = self.album_by_sharepoint.get(base.sharepoint_parent_id or "")
            if album is None or album.leaving is not Side.SHAREPOINT:
                _gone_ok(lambda: self.graph.delete_item(self.current.drive, base.sharepoint_id))
            side = "sharepoint"
        else:
            _gone_ok(lambda: self.procore.delete_photo(self.current.scope, base.procore_id))
            side = "procore"
        self.current.store.items.delete(base)
        photo.base = None
        self.current.deletes_carried += 1
        self.current.record(
            LogAction.DELETED,
            side=side,
            procore_id=base.procore_id,
            sharepoint_id=base.sharepoint_id,
            name=base.procore_name,
            path=f"Photos/{base.path}",
            reason=f"deleted in {decision.deleted_on.value}; moved to the recycle bin",
        )

    def _folder_for(self, album_id: int | None) -> tuple[str, str] | None:
        """The SharePoint folder (id, album name) paired with a Procore album now."""
        album = self.album_by_procore.get(album_id) if album_id is not None else None
        if album is None or album.base is None or album.failed or album.leaving:
            return None
        return album.base.sharepoint_id, album.base.procore_name

    def _album_for(self, folder_id: str | None) -> tuple[int, str] | None:
        """The Procore album (id, name) paired with a SharePoint folder now."""
        album = self.album_by_sharepoint.get(folder_id or "")
        if album is None or album.base is None or album.failed or album.leaving:
            return None
        return album.base.procore_id, album.base.procore_name

    def _to_sharepoint(self, photo: _Photo, *, restored: bool) -> None:
        image = photo.procore
        assert image is not None
        target = self._folder_for(image.image_category_id)
        name = _image_name(image)
        if target is None:
            self.current.deferred.append(name)
            return
        folder_id, album_name = target
        mapped = sharepoint_name(name)
        if not isinstance(mapped, MappedName):
            self._skip(f"{album_name}/{name}", mapped.reason, procore_id=image.id)
            return
        if image.url is None:
            raise NotFound(f"Procore photo {image.id} has no content", service="procore")
        with Spool() as spool:
            spool.fill(self.procore.download(self.current.scope, image.url))
            with spool.reader() as reader:
                result = self.graph.upload_file(
                    self.current.drive,
                    reader,
                    spool.size,
                    parent_id=folder_id,
                    name=mapped.name,
                    conflict_behavior="rename",
                )
        item = result.item
        self._save_photo(
            photo,
            image=image,
            album_id=image.image_category_id,
            album_name=album_name,
            item_id=item.id,
            item_name=item.name or mapped.name,
            folder_id=folder_id,
            content=item.quick_xor_hash or result.sent_quick_xor_hash,
            size=item.size or result.sent_bytes,
            modified=item.last_modified_date_time,
        )
        self._record_copy(photo, "sharepoint", restored)

    def _to_procore(self, photo: _Photo, *, restored: bool) -> None:
        item = photo.sharepoint
        assert item is not None
        folder_id = item.parent_reference.id if item.parent_reference else None
        name = item.name or item.id
        if folder_id in self.vanished:
            return
        target = self._album_for(folder_id)
        if target is None:
            self.current.deferred.append(name)
            return
        album_id, album_name = target
        with Spool() as spool:
            try:
                self.graph.download(self.current.drive, item.id, spool)
            except NotFound:
                return  # deleted before it could be taken: its delete comes through delta
            image = self.procore.upload_photo(
                self.current.scope, album_id, name, spool.upload_source()
            )
            content, size = spool.quick_xor, spool.size
        self._save_photo(
            photo,
            image=image,
            album_id=album_id,
            album_name=album_name,
            item_id=item.id,
            item_name=name,
            folder_id=folder_id,
            content=content,
            size=size,
            modified=item.last_modified_date_time,
        )
        self._record_copy(photo, "procore", restored)

    def _record_copy(self, photo: _Photo, side: str, restored: bool) -> None:
        base = photo.base
        assert base is not None
        other = "Procore" if side == "sharepoint" else "SharePoint"
        self.current.record(
            LogAction.RESTORED if restored else LogAction.COPIED,
            side=side,
            procore_id=base.procore_id,
            sharepoint_id=base.sharepoint_id,
            name=base.procore_name,
            path=f"Photos/{base.path}",
            reason=f"changed in {other} after it was deleted in "
            f"{'SharePoint' if side == 'sharepoint' else 'Procore'}"
            if restored
            else None,
        )

    def _update(self, photo: _Photo, decision: rules.Update | rules.Adopt) -> None:
        base = photo.base
        assert base is not None
        image, item = photo.procore, photo.sharepoint
        p_name = _image_name(image) if image else base.procore_name
        p_album = image.image_category_id if image else base.procore_parent_id
        s_name = (item.name or base.sharepoint_name) if item else base.sharepoint_name
        s_folder = (
            item.parent_reference.id
            if item and item.parent_reference
            else base.sharepoint_parent_id
        )
        if isinstance(decision, rules.Adopt):
            target = self._album_for(s_folder)
            self._save_photo(
                photo,
                image=image,
                album_id=p_album,
                album_name=target[1] if target else base.path.split("/")[0],
                item_id=base.sharepoint_id,
                item_name=s_name,
                folder_id=s_folder,
                content=item.quick_xor_hash if item else base.quick_xor_hash,
                size=item.size if item and item.size is not None else base.size or 0,
                modified=item.last_modified_date_time if item else base.sharepoint_modified_at,
            )
            return
        new_name = s_name if decision.name_from is Side.SHAREPOINT else p_name
        if decision.album_from is Side.SHAREPOINT:
            target = self._album_for(s_folder)
            if target is None:
                self.current.deferred.append(new_name)
                return
            album_id: int | None = target[0]
            album_name = target[1]
            folder_id = s_folder
        else:
            folder = self._folder_for(p_album)
            if folder is None:
                self.current.deferred.append(new_name)
                return
            folder_id, album_name = folder
            album_id = p_album
        content, size = (
            (item.quick_xor_hash, item.size or 0) if item else (base.quick_xor_hash, base.size or 0)
        )
        procore_id = base.procore_id
        if decision.content:
            assert item is not None
            with Spool() as spool:
                self.graph.download(self.current.drive, item.id, spool)
                image = self.procore.upload_photo(
                    self.current.scope, album_id, new_name, spool.upload_source()
                )
                content, size = spool.quick_xor, spool.size
            # The new image is the base before the old one goes, so a failed delete does not
            # make the next pass upload the edit again; a rename or move still owed to
            # SharePoint stays owed (the base keeps Procore's old name and album for it).
            self._save_photo(
                photo,
                image=image,
                album_id=base.procore_parent_id
                if decision.album_from is Side.PROCORE
                else album_id,
                album_name=album_name,
                item_id=base.sharepoint_id,
                item_name=s_name,
                folder_id=s_folder,
                content=content,
                size=size,
                modified=item.last_modified_date_time,
                procore_name=base.procore_name if decision.name_from is Side.PROCORE else new_name,
            )
            _gone_ok(lambda: self.procore.delete_photo(self.current.scope, procore_id))
        elif decision.name_from is Side.SHAREPOINT or decision.album_from is Side.SHAREPOINT:
            image = self.procore.update_photo(
                self.current.scope,
                procore_id,
                filename=new_name if decision.name_from is Side.SHAREPOINT else None,
                album_id=album_id if decision.album_from is Side.SHAREPOINT else None,
            )
        modified = item.last_modified_date_time if item else base.sharepoint_modified_at
        item_name = s_name
        if decision.name_from is Side.PROCORE or decision.album_from is Side.PROCORE:
            mapped = _mapped(new_name, folder=False)
            moved = self.graph.update_item(
                self.current.drive,
                base.sharepoint_id,
                name=mapped if decision.name_from is Side.PROCORE else None,
                parent_id=folder_id if decision.album_from is Side.PROCORE else None,
            )
            item_name = moved.name or mapped
            modified = moved.last_modified_date_time
        self._save_photo(
            photo,
            image=image,
            album_id=album_id,
            album_name=album_name,
            item_id=base.sharepoint_id,
            item_name=item_name,
            folder_id=folder_id,
            content=content,
            size=size,
            modified=modified,
            procore_name=new_name,
        )
        action = (
            LogAction.UPDATED
            if decision.content
            else LogAction.MOVED
            if decision.album_from
            else LogAction.RENAMED
        )
        sources = {decision.name_from, decision.album_from}
        to_procore = decision.content or Side.SHAREPOINT in sources
        to_sharepoint = Side.PROCORE in sources
        written = (
            "both" if to_procore and to_sharepoint else "procore" if to_procore else "sharepoint"
        )
        self.current.record(
            action,
            side=written,
            procore_id=photo.base.procore_id if photo.base else procore_id,
            sharepoint_id=base.sharepoint_id,
            name=new_name,
            path=f"Photos/{album_name}/{new_name}",
            reason="edited in SharePoint; Procore photos keep no versions, so the new image "
            "replaced the old one (moved to the recycle bin)"
            if decision.content
            else None,
        )
        if decision.contested:
            self.current.record(
                LogAction.CONFLICT,
                name=new_name,
                path=f"Photos/{album_name}/{new_name}",
                reason="the photo was renamed or moved on both sides; the newer change won",
            )

    def _save_photo(
        self,
        photo: _Photo,
        *,
        image: Image | None,
        album_id: int | None,
        album_name: str,
        item_id: str,
        item_name: str,
        folder_id: str | None,
        content: str | None,
        size: int,
        modified: datetime | None,
        procore_name: str | None = None,
    ) -> None:
        base = photo.base
        name = procore_name or (
            _image_name(image) if image else (base.procore_name if base else item_name)
        )
        pair = ItemBase(
            project_key=self.key,
            kind=ItemKind.FILE,
            tool="photos",
            procore_id=image.id if image else (base.procore_id if base else 0),
            sharepoint_id=item_id,
            procore_parent_id=album_id,
            sharepoint_parent_id=folder_id,
            procore_name=name,
            sharepoint_name=item_name,
            path=f"{album_name}/{name}",
            size=size,
            quick_xor_hash=content,
            procore_modified_at=(image.updated_at if image else None)
            or (base.procore_modified_at if base else None),
            sharepoint_modified_at=modified,
            synced_at=datetime.now(UTC),
        )
        photo.base = _save_over(self.current, base, pair)
        self.photo_by_procore[pair.procore_id] = photo
        self.photo_by_sharepoint[pair.sharepoint_id] = photo


def _save_over(current: Pass, old: ItemBase | None, pair: ItemBase) -> ItemBase:
    """Write a photo pair; a pair whose ids both changed replaces its old rows."""
    if (
        old is not None
        and old.procore_id != pair.procore_id
        and old.sharepoint_id != pair.sharepoint_id
    ):
        updated = pair.model_copy(update={"etag": old.etag, "read_row": old.read_row})
        return current.store.items.save(updated, replacing=old)
    return save_pair(current.store, pair)


def _gone_ok(delete: Callable[[], None]) -> None:
    """A delete of something already gone has nothing left to do."""
    with contextlib.suppress(NotFound):
        delete()


def _mapped(name: str, *, folder: bool) -> str:
    mapped = sharepoint_name(name, is_folder=folder)
    return mapped.name if isinstance(mapped, MappedName) else name


def _folded(name: str) -> str:
    return name.casefold()


def _image_name(image: Image) -> str:
    return image.filename or image.name or f"photo-{image.id}"


def _photo_name(photo: _Photo) -> str:
    if photo.procore is not None:
        return _image_name(photo.procore)
    if photo.sharepoint is not None:
        return photo.sharepoint.name or photo.sharepoint.id
    return photo.base.procore_name if photo.base else ""


def album_name(album: _Album) -> str:
    if album.procore is not None:
        return album.procore.name
    if album.sharepoint is not None:
        return album.sharepoint.name or album.sharepoint.id
    return album.base.procore_name if album.base else ""


def _photo_base(row: ItemBase) -> rules.PhotoBase:
    return rules.PhotoBase(
        procore_id=row.procore_id,
        sharepoint_id=row.sharepoint_id,
        procore_name=row.procore_name,
        sharepoint_name=row.sharepoint_name,
        procore_album_id=row.procore_parent_id,
        sharepoint_folder_id=row.sharepoint_parent_id,
        content=row.quick_xor_hash,
        size=row.size or 0,
    )


def _album_base(row: ItemBase) -> rules.AlbumBase:
    return rules.AlbumBase(
        procore_id=row.procore_id,
        sharepoint_id=row.sharepoint_id,
        procore_name=row.procore_name,
        sharepoint_name=row.sharepoint_name,
    )


def _held(base: ItemBase, deleted_on: Side, now: datetime, *, folder: bool) -> HeldDelete:
    return HeldDelete(
        procore_id=base.procore_id,
        sharepoint_id=base.sharepoint_id,
        deleted_on=deleted_on.value,
        name=base.procore_name,
        path=base.path,
        is_folder=folder,
        held_at=now,
        area=Area.PHOTOS,
    )

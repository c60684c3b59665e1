"""The administrator's answer to held-back photo deletes (DESIGN §4, the delete limit).

`approve`: each held photo or album is deleted on the other side too (to its recycle bin) and
its pair forgotten. `restore`: the pair is forgotten, so the next photo pass takes the surviving
side's copy as new and makes it again on the side it was deleted from; a surviving SharePoint
item is handed to that pass directly (its change feed will not mention it again), a surviving
Procore photo is found through its album's count.
"""

from __future__ import annotations

from shared import runtime
from shared.errors import NotFound
from shared.graph.models import DriveItem
from shared.state.items import ItemBase, ItemKind
from shared.state.log import LogAction
from shared.state.pending import HeldDelete
from shared.sync.model import Side
from shared.sync.pass_context import Pass
from shared.sync.records import photos_key


def answer(current: Pass, held: list[HeldDelete], decision: str, batch: list[DriveItem]) -> None:
    """Carry out `decision` for the held photo deletes; surviving SharePoint items to retake
    are appended to `batch`."""
    partition = photos_key(current.key)
    for row in held:
        base = current.store.items.find_by_procore(partition, row.procore_id)
        if base is None or base.sharepoint_id != row.sharepoint_id:
            continue
        inside = (
            list(current.store.items.children(partition, "procore", base.procore_id))
            if base.kind == ItemKind.FOLDER
            else []
        )
        if decision == "approve":
            _delete_other_side(current, base, Side(row.deleted_on))
        elif row.deleted_on == Side.PROCORE.value:
            batch.extend(_surviving(current, base, inside))
        for pair in [*inside, base]:
            current.store.items.delete(pair)
        current.record(
            LogAction.DELETED if decision == "approve" else LogAction.RESTORED,
            side="sharepoint" if (row.deleted_on == Side.PROCORE.value) else "procore",
            procore_id=base.procore_id,
            sharepoint_id=base.sharepoint_id,
            name=base.procore_name,
            path=f"Photos/{base.path}",
            reason="the held-back delete was approved"
            if decision == "approve"
            else "the held-back delete was undone; the surviving copy is made again",
        )
    current.store.held.release(current.key, held)


def _delete_other_side(current: Pass, base: ItemBase, deleted_on: Side) -> None:
    try:
        if deleted_on is Side.PROCORE:
            runtime.graph_client().delete_item(current.drive, base.sharepoint_id)
        elif base.kind == ItemKind.FOLDER:
            runtime.procore_client().delete_album(current.scope, base.procore_id)
        else:
            runtime.procore_client().delete_photo(current.scope, base.procore_id)
    except NotFound:
        return


def _surviving(current: Pass, base: ItemBase, inside: list[ItemBase]) -> list[DriveItem]:
    """The SharePoint copies (an album folder first, then its files) still there."""
    graph = runtime.graph_client()
    found: list[DriveItem] = []
    for pair in [base, *inside]:
        try:
            found.append(graph.get_item(current.drive, pair.sharepoint_id))
        except NotFound:
            continue
    return found

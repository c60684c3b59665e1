"""driveItem, drive and site JSON as Graph returns them (API-NOTES B2 "Item semantics")."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from .model import Drive, Item, Site, iso
from .store import GraphStore


def item_json(
    store: GraphStore,
    drive: Drive,
    item: Item,
    base_url: str,
    *,
    select: list[str] | None = None,
    for_delta: bool = False,
) -> dict[str, Any]:
    """One driveItem. Delta omits cTag, createdBy/lastModifiedBy and parentReference.path."""
    site = store.sites[drive.site_id]
    data: dict[str, Any] = {
        "id": item.id,
        "name": item.name,
        "eTag": item.etag,
        "createdDateTime": iso(item.created_at),
        "lastModifiedDateTime": iso(item.modified_at),
        "size": item.size,
        "webUrl": quote(
            f"https://{site.hostname}{site.path}/{drive.url_name}{store.path_of(drive, item)}",
            safe=":/",
        ),
        "fileSystemInfo": {
            "createdDateTime": iso(item.fs_created),
            "lastModifiedDateTime": iso(item.fs_modified),
        },
    }
    if item.parent_id is None:
        data["name"] = "root"
        data["root"] = {}
        data["parentReference"] = {
            "driveType": "documentLibrary",
            "driveId": drive.id,
            "siteId": site.id,
        }
    else:
        parent = drive.items[item.parent_id]
        reference: dict[str, Any] = {
            "driveType": "documentLibrary",
            "driveId": drive.id,
            "id": parent.id,
            "siteId": site.id,
        }
        if not for_delta:
            reference["name"] = drive.url_name if parent.parent_id is None else parent.name
            reference["path"] = f"/drives/{drive.id}/root:" + store.path_of(drive, parent)
        data["parentReference"] = reference
    if not for_delta:
        data["createdBy"] = item.created_by.identity_set()
        data["lastModifiedBy"] = item.modified_by.identity_set()
    if item.folder:
        data["folder"] = {"childCount": len(drive.children.get(item.id, {}))}
        if item.parent_id is None:
            data["size"] = sum(i.size for i in drive.items.values())
    else:
        if not for_delta:
            data["cTag"] = item.ctag
        mime = mimetypes.guess_type(item.name)[0] or "application/octet-stream"
        current = item.current
        data["file"] = {
            "mimeType": mime,
            "hashes": {"quickXorHash": current.blob.quick_xor_hash if current else ""},
        }
        if current is not None:
            token = store.grant_download(current.blob, item.name)
            data["@microsoft.graph.downloadUrl"] = f"{base_url}/_download/{token}"
    publication = {
        "level": "checkout" if item.checked_out_by else "published",
        "versionId": item.current.id if item.current else "1.0",
    }
    if item.checked_out_by is not None:
        publication["checkedOutBy"] = item.checked_out_by.identity_set()
    if select:
        wanted = set(select) | {"id"}
        out = {k: v for k, v in data.items() if k in wanted}
        if "publication" in wanted and not item.folder:
            out["publication"] = publication
        return out
    return data


def deleted_json(drive: Drive, item_id: str, parent_id: str | None) -> dict[str, Any]:
    """A delta tombstone: no name, no cTag (ODB/SharePoint)."""
    return {
        "id": item_id,
        "deleted": {"state": "deleted"},
        "parentReference": {"driveId": drive.id, "driveType": "documentLibrary", "id": parent_id},
    }


def drive_json(store: GraphStore, drive: Drive) -> dict[str, Any]:
    site = store.sites[drive.site_id]
    return {
        "id": drive.id,
        "name": drive.name,
        "driveType": "documentLibrary",
        "webUrl": f"https://{site.hostname}{site.path}/{drive.url_name}".replace(" ", "%20"),
        "createdDateTime": iso(drive.items[drive.root_id].created_at),
        "quota": {"total": 27487790694400, "used": sum(i.size for i in drive.items.values())},
    }


def site_json(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.path.rsplit("/", 1)[-1],
        "displayName": site.display_name,
        "webUrl": f"https://{site.hostname}{site.path}",
        "siteCollection": {"hostname": site.hostname},
    }

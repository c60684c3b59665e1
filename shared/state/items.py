"""The Items table: the **base** of the three-way decision (DESIGN §3, §4).

Partition = project key. Each synced pair has two rows holding the same record, `p-<procore id>`
and `s-<sharepoint item id>`, so either side's id finds the pair in one point read. The two rows
are always written together in ONE entity-group transaction.

Concurrency: every write rewrites both rows atomically, so both rows' ETags change on every write;
a write made If-Match on the row it was read through therefore detects any other writer, whichever
row that writer read.

Children of a folder: a query within the partition, restricted to one side's rows (a RowKey range)
and filtered on that side's parent-id property; the server scans only the project's partition.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.state.codec import Entity
from shared.state.errors import EntityNotFound
from shared.state.keys import encode_key
from shared.state.repository import Repository
from shared.state.tables import Op

Side = Literal["procore", "sharepoint"]
_PREFIX: dict[Side, str] = {"procore": "p-", "sharepoint": "s-"}
_RANGE_END: dict[Side, str] = {"procore": "p.", "sharepoint": "s."}
"""`-` + 1 is `.`: RowKeys from `p-` up to (not including) `p.` are exactly the `p-` rows."""


class ItemKind(StrEnum):
    FILE = "file"
    FOLDER = "folder"


def procore_row(procore_id: int) -> str:
    return _PREFIX["procore"] + encode_key(str(procore_id))


def sharepoint_row(sharepoint_id: str) -> str:
    return _PREFIX["sharepoint"] + encode_key(sharepoint_id)


class ItemBase(Entity):
    """The last synced state of one pair (a file or folder on both sides)."""

    project_key: str
    kind: ItemKind
    tool: str = Field(default="documents", description="The tool the item belongs to.")
    procore_id: int
    sharepoint_id: str
    procore_parent_id: int | None = None
    sharepoint_parent_id: str | None = None
    procore_name: str
    sharepoint_name: str = Field(description="May differ from the Procore name when mapped.")
    path: str = Field(description="Path under the tool folder, '/'-separated (Procore names).")
    size: int | None = None
    procore_version_id: int | None = None
    procore_version_number: int | None = None
    sharepoint_etag: str | None = None
    sharepoint_ctag: str | None = None
    quick_xor_hash: str | None = None
    procore_modified_at: datetime | None = None
    sharepoint_modified_at: datetime | None = None
    synced_at: datetime
    read_row: str | None = Field(
        default=None, exclude=True, description="RowKey this record was read through."
    )

    @property
    def rows(self) -> tuple[str, str]:
        return procore_row(self.procore_id), sharepoint_row(self.sharepoint_id)


class ItemRepository(Repository[ItemBase]):
    """Reads and writes the base of each project's pairs."""

    model = ItemBase

    def _read(self, project_key: str, row_key: str) -> ItemBase | None:
        entity = self.table.find(project_key, row_key)
        return None if entity is None else self._load(entity, read_row=row_key)

    def find_by_procore(self, project_key: str, procore_id: int) -> ItemBase | None:
        return self._read(project_key, procore_row(procore_id))

    def find_by_sharepoint(self, project_key: str, sharepoint_id: str) -> ItemBase | None:
        return self._read(project_key, sharepoint_row(sharepoint_id))

    def get_by_procore(self, project_key: str, procore_id: int) -> ItemBase:
        found = self.find_by_procore(project_key, procore_id)
        if found is None:
            raise EntityNotFound(
                "no base for this Procore item",
                table=self.table.name,
                partition_key=project_key,
                row_key=procore_row(procore_id),
            )
        return found

    def get_by_sharepoint(self, project_key: str, sharepoint_id: str) -> ItemBase:
        found = self.find_by_sharepoint(project_key, sharepoint_id)
        if found is None:
            raise EntityNotFound(
                "no base for this SharePoint item",
                table=self.table.name,
                partition_key=project_key,
                row_key=sharepoint_row(sharepoint_id),
            )
        return found

    def _side_rows(
        self, project_key: str, side: Side, extra: str = "", params: dict[str, str] | None = None
    ) -> Iterator[ItemBase]:
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi" + (
            f" and {extra}" if extra else ""
        )
        values = {"pk": project_key, "lo": _PREFIX[side], "hi": _RANGE_END[side], **(params or {})}
        for entity in self.table.query(query, values, partition_key=project_key):
            yield self._load(entity, read_row=entity["RowKey"])

    def list_items(self, project_key: str) -> Iterator[ItemBase]:
        """Every pair of the project, once each (read through the Procore rows)."""
        return self._side_rows(project_key, "procore")

    def children(self, project_key: str, side: Side, parent_id: int | str) -> Iterator[ItemBase]:
        """The pairs whose parent on `side` is `parent_id`."""
        if side == "procore":
            # Int64 properties compare only with Int64 literals (`L` suffix) on Azure.
            return self._side_rows(project_key, side, f"procore_parent_id eq {int(parent_id)}L")
        return self._side_rows(
            project_key, side, "sharepoint_parent_id eq @parent", {"parent": str(parent_id)}
        )

    def save(self, item: ItemBase, *, replacing: ItemBase | None = None) -> ItemBase:
        """Write the pair's two rows in one transaction and return it with its new ETag.

        - A new pair (no ETag, nothing replaced): both rows are created; `AlreadyExists` if
          either id already has a base.
        - An update: If-Match on the row the record was read through; `ConcurrencyConflict` if
          the pair changed since. When an id changed (e.g. SharePoint gave the file a new id),
          pass the record as read in `replacing`: its rows that are no longer used are deleted
          in the same transaction.
        """
        previous = replacing if replacing is not None else item
        rows = item.rows
        operations: list[Op] = []
        if previous.etag is None:
            if replacing is not None:
                raise ValueError("`replacing` must be a record as read (with its ETag)")
            operations = [Op("create", self._entity(item.project_key, row, item)) for row in rows]
        else:
            read_row = previous.read_row
            if read_row is None or read_row not in previous.rows:
                raise ValueError("the record to replace was not read from the Items table")
            if read_row not in rows and replacing is None:
                raise ValueError("an id changed: pass the record as read in `replacing`")
            for row in rows:
                entity = self._entity(item.project_key, row, item)
                if row == read_row:
                    operations.append(Op("replace", entity, previous.etag))
                else:
                    operations.append(Op("upsert", entity))
            for old in previous.rows:
                if old not in rows:
                    keys = {"PartitionKey": item.project_key, "RowKey": old}
                    etag = previous.etag if old == read_row else None
                    operations.append(Op("delete", keys, etag))
        etags = self.table.transact(operations)
        return item.model_copy(update={"etag": etags[0], "read_row": rows[0]})

    def delete(self, item: ItemBase) -> None:
        """Forget the pair: both rows in one transaction, If-Match on the row read through."""
        if item.etag is None or item.read_row is None:
            raise ValueError("delete a record as read from the Items table")
        operations = [
            Op(
                "delete",
                {"PartitionKey": item.project_key, "RowKey": row},
                item.etag if row == item.read_row else None,
            )
            for row in item.rows
        ]
        self.table.transact(operations)

"""Every queue the app uses, the message each one carries, and the helper that sends them.

The Functions queue trigger expects base64-encoded messages by default, and the Python SDK does
not encode unless told (API-NOTES C3), so every message leaves through `QueueSender`, which
encodes, applies a visibility delay when asked, and refuses what Azure would refuse (64 KiB
encoded, API-NOTES C2) with a clear error instead of a failed send.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import threading
from datetime import datetime
from typing import ClassVar, Literal, TypeVar

from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueServiceClient, TextBase64EncodePolicy
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

# --- Queue names (Azure: 3-63 lowercase letters, digits and single hyphens) -----------------
PING = "ping"
"""Health round trip: a ping goes in, its reply comes out on PING_REPLIES."""
PING_REPLIES = "ping-replies"
"""Replies to pings (read by the demo and the benchmark; no function is triggered by it)."""
SYNC_START = "sync-start"
FOLDER_SCAN = "folder-scan"
TRANSFER = "transfer"
PROJECT_TICK = "project-tick"
DELTA_PULL = "delta-pull"
TOOL_EXPORT = "tool-export"
NOTIFY = "notify"

ALL_QUEUES: tuple[str, ...] = (
    PING,
    PING_REPLIES,
    SYNC_START,
    FOLDER_SCAN,
    TRANSFER,
    PROJECT_TICK,
    DELTA_PULL,
    TOOL_EXPORT,
    NOTIFY,
)
"""Every queue the app sends to or is triggered by. The host adds `<queue>-poison` itself."""

POISON_SUFFIX = "-poison"
MAX_ENCODED_BYTES = 64 * 1024
MAX_DELAY_S = 7 * 24 * 3600


class MessageTooLarge(ValueError):
    """A message would exceed the 64 KiB Azure allows once base64-encoded."""


class InvalidMessage(ValueError):
    """A queue message body is not the JSON of the model its queue carries."""


class QueueMessage(BaseModel):
    """Base of every message model; `queue` names the queue the model travels on."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    queue: ClassVar[str]


class Ping(QueueMessage):
    """Asks the ping function to answer on PING_REPLIES (the skeleton's end-to-end check)."""

    queue: ClassVar[str] = PING
    ping_id: str = Field(min_length=1, max_length=100)
    sent_at: datetime


class PingReply(QueueMessage):
    queue: ClassVar[str] = PING_REPLIES
    ping_id: str
    sent_at: datetime
    answered_at: datetime


class SyncStart(QueueMessage):
    """Start (or re-run) a project's initial sync: capture cursors, choose the mode, fan out."""

    queue: ClassVar[str] = SYNC_START
    project_key: str
    run_id: str


class FolderScan(QueueMessage):
    """List one Procore folder (or photo albums) and its SharePoint counterpart; decide; fan out.

    `procore_folder_id` None is the Documents root. `source` "photos" lists the albums instead.
    """

    queue: ClassVar[str] = FOLDER_SCAN
    project_key: str
    run_id: str
    unit_id: str
    source: Literal["documents", "photos"] = "documents"
    procore_folder_id: int | None = None
    sharepoint_folder_id: str
    path: str = ""
    sharepoint_empty: bool = False
    """The SharePoint folder was created by this run (mirror): no need to list it."""
    procore_empty: bool = False
    """The Procore folder was created by this run (from SharePoint): no need to list it."""


class FileTransfer(BaseModel):
    """One file to carry across (an action of `shared.sync.merge`, made serialisable)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["to_sharepoint", "to_procore", "compare"]
    tool: Literal["documents", "photos"] = "documents"
    name: str
    """The name on the side written to (a SharePoint name may be a mapped one)."""
    procore_name: str | None = None
    """The file's name in Procore, when it has one there already."""
    size: int = Field(ge=0)
    path: str = ""
    procore_id: int | None = None
    procore_parent_id: int | None = None
    procore_version_id: int | None = None
    procore_updated_at: datetime | None = None
    download_url: str | None = None
    sharepoint_id: str | None = None
    sharepoint_parent_id: str
    sharepoint_modified_at: datetime | None = None
    sharepoint_ctag: str | None = None
    sharepoint_quick_xor: str | None = None
    sharepoint_etag: str | None = None
    replace_procore_id: int | None = None
    replace_sharepoint_id: str | None = None
    if_match: str | None = None
    attempt: int = 0


class Transfer(QueueMessage):
    """A batch of files to copy (or compare) for one folder pair."""

    queue: ClassVar[str] = TRANSFER
    project_key: str
    run_id: str
    unit_id: str
    files: list[FileTransfer] = Field(min_length=1)


class ProjectTick(QueueMessage):
    """Run a change pass for the project (pull both sides' changes since the cursors, apply)."""

    queue: ClassVar[str] = PROJECT_TICK
    project_key: str
    tick_id: str
    reason: str = ""
    notify_run_id: str | None = None
    """After this pass, send that initial sync run's completion email."""
    resources: list[str] = Field(default_factory=list)
    """Procore webhook resource names that prompted the tick (empty: everything, e.g. a poll)."""
    deleted: bool = False
    """The prompting webhook event was a delete (a one-way tool then lists all its items)."""


class DeltaPull(QueueMessage):
    """Pull a SharePoint drive's delta feed once (one cursor per drive, under its lease) and hand
    each change to the projects on that drive."""

    queue: ClassVar[str] = DELTA_PULL
    drive_id: str
    reason: str = ""


class ToolExport(QueueMessage):
    """Export a one-way tool's items changed since its watermark (shared.export).

    Stage "list" takes the tool for pass `pass_id`, reads page 1 and fans out the other pages;
    stage "page" exports the items of one page. `initial_run_id` ties the pass to an initial sync
    run, which completes only when the export is done too.
    """

    queue: ClassVar[str] = TOOL_EXPORT
    project_key: str
    tool: str
    pass_id: str = Field(min_length=1, max_length=100)
    stage: Literal["list", "page"] = "list"
    page: int = Field(default=1, ge=1)
    since: datetime | None = None
    full: bool = False
    initial_run_id: str | None = None
    reason: str = ""


class Notify(QueueMessage):
    """Send a notification email about a project (built from the state, not the message)."""

    queue: ClassVar[str] = NOTIFY
    project_key: str
    kind: Literal["initial_sync_complete", "deletes_held", "sync_stopped"]
    run_id: str | None = None


M = TypeVar("M", bound=QueueMessage)


def encode(message: QueueMessage) -> str:
    """The message as the JSON text the sender hands to the SDK (before base64)."""
    return message.model_dump_json()


def parse(model: type[M], body: bytes | str) -> M:
    """Read a trigger's (already base64-decoded) body into its model."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidMessage(f"{model.__name__} on queue {model.queue}: {exc}") from None


class QueueSender:
    """Sends typed messages to their queues (base64-encoded), creating queues on first use."""

    def __init__(self, service: QueueServiceClient) -> None:
        self._service = service
        self._ready: set[str] = set()
        self._lock = threading.Lock()

    def send(self, message: QueueMessage, *, delay_s: float = 0) -> str:
        """Enqueue `message`, invisible for `delay_s` seconds; returns the message id."""
        text = encode(message)
        encoded_size = len(base64.b64encode(text.encode("utf-8")))
        if encoded_size > MAX_ENCODED_BYTES:
            raise MessageTooLarge(
                f"{type(message).__name__} for queue {message.queue} is {encoded_size} bytes "
                f"base64-encoded; Azure queues take at most {MAX_ENCODED_BYTES}"
            )
        if not 0 <= delay_s <= MAX_DELAY_S:
            raise ValueError(f"visibility delay must be 0..{MAX_DELAY_S} s, got {delay_s}")
        client = self._service.get_queue_client(
            message.queue, message_encode_policy=TextBase64EncodePolicy()
        )
        self._ensure(message.queue)
        sent = client.send_message(text, visibility_timeout=round(delay_s) or None)
        log.debug(
            "message sent",
            extra={"queue": message.queue, "message_id": sent.id, "delay_s": delay_s},
        )
        return str(sent.id)

    def _ensure(self, queue: str) -> None:
        if queue in self._ready:
            return
        with self._lock:
            if queue in self._ready:
                return
            with contextlib.suppress(ResourceExistsError):
                self._service.create_queue(queue)
            self._ready.add(queue)

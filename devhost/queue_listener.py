"""Polls one queue trigger's queue and runs its function, as the Functions queue listener does.

Honoured from host.json `extensions.queues` (API-NOTES C2/C3):
- a batch of up to `batchSize` messages is fetched when the in-flight count has dropped to
  `newBatchThreshold`, so at most batchSize + newBatchThreshold invocations run at once;
- polling backs off exponentially from 100 ms up to `maxPollingInterval` while the queue is idle;
- success deletes the message; failure makes it visible again after `visibilityTimeout`;
- after the `maxDequeueCount`-th failed attempt (or on fetching a message already dequeued more
  often than that) the message is copied to `<queue>-poison` and deleted;
- with `messageEncoding: base64` the body is base64-decoded; a body that is not valid base64 goes
  straight to the poison queue without an invocation, as the real host does.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError
from azure.functions.queue import QueueMessage as TriggerMessage
from azure.storage.queue import QueueClient
from azure.storage.queue import QueueMessage as StoredMessage

from devhost.catalog import QueueFunction
from devhost.host_json import MIN_POLLING_INTERVAL_S, QueueOptions
from devhost.invoker import Invoker

log = logging.getLogger("devhost.queues")

POISON_SUFFIX = "-poison"


def ensure_queue(client: QueueClient) -> None:
    with contextlib.suppress(ResourceExistsError):
        client.create_queue()


class QueueListener:
    def __init__(
        self,
        entry: QueueFunction,
        connection_string: str,
        options: QueueOptions,
        invoker: Invoker,
        lease_s: int,
        redeliver: bool = False,
    ) -> None:
        self.entry = entry
        self.options = options
        self._invoker = invoker
        self._lease_s = lease_s
        self._redeliver = redeliver
        self._queue = QueueClient.from_connection_string(connection_string, entry.queue_name)
        self._poison = QueueClient.from_connection_string(
            connection_string, entry.queue_name + POISON_SUFFIX
        )
        self._poison_ready = False
        self._pool = ThreadPoolExecutor(
            max_workers=options.max_concurrency, thread_name_prefix=f"devhost-{entry.name}"
        )
        self._in_flight = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._poll, name=f"devhost-poll-{entry.name}", daemon=True
        )

    def start(self) -> None:
        """Create the queue if missing (as the real host does) and start polling it."""
        ensure_queue(self._queue)
        self._thread.start()

    def stop_polling(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()

    def drain(self, deadline_s: float) -> bool:
        """Wait for in-flight invocations; False if some were still running at the deadline."""
        deadline = time.monotonic() + deadline_s
        if self._thread.is_alive():
            self._thread.join(timeout=deadline_s)
        with self._changed:
            done = self._changed.wait_for(
                lambda: self._in_flight == 0, timeout=max(deadline - time.monotonic(), 0.0)
            )
        self._pool.shutdown(wait=done, cancel_futures=True)
        return done

    def _poll(self) -> None:
        delay = MIN_POLLING_INTERVAL_S
        while not self._stopping.is_set():
            with self._changed:
                self._changed.wait_for(
                    lambda: (
                        self._in_flight <= self.options.new_batch_threshold
                        or self._stopping.is_set()
                    )
                )
            if self._stopping.is_set():
                return
            try:
                batch = list(
                    self._queue.receive_messages(
                        messages_per_page=self.options.batch_size,
                        max_messages=self.options.batch_size,
                        visibility_timeout=self._lease_s,
                    )
                )
            except AzureError as exc:
                log.warning(
                    "queue poll failed: %s",
                    exc.__class__.__name__,
                    extra={"function": self.entry.name, "queue": self.entry.queue_name},
                )
                batch = []
            if not batch:
                self._stopping.wait(delay)
                delay = min(delay * 2, self.options.max_polling_interval_s)
                continue
            delay = MIN_POLLING_INTERVAL_S
            for message in batch:
                try:
                    self._dispatch(message)
                except AzureError as exc:
                    log.warning(
                        "could not move message to the poison queue: %s",
                        exc.__class__.__name__,
                        extra={"function": self.entry.name, "message_id": message.id},
                    )

    def _dispatch(self, message: StoredMessage) -> None:
        count = int(message.dequeue_count or 0)
        if count > self.options.max_dequeue_count:
            self._to_poison(message, "dequeue count above maxDequeueCount")
            return
        body = self._decode(message)
        if body is None:
            self._to_poison(message, "body is not valid base64")
            return
        with self._changed:
            self._in_flight += 1
        self._pool.submit(self._run, message, body)

    def _decode(self, message: StoredMessage) -> bytes | None:
        content: Any = message.content or ""
        raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if self.options.message_encoding == "none":
            return raw
        try:
            # .NET's Convert.FromBase64String skips white space; anything else must be base64.
            return base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            return None

    def _run(self, message: StoredMessage, body: bytes) -> None:
        try:
            self._invoke_and_settle(message, body)
        except Exception:
            log.exception(
                "could not settle message",
                extra={"function": self.entry.name, "message_id": message.id},
            )
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    def _invoke_and_settle(self, message: StoredMessage, body: bytes) -> None:
        trigger_value = TriggerMessage(  # type: ignore[no-untyped-call]
            id=message.id,
            body=body,
            dequeue_count=message.dequeue_count,
            insertion_time=message.inserted_on,
            expiration_time=message.expires_on,
            time_next_visible=message.next_visible_on,
            pop_receipt=message.pop_receipt,
        )
        facts = {
            "trigger": "queue",
            "queue": self.entry.queue_name,
            "message_id": message.id,
            "dequeue_count": message.dequeue_count,
            "body_bytes": len(body),
        }
        try:
            self._invoker.call(self.entry, trigger_value, **facts)
            if self._redeliver:
                # At-least-once delivery, made certain: the same message a second time.
                self._invoker.call(self.entry, trigger_value, **{**facts, "redelivered": True})
        except Exception:  # logged with its traceback by the invoker
            self._after_failure(message)
        else:
            self._queue.delete_message(message.id, message.pop_receipt)

    def _after_failure(self, message: StoredMessage) -> None:
        if int(message.dequeue_count or 0) >= self.options.max_dequeue_count:
            self._to_poison(message, "failed maxDequeueCount times")
            return
        self._queue.update_message(
            message.id,
            message.pop_receipt,
            visibility_timeout=int(self.options.visibility_timeout_s),
        )

    def _to_poison(self, message: StoredMessage, reason: str) -> None:
        """Copy the message as stored (still encoded) to `<queue>-poison`, then delete it."""
        if not self._poison_ready:
            ensure_queue(self._poison)
            self._poison_ready = True
        self._poison.send_message(message.content)
        self._queue.delete_message(message.id, message.pop_receipt)
        log.warning(
            "message moved to poison queue",
            extra={
                "function": self.entry.name,
                "queue": self.entry.queue_name,
                "poison_queue": self.entry.queue_name + POISON_SUFFIX,
                "message_id": message.id,
                "dequeue_count": message.dequeue_count,
                "reason": reason,
            },
        )

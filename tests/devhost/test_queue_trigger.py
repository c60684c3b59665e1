"""Queue triggers under devhost: base64 decoding, retries, the poison queue (host.json honoured)."""

from __future__ import annotations

import base64
import uuid

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy

from tests.devhost.conftest import SampleRun, poll


def sender(run: SampleRun, queue: str) -> QueueClient:
    return QueueClient.from_connection_string(
        run.env["AzureWebJobsStorage"],
        queue,
        message_encode_policy=TextBase64EncodePolicy(),
        message_decode_policy=TextBase64DecodePolicy(),
    )


def raw_client(run: SampleRun, queue: str) -> QueueClient:
    return QueueClient.from_connection_string(run.env["AzureWebJobsStorage"], queue)


def poison_messages(run: SampleRun, queue: str) -> list[str]:
    try:
        return [m.content for m in raw_client(run, queue + "-poison").peek_messages(32)]
    except ResourceNotFoundError:
        return []


def stored_count(run: SampleRun, queue: str) -> int:
    """Messages still in the queue, visible or not."""
    return int(raw_client(run, queue).get_queue_properties().approximate_message_count)


def test_base64_message_is_consumed_and_not_poisoned(sample: SampleRun) -> None:
    queue = sample.env["SAMPLE_OK_QUEUE"]
    body = f'{{"hello": "{uuid.uuid4().hex}", "text": "naïve"}}'
    sent = sender(sample, queue).send_message(body)

    rows = poll(
        lambda: [r for r in sample.records("record_message") if r["id"] == sent.id],
        what="record_message invoked",
    )

    assert len(rows) == 1
    got = rows[0]
    assert got["body"] == body
    assert got["dequeue_count"] == 1
    assert got["insertion_time"] and got["expiration_time"] and got["time_next_visible"]
    assert got["pop_receipt"]
    poll(lambda: stored_count(sample, queue) == 0, what="message deleted after success")
    assert poison_messages(sample, queue) == []


def test_failing_message_goes_to_poison_after_max_dequeue_count(sample: SampleRun) -> None:
    queue = sample.env["SAMPLE_FAIL_QUEUE"]
    body = f"fail-{uuid.uuid4().hex}"
    sent = sender(sample, queue).send_message(body)

    poisoned = poll(lambda: poison_messages(sample, queue), what="message in the poison queue")

    assert [base64.b64decode(p).decode() for p in poisoned] == [body]
    attempts = [r for r in sample.records("fail_marked") if r["id"] == sent.id]
    assert [a["dequeue_count"] for a in attempts] == [1, 2]  # maxDequeueCount is 2
    # The host copies to the poison queue first, then deletes the original.
    poll(lambda: stored_count(sample, queue) == 0, what="original deleted")


def test_message_that_succeeds_on_the_failing_function_is_not_retried(sample: SampleRun) -> None:
    queue = sample.env["SAMPLE_FAIL_QUEUE"]
    sent = sender(sample, queue).send_message("fine")

    poll(
        lambda: [r for r in sample.records("fail_marked") if r["id"] == sent.id],
        what="fail_marked invoked",
    )
    poll(lambda: stored_count(sample, queue) == 0, what="message deleted")

    assert len([r for r in sample.records("fail_marked") if r["id"] == sent.id]) == 1


def test_message_that_is_not_base64_goes_to_poison_without_an_invocation(
    sample: SampleRun,
) -> None:
    queue = sample.env["SAMPLE_OK_QUEUE"]
    raw = f"plain text, not base64 {uuid.uuid4().hex}!"
    sent = raw_client(sample, queue).send_message(raw)

    poisoned = poll(lambda: poison_messages(sample, queue), what="message in the poison queue")

    assert raw in poisoned
    assert not [r for r in sample.records("record_message") if r["id"] == sent.id]

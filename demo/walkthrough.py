"""The demo's steps: start the stack, seed a construction project in Procore, connect it through
the admin API, follow the initial sync, show the email, where the files landed and the tool export,
then make a change on each side and time the regular sync carrying it across."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from demo import construction_project as seed
from demo.export_folders import export_folders, pdf_lines
from demo.progress import ProgressView
from demo.regular_sync import (
    ACTIVITY_SHOWN,
    CHANGE_DEADLINE_S,
    ChangeLost,
    activity_lines,
    add_in_procore,
    edit_in_sharepoint,
    graph_notifications,
    procore_deliveries,
)
from demo.summary import email_text, landing_tree, renamed_items
from devhost.services import Services
from devhost.stack import COMPANY, DRIVE, Stack, failed_invocations, start_stack

SITE_HOSTNAME = "contoso.sharepoint.com"
SITE_PATH = "/sites/Construction"
LIBRARY = "Documents"
FOLDER_PATH = f"Projects/{seed.PROJECT_NAME}"
RECIPIENT = "pm@contoso.example"
SUBJECT = f"Two way sync initiated for project {seed.PROJECT_NAME}"
POLL_EVERY_S = 0.5
ACTIVITY_DEADLINE_S = 10


class DemoFailed(Exception):
    """The demo could not finish; the message says where it stopped and why."""


def step(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(deadline_s: float) -> None:
    with Services() as services:
        step("starting Azurite, the Procore and Graph emulators, and the app under devhost")
        azurite = services.start_azurite()
        cert_dir = services.workdir / "graph-cert"
        cert_dir.mkdir()
        stack = start_stack(services, azurite, cert_dir)
        print(f"    app {stack.app_url}")
        print(f"    Procore {stack.procore.base_url}, Graph {stack.graph.base_url}")
        with httpx.Client(base_url=stack.app_url, timeout=30) as api:
            check_app(api, stack)
            seed_procore(stack)
            step(f"creating the destination folder /{FOLDER_PATH} in {SITE_HOSTNAME}{SITE_PATH}")
            stack.graph.seed({"Projects": {seed.PROJECT_NAME: {}}})
            key = connect(api, stack)
            started = time.monotonic()
            view = follow(api, stack, key, deadline_s)
            mail = wait_for_email(api, stack, key, started + deadline_s)
            took = time.monotonic() - started
            report(stack, key, view, mail, took)
            show_exports(stack)
            regular_sync(api, stack, key)
        step("stopping everything")
    print("demo finished")


def check_app(api: httpx.Client, stack: Stack) -> None:
    step("GET /api/health; the admin API without its function key must be refused")
    health = api.get("/api/health")
    refused = api.get("/api/projects")
    print(f"    health {health.status_code}; /api/projects without a key {refused.status_code}")
    if health.status_code != 200 or refused.status_code != 401:
        raise DemoFailed("the app's health check or function-key check did not answer as expected")


def seed_procore(stack: Stack) -> None:
    documents, photos, tools = seed.documents(), seed.photos(), seed.tools()
    counts = seed.exported_counts()
    items = ", ".join(f"{pdfs} {folder}" for folder, (pdfs, _) in counts.items())
    step(
        f"seeding Procore project {seed.PROJECT_ID} '{seed.PROJECT_NAME}': "
        f"{seed.file_count(documents)} files in {seed.folder_count(documents)} folders "
        f"({seed.total_bytes(documents) / 1024 / 1024:.1f} MiB), "
        f"{len(photos)} photo albums ({seed.file_count(photos)} photos), tool items: {items}"
    )
    project = {
        "id": seed.PROJECT_ID,
        "name": seed.PROJECT_NAME,
        "permitted": True,
        "documents": documents,
        "photos": photos,
        "tools": tools,
    }
    stack.procore.call("POST", "/seed", {"projects": [project]})
    print(
        "    the initial sync copies the Documents tool, each photo album to a folder under "
        "Photos, and exports every RFI, submittal, drawing and observation as a PDF"
    )


def connect(api: httpx.Client, stack: Stack) -> str:
    step("connecting the project through the admin API (POST /api/projects)")
    body = {
        "procore_company_id": COMPANY,
        "procore_project_id": seed.PROJECT_ID,
        "sharepoint": {
            "site_hostname": SITE_HOSTNAME,
            "site_path": SITE_PATH,
            "library": LIBRARY,
            "folder_path": FOLDER_PATH,
        },
        "tools": ["documents", "photos", *seed.EXPORT_FOLDERS],
        "recipients": [RECIPIENT],
    }
    answer = api.post(
        "/api/projects", json=body, headers={"x-functions-key": stack.env["ADMIN_FUNCTION_KEY"]}
    )
    if answer.status_code != 201:
        raise DemoFailed(f"connect refused: {answer.status_code} {answer.text}")
    project = answer.json()
    print(f"    201: project {project['key']}, phase {project['phase']}, run {project['run_id']}")
    return str(project["key"])


def project_view(api: httpx.Client, stack: Stack, key: str) -> dict[str, Any]:
    answer = api.get(
        f"/api/projects/{key}", headers={"x-functions-key": stack.env["ADMIN_FUNCTION_KEY"]}
    )
    if answer.status_code != 200:
        raise DemoFailed(f"GET /api/projects/{key}: {answer.status_code} {answer.text}")
    return dict(answer.json())


def follow(api: httpx.Client, stack: Stack, key: str, deadline_s: float) -> dict[str, Any]:
    """Show progress until the project reaches the regular phase."""
    step("initial sync running (progress from GET /api/projects/{key})")
    progress = ProgressView(seed.file_count(seed.documents()) + seed.file_count(seed.photos()))
    deadline = time.monotonic() + deadline_s
    try:
        while True:
            view = project_view(api, stack, key)
            progress.update(view)
            if view["phase"] == "regular":
                return view
            if view["phase"] == "error" or time.monotonic() > deadline:
                raise DemoFailed(stuck(view, stack, deadline_s))
            time.sleep(POLL_EVERY_S)
    finally:
        progress.close()


def stuck(view: dict[str, Any], stack: Stack, deadline_s: float) -> str:
    why = (
        "the project went to phase error"
        if view["phase"] == "error"
        else (f"timed out after {deadline_s:.0f} s")
    )
    failures = failed_invocations(stack)[-3:]
    return (
        f"{why}: phase {view['phase']}, last error {view.get('last_error')!r}, "
        f"run counters {view.get('run_counters')}"
        + (f"; last failed invocations: {failures}" if failures else "")
    )


def wait_for_email(api: httpx.Client, stack: Stack, key: str, deadline: float) -> dict[str, Any]:
    step(f"waiting for the completion email to {RECIPIENT}")
    while True:
        for mail in stack.graph.mailbox():
            if mail["message"]["subject"] == SUBJECT:
                return dict(mail)
        if time.monotonic() > deadline:
            view = project_view(api, stack, key)
            raise DemoFailed(f"no email '{SUBJECT}': {stuck(view, stack, 0)}")
        time.sleep(POLL_EVERY_S)


def report(stack: Stack, key: str, view: dict[str, Any], mail: dict[str, Any], took: float) -> None:
    message = mail["message"]
    recipients = ", ".join(r["emailAddress"]["address"] for r in message.get("toRecipients", []))
    step(f"email received after {took:.1f} s")
    print(f"    Subject: {message['subject']}")
    print(f"    To: {recipients}")
    for line in email_text(message["body"]["content"]):
        print(f"    | {line}" if line else "    |")

    root = f"/{FOLDER_PATH}/Documents"
    sharepoint = stack.graph.call("GET", f"/drives/{DRIVE}/tree")
    procore = stack.procore.tree(seed.PROJECT_ID)
    bases = list(stack.store().items.list_items(key))
    renamed = renamed_items(procore, sharepoint, bases, root)
    step(f"names SharePoint rejects, mapped ({len(renamed)}): Procore name → SharePoint name")
    for item in renamed:
        print(f"    {item.procore_path}  →  {item.sharepoint_path}")

    step(f"where the files landed: https://{SITE_HOSTNAME}{SITE_PATH}/Shared Documents{root}")
    for line in landing_tree(sharepoint, root):
        print(f"    {line}")
    verify(stack, procore, sharepoint, bases, root, view)


def verify(
    stack: Stack,
    procore: list[dict[str, Any]],
    sharepoint: list[dict[str, Any]],
    bases: list[Any],
    root: str,
    view: dict[str, Any],
) -> None:
    """Every file the sync recorded is in SharePoint with Procore's size; the large one is
    compared byte for byte (SHA-256 of both sides)."""
    step("checking the result against Procore")
    sizes = {i["id"]: i.get("size") for i in sharepoint}
    procore_files = {int(i["id"]): i for i in procore if i["type"] == "file"}
    paired = [b for b in bases if b.procore_id in procore_files]
    wrong = [
        procore_files[b.procore_id]["path"]
        for b in paired
        if sizes.get(b.sharepoint_id) != procore_files[b.procore_id]["size"]
    ]
    counters = view["run_counters"]
    unpaired = len(procore_files) - len(paired)
    print(
        f"    {len(paired)} of {len(procore_files)} Procore files are in SharePoint with the same "
        f"size; {unpaired} not copied ({counters['skipped']} skipped with a reason, listed above)"
    )
    large = next(i for i in procore if i["path"] == seed.LARGE_FILE)
    procore_hash = hashlib.sha256(stack.procore.content(large["id"])).hexdigest()
    sharepoint_hash = hashlib.sha256(stack.graph.content(f"{root}/{seed.LARGE_FILE}")).hexdigest()
    same = procore_hash == sharepoint_hash
    print(
        f"    {Path(seed.LARGE_FILE).name} ({large['size'] / 1024 / 1024:.0f} MiB): SHA-256 "
        f"{'identical on both sides' if same else 'DIFFERS'} ({procore_hash[:16]}…)"
    )
    photo_files = [
        i for i in sharepoint if i["path"].startswith(f"/{FOLDER_PATH}/Photos/") and not i["folder"]
    ]
    expected_photos = seed.file_count(seed.photos())
    print(f"    {len(photo_files)} of {expected_photos} photos are in album folders under Photos")
    failures = failed_invocations(stack)
    print(f"    devhost: {len(failures)} failed function invocations")
    if len(photo_files) != expected_photos:
        raise DemoFailed(f"{len(photo_files)} photos in SharePoint, {expected_photos} in Procore")
    if wrong or not same or unpaired != counters["skipped"] or failures:
        raise DemoFailed(
            f"the result does not match Procore: wrong sizes {wrong[:5]}, large file identical "
            f"{same}, {unpaired} files not copied but {counters['skipped']} skipped, "
            f"failed invocations {failures[:3]}"
        )


def show_exports(stack: Stack) -> None:
    """The tool folders the export made next to Documents, checked against the seeded items, and
    one PDF read back."""
    root = f"/{FOLDER_PATH}"
    step(
        f"the one-way export under {root}: a PDF per Procore tool item, its attachments in a "
        "folder beside it"
    )
    sharepoint = stack.graph.call("GET", f"/drives/{DRIVE}/tree")
    expected = seed.exported_counts()
    folders = export_folders(sharepoint, root, list(expected))
    for folder in folders:
        print(f"    {folder.line()}")
    wrong = [
        f"{f.name}: {len(f.pdfs)} PDFs, {f.attachments} attachments, "
        f"expected {expected[f.name][0]} and {expected[f.name][1]}"
        for f in folders
        if (len(f.pdfs), f.attachments) != expected[f.name]
    ]
    if wrong:
        raise DemoFailed(f"the export does not match the seeded tool items: {'; '.join(wrong)}")
    rfis = folders[0]
    if seed.UNICODE_RFI_PDF not in rfis.pdfs:
        raise DemoFailed(f"no {seed.UNICODE_RFI_PDF!r} among the RFI PDFs {rfis.pdfs}")
    example = f"{rfis.name}/{seed.UNICODE_RFI_PDF}"
    print(f"    example: {example}, its first lines read back with pypdf:")
    for line in pdf_lines(stack.graph.content(f"{root}/{example}"), 8):
        print(f"    | {line}")


def regular_sync(api: httpx.Client, stack: Stack, key: str) -> None:
    """One change on each side, timed until the other side holds its bytes; then the project's
    recent activity as the admin API shows it."""
    quiet = stack.env["QUIET_PERIOD_S"]
    step("regular sync: a change on each side, as a user would make it")
    print(
        "    Procore changes come in through the webhook registered at connect, SharePoint "
        "changes through Graph change notifications;"
    )
    print(
        "    a SharePoint change waits for the quiet period (QUIET_PERIOD_S, 60 s by default) so "
        f"a file still being saved is not taken half-written: QUIET_PERIOD_S is {quiet} s in "
        "this demo"
    )
    wait_for_closing_pass(api, stack, key)
    documents_root = f"/{FOLDER_PATH}/Documents"
    since = datetime.now(UTC)
    try:
        p2s = add_in_procore(stack, seed.PROJECT_ID, documents_root, CHANGE_DEADLINE_S)
        hooks = procore_deliveries(stack, "Project Files", "create", p2s.procore_id)
        print(
            f"    Procore → SharePoint: {p2s.what} added in Procore, in SharePoint with the same "
            f"bytes after {p2s.seconds:.1f} s"
        )
        print(
            f"      carried by {delivered(hooks, 'response_status', 'Procore webhook deliveries')}"
        )
        notified = len(graph_notifications(stack))
        s2p = edit_in_sharepoint(stack, seed.PROJECT_ID, documents_root, CHANGE_DEADLINE_S)
        notes = graph_notifications(stack)[notified:]
        print(
            f"    SharePoint → Procore: {s2p.what} edited in SharePoint, in Procore with the same "
            f"bytes after {s2p.seconds:.1f} s (quiet period {quiet} s)"
        )
        print(f"      carried by {delivered(notes, 'status', 'Graph change notifications')}")
    except ChangeLost as exc:
        view = project_view(api, stack, key)
        raise DemoFailed(f"{exc}: {stuck(view, stack, CHANGE_DEADLINE_S)}") from None
    view = logged(api, stack, key, [p2s.what, s2p.what])
    step(f"activity since the first change (GET /api/projects/{key}: recent_activity)")
    for line in activity_lines(view["recent_activity"], since, ACTIVITY_SHOWN):
        print(f"    {line}")
    failures = failed_invocations(stack)
    print(f"    devhost: {len(failures)} failed function invocations by the end of the demo")
    if failures:
        raise DemoFailed(f"failed function invocations: {failures[:3]}")


def logged(api: httpx.Client, stack: Stack, key: str, paths: list[str]) -> dict[str, Any]:
    """The project view once its recent activity names each of `paths` (a pass logs what it
    wrote just after writing it), or after ACTIVITY_DEADLINE_S as it is then."""
    deadline = time.monotonic() + ACTIVITY_DEADLINE_S
    while True:
        view = project_view(api, stack, key)
        named = {entry.get("path") for entry in view["recent_activity"]}
        if set(paths) <= named or time.monotonic() > deadline:
            return view
        time.sleep(POLL_EVERY_S)


def delivered(attempts: list[dict[str, Any]], status_field: str, what: str) -> str:
    """`Procore webhook deliveries: 1 (the app answered 200)`, from delivery attempts."""
    statuses = sorted({str(a.get(status_field)) for a in attempts})
    answered = "/".join(statuses) or "nothing"
    return f"{what}: {len(attempts)} (the app answered {answered})"


def wait_for_closing_pass(api: httpx.Client, stack: Stack, key: str) -> None:
    """The initial sync ends with a change pass; changes are made once it has run, so each is
    timed on its own."""
    deadline = time.monotonic() + CHANGE_DEADLINE_S
    while True:
        view = project_view(api, stack, key)
        if view["timestamps"]["last_pass_at"]:
            return
        if time.monotonic() > deadline:
            raise DemoFailed(f"no change pass after the initial sync: {stuck(view, stack, 0)}")
        time.sleep(POLL_EVERY_S)

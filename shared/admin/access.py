"""Access checks made when a project is connected: both sides at once, every failure stated.

Procore: the project exists and the app is one of its permitted projects (DMSA, API-NOTES A1;
403/404 mean "not permitted"), and the Documents root can be listed. SharePoint: the site
resolves, the library exists, the mapped folder exists (it is never created for the caller), and
the app can write there: a uniquely named probe folder is created inside it and deleted again
(to the recycle bin), before the initial sync takes its delta cursor.

A throttled or unreachable side is "undecided" (try again later), not a refusal.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from shared.errors import (
    ApiError,
    AuthError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    Throttled,
    TransientError,
)
from shared.graph.models import Drive, DriveItem, Site
from shared.mapping import ConnectRequest, SharePointTarget, Tool
from shared.procore.models import FolderListing
from shared.procore.projects import ProcoreProject
from shared.procore.scope import Scope

PROBE_PREFIX = "procore-sync-access-check-"


class ProcoreSide(Protocol):
    """What the checks need of `ProcoreClient`."""

    def get_project(self, scope: Scope) -> ProcoreProject: ...

    def get_folder(
        self, scope: Scope, folder_id: int | None = None, *, latest_version_only: bool = True
    ) -> FolderListing: ...


class SharePointSide(Protocol):
    """What the checks need of `GraphClient`."""

    def get_site(self, hostname: str, path: str = "") -> Site: ...

    def get_drive_by_name(self, site_id: str, name: str) -> Drive: ...

    def get_folder_by_path(self, drive_id: str, path: str) -> DriveItem: ...

    def create_folder(self, drive_id: str, parent_id: str, name: str) -> DriveItem: ...

    def delete_item(self, drive_id: str, item_id: str, *, if_match: str | None = None) -> None: ...


@dataclass(frozen=True)
class CheckFailure:
    """A failed check: what to tell the administrator, and whether retrying later may help."""

    message: str
    temporary: bool = False


@dataclass(frozen=True)
class ProcoreAccess:
    project_name: str = ""
    failure: CheckFailure | None = None


@dataclass(frozen=True)
class SharePointAccess:
    site_id: str = ""
    drive_id: str = ""
    folder_id: str = ""
    failure: CheckFailure | None = None


def _is_temporary(exc: ApiError) -> bool:
    return isinstance(exc, Throttled | TransientError)


def _unavailable(service: str, exc: ApiError) -> CheckFailure:
    if isinstance(exc, Throttled):
        when = exc.retry_at.isoformat(timespec="seconds")
        return CheckFailure(f"{service} is throttling the app until {when}", temporary=True)
    return CheckFailure(f"{service} did not answer: {exc}", temporary=True)


def check_procore(procore: ProcoreSide, request: ConnectRequest) -> ProcoreAccess:
    """Whether the app may work on the Procore project (and read its Documents)."""
    company, project = request.procore_company_id, request.procore_project_id
    scope = Scope.project(company, project)
    try:
        found = procore.get_project(scope)
    except (PermissionDenied, NotFound):
        return ProcoreAccess(
            failure=CheckFailure(
                f"the Procore app is not permitted on project {project} in company {company} "
                "(add it to the app's permitted projects)"
            )
        )
    except AuthError as exc:
        return ProcoreAccess(
            failure=CheckFailure(
                "Procore refused the app's credentials (check PROCORE_CLIENT_ID and "
                f"PROCORE_CLIENT_SECRET): {exc}"
            )
        )
    except ApiError as exc:
        if _is_temporary(exc):
            return ProcoreAccess(failure=_unavailable("Procore", exc))
        return ProcoreAccess(failure=CheckFailure(f"Procore project {project}: {exc}"))
    name = found.display_name or found.name
    if Tool.DOCUMENTS not in request.tools:
        return ProcoreAccess(project_name=name)
    try:
        procore.get_folder(scope)
    except ApiError as exc:
        if _is_temporary(exc):
            return ProcoreAccess(project_name=name, failure=_unavailable("Procore", exc))
        reason = (
            "give the app access to the Documents tool"
            if isinstance(exc, PermissionDenied | NotFound)
            else str(exc)
        )
        return ProcoreAccess(
            project_name=name,
            failure=CheckFailure(
                f"the Documents of Procore project {project} cannot be listed ({reason})"
            ),
        )
    return ProcoreAccess(project_name=name)


def _where(target: SharePointTarget) -> str:
    folder = f"folder '{target.folder_path}'" if target.folder_path else "the root"
    return f"{folder} of library '{target.library}' on {target.site_hostname}{target.site_path}"


def check_sharepoint(
    graph: SharePointSide, target: SharePointTarget, probe_name: str | None = None
) -> SharePointAccess:
    """Whether the mapped folder exists and the app can create and delete in it."""
    site_name = f"{target.site_hostname}{target.site_path}"
    step = "site"
    try:
        site = graph.get_site(target.site_hostname, target.site_path)
        step = "library"
        drive = graph.get_drive_by_name(site.id, target.library)
        step = "folder"
        folder = graph.get_folder_by_path(drive.id, target.folder_path)
    except ApiError as exc:
        if _is_temporary(exc):
            return SharePointAccess(failure=_unavailable("SharePoint", exc))
        return SharePointAccess(failure=CheckFailure(_lookup_problem(step, exc, target, site_name)))
    found = SharePointAccess(site_id=site.id, drive_id=drive.id, folder_id=folder.id)
    failure = _write_probe(graph, drive.id, folder.id, target, probe_name)
    if failure is None:
        return found
    return SharePointAccess(
        site_id=found.site_id, drive_id=found.drive_id, folder_id=found.folder_id, failure=failure
    )


def _lookup_problem(step: str, exc: ApiError, target: SharePointTarget, site_name: str) -> str:
    if isinstance(exc, AuthError):
        return (
            "Microsoft Graph refused the app's credentials (check GRAPH_TENANT_ID, "
            f"GRAPH_CLIENT_ID and the secret or certificate): {exc}"
        )
    if isinstance(exc, PermissionDenied):
        return f"no access to SharePoint site {site_name} (grant the app access to the site)"
    if step == "site" and isinstance(exc, NotFound | InvalidRequest):
        return f"SharePoint site {site_name} not found"
    if step == "library" and isinstance(exc, NotFound):
        return f"library '{target.library}' not found on site {site_name}"
    if step == "folder" and isinstance(exc, NotFound):
        return (
            f"folder not found: '{target.folder_path}' in library '{target.library}' on "
            f"{site_name} (create it first; connecting never creates it)"
        )
    if step == "folder" and isinstance(exc, InvalidRequest):
        return f"'{target.folder_path}' in library '{target.library}' is a file, not a folder"
    return f"SharePoint {step} lookup failed for {_where(target)}: {exc}"


def _write_probe(
    graph: SharePointSide,
    drive_id: str,
    folder_id: str,
    target: SharePointTarget,
    probe_name: str | None,
) -> CheckFailure | None:
    name = probe_name or f"{PROBE_PREFIX}{uuid.uuid4().hex}"
    try:
        probe = graph.create_folder(drive_id, folder_id, name)
    except ApiError as exc:
        if _is_temporary(exc):
            return _unavailable("SharePoint", exc)
        if isinstance(exc, PermissionDenied | AuthError):
            return CheckFailure(f"no write access to {_where(target)}")
        return CheckFailure(f"cannot write to {_where(target)}: {exc}")
    try:
        graph.delete_item(drive_id, probe.id)
    except ApiError as exc:
        if _is_temporary(exc):
            return _unavailable("SharePoint", exc)
        return CheckFailure(
            f"no delete access in {_where(target)}: the test folder '{name}' was created but "
            f"could not be removed ({exc}); remove it by hand"
        )
    return None


def check_access(
    procore: ProcoreSide, graph: SharePointSide, request: ConnectRequest
) -> tuple[ProcoreAccess, SharePointAccess]:
    """Both sides' checks, run concurrently (each side's own steps are sequential)."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="access-check") as pool:
        procore_future = pool.submit(check_procore, procore, request)
        sharepoint_future = pool.submit(check_sharepoint, graph, request.sharepoint)
        return procore_future.result(), sharepoint_future.result()

"""Connect-time access checks: what each side refuses, in words an administrator can act on."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from shared.admin.access import PROBE_PREFIX, check_access, check_procore, check_sharepoint
from shared.errors import (
    AuthError,
    Locked,
    PermissionDenied,
    Throttled,
    TransientError,
)
from shared.mapping import ConnectRequest, SharePointTarget
from tests.admin.fakes import (
    COMPANY,
    DRIVE_ID,
    FORBIDDEN_PROJECT,
    HOST,
    LIBRARY,
    PROJECT,
    SITE_ID,
    SITE_PATH,
    FakeProcore,
    FakeSharePoint,
)


def target(folder: str = "Projects/Harbor View", **changes: str) -> SharePointTarget:
    values = {
        "site_hostname": HOST,
        "site_path": SITE_PATH,
        "library": LIBRARY,
        "folder_path": folder,
        **changes,
    }
    return SharePointTarget.model_validate(values)


def request(project: int = PROJECT, tools: list[str] | None = None) -> ConnectRequest:
    body: dict[str, object] = {
        "procore_company_id": COMPANY,
        "procore_project_id": project,
        "sharepoint": target().model_dump(),
    }
    if tools is not None:
        body["tools"] = tools
    return ConnectRequest.model_validate(body)


# --- Procore ---------------------------------------------------------------------------------


def test_a_permitted_project_passes_and_gives_its_name() -> None:
    procore = FakeProcore()
    access = check_procore(procore, request())
    assert access.failure is None
    assert access.project_name == "Harbor View Tower"
    assert procore.calls == [f"get_project {PROJECT}", "get_folder root"]


@pytest.mark.parametrize("project", [FORBIDDEN_PROJECT, 4300000999])
def test_a_project_the_app_is_not_permitted_on_is_refused(project: int) -> None:
    access = check_procore(FakeProcore(), request(project))
    assert access.failure is not None
    assert not access.failure.temporary
    assert access.failure.message == (
        f"the Procore app is not permitted on project {project} in company {COMPANY} "
        "(add it to the app's permitted projects)"
    )


def test_documents_that_cannot_be_listed_are_refused() -> None:
    procore = FakeProcore(documents_error=PermissionDenied("403", service="procore", status=403))
    access = check_procore(procore, request())
    assert access.failure is not None
    assert access.failure.message == (
        f"the Documents of Procore project {PROJECT} cannot be listed "
        "(give the app access to the Documents tool)"
    )


def test_documents_are_not_listed_when_the_documents_tool_is_not_synced() -> None:
    procore = FakeProcore(documents_error=PermissionDenied("403", service="procore", status=403))
    access = check_procore(procore, request(tools=["rfis"]))
    assert access.failure is None
    assert procore.calls == [f"get_project {PROJECT}"]


def test_refused_credentials_name_the_settings() -> None:
    procore = FakeProcore(projects={PROJECT: AuthError("invalid_client", service="procore")})
    access = check_procore(procore, request())
    assert access.failure is not None
    assert "PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET" in access.failure.message


def test_a_throttled_procore_is_undecided_not_refused() -> None:
    retry_at = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    procore = FakeProcore(
        projects={PROJECT: Throttled("429", service="procore", retry_at=retry_at, status=429)}
    )
    access = check_procore(procore, request())
    assert access.failure is not None
    assert access.failure.temporary
    assert access.failure.message == "Procore is throttling the app until 2030-01-01T12:00:00+00:00"


# --- SharePoint ------------------------------------------------------------------------------


def test_a_writable_folder_passes_and_the_probe_is_removed() -> None:
    graph = FakeSharePoint()
    access = check_sharepoint(graph, target())
    assert access.failure is None
    assert (access.site_id, access.drive_id, access.folder_id) == (SITE_ID, DRIVE_ID, "harbor-id")
    assert len(graph.created) == 1
    parent, name = graph.created[0]
    assert parent == "harbor-id"
    assert name.startswith(PROBE_PREFIX)
    assert graph.deleted == ["probe-1"]


def test_each_probe_has_a_new_name() -> None:
    graph = FakeSharePoint()
    check_sharepoint(graph, target())
    check_sharepoint(graph, target())
    assert graph.created[0][1] != graph.created[1][1]


def test_the_library_root_can_be_mapped() -> None:
    access = check_sharepoint(FakeSharePoint(), target(folder=""))
    assert access.failure is None
    assert access.folder_id == "root-id"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            {"site_path": "/sites/Nowhere"},
            f"SharePoint site {HOST}/sites/Nowhere not found",
        ),
        (
            {"library": "Drawings"},
            f"library 'Drawings' not found on site {HOST}{SITE_PATH}",
        ),
        (
            {"folder_path": "Projects/Missing"},
            f"folder not found: 'Projects/Missing' in library '{LIBRARY}' on {HOST}{SITE_PATH} "
            "(create it first; connecting never creates it)",
        ),
    ],
)
def test_what_cannot_be_found_is_named(where: dict[str, str], message: str) -> None:
    graph = FakeSharePoint()
    folder = where.pop("folder_path", "Projects/Harbor View")
    access = check_sharepoint(graph, target(folder=folder, **where))
    assert access.failure is not None
    assert access.failure.message == message
    assert graph.created == []


def test_a_file_in_place_of_the_folder_is_refused() -> None:
    graph = FakeSharePoint(files={(DRIVE_ID, "projects/plan.pdf")})
    access = check_sharepoint(graph, target(folder="Projects/plan.pdf"))
    assert access.failure is not None
    assert access.failure.message == (
        f"'Projects/plan.pdf' in library '{LIBRARY}' is a file, not a folder"
    )


def test_no_write_access_is_refused() -> None:
    graph = FakeSharePoint(create_error=PermissionDenied("accessDenied", service="graph"))
    access = check_sharepoint(graph, target())
    assert access.failure is not None
    assert access.failure.message == (
        f"no write access to folder 'Projects/Harbor View' of library '{LIBRARY}' on "
        f"{HOST}{SITE_PATH}"
    )


def test_another_write_failure_is_stated() -> None:
    graph = FakeSharePoint(create_error=Locked("resourceLocked", service="graph", status=423))
    access = check_sharepoint(graph, target())
    assert access.failure is not None
    assert access.failure.message.startswith("cannot write to folder 'Projects/Harbor View'")
    assert "resourceLocked" in access.failure.message


def test_a_probe_that_cannot_be_deleted_is_refused_and_named() -> None:
    graph = FakeSharePoint(delete_error=PermissionDenied("accessDenied", service="graph"))
    access = check_sharepoint(graph, target())
    assert access.failure is not None
    probe = graph.created[0][1]
    assert access.failure.message.startswith("no delete access in folder 'Projects/Harbor View'")
    assert f"'{probe}' was created but could not be removed" in access.failure.message


def test_an_unavailable_sharepoint_is_undecided() -> None:
    graph = FakeSharePoint(create_error=TransientError("503", service="graph", status=503))
    access = check_sharepoint(graph, target())
    assert access.failure is not None
    assert access.failure.temporary
    assert access.failure.message == "SharePoint did not answer: 503"


# --- both at once ----------------------------------------------------------------------------


def test_both_sides_are_checked_at_the_same_time() -> None:
    """Each fake's first call waits until the other side has started too: sequential checks
    would break the barrier (after its timeout) instead of passing it."""
    both = threading.Barrier(2, timeout=5)
    procore = FakeProcore(gate=both)
    graph = FakeSharePoint(gate=both)
    procore_access, sharepoint_access = check_access(procore, graph, request())
    assert procore_access.failure is None
    assert sharepoint_access.failure is None
    assert not both.broken


def test_both_sides_failures_are_reported_together() -> None:
    graph = FakeSharePoint(create_error=PermissionDenied("accessDenied", service="graph"))
    procore_access, sharepoint_access = check_access(
        FakeProcore(), graph, request(FORBIDDEN_PROJECT)
    )
    assert procore_access.failure is not None
    assert sharepoint_access.failure is not None
    assert "not permitted" in procore_access.failure.message
    assert "no write access" in sharepoint_access.failure.message

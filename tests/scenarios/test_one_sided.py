"""A change made on one side reaches the other: create, edit, rename, move, delete, each way.

Nothing is nudged: Procore's webhooks and SharePoint's change notifications bring each change
to the app. After each scenario a further pass must change nothing.
"""

from __future__ import annotations

import base64
import io
import zipfile

from shared.state.log import LogAction
from tests.e2e.stack import Stack
from tests.scenarios.harness import baseline

MAX_FILE_BYTES = 4096
stack_settings = {"MAX_FILE_BYTES": str(MAX_FILE_BYTES)}

TREE = {
    "Plans": {"A-101 Site.pdf": "site v1", "A-102 Roof.pdf": "roof v1"},
    "Specs": {"Div 03.pdf": "concrete v1"},
    "Readme.txt": "hello",
}


def test_procore_side_changes_reach_sharepoint(stack: Stack) -> None:
    s = baseline(stack, "procore-side", TREE)
    s.procore_create("Plans/A-103 New.pdf", "new in procore")
    s.procore_edit("Plans/A-101 Site.pdf", "site v2")
    s.procore_rename("Specs/Div 03.pdf", "Div 03 Concrete.pdf")
    s.procore_move("Readme.txt", "Specs")
    s.procore_delete("Plans/A-102 Roof.pdf")

    def arrived() -> bool:
        sp = s.sharepoint_items()
        return (
            "Plans/A-103 New.pdf" in sp
            and "Specs/Div 03 Concrete.pdf" in sp
            and "Specs/Readme.txt" in sp
            and "Plans/A-102 Roof.pdf" not in sp
            and s.sharepoint_content("Plans/A-101 Site.pdf") == b"site v2"
        )

    s.settle("Procore's changes in SharePoint", arrived)
    assert s.trees_agree()
    assert s.sharepoint_content("Plans/A-103 New.pdf") == b"new in procore"
    assert s.sharepoint_content("Specs/Readme.txt") == b"hello"
    assert [v["size"] for v in s.sharepoint_versions("Plans/A-101 Site.pdf")] == [7, 7]
    actions = {(e.action, e.name) for e in s.writes_logged()}
    assert (LogAction.COPIED, "A-103 New.pdf") in actions
    assert (LogAction.UPDATED, "A-101 Site.pdf") in actions
    assert (LogAction.RENAMED, "Div 03 Concrete.pdf") in actions
    assert (LogAction.MOVED, "Readme.txt") in actions
    assert (LogAction.DELETED, "A-102 Roof.pdf") in actions
    s.assert_quiet()


def test_sharepoint_side_changes_reach_procore(stack: Stack) -> None:
    s = baseline(stack, "sharepoint-side", TREE)
    renamed_id = s.procore_id("Specs/Div 03.pdf")
    moved_id = s.procore_id("Readme.txt")
    s.sp("create", "Plans/A-104 From SP.pdf", content="new in sharepoint")
    s.sp("edit", "Plans/A-101 Site.pdf", content="site v2 from sp")
    s.sp("rename", "Specs/Div 03.pdf", name="Div 03 Concrete.pdf")
    s.sp("move", "Readme.txt", parent_path=f"{s.sp_base}/Specs")
    s.sp("delete", "Plans/A-102 Roof.pdf")

    def arrived() -> bool:
        p = s.procore_items()
        return (
            "Plans/A-104 From SP.pdf" in p
            and "Specs/Div 03 Concrete.pdf" in p
            and "Specs/Readme.txt" in p
            and "Plans/A-102 Roof.pdf" not in p
            and s.procore_content("Plans/A-101 Site.pdf") == b"site v2 from sp"
        )

    s.settle("SharePoint's changes in Procore", arrived)
    assert s.trees_agree()
    assert s.procore_content("Plans/A-104 From SP.pdf") == b"new in sharepoint"
    # Identity is by id: the rename and the move kept the Procore files (no delete + upload).
    assert s.procore_id("Specs/Div 03 Concrete.pdf") == renamed_id
    assert s.procore_id("Specs/Readme.txt") == moved_id
    assert len(s.procore_versions("Plans/A-101 Site.pdf")) == 2
    s.assert_quiet()


def test_folders_created_renamed_moved_and_deleted_on_each_side(stack: Stack) -> None:
    s = baseline(
        stack,
        "folders",
        {"Area A": {"Level 1": {"a.pdf": "a"}}, "Area B": {"b.pdf": "b"}, "Old": {"o.pdf": "o"}},
    )
    s.sp("create", "SP Folder", folder=True)
    s.sp("create", "SP Folder/inside.pdf", content="inside")
    s.stack.procore.call(
        "POST",
        "/act/folders",
        {"project_id": s.procore_project, "parent_id": s.procore_folder_id(""), "name": "P Folder"},
    )
    s.procore_rename("Area A", "Area A1")
    s.sp("move", "Area B", parent_path=f"{s.sp_base}/Area A/Level 1")
    s.sp("delete", "Old")

    def arrived() -> bool:
        p = s.procore_items()
        sp = s.sharepoint_items()
        return (
            "SP Folder/inside.pdf" in p
            and "P Folder" in sp
            and "Area A1/Level 1/Area B/b.pdf" in sp
            and "Area A1/Level 1/Area B/b.pdf" in p
            and "Old" not in p
            and "Old/o.pdf" not in p
        )

    s.settle("the folder changes on both sides", arrived)
    assert s.trees_agree()
    assert s.procore_content("SP Folder/inside.pdf") == b"inside"
    s.assert_quiet()


def docx(text: str) -> bytes:
    """A minimal Office file (a valid zip), which SharePoint rewrites after upload."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{text}</w:document>")
    return buffer.getvalue()


def test_sharepoints_rewrite_of_an_office_file_is_not_a_change(stack: Stack) -> None:
    s = baseline(stack, "office-rewrite", {"Plans": {}})
    content = docx("minutes of the site meeting")
    stack.procore.call(
        "POST",
        "/act/files",
        {
            "project_id": s.procore_project,
            "parent_id": s.procore_folder_id("Plans"),
            "name": "Minutes.docx",
            "content_b64": base64.b64encode(content).decode(),
        },
    )
    s.settle("the Office file in SharePoint", lambda: "Plans/Minutes.docx" in s.sharepoint_items())
    rewritten = s.sharepoint_content("Plans/Minutes.docx")
    assert rewritten != content  # SharePoint (the emulator) rewrote it on upload
    assert s.procore_content("Plans/Minutes.docx") == content
    assert len(s.procore_versions("Plans/Minutes.docx")) == 1  # not echoed back to Procore
    s.assert_quiet()
    assert len(s.procore_versions("Plans/Minutes.docx")) == 1


def test_a_path_sharepoint_refuses_is_skipped_once_with_its_reason(stack: Stack) -> None:
    s = baseline(stack, "long-path", {"Plans": {"A.pdf": "a"}})
    folder = "Structural calculations " + "f" * 150
    s.stack.procore.call(
        "POST",
        "/act/folders",
        {"project_id": s.procore_project, "parent_id": s.procore_folder_id(""), "name": folder},
    )
    s.settle("the long folder in SharePoint", lambda: folder in s.sharepoint_items())
    name = "Anchor bolt schedule " + "x" * 200 + ".pdf"
    s.procore_create(f"{folder}/{name}", "too deep for SharePoint")

    def skipped() -> list[str]:
        return [e.reason or "" for e in s.log() if e.action == LogAction.SKIPPED and e.name == name]

    s.settle("the file skipped with its reason", lambda: bool(skipped()))
    assert "400 characters" in skipped()[0]
    assert "http" not in skipped()[0]
    assert not [e for e in s.log() if e.action == LogAction.ERROR]
    s.run_pass()
    assert len(skipped()) == 1  # not tried again until the file changes
    assert f"{folder}/{name}" not in s.sharepoint_items()


def test_files_over_the_size_limit_are_skipped_with_the_reason_on_both_sides(
    stack: Stack,
) -> None:
    s = baseline(stack, "size-limit", {"Plans": {"A.pdf": "a"}})
    big = "x" * (MAX_FILE_BYTES + 1)
    s.procore_create("Plans/Big from Procore.pdf", big)
    s.sp("create", "Plans/Big from SharePoint.pdf", content=big)
    s.sp("create", "Plans/Small.pdf", content="small")

    def skipped() -> dict[str, str]:
        return {e.name or "": e.reason or "" for e in s.log() if e.action == LogAction.SKIPPED}

    s.settle(
        "both big files skipped and the small one copied",
        lambda: (
            {"Big from Procore.pdf", "Big from SharePoint.pdf"} <= set(skipped())
            and "Plans/Small.pdf" in s.procore_items()
        ),
    )
    assert all(
        "maxFileSizeExceeded" in skipped()[n]
        for n in ("Big from Procore.pdf", "Big from SharePoint.pdf")
    )
    assert "Plans/Big from Procore.pdf" not in s.sharepoint_items()
    assert "Plans/Big from SharePoint.pdf" not in s.procore_items()

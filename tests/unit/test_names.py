"""SharePoint naming: each Procore name maps to one SharePoint accepts, or a skip reason."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.sync.names import (
    MappedName,
    Sibling,
    Unmappable,
    check_path,
    is_office_temp_name,
    name_folder,
    sharepoint_name,
)


def sharepoint_accepts(name: str, *, is_folder: bool = False, at_root: bool = False) -> bool:
    """An independent statement of the rules (API-NOTES B6), to check the mapping against."""
    if not name or len(name) > 255:
        return False
    if any(c in name for c in '"*:<>?/\\|') or re.search(r"[\x00-\x1f\x7f-\x9f]", name):
        return False
    if name != name.strip(" ") or name.endswith("."):
        return False
    lower = name.lower()
    if lower in {".lock", "desktop.ini"} or "_vti_" in lower or lower.startswith("~$"):
        return False
    stem = name.rsplit(".", 1)[0] if name.rfind(".") > 0 else name
    if re.fullmatch(r"(CON|PRN|AUX|NUL|COM\d|LPT\d)", stem, re.IGNORECASE):
        return False
    if is_folder and name.startswith("~"):
        return False
    return not (is_folder and at_root and lower == "forms")


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("Plan A.pdf", "Plan A.pdf"),
        ("Plan: A?.pdf", "Plan： A？.pdf"),
        ('Say "hi" <now>|*.txt', "Say ＂hi＂ ＜now＞｜＊.txt"),
        ("a/b\\c.dwg", "a／b＼c.dwg"),
        ("  padded.pdf  ", "padded.pdf"),
        ("Final..", "Final"),
        ("CON", "CON_"),
        ("con.txt", "con_.txt"),
        ("LPT9.log", "LPT9_.log"),
        ("COMMENTS.txt", "COMMENTS.txt"),
        (".lock", "_.lock"),
        ("Desktop.ini", "_Desktop.ini"),
        ("my_vti_file.doc", "my_vti-file.doc"),
        ("~$budget.xlsx", "_~$budget.xlsx"),
        ("Tab\there.pdf", "Tabhere.pdf"),
        ("Ünïcødé 設計図.pdf", "Ünïcødé 設計図.pdf"),
        ("#100% done.pdf", "#100% done.pdf"),
    ],
)
def test_file_names(given_name: str, expected: str) -> None:
    mapped = sharepoint_name(given_name)
    assert isinstance(mapped, MappedName)
    assert mapped.name == expected
    assert mapped.changed == (given_name != expected)
    assert bool(mapped.changes) == mapped.changed


def test_folder_only_rules() -> None:
    assert sharepoint_name("~temp", is_folder=True) == MappedName(
        "~temp", "_~temp", ("folder names may not start with '~'",)
    )
    assert sharepoint_name("~temp").name == "~temp"  # type: ignore[union-attr]
    forms = sharepoint_name("Forms", is_folder=True, at_library_root=True)
    assert isinstance(forms, MappedName) and forms.name == "_Forms"
    assert sharepoint_name("Forms", is_folder=True).name == "Forms"  # type: ignore[union-attr]


def test_names_that_vanish_are_skipped_with_a_reason() -> None:
    for name in ("   ", "...", " . ", "\x01"):
        result = sharepoint_name(name)
        assert isinstance(result, Unmappable)
        assert "empty" in result.reason


def test_long_names_are_shortened_keeping_extension_and_staying_distinct() -> None:
    a = sharepoint_name("A" * 300 + " one.pdf")
    b = sharepoint_name("A" * 300 + " two.pdf")
    assert isinstance(a, MappedName) and isinstance(b, MappedName)
    assert len(a.name) == 255 and a.name.endswith(".pdf")
    assert a.name != b.name


@settings(max_examples=400, deadline=None)
@given(st.text(min_size=1, max_size=300), st.booleans(), st.booleans())
def test_every_name_maps_to_an_accepted_name_or_a_reason(
    name: str, is_folder: bool, at_root: bool
) -> None:
    result = sharepoint_name(name, is_folder=is_folder, at_library_root=at_root)
    if isinstance(result, Unmappable):
        assert result.reason
    else:
        assert sharepoint_accepts(result.name, is_folder=is_folder, at_root=at_root), result
        assert sharepoint_name(name, is_folder=is_folder, at_library_root=at_root) == result


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aA:.~$ ", min_size=1, max_size=6))
def test_acceptable_names_are_left_alone(name: str) -> None:
    result = sharepoint_name(name)
    if sharepoint_accepts(name) and name == name.strip():
        assert isinstance(result, MappedName) and result.name == name and not result.changes


def test_case_only_clashes_in_a_folder_get_numbered_in_id_order() -> None:
    entries = [
        Sibling("30", "plan.pdf"),
        Sibling("10", "Plan.pdf"),
        Sibling("20", "PLAN.PDF"),
        Sibling("40", "Plan:.pdf"),
        Sibling("50", "Plan：.pdf"),
    ]
    names = name_folder(entries)
    assert {k: v.name for k, v in names.names.items()} == {
        "10": "Plan.pdf",
        "20": "PLAN (2).PDF",
        "30": "plan (3).pdf",
        "40": "Plan：.pdf",
        "50": "Plan： (2).pdf",
    }
    assert "letter case" in names.names["20"].changes[-1]
    assert name_folder(reversed(entries)).names == names.names


def test_names_already_taken_in_the_folder_are_avoided() -> None:
    names = name_folder([Sibling("1", "Spec.docx")], taken=["spec.DOCX"])
    assert names.names["1"].name == "Spec (2).docx"


def test_unmappable_entries_are_listed_apart() -> None:
    names = name_folder([Sibling("1", "  "), Sibling("2", "ok.txt")])
    assert list(names.skipped) == ["1"] and list(names.names) == ["2"]


def test_path_limit_counts_the_whole_decoded_path() -> None:
    base = len("sites/Construction/Shared Documents/Project 1")
    segments = ["Documents", "a" * 200, "b" * 150 + ".pdf"]
    assert check_path(segments[:2], base_path_length=base) is None
    too_long = check_path(segments, base_path_length=base)
    assert isinstance(too_long, Unmappable) and "400" in too_long.reason


@pytest.mark.parametrize(
    ("name", "temp"),
    [
        ("~$Budget.xlsx", True),
        ("report.TMP", True),
        (".~lock.Plan.odt#", True),
        ("Budget.xlsx", False),
        ("tmp.pdf", False),
        (".~lock.Plan.odt", False),
    ],
)
def test_office_temp_names(name: str, temp: bool) -> None:
    assert is_office_temp_name(name) is temp

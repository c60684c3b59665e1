"""Names of exported files: number and title, SharePoint-safe, short enough, extension kept."""

from __future__ import annotations

from shared.export.naming import (
    ITEM_NAME_MAX,
    attachment_name,
    folder_name,
    item_stem,
    numbered,
    pdf_name,
)
from shared.sync.names import MappedName, Unmappable


def name(mapped: MappedName | Unmappable) -> str:
    assert isinstance(mapped, MappedName), mapped
    return mapped.name


def test_number_and_title() -> None:
    assert numbered("RFI-", "12") == "RFI-012"
    assert numbered("RFI-", "RFI-012") == "RFI-012"
    assert numbered("", "03 30 00-1") == "03 30 00-1"
    assert name(pdf_name(item_stem("RFI-012", "Slab edge detail", 1))) == (
        "RFI-012 Slab edge detail.pdf"
    )


def test_no_number_keeps_same_titles_apart() -> None:
    assert item_stem("", "Daily plan", 41) != item_stem("", "Daily plan", 42)
    assert item_stem("", None, 7) == "Item 7"


def test_forbidden_characters_and_unicode() -> None:
    assert name(pdf_name("RFI-001 Bürogebäude – Ø 12 mm")) == "RFI-001 Bürogebäude – Ø 12 mm.pdf"
    assert name(pdf_name('RFI-002 What: "A/B"?')) == "RFI-002 What： ＂A／B＂？.pdf"
    assert name(folder_name("RFI-003 Ends with dots...")) == "RFI-003 Ends with dots"


def test_very_long_titles_are_cut_keeping_the_extension_and_distinct() -> None:
    one = name(pdf_name("RFI-001 " + "long words " * 60 + "one"))
    two = name(pdf_name("RFI-001 " + "long words " * 60 + "two"))
    assert len(one) <= ITEM_NAME_MAX and one.endswith(".pdf")
    assert one != two
    assert len(name(folder_name("x" * 400))) <= ITEM_NAME_MAX
    assert name(attachment_name("y" * 300 + ".jpeg")).endswith(".jpeg")


def test_unnameable() -> None:
    assert isinstance(folder_name("..."), Unmappable)

"""The PDF renderer, read back with pypdf: header fields, sections, entries, attachments, wrapping,
non-ASCII text, and the same document giving the same bytes."""

from __future__ import annotations

import io

import pypdf

from shared.export.document import Entry, ExportDocument, Section
from shared.export.fonts import printable
from shared.export.render import render


def text_of(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


DOCUMENT = ExportDocument(
    tool_label="RFI",
    number="RFI-012",
    title="Bürogebäude – Ø 12 mm",
    project="Project: Harbor View Tower",
    fields=[("Status", "open"), ("Due date", "2025-04-01"), ("Empty", "")],
    sections=[
        Section(heading="Question", paragraphs=["Is the slab edge <b>thickened</b> & why?"]),
        Section(
            heading="Responses (1)",
            entries=[Entry(author="Ana Architect", date="2025-03-04", text="Yes, 250 mm.")],
        ),
    ],
    attachments=["sketch.pdf", "photo 1.jpg"],
    source="Exported from Procore",
)


def test_fields_sections_and_attachments_are_readable() -> None:
    pages, text = text_of(render(DOCUMENT))
    assert pages == 1
    assert text.startswith("RFI-012: Bürogebäude – Ø 12 mm")
    for expected in (
        "Status",
        "open",
        "2025-04-01",
        "Is the slab edge <b>thickened</b> & why?",  # markup-like text is text, not markup
        "Ana Architect · 2025-03-04",
        "Yes, 250 mm.",
        "Attachments (2)",
        "sketch.pdf",
        "photo 1.jpg",
    ):
        assert expected in text, expected
    assert "Empty" not in text


def test_long_text_wraps_onto_more_pages() -> None:
    long = DOCUMENT.model_copy(
        update={"sections": [Section(heading="Question", paragraphs=["word " * 3000])]}
    )
    pages, text = text_of(render(long))
    assert pages > 1
    assert text.count("word") == 3000


def test_runaway_text_is_cut() -> None:
    huge = DOCUMENT.model_copy(
        update={"sections": [Section(heading="Question", paragraphs=["word " * 10_000])]}
    )
    _, text = text_of(render(huge))
    assert text.count("word") == 4000 and "…" in text


def test_same_document_same_bytes() -> None:
    assert render(DOCUMENT) == render(DOCUMENT)


def test_characters_the_font_lacks_become_their_base_letters() -> None:
    assert printable("Bürogebäude – Ø") == "Bürogebäude – Ø"
    assert "?" not in printable("Łódź ő")

"""An `ExportDocument` drawn as a PDF with reportlab's platypus (flowing, wrapped text; pages as
needed), in a TrueType font so non-ASCII titles come out as written (see `fonts`)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from shared.export.document import Entry, ExportDocument
from shared.export.fonts import fonts, printable

MAX_PARAGRAPH_CHARS = 20_000
"""A runaway body is cut here (a PDF of a single item stays readable and small)."""


def _styles() -> dict[str, ParagraphStyle]:
    pair = fonts()
    base = ParagraphStyle("body", fontName=pair.regular, fontSize=10, leading=13)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=pair.bold, fontSize=15, leading=19),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=pair.bold, fontSize=12, leading=16, spaceBefore=8
        ),
        "label": ParagraphStyle("label", parent=base, fontName=pair.bold),
        "meta": ParagraphStyle("meta", parent=base, fontSize=8, leading=10, textColor=colors.grey),
    }


def _text(value: str) -> str:
    """Text as paragraph markup: escaped, line breaks kept, the font's characters only."""
    cut = value if len(value) <= MAX_PARAGRAPH_CHARS else value[:MAX_PARAGRAPH_CHARS] + " …"
    return escape(printable(cut)).replace("\n", "<br/>")


KEEP_TOGETHER_CHARS = 2000
"""A short entry is not split across pages; a long one flows."""


def _entry(entry: Entry, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    byline = " · ".join(p for p in (entry.author, entry.date, entry.note) if p)
    parts: list[Flowable] = []
    if byline:
        parts.append(Paragraph(_text(byline), styles["label"]))
    if entry.text:
        parts.append(Paragraph(_text(entry.text), styles["body"]))
    parts.append(Spacer(1, 2 * mm))
    return [KeepTogether(parts)] if len(entry.text) < KEEP_TOGETHER_CHARS else parts


def render(document: ExportDocument) -> bytes:
    """The document as PDF bytes (A4); the same document gives the same bytes (`invariant`)."""
    styles = _styles()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=printable(document.heading),
        author="Procore SharePoint Sync",
        subject=printable(document.tool_label),
        invariant=True,
    )
    story: list[Flowable] = [Paragraph(_text(document.heading), styles["title"])]
    if document.project:
        story.append(Paragraph(_text(document.project), styles["meta"]))
    story.append(Spacer(1, 4 * mm))
    rows = [
        [Paragraph(_text(name), styles["label"]), Paragraph(_text(value), styles["body"])]
        for name, value in document.fields
        if value
    ]
    if rows:
        table = Table(rows, colWidths=[45 * mm, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        story.append(table)
    for section in document.sections:
        if not (section.paragraphs or section.entries):
            continue
        story.append(Paragraph(_text(section.heading), styles["heading"]))
        story.extend(Paragraph(_text(p), styles["body"]) for p in section.paragraphs if p)
        for entry in section.entries:
            story.extend(_entry(entry, styles))
    story.append(Paragraph(_text(f"Attachments ({len(document.attachments)})"), styles["heading"]))
    if document.attachments:
        story.append(
            ListFlowable(
                [ListItem(Paragraph(_text(n), styles["body"])) for n in document.attachments],
                bulletType="bullet",
                bulletFontName=fonts().regular,
                start="•",
            )
        )
    else:
        story.append(Paragraph("None", styles["body"]))
    if document.source:
        story += [Spacer(1, 6 * mm), Paragraph(_text(document.source), styles["meta"])]
    pdf.build(story)
    return buffer.getvalue()

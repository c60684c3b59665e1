"""The TrueType font the PDFs are set in, chosen once per process.

Procore titles carry accents, dashes and symbols ("Bürogebäude – Ø 12 mm"), which the 14 standard
PDF fonts cannot show. DejaVu Sans (full Latin Extended) is used where the operating system has it;
otherwise Bitstream Vera, which ships inside the reportlab package itself and so is always there
(Latin-1 plus common punctuation and part of Latin Extended-A). A character the chosen font lacks
is written as its unaccented base letter (`ő` → `o`), never as an empty box.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

_SYSTEM_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
_REPORTLAB_FONTS = Path(reportlab.__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class FontPair:
    regular: str
    bold: str
    covered: frozenset[int]


def _find(directory: Path, name: str) -> Path | None:
    path = directory / name
    return path if path.is_file() else None


def _register(family: str, regular: Path, bold: Path) -> FontPair:
    regular_font = TTFont(family, str(regular))
    pdfmetrics.registerFont(regular_font)
    pdfmetrics.registerFont(TTFont(f"{family}-Bold", str(bold)))
    covered = frozenset(regular_font.face.charToGlyph)
    return FontPair(family, f"{family}-Bold", covered)


@cache
def fonts() -> FontPair:
    """DejaVu Sans from the system if present, else reportlab's bundled Vera."""
    for directory in _SYSTEM_DIRS:
        regular = _find(directory, "DejaVuSans.ttf")
        bold = _find(directory, "DejaVuSans-Bold.ttf")
        if regular and bold:
            return _register("ExportSans", regular, bold)
    return _register("ExportVera", _REPORTLAB_FONTS / "Vera.ttf", _REPORTLAB_FONTS / "VeraBd.ttf")


def printable(text: str) -> str:
    """`text` with every character the font lacks replaced by its base letter (or dropped)."""
    covered = fonts().covered
    if all(ord(c) in covered or c in "\n\t" for c in text):
        return text
    out: list[str] = []
    for char in text:
        if ord(char) in covered or char in "\n\t":
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append("".join(c for c in base if ord(c) in covered) or "?")
    return "".join(out)

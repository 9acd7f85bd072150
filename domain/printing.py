"""What every printable PDF shares: the embedded CJK font, the paragraph styles, the seller's
letterhead at the top and the page number at the bottom.

The font is a TrueType file embedded as a subset (reportlab's TTFont writes only the glyphs a
document uses), so every viewer shows the same text and text extraction gets it back: a
referenced-only CID font is drawn as boxes by a viewer without a matching Chinese font. The
default is the Debian package fonts-wqy-microhei (Apache-2.0 or GPLv3 with the font embedding
exception; scripts/system-deps.sh installs it); TALLY_PDF_FONT names another TrueType file
(.ttf, or a .ttc whose first face is used). It has Latin, digits and ¥ too, so no built-in
(unembedded) Helvetica is ever used.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, HRFlowable, Image, Paragraph, Spacer, Table, TableStyle

DEFAULT_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT_PACKAGE = "fonts-wqy-microhei"
MARGIN = 15 * mm
HEADER_FILL = colors.HexColor("#eef2f7")
HEAD_TEXT = colors.HexColor("#52606d")
RULE_COLOR = colors.HexColor("#9aa5b1")
LOGO_HEIGHT = 16 * mm
LOGO_MAX_WIDTH = 40 * mm


class PdfFontMissing(RuntimeError):
    """The configured font file is absent or not a TrueType font the PDF can embed."""


def font_file(configured: str = "") -> str:
    """The font file to embed: TALLY_PDF_FONT when set, else the Debian package's file."""
    return configured or DEFAULT_FONT_FILE


@functools.cache
def cjk_font(path: str = DEFAULT_FONT_FILE) -> str:
    """Register the font file on first use (not at import; loading it takes ~0.1 s) and return
    its reportlab name; both PDFs share it. PdfFontMissing says which file and how to get it."""
    name = f"TallyCJK-{Path(path).stem}"
    try:
        font = TTFont(name, path, subfontIndex=0)
    except (OSError, TTFError) as exc:
        raise PdfFontMissing(font_problem(path, exc)) from None
    if not all(ord(char) in font.face.charToGlyph for char in "对账单¥0"):
        raise PdfFontMissing(f"PDF font file {path} has no Chinese glyphs: TALLY_PDF_FONT must "
                             f"name a font with Chinese (e.g. {FONT_PACKAGE}'s)")
    pdfmetrics.registerFont(font)
    return name


def font_problem(path: str, exc: Exception) -> str:
    if not Path(path).is_file():
        return (f"PDF font file {path} does not exist: install the Debian package "
                f"{FONT_PACKAGE} (scripts/system-deps.sh) or set TALLY_PDF_FONT to a TrueType "
                f"font with Chinese glyphs")
    return (f"PDF font file {path} cannot be embedded ({exc}): TALLY_PDF_FONT must name a "
            f"TrueType (.ttf/.ttc) font; OpenType/CFF fonts such as Noto Sans CJK are refused")


def check_font(path: str) -> None:
    """PdfFontMissing unless the file loads as an embeddable font (checked at start)."""
    cjk_font(path)


def pdf_styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=20, leading=26, alignment=TA_CENTER),
        "body": base,
        "section": ParagraphStyle("section", base, fontSize=12, leading=18, spaceAfter=2 * mm),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=12),
        "cell_right": ParagraphStyle("cell_right", base, fontSize=9, leading=12, alignment=2),
        "seller": ParagraphStyle("seller", base, fontSize=15, leading=20),
        "contact": ParagraphStyle("contact", base, fontSize=8, leading=11, textColor=HEAD_TEXT),
    }


@dataclass(frozen=True)
class Letterhead:
    """The seller as the top of every PDF shows it (back office: PUT /settings/letterhead)."""

    name: str = ""
    address: str = ""
    phone: str = ""
    tax_id: str = ""
    bank: str = ""
    logo_png: bytes | None = None

    def contact_lines(self) -> list[list[str]]:
        """地址/电话 on one line, 税号/开户行 on the next, each a list of its parts; empty parts
        and lines left out."""
        pairs = ((("地址", self.address), ("电话", self.phone)),
                 (("税号", self.tax_id), ("开户行及账号", self.bank)))
        lines = [[f"{label}：{value}" for label, value in pair if value] for pair in pairs]
        return [line for line in lines if line]


GAP = "&nbsp;" * 4  # a Paragraph collapses runs of spaces, ideographic ones too


def spaced(parts: list[str]) -> str:
    """Paragraph markup of ``parts`` (escaped) set apart by a visible gap."""
    return GAP.join(escape(part) for part in parts)


def letterhead_flowables(letterhead: Letterhead, styles: dict[str, ParagraphStyle],
                         width: float) -> list[Flowable]:
    """The seller's logo, name and contact lines over a rule; nothing when none is set."""
    text = []
    if letterhead.name:
        text.append(Paragraph(escape(letterhead.name), styles["seller"]))
    text += [Paragraph(spaced(line), styles["contact"]) for line in letterhead.contact_lines()]
    logo = _logo(letterhead.logo_png)
    if not text and logo is None:
        return []
    if logo is None:
        block: Flowable = Table([[text]], colWidths=[width])
    else:
        block = Table([[logo, text]], colWidths=[logo.drawWidth + 4 * mm,
                                                 width - logo.drawWidth - 4 * mm])
    font = styles["body"].fontName  # a table without a FONT draws its cells in Helvetica
    block.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return [block, HRFlowable(width="100%", thickness=0.8, color=RULE_COLOR, spaceBefore=1,
                              spaceAfter=4 * mm)]


def _logo(png: bytes | None) -> Image | None:
    """The logo scaled to the letterhead's height (narrower when it is very wide)."""
    if not png:
        return None
    image = Image(io.BytesIO(png))
    scale = min(LOGO_HEIGHT / image.imageHeight, LOGO_MAX_WIDTH / image.imageWidth)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    return image


def title_block(title: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [Paragraph(escape(title), styles["title"]), Spacer(1, 4 * mm)]


def draw_page_number(canvas, document, *, font: str, seller: str = "", label: str = "") -> None:
    """The page footer (seller, what the document is, 第 n 页), centred on whatever page size
    the document uses, so a loose printed page still says whose and which it is."""
    canvas.saveState()
    canvas.setFont(font, 8)
    text = "　".join(part for part in (seller, label, f"第 {document.page} 页") if part)
    canvas.drawCentredString(document.pagesize[0] / 2, MARGIN / 2, text)
    canvas.restoreState()

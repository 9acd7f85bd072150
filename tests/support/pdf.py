"""Reading a rendered PDF back as a reader would: its text (poppler's pdftotext, and
Ghostscript's txtwrite when installed), its fonts (pdffonts) and a page as a PNG (pdftoppm).
scripts/system-deps.sh installs poppler-utils and ghostscript."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageStat

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils is not installed (scripts/system-deps.sh)")
needs_ghostscript = pytest.mark.skipif(
    shutil.which("gs") is None, reason="ghostscript is not installed (scripts/system-deps.sh)")


def _run(pdf: bytes, *command: str, output: str = "") -> bytes:
    """``command`` with the PDF's path in place of "{pdf}"; its standard output, or the file
    ``output`` it wrote in its working folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        args = [str(path) if part == "{pdf}" else part for part in command]
        done = subprocess.run(args, capture_output=True, check=True, timeout=60, cwd=folder)
        return (Path(folder) / output).read_bytes() if output else done.stdout


def pdf_text(pdf: bytes, *, layout: bool = True) -> str:
    """The text pdftotext reads back, pages separated by form feeds."""
    return _run(pdf, "pdftotext", *(["-layout"] if layout else []), "-enc", "UTF-8", "{pdf}",
                "-").decode("utf-8")


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, in reading order (one cell's wrapped text may break a line)."""
    return [page for page in pdf_text(pdf, layout=False).split("\f") if page.strip()]


def pdf_fonts(pdf: bytes) -> list[dict]:
    """Every font pdffonts lists: name, type, embedded (emb) and subset (sub)."""
    lines = _run(pdf, "pdffonts", "{pdf}").decode("utf-8").splitlines()[2:]
    fonts = []
    for line in lines:
        name, rest = line.split(None, 1)
        flags = re.findall(r"\b(yes|no)\b", rest)
        fonts.append({"name": name, "type": rest, "emb": flags[0] == "yes",
                      "sub": flags[1] == "yes"})
    return fonts


def page_png(pdf: bytes, page: int = 1, dpi: int = 50) -> bytes:
    """Page ``page`` drawn by poppler (pdftoppm -png) at ``dpi``."""
    return _run(pdf, "pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page),
                "-singlefile", "{pdf}", "page", output="page.png")


def ink_share(png: bytes) -> float:
    """How much of the page is drawn on: the share of pixels darker than near-white."""
    with Image.open(io.BytesIO(png)) as image:
        grey = image.convert("L")
        dark = grey.point(lambda value: 255 if value < 200 else 0)
        return ImageStat.Stat(dark).mean[0] / 255


def ghostscript_text(pdf: bytes) -> str:
    """The text Ghostscript's txtwrite device extracts. Ghostscript 10.0 reads the digits and
    Latin of reportlab's subset fonts but not their Chinese (it ignores their ToUnicode maps),
    so tests check the former only; with the old unembedded CID font it lost the digits."""
    return _run(pdf, "gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite",
                "-sOutputFile=-", "{pdf}").decode("utf-8", "replace")


def squeezed(text: str) -> str:
    """The text without white space: pdftotext drops a narrow space between Chinese and digits
    ("第 1 页" reads "第1页") and breaks lines where a cell wraps."""
    return re.sub(r"\s+", "", text)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def logo_png(width: int = 120, height: int = 60) -> bytes:
    """A small two-colour PNG, as a seller's logo file."""
    image = Image.new("RGB", (width, height), "#c0392b")
    image.paste("#2c3e50", (width // 2, 0, width, height))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()

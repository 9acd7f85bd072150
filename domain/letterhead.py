"""The seller's letterhead on every PDF: name, address, phone, tax id, bank account and an
optional PNG logo, kept as one run-time setting finance edits in the back office."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import asdict
from datetime import datetime

from PIL import Image, UnidentifiedImageError

from domain.app_settings import store, stored
from domain.common_errors import BAD_LOGO
from domain.printing import Letterhead

KEY = "pdf.letterhead"
LOGO_MAX_BYTES = 256 * 1024
LOGO_MAX_SIDE = 2000  # pixels; the PDF draws it 16 mm high
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_FIELDS = ("name", "address", "phone", "tax_id", "bank")


async def letterhead() -> Letterhead:
    """The stored letterhead; an empty one (no header on the PDFs) until finance sets it."""
    value = await stored(KEY)
    if not isinstance(value, dict):
        return Letterhead()
    logo = value.get("logo_png") or ""
    return Letterhead(**{name: str(value.get(name) or "") for name in TEXT_FIELDS},
                      logo_png=base64.b64decode(logo) if logo else None)


async def set_letterhead(head: Letterhead, *, by: str, now: datetime) -> Letterhead:
    """Replace the letterhead (a logo is checked first: BAD_LOGO); audited without the image."""
    if head.logo_png is not None:
        check_logo(head.logo_png)
    texts = {name: value for name, value in asdict(head).items() if name in TEXT_FIELDS}
    logo = base64.b64encode(head.logo_png).decode("ascii") if head.logo_png else ""
    shown = {**texts, "logo_sha256": hashlib.sha256(head.logo_png).hexdigest()
             if head.logo_png else ""}
    await store(KEY, {**texts, "logo_png": logo}, by=by, now=now, shown=shown)
    return head


def decode_logo(text: str) -> bytes | None:
    """A logo as the API sends it (base64 of the PNG file; empty: no logo)."""
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BAD_LOGO("logo_png 须为 PNG 文件的 base64 编码", field="logo_png") from None


def check_logo(png: bytes) -> None:
    """A PNG file of at most 256 KB and 2000 px a side that decodes."""
    if not png.startswith(PNG_SIGNATURE):
        raise BAD_LOGO("徽标须为 PNG 图片", field="logo_png")
    if len(png) > LOGO_MAX_BYTES:
        raise BAD_LOGO(f"徽标不能超过 {LOGO_MAX_BYTES // 1024} KB", field="logo_png")
    try:
        with Image.open(io.BytesIO(png)) as image:
            image.verify()
            size = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BAD_LOGO("徽标图片已损坏，无法读取", field="logo_png") from None
    if max(size) > LOGO_MAX_SIDE:
        raise BAD_LOGO(f"徽标的宽和高不能超过 {LOGO_MAX_SIDE} 像素", field="logo_png")

"""QR codes for share links, as PNG (pypng) or SVG, without Pillow.

qrcode picks Pillow when no image factory is given, so every call here names its factory. The SVG
uses SvgPathFillImage (SvgPathImage with a white background) so it still scans on a dark page.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.base import BaseImage
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathFillImage

BOX_SIZE = 10  # pixels per module in the PNG
BORDER = 4  # quiet zone in modules, the minimum the QR standard asks for


def qr_png(data: str) -> bytes:
    """The data as a black-on-white PNG QR code."""
    return _save(_make_image(data, PyPNGImage))


def qr_svg(data: str) -> bytes:
    """The data as a scalable SVG QR code: one path on a white square, UTF-8 XML bytes."""
    return _save(_make_image(data, SvgPathFillImage))


def _make_image(data: str, image_factory: type[BaseImage]) -> BaseImage:
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER,
        image_factory=image_factory,
    )
    code.add_data(data)
    code.make(fit=True)
    return code.make_image()


def _save(image: BaseImage) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()

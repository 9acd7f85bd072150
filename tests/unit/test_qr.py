"""qr_png / qr_svg: valid images of the link, made without Pillow."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import png

from domain.qr import qr_png, qr_svg
from tests.support.cli import python_probe

LINK = "https://tally.example.cn/s/eyJzIjo3fQ.abc-123?utm=wx&x=<y>"
SVG_NS = "{http://www.w3.org/2000/svg}"


def test_png_has_the_png_signature():
    assert qr_png(LINK).startswith(b"\x89PNG\r\n\x1a\n")


def test_png_decodes_to_a_square_image():
    width, height, rows, _info = png.Reader(bytes=qr_png(LINK)).read()

    assert width > 0
    assert width == height
    assert len(list(rows)) == height


def test_longer_data_gives_a_bigger_code():
    short = png.Reader(bytes=qr_png("a")).read()[0]
    long = png.Reader(bytes=qr_png("a" * 300)).read()[0]

    assert long > short


def test_svg_parses_as_xml_with_an_svg_root():
    root = ET.fromstring(qr_svg(LINK))

    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox")
    assert root.find(f"{SVG_NS}path") is not None


def test_svg_is_utf8_xml_with_a_declaration():
    assert qr_svg(LINK).startswith(b"<?xml")


def test_chinese_data_encodes():
    assert qr_png("对账单 联想").startswith(b"\x89PNG")
    assert ET.fromstring(qr_svg("对账单 联想")).tag == f"{SVG_NS}svg"


def test_both_formats_work_without_pillow():
    # qrcode imports Pillow opportunistically when it is installed; block it to prove we never
    # need it (a None entry in sys.modules makes `import PIL` raise ImportError).
    probe = (
        "import sys; sys.modules['PIL'] = None; "
        "from domain.qr import qr_png, qr_svg; "
        "print(qr_png('x')[:4] == b'\\x89PNG' and qr_svg('x').startswith(b'<?xml'))"
    )
    assert python_probe(probe) == b"True"

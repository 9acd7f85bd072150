"""Small text helpers every notice builder uses: periods, clipping, and customer words made
safe inside markdown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def period(payload: Mapping[str, Any]) -> str:
    return f"{payload.get('date_from', '')} 至 {payload.get('date_to', '')}"


def clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int) -> str:
    """A customer's words inside markdown: one line, clipped, no links or markup of its own."""
    table = str.maketrans("[]()<>*#_`|", "［］（）＜＞＊＃＿｀｜")
    return clip(str(text).translate(table), limit)

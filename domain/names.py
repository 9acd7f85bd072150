"""Customer names in the order Chinese readers expect (seed 001: 按客户名称排序): by pinyin,
not by code point (which puts 张 before 李 and 阿 after 周)."""

from __future__ import annotations

import unicodedata

from pypinyin import Style, lazy_pinyin

SYLLABLE = 6  # the longest pinyin syllable: zhuang, chuang, shuang
# A character pypinyin cannot read sorts after every syllable.
UNKNOWN = "z" * SYLLABLE + "9"


def name_sort_key(name: str) -> str:
    """The name as a key of fixed cells, one per character: a syllable padded with "0" then
    its tone (1–5), a Latin letter or digit as itself; punctuation and spaces are left out.
    Only 0-9 and a-z, so SQL orders the stored key the same under any collation as Python."""
    text = unicodedata.normalize("NFKC", name).casefold()
    # pypinyin's hints say `errors` returns a str; a list (one reading per character) works too.
    readings = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True,
                           errors=lambda run: list(run))  # type: ignore[arg-type,return-value]
    return "".join(_cell(reading) for reading in readings)


def _cell(reading: str) -> str:
    if not reading.isascii():
        return UNKNOWN if unicodedata.category(reading[0]).startswith("Lo") else ""
    if not reading.isalnum():
        return ""
    if reading[-1].isdigit() and len(reading) > 1:  # a syllable with its tone
        return reading[:-1].ljust(SYLLABLE, "0") + reading[-1]
    return reading.ljust(SYLLABLE + 1, "0")  # a Latin letter or a digit

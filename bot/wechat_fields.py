"""WeChat's typed template fields: what each type may hold, and fitting a text into one.

A new-style official-account template (类目模板) and a mini-program subscribe message name their
fields by type and number — ``thing1``, ``amount3``, ``character_string2`` — and WeChat checks
each value against its type: a value that breaks the rule is refused with errcode 47003
("argument invalid! data.thing1.value invalid"), the whole message unsent. The rules, from
the subscribe-message document's 参数值内容限制说明 (the official account's 类目模板 use the
same table):
https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html#类目模板消息

The old field names (``first``, ``keyword1`` …, ``remark``) belong to the retired historical
templates: since 2023-05-04 WeChat shows neither ``first`` nor ``remark``, drops colours and
emoji, and folds each keyword after 20 characters (公众平台《关于规范公众号模板消息的再次公告》,
https://mp.weixin.qq.com/s/hvLO4Vs75NXDA__SxuyKXw). Tally fills typed fields only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

THING_LIMIT = 20
ELLIPSIS = "…"
LEGACY_FIELDS = re.compile(r"first|remark|keyword\d+")
FIELD_NAME = re.compile(r"(?P<type>[a-z_]+?)(?P<number>\d+)")

# Dates: 2019年10月1日, 2019年10月, 10月1日, or joined by - / . (2018-01-01, 2018-01, 01-01);
# times: HH:MM or HH:MM:SS; a date may carry a time and a time a date; a span joins two with ~.
_DAY = r"(\d{4}年\d{1,2}月(\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?" \
       r"|\d{1,2}[-/.]\d{1,2})"
_CLOCK = r"\d{1,2}:\d{2}(:\d{2})?"
_DATE_POINT = rf"{_DAY}(\s?{_CLOCK})?"
_TIME_POINT = rf"({_DAY}\s?)?{_CLOCK}"
_HAN_RANGE = "\u4e00-\u9fff"  # the CJK unified ideographs: "汉字" in WeChat's table
_HAN = f"[{_HAN_RANGE}]"


@dataclass(frozen=True)
class FieldRule:
    """One field type: the longest value (None: the pattern decides) and what it may contain."""

    pattern: str
    limit: int | None
    says: str  # the rule in the document's words, for messages

    def refuses(self, text: str) -> str | None:
        """Why WeChat would refuse ``text`` in this type (None: it fits)."""
        if not text:
            return "is empty"
        if self.limit is not None and len(text) > self.limit:
            return f"is longer than {self.limit} characters"
        if not re.fullmatch(self.pattern, text):
            return f"is not {self.says}"
        return None


RULES: dict[str, FieldRule] = {
    "thing": FieldRule(r"[^\r\n]+", THING_LIMIT, "up to 20 characters on one line"),
    "number": FieldRule(r"\d+(\.\d+)?", 32, "digits, optionally with decimals"),
    "letter": FieldRule(r"[A-Za-z]+", 32, "letters only"),
    "symbol": FieldRule(r"[^\w\s]+", 5, "up to 5 symbols"),
    "character_string": FieldRule(r"[\x21-\x7e]+", 32, "up to 32 digits, letters or symbols"),
    "time": FieldRule(rf"{_TIME_POINT}(\s?~\s?{_TIME_POINT})?", None,
                      "a 24-hour time (15:01, 2019年10月1日 15:01)"),
    "date": FieldRule(rf"{_DATE_POINT}(\s?~\s?{_DATE_POINT})?", None,
                      "a date (2019年10月1日, 2019-10-01)"),
    "amount": FieldRule(r"[¥￥$]?\d{1,10}(\.\d{1,2})?元?", None,
                        "an amount: a currency sign, up to 10 digits, optional 元"),
    "phone_number": FieldRule(r"[\d+\-() ]+", 17, "a phone number"),
    "car_number": FieldRule(rf"{_HAN}?[A-Za-z0-9]+{_HAN}?", 8, "a car number"),
    "name": FieldRule(rf"{_HAN}[{_HAN_RANGE}A-Za-z·. ]{{0,9}}|[A-Za-z·. '-]{{1,20}}", None,
                      "a name (10 Chinese characters or 20 letters)"),
    "phrase": FieldRule(rf"{_HAN}+", 5, "up to 5 Chinese characters"),
}
# In the category-template table too, but not ours to fill: a const's text is fixed in the
# template itself, and short_thing's limit is not documented.
NOT_FILLABLE = {"const": "is fixed by the template itself: leave it out",
                "short_thing": "has no documented limit: choose a template with thing fields"}


def field_type(name: str) -> str:
    """The type of a typed field name (``thing1`` → ``thing``); ValueError says what is wrong."""
    if LEGACY_FIELDS.fullmatch(name):
        raise ValueError(f"{name} is a historical-template field: since 2023-05-04 WeChat no "
                         "longer shows first/remark and folds keywords; use the template's "
                         "typed fields (thing1, amount2, …)")
    match = FIELD_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name} is not a WeChat field name (a type and a number, e.g. thing1)")
    kind = match["type"]
    if kind in NOT_FILLABLE:
        raise ValueError(f"{name}: a {kind} field {NOT_FILLABLE[kind]}")
    if kind not in RULES:
        raise ValueError(f"{name}: unknown field type {kind!r} (known: {', '.join(RULES)})")
    return kind


def fit(kind: str, text: str) -> str:
    """``text`` as WeChat will show it in a ``kind`` field: one line, a thing cut to 20
    characters with …; ValueError when WeChat would refuse it (an amount that is no amount)."""
    line = " ".join(str(text).split())
    if kind == "thing":
        line = cut(line, THING_LIMIT)
    problem = RULES[kind].refuses(line)
    if problem:
        raise ValueError(f"{line!r} {problem}")
    return line


BREAKS = " ，,、；;：:。（(—-·"  # where a clause or word ends


def cut(text: str, limit: int) -> str:
    """``text`` in ``limit`` characters with …: after the last whole clause or word when one
    ends in the last third, else after as many characters as fit."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    ends = [i for i in range(len(head) - limit // 3, len(head)) if head[i] in BREAKS]
    if ends and ends[-1] > 0:
        head = head[: ends[-1]]
    return head.rstrip(BREAKS) + ELLIPSIS

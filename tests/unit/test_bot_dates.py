"""The 对账 command's customer name and date range (bot.dingtalk_bot.split_range): the usual
ways of writing dates, and a bad date, three dates or a reversed range named."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dingtalk_bot import split_range
from domain.errors import Invalid

TODAY = date(2026, 11, 23)
DEC = (date(2021, 12, 1), date(2021, 12, 22))


@pytest.mark.parametrize("words", [
    ("联想", "2021-12-01", "2021-12-22"), ("联想", "2021/12/1", "2021.12.22"),
    ("联想", "2021年12月1日", "至", "2021年12月22日"), ("联想", "2021-12-01至2021-12-22"),
    ("联想", "20211201", "~", "20211222"), ("联想2021-12-01至2021-12-22",),
    ("联想2021年12月1日", "2021-12-22"),
])
def test_a_range_written_the_usual_ways(words):
    assert split_range(words, TODAY) == ("联想", *DEC)


def test_no_dates_mean_this_month_so_far_and_one_date_up_to_today():
    assert split_range(("联想",), TODAY) == ("联想", date(2026, 11, 1), TODAY)
    assert split_range(("联想", "2026-10-01"), TODAY) == ("联想", date(2026, 10, 1), TODAY)


def test_a_name_of_several_words_keeps_them_and_a_name_alone_is_never_a_date():
    assert split_range(("Acme", "Trading", "2021-12-01", "2021-12-22"), TODAY) == (
        "Acme Trading", *DEC)
    assert split_range(("2号店",), TODAY)[0] == "2号店"
    assert split_range(("2021-12-01",), TODAY)[0] == "2021-12-01"


@pytest.mark.parametrize(("words", "message"), [
    (("联想", "2021-13-01"), "日期 2021-13-01 不对，请写成 2021-12-01 这样"),
    (("联想", "2021-02-30"), "日期 2021-02-30 不对"),
    (("联想", "昨天x"), "日期 昨天x 不对"),
    (("联想", "12-01", "2021-12-22"), "日期 12-01 不对"),
    (("联想", "2021-12-01", "2021-12-02", "2021-12-03"), "最多写两个日期"),
    (("联想", "2021-12-22", "2021-12-01"), "开始日期 2021-12-22 晚于结束日期 2021-12-01"),
    (("联想", "2026-12-01"), "开始日期 2026-12-01 晚于今天 2026-11-23"),
])
def test_what_cannot_be_a_range_is_named(words, message):
    with pytest.raises(Invalid) as refused:
        split_range(words, TODAY)
    assert message in refused.value.message

"""Who answered, as staff read it, and the device label taken from a User-Agent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.actors import Actor
from domain.statements.answerers import answerer
from miniapp_api.devices import device_label

AT = datetime(2026, 11, 23, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
IPHONE_WECHAT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI")
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36")
ANDROID_WXWORK = ("Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 Chrome/107.0 "
                  "Mobile Safari/537.36 wxwork/4.1.16 MicroMessenger/7.0.1 Language/zh")
WINDOWS_EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                "Gecko) Chrome/120.0 Safari/537.36 Edg/120.0")
MAC_DINGTALK = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
                "(KHTML, like Gecko) DingTalk(7.5.0) nw Channel/201200")


def test_a_share_link_answer_names_the_link_the_time_and_the_device():
    link = Actor(kind="share", name="通过分享链接")
    assert answerer(link, AT, "iPhone 微信") == "通过分享链接（2026-11-23 10:05，iPhone 微信）"
    assert answerer(link, AT) == "通过分享链接（2026-11-23 10:05）"


def test_a_contact_or_staff_answer_names_the_person():
    assert answerer(Actor(kind="contact", name="陈会计", contact_id=3), AT, "x") == "陈会计"
    assert answerer(Actor(kind="staff", name="周财务"), AT) == "周财务"


def test_the_device_is_a_short_label_never_the_raw_header():
    assert device_label(IPHONE_WECHAT) == "iPhone 微信"
    assert device_label(ANDROID_CHROME) == "Android 浏览器"
    assert device_label(ANDROID_WXWORK) == "Android 企业微信"
    assert device_label(WINDOWS_EDGE) == "Windows 电脑 浏览器"
    assert device_label(MAC_DINGTALK) == "Mac 电脑 钉钉"
    assert device_label("curl/8.5.0") == "浏览器"
    assert device_label("") == "未知设备"
    assert all(len(device_label(ua)) <= 32 for ua in (IPHONE_WECHAT, WINDOWS_EDGE, "x" * 500))

"""Chromium as the DingTalk app's H5 container, for 免登 in the browser tests: a DingTalk
Android user agent and the native bridge of ``dingtalk_app.js``, whose requestAuthCode asks the
fake DingTalk for a code for the person signed in to the "app" (``FakeDingTalk.issue_auth_code``,
what the real app does for its signed-in person)."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.dingtalk import FakeDingTalk

BRIDGE = Path(__file__).with_name("dingtalk_app.js")
# The Android app's user agent: the WebView's own, then DingTalk's marks (AliApp(DingTalk/…)
# gives dingtalk-jsapi the app's version, which it checks against each API's minimum).
ANDROID_DINGTALK_UA = (
    "Mozilla/5.0 (Linux; U; Android 13; zh-CN; 22081212C Build/TKQ1.220829.002) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.230 "
    "Mobile Safari/537.36 AliApp(DingTalk/7.6.0) com.alibaba.android.rimet/40235106 "
    "Channel/700159 language/zh-CN abi/64 UT4Aplus/0.2.25 colorScheme/light")


async def open_in_dingtalk_app(page, fake: FakeDingTalk, userid: str) -> None:
    """Make ``page`` (of a context with ``ANDROID_DINGTALK_UA``) the app's container, with
    ``userid`` signed in to the app."""

    def issue(corp_id: str) -> dict[str, str]:
        try:
            return {"code": fake.issue_auth_code(userid, corp_id)}
        except LookupError as refused:
            return {"error": str(refused)}

    await page.expose_function("fakeDingTalkAppIssueAuthCode", issue)
    await page.add_init_script(path=str(BRIDGE))

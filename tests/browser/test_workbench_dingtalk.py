"""Signing in through DingTalk in Chromium: 免登 at a phone's size inside the (stand-in) DingTalk
app, the page's own script and the real dingtalk-jsapi asking the app for the code; and QR
login at a desktop's size through the fake DingTalk's OAuth page."""

from __future__ import annotations

import pytest
from yarl import URL

from domain.org.models import Staff
from tests.browser.conftest import PHONE
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.dingtalk_app import ANDROID_DINGTALK_UA, open_in_dingtalk_app
from tests.support.dingtalk_signin import WB, workbench_on

SALES_TABS = ["对账", "客户", "交款交账", "审批"]
FINANCE_TABS = ["对账", "客户", "发送记录", "交款交账", "审批"]


def at(path: str):
    """A URL test for wait_for_url: this page itself (the sign-in page's ``next`` is not)."""
    return lambda url: URL(url).path == path


@pytest.fixture
def fake():
    with FakeDingTalk() as server:
        yield server


@pytest.fixture
async def wb(fake, aiohttp_client, settings, clock):
    return await workbench_on(fake, aiohttp_client, settings, clock)


@pytest.fixture
async def in_dingtalk(chromium):
    """A page of a phone whose browser is the DingTalk app's (its user agent)."""
    context = await chromium.new_context(**PHONE, user_agent=ANDROID_DINGTALK_UA)
    context.set_default_timeout(10_000)
    yield await context.new_page()
    await context.close()


@pytest.mark.parametrize("userid, name, screens", [
    ("sales-li", "李业务", SALES_TABS), ("finance-qian", "钱会计", FINANCE_TABS)])
async def test_opening_the_workbench_inside_dingtalk_signs_the_person_in(
        wb, fake, in_dingtalk, userid, name, screens):
    page = in_dingtalk
    await open_in_dingtalk_app(page, fake, userid)
    await page.goto(str(wb.make_url(f"{WB}/")))
    await page.wait_for_url(at(f"{WB}/"))
    assert await page.text_content("#who") == name
    assert await page.locator("nav.main-nav a").all_text_contents() == screens
    assert fake.login.exchanged == [{"kind": "auth_code", "userid": userid}]


async def test_someone_not_on_the_staff_list_is_told_so_inside_dingtalk(wb, fake, in_dingtalk):
    fake.contacts.add_user("new-hire", "新同事", [2])  # joined DingTalk after the last sync
    page = in_dingtalk
    await open_in_dingtalk_app(page, fake, "new-hire")
    await page.goto(str(wb.make_url(f"{WB}/login")))
    await page.wait_for_selector("#login-error")
    assert "不在 Tally 的员工名单里" in await page.text_content("#login-error")
    assert await page.get_attribute("#sign-in", "data-auto") == "0"  # no second try by itself
    assert await page.is_visible("#dingtalk-retry") and not await page.is_visible("#qr-login")
    assert len(fake.login.exchanged) == 1 and not await Staff.exists(dingtalk_userid="new-hire")


async def test_qr_login_on_a_desktop_goes_through_dingtalk_and_back(wb, fake, desktop_page):
    page = desktop_page
    await page.goto(str(wb.make_url(f"{WB}/")))  # sent to sign in, and back after
    await page.click("#qr-login")
    await page.wait_for_url(lambda url: url.startswith(f"{fake.base_url}/oauth2/auth?"))
    await page.click("button[value=mgr-zhao]")  # 赵经理 scans and confirms on the phone
    await page.wait_for_url(at(f"{WB}/"))
    assert await page.text_content("#who") == "赵经理"
    assert fake.login.exchanged == [{"kind": "login_code", "userid": "mgr-zhao"}]

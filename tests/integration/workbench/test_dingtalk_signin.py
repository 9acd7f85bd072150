"""Signing in to the workbench through DingTalk, against the fake DingTalk: 免登 (the auth code
the DingTalk app gives the login page, exchanged for the person's user id) and QR login (the
OAuth page, its callback's state and authCode, exchanged for the person's unionid). A code that
is bad, spent or expired, a person who is not staff or who left, a state that is not this
browser's, DingTalk failing: each is refused on the login page, and nobody is signed in."""

from __future__ import annotations

import re

import pytest
from yarl import URL

from bot.dingtalk_api import DingTalkApi, DingTalkError
from domain.org.models import Staff
from tests.fakes.dingtalk import CLIENT_ID, CLIENT_SECRET, ROBOT_CODE
from tests.fakes.dingtalk_cards import CORP_ID
from tests.fakes.dingtalk_login import AUTH_CODE_USER_PATH, USER_TOKEN_PATH
from tests.support.dingtalk_signin import WB, scan_as, workbench_on
from tests.support.workbench import page_csrf, post_form


@pytest.fixture
async def wb(fake, aiohttp_client, settings, clock):
    return await workbench_on(fake, aiohttp_client, settings, clock)


async def post_code(client, code: str, next_path: str = f"{WB}/"):
    csrf = await page_csrf(client)
    return await post_form(client, f"{WB}/login/dingtalk", csrf,
                           {"code": code, "next": next_path}, allow_redirects=False)


async def signed_in_as(client) -> str | None:
    """Whose name the home page shows, or None when it sends the person to sign in."""
    response = await client.get(f"{WB}/", allow_redirects=False)
    if response.status != 200:
        return None
    return re.search(r'id="who">([^<]+)<', await response.text()).group(1)


def tabs(html: str) -> list[str]:
    nav = html.split('aria-label="主导航"')[1].split("</nav>")[0]
    return re.findall(r'<a href="/workbench/\w+"[^>]*>([^<]+)</a>', nav)


async def test_the_login_page_offers_dingtalk_for_this_org(wb):
    html = await (await wb.get(f"{WB}/login?next={WB}/customers")).text()
    assert f'data-corp-id="{CORP_ID}"' in html and 'data-auto="1"' in html
    assert 'id="dingtalk-form"' in html and "钉钉扫码登录" in html
    assert f'href="{WB}/login/dingtalk-qr?next={WB}/customers"' in html


async def test_an_auth_code_signs_the_salesperson_in_and_goes_on(wb, fake):
    response = await post_code(wb, fake.issue_auth_code("sales-li"), f"{WB}/customers")
    assert response.status == 303 and response.headers["Location"] == f"{WB}/customers"
    html = await (await wb.get(f"{WB}/")).text()
    assert "李业务" in html and tabs(html) == ["对账", "客户", "交款交账", "审批"]
    assert fake.login.exchanged == [{"kind": "auth_code", "userid": "sales-li"}]


async def test_the_finance_clerk_signs_in_with_the_finance_screens(wb, fake):
    assert (await post_code(wb, fake.issue_auth_code("finance-qian"))).status == 303
    html = await (await wb.get(f"{WB}/")).text()
    assert "钱会计" in html
    assert tabs(html) == ["对账", "客户", "发送记录", "交款交账", "审批"]


async def test_a_spent_code_is_refused_and_signs_nobody_in(wb, fake):
    code = fake.issue_auth_code("sales-li")
    assert (await post_code(wb, code)).status == 303
    wb.session.cookie_jar.clear()
    response = await post_code(wb, code)
    assert response.status == 401
    html = await response.text()
    assert "钉钉登录授权无效、已用过或已过期" in html and 'data-auto="0"' in html
    assert await signed_in_as(wb) is None


@pytest.mark.parametrize("code", ["0123456789abcdef0123456789abcdef", "", "x" * 500, "码码码"])
async def test_an_unknown_or_malformed_code_is_refused(wb, fake, code):
    response = await post_code(wb, code)
    assert response.status == 401 and "钉钉登录授权无效" in await response.text()
    assert await signed_in_as(wb) is None and fake.login.exchanged == []


async def test_an_expired_code_is_refused(wb, fake):
    code = fake.issue_auth_code("sales-li")
    fake.login.expire_codes()
    assert (await post_code(wb, code)).status == 401
    assert await signed_in_as(wb) is None


async def test_someone_in_dingtalk_but_not_on_the_staff_list_is_told_so(wb, fake):
    fake.contacts.add_user("new-hire", "新同事", [2])  # joined after the last sync
    response = await post_code(wb, fake.issue_auth_code("new-hire"))
    assert response.status == 401
    assert "不在 Tally 的员工名单里" in await response.text()
    assert await signed_in_as(wb) is None


async def test_a_staff_member_who_left_is_refused_and_loses_the_session(wb, fake):
    assert (await post_code(wb, fake.issue_auth_code("sales-wang"))).status == 303
    assert await signed_in_as(wb) == "王业务"
    await Staff.filter(dingtalk_userid="sales-wang").update(active=False)
    assert await signed_in_as(wb) is None
    response = await post_code(wb, fake.issue_auth_code("sales-wang"))
    assert response.status == 401 and "不在 Tally 的员工名单里" in await response.text()
    assert await signed_in_as(wb) is None


async def test_dingtalk_failing_is_a_502_that_says_so(wb, fake):
    fake.fail_next(path=AUTH_CODE_USER_PATH)
    response = await post_code(wb, fake.issue_auth_code("sales-li"))
    assert response.status == 502 and "钉钉暂时没有回应" in await response.text()
    assert await signed_in_as(wb) is None


async def test_a_code_without_the_csrf_token_is_refused(wb, fake):
    await page_csrf(wb)
    response = await wb.post(f"{WB}/login/dingtalk", allow_redirects=False,
                             data={"code": fake.issue_auth_code("sales-li")})
    assert response.status == 403 and fake.login.exchanged == []


async def start_qr_login(client, next_path: str = f"{WB}/") -> URL:
    response = await client.get(f"{WB}/login/dingtalk-qr", params={"next": next_path},
                                allow_redirects=False)
    assert response.status == 303
    return URL(response.headers["Location"])


async def test_qr_login_goes_to_dingtalk_and_signs_in_by_unionid(wb, fake):
    page = await start_qr_login(wb, f"{WB}/approvals")
    assert str(page.with_query(None)) == f"{fake.base_url}/oauth2/auth"
    assert page.query["redirect_uri"] == str(wb.make_url(f"{WB}/login/dingtalk/callback"))
    assert (page.query["response_type"], page.query["client_id"], page.query["scope"],
            page.query["prompt"]) == ("code", CLIENT_ID, "openid", "consent")
    assert len(page.query["state"]) >= 32
    back = await scan_as(str(page), "mgr-zhao")
    assert back.query["state"] == page.query["state"] and back.query["authCode"]
    response = await wb.get(back.path_qs, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == f"{WB}/approvals"
    assert await signed_in_as(wb) == "赵经理"
    assert fake.login.exchanged == [{"kind": "login_code", "userid": "mgr-zhao"}]


async def test_a_callback_with_another_state_is_refused(wb, fake):
    page = await start_qr_login(wb)
    back = await scan_as(str(page), "mgr-zhao")
    forged = back.update_query(state="someone-elses-state")
    response = await wb.get(forged.path_qs, allow_redirects=False)
    assert response.status == 403 and "扫码登录已过期或不是从本页发起" in await response.text()
    assert await signed_in_as(wb) is None and fake.login.exchanged == []
    # the state served once: the genuine callback after that is refused too
    assert (await wb.get(back.path_qs, allow_redirects=False)).status == 403


async def test_a_callback_this_browser_did_not_start_is_refused(wb, fake):
    back = await scan_as(str(await start_qr_login(wb)), "mgr-zhao")
    wb.session.cookie_jar.clear()  # another browser follows the link
    response = await wb.get(back.path_qs, allow_redirects=False)
    assert response.status == 403 and await signed_in_as(wb) is None


async def test_declining_on_dingtalk_signs_nobody_in(wb):
    page = await start_qr_login(wb)
    response = await wb.get(f"{WB}/login/dingtalk/callback", allow_redirects=False,
                            params={"error": "access_denied", "state": page.query["state"]})
    assert response.status == 401 and "没有在钉钉上确认登录" in await response.text()
    assert await signed_in_as(wb) is None


async def test_a_qr_login_of_someone_not_on_the_staff_list_is_refused(wb, fake):
    fake.contacts.add_user("visitor", "访客", [4])
    back = await scan_as(str(await start_qr_login(wb)), "visitor")
    response = await wb.get(back.path_qs, allow_redirects=False)
    assert response.status == 401 and "不在 Tally 的员工名单里" in await response.text()
    assert await signed_in_as(wb) is None


async def test_a_refused_login_code_is_a_401(wb, fake):
    page = await start_qr_login(wb)
    back = await scan_as(str(page), "mgr-zhao")
    fake.login.expire_codes()
    response = await wb.get(back.path_qs, allow_redirects=False)
    assert response.status == 401 and await signed_in_as(wb) is None
    assert fake.count(USER_TOKEN_PATH) == 1


async def test_the_client_reads_the_exchanges_as_dingtalk_answers_them(fake):
    """The client against the fake's shapes: a good code is the person, a spent one 40078."""
    from tests.fakes.dingtalk_contacts import load_demo_org

    load_demo_org(fake.contacts)
    api = DingTalkApi(CLIENT_ID, CLIENT_SECRET, ROBOT_CODE, fake.base_url,
                      oapi_base=fake.base_url)
    try:
        code = fake.issue_auth_code("sales-li")
        user = await api.user_of_auth_code(code)
        assert (user.userid, user.unionid, user.name) == ("sales-li", "union-sales-li", "李业务")
        with pytest.raises(DingTalkError) as refused:
            await api.user_of_auth_code(code)
        assert refused.value.errcode == 40078 and refused.value.status == 200
        with pytest.raises(LookupError):
            fake.issue_auth_code("sales-li", corp_id="ding-another-org")
    finally:
        await api.close()

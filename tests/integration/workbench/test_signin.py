"""Signing in to the workbench by password, the session cookie, CSRF on every form, and the
navigation each role gets (the API's role table)."""

from __future__ import annotations

import re

from yarl import URL

from domain.org.models import PasswordLogin
from tests.support.workbench import PASSWORD, WB, page_csrf, post_form, sign_in


async def test_a_page_without_a_session_sends_the_person_to_sign_in_and_back(client):
    response = await client.get(f"{WB}/?q=联想", allow_redirects=False)
    assert response.status == 303
    location = URL(response.headers["Location"])
    assert location.path == f"{WB}/login"
    assert URL(location.query["next"]) == URL(f"{WB}/?q=联想")


async def test_a_password_sign_in_opens_the_home_page_with_the_roles_screens(client):
    await sign_in(client, "finance", name="钱会计")
    html = await (await client.get(f"{WB}/")).text()
    assert "钱会计" in html
    nav = re.findall(r'<a href="/workbench/(\w+)"', html.split("主导航")[1].split("</nav>")[0])
    assert nav == ["statements", "customers", "deliveries", "handover", "approvals"]


async def test_a_salesperson_does_not_see_the_send_records(client, admin):
    from tests.support import seed

    await seed(client, admin)
    await sign_in(client, "sales", staff_userid="sales-li")
    html = await (await client.get(f"{WB}/")).text()
    assert "发送记录" not in html and "对账" in html


async def test_a_wrong_password_is_refused_and_names_nothing(client):
    await sign_in(client, "admin", login="boss")
    client.session.cookie_jar.clear()
    csrf = await page_csrf(client)
    response = await post_form(client, f"{WB}/login/password", csrf,
                               {"login": "boss", "password": "wrong password"})
    assert response.status == 401
    assert "账号或密码不对" in await response.text()
    response = await post_form(client, f"{WB}/login/password", csrf,
                               {"login": "nobody", "password": PASSWORD})
    assert response.status == 401


async def test_a_post_without_the_csrf_token_is_refused(client):
    await sign_in(client, "admin", login="boss")
    response = await client.post(f"{WB}/logout", data={})
    assert response.status == 403
    assert "页面已过期" in await response.text()
    assert (await client.get(f"{WB}/", allow_redirects=False)).status == 200  # still signed in


async def test_signing_out_ends_the_session(client):
    csrf = await sign_in(client, "admin", login="boss")
    response = await post_form(client, f"{WB}/logout", csrf, allow_redirects=False)
    assert response.status == 303
    assert (await client.get(f"{WB}/", allow_redirects=False)).status == 303


async def test_a_login_switched_off_loses_its_session_at_the_next_click(client):
    await sign_in(client, "admin", login="boss")
    await PasswordLogin.filter(login="boss").update(active=False)
    response = await client.get(f"{WB}/", allow_redirects=False)
    assert response.status == 303 and "/login" in response.headers["Location"]


async def test_the_session_cookie_is_encrypted_and_http_only(client):
    await sign_in(client, "admin", login="boss")
    cookie = next(c for c in client.session.cookie_jar if c.key == "tally_workbench")
    assert cookie["httponly"] and cookie["path"] == "/workbench"
    assert "login" not in cookie.value and "csrf" not in cookie.value


async def test_the_next_address_never_leaves_the_workbench(client):
    await sign_in(client, "admin", login="boss")
    for target in ("https://evil.example/", "//evil.example/", "/api/backoffice/v1/customers"):
        response = await client.get(f"{WB}/login", params={"next": target},
                                    allow_redirects=False)
        assert response.headers["Location"] == f"{WB}/"


async def test_a_password_login_is_refused_when_weak_or_when_sales_has_no_staff(client):
    from domain.errors import DomainError
    from domain.signin import set_password_login

    for args, code in (
        (("boss", "老板", "admin", "short"), "weak_password"),
        (("li", "李", "sales", PASSWORD), "staff_required"),
        (("erp", "ERP", "erp", PASSWORD), "bad_role"),
        (("li", "李", "sales", PASSWORD, "nobody"), "staff_not_found"),
    ):
        try:
            await set_password_login(*args)
        except DomainError as exc:
            assert exc.code == code
        else:
            raise AssertionError(f"{args} was accepted")
    assert await PasswordLogin.all().count() == 0


async def test_the_password_is_kept_only_as_a_salted_hash(client):
    await sign_in(client, "admin", login="boss")
    stored = (await PasswordLogin.get(login="boss")).password_hash
    assert PASSWORD not in stored and stored.startswith("scrypt$")


async def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(client):
    from domain.signin import set_password_login

    await sign_in(client, "admin", login="boss")
    await set_password_login("boss", "老板", "admin", "another long password")
    response = await client.get(f"{WB}/", allow_redirects=False)
    assert response.status == 303 and "/login" in response.headers["Location"]


async def test_a_sign_in_lasts_the_configured_hours_however_busy(client, clock):
    await sign_in(client, "admin", login="boss")
    clock.advance(hours=11, minutes=59)
    assert (await client.get(f"{WB}/", allow_redirects=False)).status == 200
    clock.advance(minutes=2)
    assert (await client.get(f"{WB}/", allow_redirects=False)).status == 303


async def test_a_staff_member_gets_one_password_login(client, admin):
    from domain.errors import DomainError
    from domain.signin import set_password_login
    from tests.support import seed

    await seed(client, admin)
    await set_password_login("li", "李", "sales", PASSWORD, "sales-li")
    try:
        await set_password_login("li-2", "李", "admin", PASSWORD, "sales-li")
    except DomainError as exc:
        assert exc.code == "staff_already_linked"
    else:
        raise AssertionError("a second login for one staff member was accepted")


async def test_a_login_of_someone_who_left_is_refused_like_a_wrong_password(client, admin):
    from domain.org.models import Staff
    from tests.support import seed

    await seed(client, admin)
    await sign_in(client, "sales", staff_userid="sales-li", login="li")
    await Staff.filter(dingtalk_userid="sales-li").update(active=False)
    client.session.cookie_jar.clear()
    csrf = await page_csrf(client)
    response = await post_form(client, f"{WB}/login/password", csrf,
                               {"login": "li", "password": PASSWORD})
    assert response.status == 401 and "账号或密码不对" in await response.text()


async def test_concurrent_wrong_passwords_are_all_counted(client):
    import asyncio

    await sign_in(client, "admin", login="boss")
    csrf = await page_csrf(client)
    answers = await asyncio.gather(*(
        post_form(client, f"{WB}/login/password", csrf, {"login": "boss", "password": "nope"})
        for _ in range(14)))
    statuses = sorted(answer.status for answer in answers)
    # ten tries a minute; the successful sign-in gave its own back
    assert statuses.count(401) == 10 and statuses.count(429) == 4

"""Signing in to the workbench in tests, the way a browser does: open the sign-in page (which
sets the session cookie and its CSRF token), post the password form, keep the cookie."""

from __future__ import annotations

import re

from domain.signin import set_password_login

PASSWORD = "correct horse battery"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
WB = "/workbench"


def csrf_of(html: str) -> str:
    found = CSRF_META.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def page_csrf(client, path: str = f"{WB}/login") -> str:
    response = await client.get(path)
    return csrf_of(await response.text())


async def sign_in(client, role: str = "finance", *, login: str | None = None,
                  staff_userid: str | None = None, name: str | None = None) -> str:
    """Make a password login for ``role`` and sign the client in; answers the session's CSRF
    token, which every form post must carry."""
    login = login or f"{role}-{staff_userid or 'desk'}"
    await set_password_login(login, name or login, role, PASSWORD, staff_userid)
    csrf = await page_csrf(client)
    response = await client.post(f"{WB}/login/password", allow_redirects=False,
                                 data={"_csrf": csrf, "login": login, "password": PASSWORD,
                                       "next": f"{WB}/"})
    assert response.status == 303, await response.text()
    return await page_csrf(client, f"{WB}/")


async def post_form(client, path: str, csrf: str, data: dict | list | None = None, **kwargs):
    """A form post as the browser sends it: the CSRF field first, then the fields (a list of
    pairs for repeated ones, such as ticked checkboxes)."""
    pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
    return await client.post(path, data=[("_csrf", csrf), *pairs], **kwargs)


async def browser_sign_in(page, client, role: str = "finance", *, login: str | None = None,
                          staff_userid: str | None = None, name: str | None = None,
                          next_path: str = f"{WB}/") -> None:
    """Make a password login and sign ``page`` in through the sign-in form, as a person does;
    the page ends on ``next_path``."""
    login = login or f"{role}-{staff_userid or 'desk'}"
    await set_password_login(login, name or login, role, PASSWORD, staff_userid)
    await page.goto(str(client.make_url(f"{WB}/login?next={next_path}")))
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("#sign-in form button[type=submit]")
    await page.wait_for_url(f"**{next_path}*")

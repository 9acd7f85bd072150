"""The H5 share page in a real headless Chromium, against the whole app on 127.0.0.1.

Each test launches its own browser (under a second here), so nothing crosses event loops.
Nothing depends on fonts: assertions read the DOM, the one screenshot is only for a human.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.statements.models import Statement
from tests.support import make_statement, post_ok, seed

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"headless Chromium not installed at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.async_api", reason="the playwright package is not installed")

from playwright.async_api import async_playwright, expect  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
API = "/api/backoffice/v1/statements"
LINES = ["XS-2021-12-01-0001", "XS-2021-12-15-0004", "XS-T-2021-12-22-0001",
         "XT-T-2021-12-22-0002"]  # by date, then number
SCREENSHOT = Path("/tmp/h5.png")
MISMATCH_NOTE = "退货单 XT-T-2021-12-22-0002 的 1000 元未冲账\n另：收款 100 元是 12 月 23 日到账"


@pytest.fixture
async def browser():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def phone(browser):
    context = await browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    yield context
    await context.close()


async def _share(client, admin) -> tuple[int, str]:
    """A statement for 联想 and the real address of its share link."""
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    share = await post_ok(client, f"{API}/{statement['id']}/share", admin, status=201)
    assert share["url"].startswith("http://tally.test/s/")
    return statement["id"], str(client.make_url(share["url"].removeprefix("http://tally.test")))


async def _status_in_db(statement_id: int) -> str:
    return (await Statement.get(id=statement_id)).status


def _answer_posts(page) -> list:
    posts: list = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    return posts


async def test_a_customer_sees_the_statement_and_answers_mismatched_with_a_description(
    client, admin, phone
):
    statement_id, url = await _share(client, admin)
    page = await phone.new_page()
    posts = _answer_posts(page)
    response = await page.goto(url)
    assert response.status == 200

    await expect(page.locator("#customer-name")).to_have_text("联想")
    await expect(page.locator("#status")).to_have_text("未确认")
    await expect(page.locator("#closing")).to_have_text("¥53,776.00")
    await expect(page.locator("#increase")).to_have_text("¥48,876.00")
    await expect(page.locator("#lines .line .line-number")).to_have_text(LINES)
    await page.screenshot(path=str(SCREENSHOT), full_page=True)
    # Nothing wider than the phone: no sideways scrolling.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390

    await page.locator("input[name=answer][value=mismatched]").check()
    await page.locator("#submit").click()
    await expect(page.locator("#form-error")).to_be_visible()
    await expect(page.locator("#form-error")).to_have_text("选择“不符合”时请填写描述")
    assert posts == []
    assert await _status_in_db(statement_id) == "unconfirmed"

    await page.locator("textarea[name=description]").fill(MISMATCH_NOTE)
    async with page.expect_response(lambda r: r.url.endswith("/answer")) as answered:
        await page.locator("#submit").click()
    assert (await answered.value).status == 200
    await expect(page.locator("#result .result-title")).to_have_text("已提交：不符合")
    assert await page.locator("#result .result-description").inner_text() == (
        f"描述：{MISMATCH_NOTE}"
    )
    await expect(page.locator("#status")).to_have_text("不符合")
    await expect(page.locator("#answer-form")).to_have_count(0)
    assert len(posts) == 1
    assert await _status_in_db(statement_id) == "mismatched"

    await page.reload()
    await expect(page.locator("#answer-form")).to_have_count(0)
    await expect(page.locator("#status")).to_have_text("不符合")
    await expect(page.locator("#result .result-title")).to_have_text("您已确认：不符合")
    assert await page.locator("#result .result-description").inner_text() == (
        f"描述：{MISMATCH_NOTE}"
    )

    resp = await client.get(f"{API}/{statement_id}/feedback", headers=admin)
    items = (await resp.json())["items"]
    assert [(i["action"], i["result"], i["description"]) for i in items] == [
        ("answer", "mismatched", MISMATCH_NOTE)
    ]


async def test_matched_needs_no_description(client, admin, phone):
    statement_id, url = await _share(client, admin)
    page = await phone.new_page()
    await page.goto(url)
    await page.locator("input[name=answer][value=matched]").check()
    async with page.expect_response(lambda r: r.url.endswith("/answer")) as answered:
        await page.locator("#submit").click()
    assert (await answered.value).status == 200
    await expect(page.locator("#result .result-title")).to_have_text("已提交：符合")
    await expect(page.locator("#result .result-description")).to_have_count(0)
    await expect(page.locator("#status")).to_have_text("符合")
    await expect(page.locator("#form-error")).to_have_count(0)
    assert await _status_in_db(statement_id) == "matched"


async def test_an_expired_link_shows_the_chinese_error_page(client, admin, clock, phone):
    statement_id, url = await _share(client, admin)
    clock.advance(days=30, minutes=1)
    page = await phone.new_page()
    response = await page.goto(url)
    assert response.status == 401
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await expect(page.locator("#error-title")).to_have_text("无法打开对账单")
    await expect(page.locator("#error-message")).to_contain_text("已过期")
    await expect(page.locator("#answer-form")).to_have_count(0)
    assert await _status_in_db(statement_id) == "unconfirmed"


async def test_without_javascript_the_plain_form_post_works(client, admin, browser):
    statement_id, url = await _share(client, admin)
    context = await browser.new_context(java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    try:
        page = await context.new_page()
        await page.goto(url)

        # The server refuses 不符合 without a description and shows the page again, as HTML.
        await page.locator("input[name=answer][value=mismatched]").check()
        async with page.expect_navigation() as refused:
            await page.locator("#submit").click()
        assert (await refused.value).status == 400
        await expect(page.locator("#form-error")).to_have_text("选择不符合时必须填写描述")
        await expect(page.locator("#customer-name")).to_have_text("联想")
        assert await _status_in_db(statement_id) == "unconfirmed"

        await page.locator("input[name=answer][value=mismatched]").check()
        await page.locator("textarea[name=description]").fill(MISMATCH_NOTE)
        async with page.expect_navigation() as answered:
            await page.locator("#submit").click()
        assert (await answered.value).status == 200
        assert page.url == url  # 303 back to the page itself
        await expect(page.locator("#answer-form")).to_have_count(0)
        await expect(page.locator("#status")).to_have_text("不符合")
        await expect(page.locator("#result .result-title")).to_have_text("您已确认：不符合")
        assert await page.locator("#result .result-description").inner_text() == (
            f"描述：{MISMATCH_NOTE}"
        )
        assert await _status_in_db(statement_id) == "mismatched"
        resp = await client.get(f"{API}/{statement_id}/feedback", headers=admin)
        assert [i["description"] for i in (await resp.json())["items"]] == [MISMATCH_NOTE]
    finally:
        await context.close()

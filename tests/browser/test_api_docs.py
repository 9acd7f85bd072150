"""The API documentation UI in a real headless Chromium: it renders each served OpenAPI
document's operations, with no request leaving the service (no CDN)."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"headless Chromium not installed at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.async_api", reason="the playwright package is not installed")

from playwright.async_api import async_playwright, expect  # noqa: E402

from tests.browser.test_h5_page import CHROMIUM_ARGS  # noqa: E402

pytestmark = pytest.mark.db_agnostic  # no test database: once, on the SQLite pass

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
async def desktop():
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = await browser.new_context(**DESKTOP)
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            await browser.close()


async def _open_docs(client, context, path: str, screenshot: Path):
    """The docs page, once its operations are drawn; and every host it asked for."""
    page = await context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    await page.goto(str(client.make_url(path)))
    await expect(page.locator(".opblock").first).to_be_visible()
    await page.screenshot(path=str(screenshot), full_page=False)
    return page, hosts


@pytest.mark.parametrize("prefix, operation, title", [
    ("/api/backoffice/v1", "/api/backoffice/v1/statements/{id}/share", "Tally back-office API"),
    ("/api/mp/v1", "/api/mp/v1/login", "Tally mini-program API"),
])
async def test_the_docs_page_lists_the_operations_of_its_document(
    client, desktop, prefix, operation, title
):
    shot = Path(f"/tmp/docs-{prefix.split('/')[2]}.png")
    page, hosts = await _open_docs(client, desktop, f"{prefix}/docs", shot)
    document = await (await client.get(f"{prefix}/openapi.json")).json()
    # Swagger UI draws an OpenAPI 3.1 webhook (an ERP event) like an operation
    expected = sum(len(methods) for part in ("paths", "webhooks")
                   for methods in document.get(part, {}).values())
    await expect(page.locator(".opblock")).to_have_count(expected)
    await expect(page.locator(".title").first).to_contain_text(title)
    await expect(page.locator(f'.opblock-summary-path[data-path="{operation}"]').first
                 ).to_be_visible()
    assert hosts == {f"{client.host}:{client.port}"}, hosts

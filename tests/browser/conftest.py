"""Headless Debian Chromium for the page tests, driven by Playwright against the whole app on
127.0.0.1 (the ``client`` fixture's server). Each test launches its own browser, so nothing
crosses event loops; ``phone`` and ``desktop`` are contexts at a phone's and a laptop's size."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}


@pytest.fixture
async def chromium():
    if not HAVE_CHROMIUM:
        pytest.skip(f"headless Chromium not installed at {CHROMIUM}")
    async_api = pytest.importorskip("playwright.async_api")
    async with async_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def _context(chromium, options: dict):
    context = await chromium.new_context(**options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
async def phone_page(chromium):
    context = await _context(chromium, PHONE)
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def desktop_page(chromium):
    context = await _context(chromium, DESKTOP)
    yield await context.new_page()
    await context.close()

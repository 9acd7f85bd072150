"""The workbench's screenshots in docs/screenshots/, taken from a running service (`make run`):

    .venv/bin/tally workbench-user shots --role admin --password-stdin <<<'a long password'
    .venv/bin/python -m tests.browser.screenshots --login shots --password 'a long password'

The approval pages show the signed-in person's own tasks: shoot them (`--only approvals
approval-task`) as an approver who has one, e.g. after a credit application in the sandbox.

Each screen at a phone's size (390×844, 2× pixels) and a desktop's (1280×800), full page, in
Debian's Chromium. A detail page is found by following the first matching link of its list page,
so the pictures show the demo's own rows.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import async_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"phone": PHONE, "desktop": DESKTOP}


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    follow: str | None = None  # a CSS selector on `path`'s page: the link to the page to shoot


SHOTS = (
    Shot("home", "/workbench/"),
    Shot("statements", "/workbench/statements"),
    Shot("statement-new", "/workbench/statements/new"),
    Shot("statement-pick", "/workbench/statements/new",
         "a[href*='/workbench/statements/new?customer_id=1']"),
    Shot("statement", "/workbench/statements",
         "a[href*='/workbench/statements/']:not([href$='/new'])"),
    Shot("customers", "/workbench/customers"),
    Shot("customer", "/workbench/customers", "a[href*='/workbench/customers/']"),
    Shot("deliveries", "/workbench/deliveries"),
    Shot("handover", "/workbench/handover"),
    Shot("handover-day", "/workbench/handover", "a[href*='/workbench/handover/sales-li/']"),
    Shot("approvals", "/workbench/approvals"),
    Shot("approval-task", "/workbench/approvals", "a[href*='/workbench/approvals/tasks/']"),
)


async def _sign_in(page, base: str, login: str, password: str) -> None:
    await page.goto(f"{base}/workbench/login")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", password)
    await page.click("form[action$='/login/password'] button[type=submit]")
    await page.wait_for_url(f"{base}/workbench/")


async def _shoot(page, base: str, shot: Shot, path: Path) -> str:
    await page.goto(base + shot.path)
    if shot.follow:
        link = page.locator(shot.follow).first
        if not await link.count():
            return f"{shot.name}: no link {shot.follow} on {shot.path}"
        await page.goto(base + await link.get_attribute("href"))
    await page.screenshot(path=str(path), full_page=True)
    return f"{shot.name}: {page.url} -> {path.name}"


async def main(base: str, login: str, password: str, only: set[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
        for size, options in SIZES.items():
            context = await browser.new_context(**options)
            page = await context.new_page()
            if not only or "login" in only:
                await page.goto(f"{base}/workbench/login")
                await page.screenshot(path=str(OUT / f"workbench-login-{size}.png"), full_page=True)
            await _sign_in(page, base, login, password)
            for shot in SHOTS:
                if not only or shot.name in only:
                    target = OUT / f"workbench-{shot.name}-{size}.png"
                    print(await _shoot(page, base, shot, target))
            await context.close()
        await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--login", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--only", nargs="*", default=[], help="shot names (default: all)")
    args = parser.parse_args()
    asyncio.run(main(args.base, args.login, args.password, set(args.only)))

"""`二维码 <客户>` in the DingTalk bot: a salesperson gets a customer's bind QR code (a signed
link Tally serves, no API key) with the bind code and its expiry, to forward to the customer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from yarl import URL

from domain.customers.models import BindCode
from domain.qr import qr_png
from tests.support import seed
from tests.support.dingtalk import ask

IMAGE = re.compile(r"!\[绑定二维码\]\((http://tally\.test/bind-qr/[^)\s]+)\)")


@pytest.fixture
async def seeded(client, admin):
    return await seed(client, admin)


@pytest.fixture(autouse=True)
def wechat(fake_wechat):
    fake_wechat.reset()
    yield fake_wechat
    fake_wechat.reset()


async def test_a_salesperson_gets_the_qr_image_and_the_code(
        fake, stream, seeded, client, wechat, clock):
    reply = await ask(fake, stream, "sales-li", "二维码 联想")
    assert reply["user_id"] == "sales-li" and reply["msgtype"] == "markdown"
    bind = await BindCode.get(customer_id=seeded["C001"]["id"])
    assert bind.contact_id is None and bind.expires_at == clock() + timedelta(hours=72)
    text = reply["content"]
    assert reply["body"]["markdown"]["title"] == "绑定二维码 联想"
    assert f"绑定码：**{bind.code}**" in text and f"发送「绑定 {bind.code}」" in text
    assert "有效期至：2026-11-26 10:00" in text and "扫码、关注公众号" in text
    url = IMAGE.search(text).group(1)
    # DingTalk fetches the image from Tally: only then is WeChat asked for the QR code.
    assert wechat.qrcodes == []
    resp = await client.get(URL(url).path)
    assert resp.status == 200 and resp.content_type == "image/png"
    [made] = wechat.qrcodes
    assert made["scene"] == bind.code and made["expire_seconds"] == 72 * 3600
    assert await resp.read() == qr_png(made["url"])


async def test_the_alias_and_a_missing_name(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-wang", "绑定码 明辉商贸")
    assert "**明辉商贸** 的微信绑定二维码" in reply["content"]
    usage = await ask(fake, stream, "sales-wang", "二维码")
    assert "用法：**二维码 <客户名称>**" in usage["content"]
    assert await BindCode.all().count() == 1


async def test_no_qr_code_for_another_salespersons_customer(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "二维码 明辉商贸")
    assert "没有找到你可以查看的客户「明辉商贸」" in reply["content"]
    assert await BindCode.all().count() == 0


async def test_help_lists_the_command(fake, stream, seeded):
    reply = await ask(fake, stream, "sales-li", "帮助")
    assert "二维码 <客户>" in reply["content"]

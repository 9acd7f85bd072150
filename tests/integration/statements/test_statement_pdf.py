"""The statement PDF through HTTP: the letterhead finance sets (PUT /settings/letterhead) heads
it, and the customer's answer given through the share link ends it (客户确认 with who and
when); before any answer it ends with a block to sign and stamp."""

from __future__ import annotations

import base64

from tests.support import call, make_statement, post_ok, seed
from tests.support.pdf import logo_png, needs_poppler, pdf_fonts, pdf_text, squeezed

API = "/api/backoffice/v1/statements"
LOGO = logo_png()
HEAD = {"name": "云刻商贸有限公司", "address": "上海市浦东新区张江路 88 号",
        "phone": "021-5080 1234", "tax_id": "91310115MA1K4XXXX8",
        "bank": "招商银行张江支行 1219 0888", "logo_png": base64.b64encode(LOGO).decode()}

pytestmark = needs_poppler


async def _statement_pdf(client, admin, path: str, statement: dict) -> tuple[str, str]:
    """The text of the back office's PDF and of the share link's PDF."""
    texts = []
    for url, headers in ((f"{API}/{statement['id']}/pdf", admin), (f"{path}/pdf", {})):
        resp = await client.get(url, headers=headers)
        assert resp.status == 200
        pdf = await resp.read()
        assert all(font["emb"] for font in pdf_fonts(pdf))
        texts.append(squeezed(pdf_text(pdf)))
    return texts[0], texts[1]


async def _shared(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    share = await post_ok(client, f"{API}/{statement['id']}/share", admin, status=201)
    return statement, share["url"].removeprefix("http://tally.test")


async def test_finance_sets_the_letterhead_and_both_pdfs_show_it(client, admin, finance):
    assert await call(client, "PUT", "/settings/letterhead", finance, HEAD) == HEAD
    assert await call(client, "GET", "/settings/letterhead", admin) == HEAD
    statement, path = await _shared(client, admin)

    for text in await _statement_pdf(client, admin, path, statement):
        for expected in ("云刻商贸有限公司", "电话：021-50801234", "税号：91310115MA1K4XXXX8",
                         "开户行及账号：招商银行张江支行12190888", "客户确认", "客户签章："):
            assert expected in text, expected


async def test_a_bad_logo_is_refused_with_its_code(client, finance):
    for logo in ("not base64!", base64.b64encode(b"GIF89a....").decode()):
        body = await call(client, "PUT", "/settings/letterhead", finance,
                          {**HEAD, "logo_png": logo}, status=400)
        assert body["error"]["code"] == "bad_logo", body


async def test_the_customers_answer_is_printed_with_who_and_when(client, admin, clock):
    statement, path = await _shared(client, admin)
    resp = await client.post(f"{path}/answer", json={"answer": "mismatched",
                                                     "description": "退货 2 箱没有扣除"})
    assert resp.status == 200, await resp.text()

    for text in await _statement_pdf(client, admin, path, statement):
        assert "客户确认" in text and "不符合" in text and "退货2箱没有扣除" in text
        assert "通过分享链接" in text
        assert "2026-11-2310:00" in text  # the clock's time, in Shanghai
        assert "客户签章" not in text


async def test_after_a_cancel_only_the_answers_since_stand(client, admin, clock):
    statement, path = await _shared(client, admin)
    first = await client.post(f"{path}/answer", json={"answer": "mismatched",
                                                      "description": "旧的意见"})
    assert first.status == 200
    clock.advance(hours=1)
    await post_ok(client, f"{API}/{statement['id']}/cancel", admin)
    clock.advance(hours=1)
    await post_ok(client, f"{API}/{statement['id']}/match", admin,
                  {"description": "电话确认（内部备注）"})

    text, _ = await _statement_pdf(client, admin, path, statement)
    assert "旧的意见" not in text and "内部备注" not in text
    assert "（员工代确认）" in text and "2026-11-2312:00" in text

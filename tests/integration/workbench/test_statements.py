"""对账 screens over HTTP: 生成对账单 from picked documents, 对账单历史, a statement's page whose
buttons are seed 000's action table, each action only when the table allows it, 反馈内容, 分享
and the PDF; what the page shows and what is stored."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest

from domain.statements import rules
from domain.statements.models import ShareLink, Statement, StatementEvent
from tests.support import INGEST, make_statement, post_ok, seed
from tests.support.workbench import WB, csrf_of, post_form, sign_in

API = "/api/backoffice/v1"
S = f"{WB}/statements"
PENDING = {"number": "XS-2021-12-20-0008", "type": "sales_out", "date": "2021-12-20",
           "customer_code": "C001", "amount": "2000.00", "owed": "2000.00",
           "audit_status": "待审批"}
PICKED = ["XS-2021-12-01-0001", "XT-T-2021-12-22-0002", "XS-T-2021-12-22-0001"]
DATA_ACTION = re.compile(r'data-action="(\w+)"[^>]*>([^<]+)<')


async def _page(client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    html = await response.text()
    assert response.status == status, html
    return html


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</section>", start)]


def _ticked(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="doc" value="([^"]+)"[^>]* checked', html)


def _buttons(html: str) -> list[tuple[str, str]]:
    """The action buttons the statement page shows: (action, label), in page order."""
    return [(a, unescape(label).strip()) for a, label in DATA_ACTION.findall(
        _section(html, "actions"))]


async def _statement(client, admin, **extra) -> tuple[dict, dict]:
    customers = await seed(client, admin)
    return customers, await make_statement(client, admin, customers["C001"]["id"], **extra)


async def _create(client, csrf, customer_id, docs, **fields):
    form = {"customer_id": str(customer_id), "from": "2021-12-01", "to": "2021-12-22", **fields}
    data = [*form.items(), *(("doc", number) for number in docs)]
    return await post_form(client, S, csrf, data, allow_redirects=False)


# -- 生成对账单 ------------------------------------------------------------------------------
async def test_a_clerk_finds_a_customer_by_name_or_code_and_sees_only_visible_ones(
        client, admin):
    await seed(client, admin)
    await sign_in(client, "finance")
    by_name = await _page(client, f"{S}/new?q=联想")
    assert "联想" in _section(by_name, "choose-customer") and "明辉商贸" not in by_name
    partial = await _page(client, f"{S}/new/customers?q=C002")
    assert "明辉商贸" in partial and "联想" not in partial and "<html" not in partial
    nothing = await _page(client, f"{S}/new/customers?q=没有这个客户")
    assert "没有找到客户" in nothing

    client.session.cookie_jar.clear()
    await sign_in(client, "sales", staff_userid="sales-li")
    mine = await _page(client, f"{S}/new/customers?q=")
    assert "联想" in mine and "明辉商贸" not in mine


async def test_the_picker_lists_the_period_s_documents_with_pending_ones_marked(client, admin):
    customers = await seed(client, admin)
    await post_ok(client, f"{INGEST}/documents", admin, {"items": [PENDING]})
    await sign_in(client, "finance")
    cid = customers["C001"]["id"]
    html = await _page(client, f"{S}/new?customer_id={cid}&from=2021-12-01&to=2021-12-22")
    docs = _section(html, "documents")
    for number in [*PICKED, "XS-2021-12-15-0004"]:
        assert f'value="{number}"' in docs
    assert "XS-2021-11-30-0009" not in docs  # before the period
    pending_row = docs[docs.index('value="XS-2021-12-20-0008"') - 200:][:1200]
    assert "disabled" in pending_row and "待审批" in pending_row
    assert "32,000.00" in docs and "银行存款-中国银行" in docs and 'data-check-all="doc"' in docs
    receipts = _section(await _page(
        client, f"{S}/new?customer_id={cid}&from=2021-12-01&to=2021-12-22&type=receipt"),
        "documents")
    assert "XS-T-2021-12-22-0001" in receipts and "XS-2021-12-01-0001" not in receipts


async def test_a_picker_period_back_to_front_shows_this_month_and_why(client, admin):
    customers = await seed(client, admin)
    await sign_in(client, "finance")
    cid = customers["C001"]["id"]
    response = await client.get(f"{S}/new?customer_id={cid}&from=2021-12-22&to=2021-12-01")
    html = await response.text()
    assert response.status == 400 and "开始日期不能晚于结束日期" in html
    # the domain's refusal, then this month so far (the clock's November 2026): no documents
    assert 'value="2026-11-01"' in html and 'value="2026-11-23"' in html
    assert "XS-2021-12-01-0001" not in html


async def test_ticked_documents_become_a_statement_and_its_page_opens(client, admin):
    customers = await seed(client, admin)
    csrf = await sign_in(client, "finance", name="钱会计")
    response = await _create(client, csrf, customers["C001"]["id"], PICKED)
    assert response.status == 303
    statement = await Statement.get(customer_id=customers["C001"]["id"])
    assert response.headers["Location"] == f"{S}/{statement.id}"
    assert (statement.line_count, statement.owed_total) == (3, Decimal("30900.00"))
    html = await _page(client, f"{S}/{statement.id}")
    assert "已生成对账单（3 笔）" in html
    lines = _section(html, "lines")
    assert all(number in lines for number in PICKED) and "XS-2021-12-15-0004" not in lines
    assert "30,900.00" in _section(html, "summary") and "未确认" in _section(html, "summary")


async def test_nothing_ticked_or_bad_dates_re_show_the_form_and_store_nothing(client, admin):
    customers = await seed(client, admin)
    csrf = await sign_in(client, "finance")
    cid = customers["C001"]["id"]
    response = await _create(client, csrf, cid, [])
    assert response.status == 400
    assert "请勾选要对账的单据" in await response.text()
    response = await _create(client, csrf, cid, PICKED[:1], **{"from": "2021-13-40"})
    assert response.status == 400 and "开始日期不是有效的日期" in await response.text()
    response = await _create(client, csrf, cid, ["XS-2021-12-01-0001", "MH-2021-12-10-0001"])
    html = await response.text()
    assert response.status == 400 and "MH-2021-12-10-0001" in html  # another customer's
    assert _ticked(html) == ["XS-2021-12-01-0001"]
    response = await _create(client, csrf, cid, PICKED, **{"from": "2021-12-23"})
    assert response.status == 400 and "开始日期不能晚于结束日期" in await response.text()
    assert await Statement.all().count() == 0


async def test_a_period_without_documents_makes_a_balance_confirmation(client, admin):
    customers = await seed(client, admin)
    csrf = await sign_in(client, "finance")
    cid = customers["C001"]["id"]
    html = await _page(client, f"{S}/new?customer_id={cid}&from=2022-01-01&to=2022-01-31")
    assert "这段日期内没有单据" in html and 'name="take" value="all"' in html
    response = await post_form(client, S, csrf, {
        "customer_id": str(cid), "from": "2022-01-01", "to": "2022-01-31", "take": "all"},
        allow_redirects=False)
    assert response.status == 303
    statement = await Statement.get(customer_id=cid)
    assert (statement.line_count, statement.opening) == (0, Decimal("53776.00"))


async def test_a_salesperson_cannot_pick_another_s_customer(client, admin):
    customers = await seed(client, admin)
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    other = customers["C002"]["id"]
    await _page(client, f"{S}/new?customer_id={other}", status=404)
    response = await _create(client, csrf, other, ["MH-2021-12-10-0001"])
    assert response.status == 404
    assert await Statement.all().count() == 0


# -- 对账单历史 ------------------------------------------------------------------------------
async def test_the_history_shows_seed_000_s_cards_and_filters(client, admin):
    customers, first = await _statement(client, admin)
    second = await make_statement(client, admin, customers["C002"]["id"])
    await post_ok(client, f"{API}/statements/{first['id']}/receive", admin, {"amount": "1000"})
    await sign_in(client, "finance")
    html = await _page(client, S)
    rows = _section(html, "statement-list")
    assert "2021-12-01 - 2021-12-22" in rows and "1,000.00" in rows and "4笔" in rows
    assert "48,776.00" in rows
    assert "明辉商贸" in rows and "未确认" in rows
    summary = _section(html, "period-summary")
    assert "2026-11-01 至 2026-11-23" in summary and "共 2 张" in summary
    only_c2 = await _page(client, f"{S}?customer_id={customers['C002']['id']}")
    assert f'data-id="{second["id"]}"' in only_c2 and f'data-id="{first["id"]}"' not in only_c2
    matched = await _page(client, f"{S}?status=matched")
    assert "没有符合条件的对账单" in matched
    later = await _page(client, f"{S}?from=2022-01-01")
    assert 'data-id=' not in later
    bad = await client.get(f"{S}?from=2021-02-30")
    assert bad.status == 400 and "开始日期不是有效的日期" in await bad.text()
    assert (await client.get(f"{S}?status=nonsense")).status == 400


async def test_the_history_pages_by_twenty(client, admin):
    customers, _ = await _statement(client, admin)
    for _ in range(20):
        await make_statement(client, admin, customers["C001"]["id"])
    await sign_in(client, "finance")
    first = await _page(client, S)
    assert first.count("data-id=") == 20 and 'rel="next"' in first and 'rel="prev"' not in first
    second = await _page(client, f"{S}?page=2")
    assert second.count("data-id=") == 1 and 'rel="prev"' in second
    assert (await client.get(f"{S}?page=0")).status == 400


async def test_a_salesperson_s_history_holds_only_their_customers(client, admin):
    customers, mine = await _statement(client, admin)
    theirs = await make_statement(client, admin, customers["C002"]["id"])
    await sign_in(client, "sales", staff_userid="sales-li")
    html = await _page(client, S)
    assert f'data-id="{mine["id"]}"' in html and f'data-id="{theirs["id"]}"' not in html
    await _page(client, f"{S}/{theirs['id']}", status=404)
    await _page(client, f"{S}/{theirs['id']}/pdf", status=404)


# -- the action buttons are seed 000's table --------------------------------------------------
SIX_CASES = [
    ("unconfirmed", False), ("unconfirmed", True), ("matched", False), ("matched", True),
    ("mismatched", False), ("mismatched", True),
]


@pytest.mark.parametrize(("status", "received"), SIX_CASES)
async def test_the_page_shows_exactly_the_buttons_of_the_action_table(
        client, admin, status, received):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    if received:
        await post_ok(client, f"{API}/statements/{sid}/receive", admin, {"amount": "100.00"})
    if status != "unconfirmed":
        await post_ok(client, f"{API}/statements/{sid}/{status[:-2]}", admin, {})
    await sign_in(client, "finance")
    buttons = _buttons(await _page(client, f"{S}/{sid}"))
    expected = rules.allowed_actions(status, Decimal("100.00") if received else Decimal(0))
    assert buttons == [(action, rules.ACTION_LABELS[action]) for action in expected]


async def test_a_salesperson_sees_the_table_s_actions_their_role_may_take(client, admin):
    _, statement = await _statement(client, admin)
    await sign_in(client, "sales", staff_userid="sales-li")
    buttons = [action for action, _ in _buttons(await _page(client, f"{S}/{statement['id']}"))]
    assert buttons == ["feedback", "share"]  # 收款, 确认, 删除 are the books' (the API's roles)
    csrf = csrf_of(await _page(client, f"{S}/{statement['id']}"))
    response = await post_form(client, f"{S}/{statement['id']}/receive", csrf, {"amount": "5"})
    assert response.status == 403
    assert (await Statement.get(id=statement["id"])).received_amount == 0


# -- each action, only when the table allows it -------------------------------------------------
async def test_money_received_is_stored_and_closes_the_receive_button(client, admin):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    csrf = await sign_in(client, "finance", name="钱会计")
    response = await post_form(client, f"{S}/{sid}/receive", csrf,
                               {"amount": "1,000.50", "note": "银行转账"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == f"{S}/{sid}"
    stored = await Statement.get(id=sid)
    assert stored.received_amount == Decimal("1000.50")
    event = await StatementEvent.get(statement_id=sid, action="receive")
    assert (event.amount, event.description, event.actor) == (
        Decimal("1000.50"), "银行转账", "钱会计")
    html = await _page(client, f"{S}/{sid}")
    assert "已记录收款 1,000.50 元" in html and "1,000.50" in _section(html, "summary")
    assert "receive" not in dict(_buttons(html))
    again = await post_form(client, f"{S}/{sid}/receive", csrf, {"amount": "5"})
    assert again.status == 409 and "不能收款" in await again.text()
    assert (await Statement.get(id=sid)).received_amount == Decimal("1000.50")


@pytest.mark.parametrize("amount", [
    "", "abc", "0", "-5", "1.234", "1e3", "NaN", "Infinity", "99999999999999999", "１００",
    "10 0",
])
async def test_a_bad_amount_is_refused_with_the_form_kept_and_nothing_stored(
        client, admin, amount):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    version = (await Statement.get(id=sid)).version
    csrf = await sign_in(client, "finance")
    response = await post_form(client, f"{S}/{sid}/receive", csrf,
                               {"amount": amount, "note": "备注留着"})
    html = await response.text()
    assert response.status == 400, html
    assert 'id="form-error"' in _section(html, "actions") and "备注留着" in html
    stored = await Statement.get(id=sid)
    assert (stored.received_amount, stored.version) == (Decimal(0), version)
    assert not await StatementEvent.filter(statement_id=sid, action="receive").exists()


async def test_confirming_and_cancelling_follow_the_table(client, admin):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    csrf = await sign_in(client, "finance", name="钱会计")
    cancel = await post_form(client, f"{S}/{sid}/cancel", csrf)
    assert cancel.status == 409 and "未确认" in await cancel.text()
    response = await post_form(client, f"{S}/{sid}/mismatch", csrf,
                               {"description": "客户电话说退货未算"}, allow_redirects=False)
    assert response.status == 303
    stored = await Statement.get(id=sid)
    assert (stored.status, stored.answered_by) == ("mismatched", "钱会计")
    html = await _page(client, f"{S}/{sid}")
    assert "已不符合确认" in html and "不符合" in _section(html, "summary")
    feedback = _section(html, "feedback")
    assert "钱会计" in feedback and "工作人员代确认" in feedback
    assert "客户电话说退货未算" in feedback
    again = await post_form(client, f"{S}/{sid}/match", csrf, {})
    assert again.status == 409
    assert (await Statement.get(id=sid)).status == "mismatched"
    await post_form(client, f"{S}/{sid}/cancel", csrf)
    assert (await Statement.get(id=sid)).status == "unconfirmed"
    await post_form(client, f"{S}/{sid}/match", csrf, {})
    assert (await Statement.get(id=sid)).status == "matched"


async def test_a_long_description_is_refused_and_kept(client, admin):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    csrf = await sign_in(client, "finance")
    response = await post_form(client, f"{S}/{sid}/mismatch", csrf, {"description": "长" * 2001})
    html = await response.text()
    assert response.status == 400 and "不能超过 2000 个字符" in html
    assert (await Statement.get(id=sid)).status == "unconfirmed"


async def test_deleting_removes_it_from_the_history_and_kills_its_links(client, admin):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    csrf = await sign_in(client, "finance")
    await post_form(client, f"{S}/{sid}/share", csrf)
    response = await post_form(client, f"{S}/{sid}/delete", csrf, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == S
    assert (await Statement.get(id=sid)).deleted_at is not None
    assert not await ShareLink.filter(statement_id=sid, revoked_at=None).exists()
    html = await _page(client, S)
    assert "已删除对账单" in html and f'data-id="{sid}"' not in html
    await _page(client, f"{S}/{sid}", status=404)


async def test_a_salesperson_cannot_act_on_another_s_statement(client, admin):
    customers, _ = await _statement(client, admin)
    theirs = await make_statement(client, admin, customers["C002"]["id"])
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    response = await post_form(client, f"{S}/{theirs['id']}/share", csrf)
    assert response.status == 404
    assert not await ShareLink.filter(statement_id=theirs["id"]).exists()
    for path in (f"{S}/999999", f"{S}/0", f"{S}/abc", f"{S}/{theirs['id']}/share-links/1"):
        assert (await client.get(path)).status == 404, path


# -- 分享, 反馈内容, PDF ---------------------------------------------------------------------------
async def test_sharing_shows_the_qr_code_the_link_and_the_mini_program_path(client, admin):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    csrf = await sign_in(client, "sales", staff_userid="sales-li")
    response = await post_form(client, f"{S}/{sid}/share", csrf, allow_redirects=False)
    link = await ShareLink.get(statement_id=sid)
    assert response.headers["Location"] == f"{S}/{sid}/share-links/{link.id}"
    html = await _page(client, response.headers["Location"])
    assert 'src="data:image/png;base64,' in html
    url = re.search(r'id="share-url" value="([^"]+)"', html).group(1)
    assert url.startswith("http://tally.test/s/")
    assert f"pages/statement/index?scene=s%3D{link.nonce}" in html
    h5 = await client.get(url.removeprefix("http://tally.test"))
    assert h5.status == 200 and "联想" in await h5.text()
    page = await _page(client, f"{S}/{sid}")
    assert f'data-link="{link.id}"' in _section(page, "share") and "有效" in _section(page, "share")

    response = await post_form(client, f"{S}/{sid}/share-links/{link.id}/revoke", csrf,
                               allow_redirects=False)
    assert response.status == 303
    assert (await ShareLink.get(id=link.id)).revoked_at is not None
    assert (await client.get(url.removeprefix("http://tally.test"))).status == 403
    await _page(client, f"{S}/{sid}/share-links/{link.id}", status=404)
    assert "已吊销" in _section(await _page(client, f"{S}/{sid}"), "share")


async def test_the_customer_s_answer_arrives_in_feedback_with_who_and_when(client, admin):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    share = await post_ok(client, f"{API}/statements/{sid}/share", admin, status=201)
    path = share["url"].removeprefix("http://tally.test")
    iphone = {"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0"}
    await client.post(f"{path}/answer", headers=iphone,
                      json={"answer": "mismatched", "description": "少了一笔退货"})
    await sign_in(client, "finance")
    html = await _page(client, f"{S}/{sid}")
    feedback = _section(html, "feedback")
    assert "不符合" in feedback and "少了一笔退货" in feedback and "通过分享链接" in feedback
    assert "2026-11-23 10:00" in feedback and "分享链接页面" in feedback
    assert "不符合" in _section(html, "summary")
    history = _section(html, "history")
    assert "生成对账单" in history and "客户答复" in history and "分享" in history


async def test_the_pdf_is_served_to_the_signed_in_clerk(client, admin):
    _, statement = await _statement(client, admin)
    await sign_in(client, "finance")
    response = await client.get(f"{S}/{statement['id']}/pdf")
    assert response.status == 200 and response.content_type == "application/pdf"
    assert (await response.read()).startswith(b"%PDF")


async def test_a_page_counts_views_of_the_share_link(client, admin, app):
    from httpcommon.keys import VIEW_COUNTER

    _, statement = await _statement(client, admin)
    share = await post_ok(client, f"{API}/statements/{statement['id']}/share", admin, status=201)
    await client.get(share["url"].removeprefix("http://tally.test"))
    await app[VIEW_COUNTER].flush()
    await sign_in(client, "finance")
    html = await _page(client, f"{S}/{statement['id']}")
    assert '<div class="value" id="views">1次</div>' in html



async def test_an_expired_link_is_listed_as_such_and_its_qr_code_is_not_shown(
        client, admin, clock):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    csrf = await sign_in(client, "finance")
    await post_form(client, f"{S}/{sid}/share", csrf)
    link = await ShareLink.get(statement_id=sid)
    clock.advance(days=31)
    await sign_in(client, "finance", login="finance-next-month")  # a sign-in lasts 12 hours
    await _page(client, f"{S}/{sid}/share-links/{link.id}", status=404)
    share = _section(await _page(client, f"{S}/{sid}"), "share")
    assert "已过期" in share and "吊销" not in share


async def test_an_htmx_post_is_sent_on_with_hx_redirect(client, admin):
    _, statement = await _statement(client, admin)
    sid = statement["id"]
    csrf = await sign_in(client, "finance")
    response = await post_form(client, f"{S}/{sid}/receive", csrf, {"amount": "10"},
                               headers={"HX-Request": "true"})
    assert response.status == 200 and response.headers["HX-Redirect"] == f"{S}/{sid}"
    assert (await Statement.get(id=sid)).received_amount == Decimal("10.00")

"""赊销总览 over a small known dataset: credit used/left by enterprise, org and type; lending by
salesperson and customer; what is still owed and who owes most; overdue by salesperson and by
customer — for admin and finance, and for a salesperson over their own customers only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.credit.models import CreditBudget, CreditLine, SalesOrg
from domain.credit.overview import customer_debts
from tests.support.credit import (
    available,
    call,
    grant,
    order,
    setup,
    ship,
    w,
)
from tests.support.debts import NOW, make_customer, make_debt, make_people

URL = "/api/backoffice/v1/credit/overview"


async def account(customer, org, kind: str, limit: str, used: str, frozen: str = "0") -> None:
    await CreditLine.create(
        number=f"CA-{customer.id}-{kind}", customer=customer, org=org, type=kind,
        limit=Decimal(limit), used=Decimal(used), frozen=Decimal(frozen), created_at=NOW)


@pytest.fixture
async def books(client):
    """联想 (李业务) owes 300,000 overdue since 05-30 and 60,000 not yet due; 明辉商贸 (王业务)
    200,000.50 overdue since 11-20 and one paid debt of 2025; 三和 (王业务) 10,000.25 due today."""
    people = await make_people()
    await CreditBudget.create(year=2026, total=Decimal("200000000"),
                              used=Decimal("1234567.89"), frozen=Decimal("0"))
    org = await SalesOrg.create(code="YXY", name="亚细亚陶瓷", budget=Decimal("100000000"),
                                used=Decimal("610000.75"), frozen=Decimal("50000"),
                                created_at=NOW)
    await SalesOrg.create(code="YG", name="亚股", budget=Decimal("0"), created_at=NOW)
    lenovo = await make_customer("联想", people["li"])
    minghui = await make_customer("明辉商贸", people["wang"])
    sanhe = await make_customer("三和", people["wang"])
    await account(lenovo, org, "annual", "500000", "300000", "50000")
    await account(lenovo, org, "project", "300000", "100000")
    await account(minghui, org, "temporary", "200000", "200000")
    await make_debt(lenovo, org, debt_date=date(2026, 3, 1), due=date(2026, 5, 30),
                    amount="300000.00")
    await make_debt(lenovo, org, debt_date=date(2026, 10, 20), due=date(2026, 12, 19),
                    amount="100000.00", outstanding="60000.00")
    await make_debt(minghui, org, debt_date=date(2026, 9, 1), due=date(2026, 11, 20),
                    amount="200000.50")
    await make_debt(minghui, org, debt_date=date(2025, 12, 1), due=date(2026, 3, 1),
                    amount="50000.00", outstanding="0.00", status="paid")
    await make_debt(sanhe, org, debt_date=date(2026, 8, 1), due=date(2026, 11, 23),
                    amount="10000.25")
    return {**people, "lenovo": lenovo, "minghui": minghui, "sanhe": sanhe}


async def get(client, headers, status=200, **query):
    resp = await client.get(URL, headers=headers, params=query)
    body = await resp.json()
    assert resp.status == status, body
    return body


def pick(rows: list[dict], *names: str) -> list[tuple]:
    return [tuple(row[n] for n in names) for row in rows]


async def test_credit_used_and_left_by_enterprise_org_and_type(client, finance, books):
    credit = (await get(client, finance))["credit"]

    assert credit["enterprise"] == {"year": 2026, "total": "200000000.00", "used": "1234567.89",
                                    "frozen": "0.00", "left": "198765432.11", "percent": "0.62"}
    assert pick(credit["orgs"], "code", "used", "frozen", "left", "percent") == [
        ("YG", "0.00", "0.00", "0.00", "0.00"),
        ("YXY", "610000.75", "50000.00", "99339999.25", "0.66")]
    by_type = {t["type"]: t for t in credit["by_type"]}
    assert list(by_type) == ["annual", "project", "direct", "direct_use", "temporary"]
    assert by_type["annual"] == {"type": "annual", "label": "年度授信", "accounts": 1,
                                 "total": "500000.00", "used": "300000.00",
                                 "frozen": "50000.00", "left": "150000.00", "percent": "70.00"}
    assert (by_type["project"]["left"], by_type["project"]["percent"]) == ("200000.00", "33.33")
    assert (by_type["temporary"]["left"], by_type["temporary"]["percent"]) == ("0.00", "100.00")
    assert by_type["direct"]["accounts"] == 0 and by_type["direct"]["total"] == "0.00"


async def test_lending_by_salesperson_and_customer_this_year(client, admin, books):
    lending = (await get(client, admin))["lending"]

    assert (lending["date_from"], lending["date_to"]) == ("2026-01-01", "2026-11-23")
    assert (lending["total"], lending["debts"]) == ("610000.75", 4)  # the 2025 debt is out
    assert pick(lending["by_salesperson"], "salesperson", "debts", "customers", "amount") == [
        ("李业务", 2, 1, "400000.00"), ("王业务", 2, 2, "210000.75")]
    assert pick(lending["by_customer"], "customer", "salesperson", "amount") == [
        ("联想", "李业务", "400000.00"), ("明辉商贸", "王业务", "200000.50"),
        ("三和", "王业务", "10000.25")]

    autumn = (await get(client, admin, **{"from": "2026-09-01", "to": "2026-10-31"}))["lending"]
    assert pick(autumn["by_customer"], "customer", "amount") == [
        ("明辉商贸", "200000.50"), ("联想", "100000.00")]


async def test_what_is_still_owed_and_who_owes_most(client, finance, books):
    collection = (await get(client, finance))["collection"]

    assert {k: collection[k] for k in ("debts", "amount", "repaid", "outstanding",
                                       "outstanding_percent")} == {
        "debts": 5, "amount": "660000.75", "repaid": "90000.00", "outstanding": "570000.75",
        "outstanding_percent": "86.36"}
    assert pick(collection["ranking"], "customer", "salesperson", "outstanding", "overdue",
                "earliest_due", "max_days_overdue") == [
        ("联想", "李业务", "360000.00", "300000.00", "2026-05-30", 177),
        ("明辉商贸", "王业务", "200000.50", "200000.50", "2026-11-20", 3),
        ("三和", "王业务", "10000.25", "0.00", "2026-11-23", 0)]
    top_one = (await get(client, finance, top="1"))["collection"]["ranking"]
    assert [r["customer"] for r in top_one] == ["联想"]


async def test_overdue_by_salesperson_and_by_customer_as_of_a_date(client, finance, books):
    today = (await get(client, finance))["overdue"]
    tomorrow = (await get(client, finance, date="2026-11-24"))["overdue"]

    assert (today["date"], today["outstanding"], today["debts"]) == ("2026-11-23",
                                                                     "500000.50", 2)
    assert pick(today["by_salesperson"], "salesperson", "outstanding", "max_days_overdue") == [
        ("李业务", "300000.00", 177), ("王业务", "200000.50", 3)]
    assert pick(today["by_customer"], "customer", "overdue", "max_days_overdue") == [
        ("联想", "300000.00", 177), ("明辉商贸", "200000.50", 3)]
    assert pick(tomorrow["by_salesperson"], "salesperson", "outstanding", "customers") == [
        ("李业务", "300000.00", 1), ("王业务", "210000.75", 2)]
    assert pick(tomorrow["by_customer"], "customer", "overdue", "max_days_overdue")[-1] == (
        "三和", "10000.25", 1)


async def test_a_salesperson_sees_only_their_own_customers(client, make_key, books):
    li = await make_key("sales", books["li"].id)

    body = await get(client, li)

    assert body["credit"]["enterprise"] is None and body["credit"]["orgs"] == []
    by_type = {t["type"]: t["total"] for t in body["credit"]["by_type"]}
    assert by_type["annual"] == "500000.00" and by_type["temporary"] == "0.00"
    assert body["lending"]["total"] == "400000.00"
    assert [r["customer"] for r in body["collection"]["ranking"]] == ["联想"]
    assert body["collection"]["outstanding"] == "360000.00"
    assert pick(body["overdue"]["by_salesperson"], "salesperson") == [("李业务",)]


@pytest.mark.parametrize("query, code", [
    ({"from": "2026-12-01", "to": "2026-11-01"}, "bad_range"),
    ({"from": "2024-01-01", "to": "2026-11-01"}, "bad_range"),
    ({"date": "2026-13-01"}, "bad_date"),
    ({"top": "0"}, "bad_query"),
    ({"top": "x"}, "bad_query"),
])
async def test_bad_queries_are_refused(client, finance, books, query, code):
    body = await get(client, finance, status=400, **query)
    assert body["error"]["code"] == code


async def test_roles_without_reports_are_refused(client, erp):
    body = await get(client, erp, status=403)
    assert body["error"]["code"] == "role_forbidden"


async def test_an_empty_book_has_zeros(client, admin):
    body = await get(client, admin)
    assert body["credit"]["enterprise"] is None and body["lending"]["total"] == "0.00"
    assert body["collection"]["outstanding_percent"] == "0.00"
    assert body["overdue"]["by_customer"] == []


async def test_a_customers_debts_for_the_bots(client, books):
    lenovo = await customer_debts(books["lenovo"].id, date(2026, 11, 23))
    sanhe = await customer_debts(books["sanhe"].id, date(2026, 11, 23))

    assert (lenovo.outstanding, lenovo.count, lenovo.overdue, lenovo.overdue_count,
            lenovo.max_days_overdue, lenovo.due_soon) == (
        Decimal("360000.00"), 2, Decimal("300000.00"), 1, 177, Decimal("0.00"))
    assert (sanhe.due_soon, sanhe.due_soon_count, sanhe.earliest_soon, sanhe.overdue) == (
        Decimal("10000.25"), 1, date(2026, 11, 23), Decimal("0.00"))


# ----- the chat bots ---------------------------------------------------------------------------


async def test_the_dingtalk_customer_command_shows_the_credit_debts(client, books, clock):
    from bot.dingtalk_bot import BotRequest, customer_command
    from domain.staff_queries import org_actor
    from domain.statements.service import ShareSettings

    share = ShareSettings("test-secret", "http://tally.test")

    async def ask(staff, name):
        actor = await org_actor(staff)
        return await customer_command(BotRequest(staff, actor, (name,), clock(), share))

    lenovo = (await ask(books["li"], "联想")).text
    sanhe = (await ask(books["wang"], "三和")).text

    assert "- 赊销欠款：¥360,000.00（2 笔）" in lenovo
    assert "- 逾期欠款：¥300,000.00（1 笔，最长逾期 177 天）" in lenovo
    assert "7 天内到期" not in lenovo
    assert "- 7 天内到期：¥10,000.25（1 笔，最早 2026-11-23）" in sanhe
    assert "- 逾期欠款：无" in sanhe


async def test_the_wechat_debt_keyword_adds_open_credit_debts(client, books, clock):
    from wechatpy.messages import TextMessage

    from bot.wechat_bot import BotContext, handle
    from domain.customers.models import Contact
    from domain.statements.service import ShareSettings

    await Contact.create(customer=books["lenovo"], name="陈会计", openid="o-chen")
    await Contact.create(customer=books["sanhe"], name="三和出纳", openid="o-sanhe")
    share = ShareSettings("test-secret", "http://tally.test")

    async def say(openid):
        message = TextMessage({"MsgType": "text", "Content": "欠款", "FromUserName": openid})
        return await handle(message, BotContext(openid, clock(), share))

    lenovo, sanhe = await say("o-chen"), await say("o-sanhe")

    assert "赊销欠款：¥360,000.00（2 笔）" in lenovo
    assert "· 已逾期：¥300,000.00，最长逾期 177 天，请尽快安排付款" in lenovo
    assert "· 7 天内到期：¥10,000.25，最早 2026-11-23 到期" in sanhe
    assert "已逾期" not in sanhe


# ----- what the overview leaves out ---------------------------------------------------------------


async def test_reversed_shipments_and_expired_lines_count_in_no_figure(client, admin, erp,
                                                                       finance):
    """出库反审核 withdraws a debt: it was never lent. A line past its end date has nothing left."""
    ids = await setup(client, admin)
    annual = await grant(client, admin, ids, "annual", w(100))  # valid through 2021-12-31
    await grant(client, admin, ids, "project", w(30), project="A", valid_to="2021-03-31")
    await order(client, erp, "SO-1", w(60))
    await ship(client, erp, "CK-1", "SO-1", w(20))
    await ship(client, erp, "CK-2", "SO-1", w(40))
    await call(client, "POST", "/shipments/CK-2/reverse", erp)

    body = await get(client, finance, date="2021-06-01")

    by_type = {t["type"]: t for t in body["credit"]["by_type"]}
    assert pick([by_type["annual"]], "accounts", "total", "used", "frozen", "left") == [
        (1, w(100), w(20), w(40), w(40))]
    assert pick([by_type["project"]], "accounts", "total", "left") == [(0, "0.00", "0.00")]
    lending = body["lending"]
    assert (lending["total"], lending["debts"]) == (w(20), 1)
    assert pick(lending["by_customer"], "customer", "debts", "amount") == [("联想", 1, w(20))]
    assert pick(lending["by_salesperson"], "debts", "amount") == [(1, w(20))]
    collection = body["collection"]
    assert {k: collection[k] for k in ("debts", "amount", "outstanding",
                                       "outstanding_percent")} == {
        "debts": 1, "amount": w(20), "outstanding": w(20), "outstanding_percent": "100.00"}
    # the day before the project line ends it is still in force, with all of it left
    before = await get(client, finance, date="2021-03-31")
    project = {t["type"]: t for t in before["credit"]["by_type"]}["project"]
    assert (project["accounts"], project["left"]) == (1, w(30))
    assert (await available(client, admin, annual["id"])) == w(40)

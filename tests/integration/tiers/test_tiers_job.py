"""The daily tiers job with fixed dates, on facts pushed through the back-office API: every
upgrade and downgrade of seed 004 moves the customer and records a tier change, contract
customers get their notices without moving, each at most once per customer, rule and month,
the trap question (a contact log in the window prevents any downgrade), and one DingTalk digest
per salesperson and department head."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.tier_texts import tier_digest_markdown
from domain.billing.models import Product, Usage, UsageAccount
from domain.customers.models import Customer
from domain.notices.models import OutboxMessage
from domain.tiers.models import TierChange
from jobs.schedule import DAILY_JOBS
from jobs.tiers import run_tiers
from tests.conftest import SHANGHAI
from tests.support.tiers import make_tier_world, push


@pytest.fixture
async def tier_world(client, admin, erp, make_key):
    return await make_tier_world(client, admin, erp, make_key)

D = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=SHANGHAI)
LONG_AGO = datetime(2025, 1, 1, 9, 0, tzinfo=SHANGHAI)


async def put(customer: Customer, tier: str, since: date | None = date(2025, 6, 1),
              **more) -> None:
    """The customer as earlier runs left it: in ``tier`` since ``since``, created long ago."""
    await Customer.filter(id=customer.id).update(tier=tier, tier_since=since,
                                                 created_at=LONG_AGO, **more)


async def contact(client, world, customer: Customer, on: date, n: int = 1) -> None:
    items = [{"external_id": f"L-{customer.code}-{on}-{i}", "customer_code": customer.code,
              "staff": "sales-li", "contacted_on": on.isoformat()} for i in range(n)]
    assert (await push(client, world["erp"], "contact-logs", items))["rejected"] == []


async def trial(client, world, customer: Customer, archived_on: str | None = "2026-10-01"):
    await push(client, world["erp"], "trial-accounts", [{
        "external_id": f"T-{customer.code}", "customer_code": customer.code,
        "account": f"acc-{customer.code}", "archived_on": archived_on}])


async def contract(client, world, customer: Customer, starts: str, ends: str | None,
                   archived: str | None = "2025-12-20", number: str | None = None):
    await push(client, world["erp"], "contracts", [{
        "number": number or f"HT-{customer.code}", "customer_code": customer.code,
        "starts_on": starts, "ends_on": ends, "archived_on": archived, "amount": "100000"}])


async def product_account(customer: Customer, account: str) -> None:
    product = await Product.create(code=f"P-{account}", customer=customer, name="行业短信",
                                   created_at=NOW)
    await UsageAccount.create(product=product, account=account, created_at=NOW)


async def run(settings, day: date = D) -> dict:
    return await run_tiers(day, datetime.combine(day, NOW.timetz()), settings)


async def tier_of(customer: Customer) -> tuple[str, date | None]:
    fresh = await Customer.get(id=customer.id)
    return fresh.tier, fresh.tier_since


async def rules_of(customer: Customer) -> list[str]:
    return [c.rule for c in await TierChange.filter(customer_id=customer.id).order_by("id")]


async def digests() -> dict[str, dict]:
    """The queued tier digests by recipient name."""
    return {m.recipient_name: m.payload
            for m in await OutboxMessage.filter(kind="tier_digest").order_by("id")}


@pytest.fixture
def customers(tier_world):
    return tier_world["customers"]


def test_the_job_is_scheduled_daily():
    assert DAILY_JOBS["tiers"] is run_tiers


# ----- downgrades -----------------------------------------------------------------------------


async def test_intent_without_contact_for_16_days_falls_to_silent_but_not_at_15(
        client, tier_world, customers, settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    await put(lenovo, "intent")
    await put(minghui, "intent")
    await contact(client, tier_world, lenovo, D - timedelta(days=16))
    await contact(client, tier_world, minghui, D - timedelta(days=15))
    counts = await run(settings)
    assert await tier_of(lenovo) == ("silent", D)
    assert await tier_of(minghui) == ("intent", date(2025, 6, 1))
    assert counts["by_rule"]["down5_intent_silent"] == 1
    change = await TierChange.get(customer_id=lenovo.id)
    assert (change.from_tier, change.to_tier, change.day, change.month, change.salesperson_id) \
        == ("intent", "silent", D, "2026-11", tier_world["staff"]["sales-li"].id)


async def test_test_without_contact_for_a_month_falls_to_intent(client, tier_world, customers,
                                                                settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    await put(lenovo, "test")
    await put(minghui, "test")
    await contact(client, tier_world, lenovo, date(2026, 10, 22))
    await contact(client, tier_world, minghui, date(2026, 10, 23))  # exactly a month: kept
    await run(settings)
    assert await rules_of(lenovo) == ["down4_test_intent"]
    assert (await tier_of(lenovo))[0] == "intent"
    assert (await tier_of(minghui))[0] == "test"


async def test_silent_without_contact_for_3_months_goes_to_the_pool_and_loses_its_salesperson(
        client, tier_world, customers, settings, admin):
    lenovo = customers["C001"]
    await put(lenovo, "silent")
    await contact(client, tier_world, lenovo, date(2026, 8, 22))
    await run(settings)
    fresh = await Customer.get(id=lenovo.id)
    assert (fresh.tier, fresh.salesperson_id) == ("pool", None)
    change = await TierChange.get(customer_id=lenovo.id)
    assert change.salesperson_id == tier_world["staff"]["sales-li"].id  # who had it
    resp = await client.get("/api/backoffice/v1/tiers/pool", headers=admin)
    assert [c["id"] for c in (await resp.json())["items"]] == [lenovo.id]
    sent = await digests()
    assert set(sent) == {"李业务", "钱总监"}
    item = sent["李业务"]["items"][0]
    assert (item["customer"], item["from_label"], item["to_label"], item["own"]) == (
        "联想", "沉默客户", "公共池客户", True)


async def test_contract_expired_3_months_without_renewal_or_usage_falls_to_test(
        client, tier_world, customers, settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    for customer in (lenovo, minghui):
        await put(customer, "contract")
        await contract(client, tier_world, customer, "2025-08-01", "2026-08-23")
    await product_account(minghui, "mh-01")
    await Usage.create(account="mh-01", period=date(2026, 9, 1), quantity=120, updated_at=NOW)
    await product_account(lenovo, "lx-01")
    await Usage.create(account="lx-01", period=date(2026, 7, 1), quantity=500, updated_at=NOW)
    await Usage.create(account="lx-01", period=date(2026, 9, 1), quantity=0, updated_at=NOW)
    await run(settings)
    assert await rules_of(lenovo) == ["down3_contract_expired"]
    assert (await tier_of(lenovo))[0] == "test"
    # Sent in September, after the end: not demoted, only the no-contact notice.
    assert await rules_of(minghui) == ["down1_contract_no_contact"]
    assert (await tier_of(minghui))[0] == "contract"


async def test_a_contract_expired_less_than_3_months_ago_or_renewed_stays(
        client, tier_world, customers, settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    for customer in (lenovo, minghui):
        await put(customer, "contract")
        await contact(client, tier_world, customer, D)
    await contract(client, tier_world, lenovo, "2025-08-01", "2026-08-24")
    await contract(client, tier_world, minghui, "2025-01-01", "2026-01-31")
    await contract(client, tier_world, minghui, "2026-02-01", None, number="HT-C002-2")
    await run(settings)
    assert (await tier_of(lenovo))[0] == (await tier_of(minghui))[0] == "contract"
    assert await TierChange.all().count() == 0


# ----- the trap question ----------------------------------------------------------------------


async def test_trap_a_contact_log_in_the_window_prevents_every_downgrade(
        client, tier_world, customers, settings):
    """只要有联系日志，证明还在争取跟客户的沟通，是不会降级到公共池的."""
    lenovo, minghui, dahan = customers["C001"], customers["C002"], customers["C003"]
    await put(lenovo, "silent")
    await contact(client, tier_world, lenovo, date(2026, 8, 23))  # 3 months ago to the day
    await put(minghui, "test")
    await contact(client, tier_world, minghui, date(2026, 11, 1))
    await put(dahan, "contract")  # expired long ago, no usage, but contacted
    await contract(client, tier_world, dahan, "2024-01-01", "2025-12-31")
    await contact(client, tier_world, dahan, date(2026, 11, 20))
    counts = await run(settings)
    assert [await tier_of(c) for c in (lenovo, minghui, dahan)] == [
        ("silent", date(2025, 6, 1)), ("test", date(2025, 6, 1)), ("contract", date(2025, 6, 1))]
    assert counts["moves"] == 0 and await TierChange.all().count() == 0


async def test_a_customer_that_just_entered_its_tier_is_not_demoted(
        client, tier_world, customers, settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    await put(lenovo, "intent", D - timedelta(days=1))
    await put(minghui, "silent", date(2026, 9, 1))
    await run(settings)
    assert (await tier_of(lenovo))[0] == "intent"
    assert (await tier_of(minghui))[0] == "silent"


# ----- upgrades -------------------------------------------------------------------------------


async def test_intent_with_contact_and_an_archived_test_account_rises_to_test(
        client, tier_world, customers, settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    for customer in (lenovo, minghui):
        await put(customer, "intent")
        await contact(client, tier_world, customer, D - timedelta(days=3))
    await trial(client, tier_world, lenovo)
    await trial(client, tier_world, minghui, archived_on=None)  # flow not archived yet
    await run(settings)
    assert await rules_of(lenovo) == ["up5_intent_test"]
    assert await tier_of(lenovo) == ("test", D)
    assert (await tier_of(minghui))[0] == "intent"


async def test_intent_with_contact_a_product_account_and_a_contract_in_force_rises_to_contract(
        client, tier_world, customers, settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    for customer in (lenovo, minghui):
        await put(customer, "intent")
        await contact(client, tier_world, customer, D)
        await product_account(customer, f"acc-{customer.code}")
    await contract(client, tier_world, lenovo, "2026-11-01", "2027-10-31", "2026-11-20")
    await contract(client, tier_world, minghui, "2026-11-01", "2027-10-31", archived=None)
    await run(settings)
    assert await rules_of(lenovo) == ["up6_intent_contract"]
    assert await rules_of(minghui) == ["up5_intent_test"]  # contract flow not archived


async def test_silent_customers_rise_by_contract_account_or_profile(
        client, tier_world, customers, settings):
    lenovo, minghui, dahan = customers["C001"], customers["C002"], customers["C003"]
    for customer in (lenovo, minghui, dahan):
        await put(customer, "silent")
        await contact(client, tier_world, customer, date(2026, 9, 1))
    await trial(client, tier_world, lenovo)
    await contract(client, tier_world, lenovo, "2026-01-01", "2026-12-31")
    await trial(client, tier_world, minghui)
    await client.put(f"/api/backoffice/v1/customers/{dahan.id}/profile", headers=tier_world[
        "admin"], json={"contact_name": "陈", "mobile": "1", "position": "采购", "qq": "2",
                        "email": "e@x"})
    await run(settings)
    assert [await rules_of(c) for c in (lenovo, minghui, dahan)] == [
        ["up4_silent_contract"], ["up3_silent_test"], ["up2_silent_intent"]]


async def test_test_with_contact_and_a_contract_in_force_rises_to_contract(
        client, tier_world, customers, settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    for customer in (lenovo, minghui):
        await put(customer, "test")
        await contact(client, tier_world, customer, date(2026, 11, 2))
    await contract(client, tier_world, lenovo, "2026-11-01", None)
    await contract(client, tier_world, minghui, "2026-12-01", "2027-11-30")  # not yet in force
    await run(settings)
    assert await rules_of(lenovo) == ["up7_test_contract"]
    assert (await tier_of(minghui))[0] == "test"


# ----- notices: once per customer, rule and month ---------------------------------------------


async def test_contract_notices_go_once_a_month_without_moving(
        client, tier_world, customers, settings):
    lenovo = customers["C001"]
    await put(lenovo, "contract")
    await contract(client, tier_world, lenovo, "2026-01-01", "2026-12-15")
    await contact(client, tier_world, lenovo, date(2026, 10, 1))
    counts = await run(settings)
    assert counts["notices"] == 2 and counts["moves"] == 0
    assert await tier_of(lenovo) == ("contract", date(2025, 6, 1))
    assert await rules_of(lenovo) == ["down1_contract_no_contact", "down2_contract_ending"]
    first = await digests()
    assert set(first) == {"李业务", "钱总监"}
    assert first["钱总监"]["notices"] == 2 and first["钱总监"]["items"][0]["own"] is False
    await run(settings, D + timedelta(days=1))
    await run(settings, D + timedelta(days=7))
    assert len(await rules_of(lenovo)) == 2
    assert await OutboxMessage.filter(kind="tier_digest").count() == 2
    await run(settings, date(2026, 12, 1))  # a new month: told again
    assert len(await rules_of(lenovo)) == 4
    assert await OutboxMessage.filter(kind="tier_digest").count() == 4


async def test_running_a_day_again_changes_and_queues_nothing(client, tier_world, customers,
                                                              settings):
    lenovo, minghui = customers["C001"], customers["C002"]
    await put(lenovo, "intent")
    await put(minghui, "silent")
    await run(settings)
    again = await run(settings)
    assert again["moves"] == 0 and again["messages"] == 0
    assert await OutboxMessage.filter(kind="tier_digest").count() == 3  # 李, 王 and 钱总监
    assert await TierChange.all().count() == 2


async def test_one_digest_per_recipient_lists_all_their_customers(
        client, tier_world, customers, settings):
    for customer in customers.values():
        await put(customer, "intent")
    await run(settings)
    sent = await digests()
    assert {name: p["count"] for name, p in sent.items()} == {
        "李业务": 1, "王业务": 2, "钱总监": 3}
    head = sent["钱总监"]
    assert {(i["customer"], i["salesperson"]) for i in head["items"]} == {
        ("联想", "李业务"), ("明辉商贸", "王业务"), ("大汉三通", "王业务")}
    title, text = tier_digest_markdown(head)
    assert title == "客户分级变动 3 项"
    assert "**明辉商贸（业务员 王业务）** 意向客户 → 沉默客户" in text
    message = await OutboxMessage.get(kind="tier_digest", recipient_name="王业务")
    assert (message.channel, message.recipient_kind) == ("dingtalk", "staff")
    assert message.recipient_id == str(tier_world["staff"]["sales-wang"].id)

"""What the tier rules read, through the back-office API: contact logs, test accounts and
contracts pushed by the ERP (idempotent, each bad row reported), a customer's profile, and its
tier with its history (set-up and pushes: tests/support/tiers.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.customers.models import Customer
from domain.tiers.models import ContactLog, Contract, TierChange, TrialAccount
from tests.support.approvals import call
from tests.support.tiers import make_tier_world, push


@pytest.fixture
async def tier_world(client, admin, erp, make_key):
    return await make_tier_world(client, admin, erp, make_key)


# ----- contact logs -----------------------------------------------------------------------------


async def test_contact_logs_are_ingested_once_by_external_id(client, tier_world):
    erp, li = tier_world["erp"], tier_world["staff"]["sales-li"]
    items = [
        {"external_id": "L1", "customer_code": "C001", "staff": "sales-li",
         "contacted_on": "2026-11-20", "note": "电话沟通报价"},
        {"external_id": "L2", "customer_code": "C001", "staff_id": li.id,
         "contacted_on": "2026-11-21"},
    ]
    assert await push(client, erp, "contact-logs", items) == {
        "created": 2, "updated": 0, "unchanged": 0, "rejected": []}
    assert await push(client, erp, "contact-logs", items) == {
        "created": 0, "updated": 0, "unchanged": 2, "rejected": []}
    items[1]["contacted_on"] = "2026-11-22"
    result = await push(client, erp, "contact-logs", items)
    assert (result["updated"], result["unchanged"]) == (1, 1)
    logs = {log.external_id: log for log in await ContactLog.all()}
    assert logs["L1"].staff_id == li.id and logs["L1"].note == "电话沟通报价"
    assert logs["L2"].contacted_on == date(2026, 11, 22) and logs["L2"].staff_id == li.id


async def test_bad_contact_log_rows_are_reported_and_the_good_ones_kept(client, tier_world):
    items = [
        {"external_id": "L1", "customer_code": "C001", "contacted_on": "2026-11-20"},
        {"external_id": "L2", "customer_code": "NOPE", "contacted_on": "2026-11-20"},
        {"external_id": "L3", "customer_code": "C001", "contacted_on": "20.11.2026"},
        {"external_id": "L4", "customer_code": "C001", "contacted_on": "2026-11-20",
         "staff": "ghost"},
        {"customer_code": "C001", "contacted_on": "2026-11-20"},
        {"external_id": "L1", "customer_code": "C002", "contacted_on": "2026-11-20"},
    ]
    result = await push(client, tier_world["erp"], "contact-logs", items)
    assert result["created"] == 1
    assert [r["index"] for r in result["rejected"]] == [1, 2, 3, 4, 5]
    assert "customer_code" in result["rejected"][0]["errors"][0]
    assert "contacted_on" in result["rejected"][1]["errors"][0]
    assert "staff" in result["rejected"][2]["errors"][0]
    assert await ContactLog.all().count() == 1


async def test_a_staff_id_beyond_the_store_is_a_row_error_not_a_500(client, tier_world):
    items = [{"external_id": "L1", "customer_code": "C001", "contacted_on": "2026-11-20",
              "staff_id": 1871531018341939}]
    result = await push(client, tier_world["erp"], "contact-logs", items)
    assert result["created"] == 0
    assert "staff_id" in result["rejected"][0]["errors"][0]


async def test_an_atomic_batch_with_a_bad_row_writes_nothing(client, tier_world):
    items = [{"external_id": "L1", "customer_code": "C001", "contacted_on": "2026-11-20"},
             {"external_id": "L2", "customer_code": "NOPE", "contacted_on": "2026-11-20"}]
    body = await push(client, tier_world["erp"], "contact-logs", items, 400, atomic=True)
    assert body["error"]["code"] == "batch_rejected"
    assert await ContactLog.all().count() == 0


async def test_only_the_erp_and_admins_push(client, tier_world):
    body = await push(client, tier_world["keys"]["sales-li"], "contact-logs", [], 403)
    assert body["error"]["code"] == "role_forbidden"


# ----- test accounts and contracts --------------------------------------------------------------


async def test_test_accounts_and_contracts_are_ingested_by_their_keys(client, tier_world):
    erp = tier_world["erp"]
    accounts = [{"external_id": "T1", "customer_code": "C001", "account": "dh001",
                 "archived_on": "2026-11-01"},
                {"external_id": "T2", "customer_code": "C002", "account": "dh002"}]
    assert (await push(client, erp, "trial-accounts", accounts))["created"] == 2
    contracts = [{"number": "HT-1", "customer_code": "C001", "starts_on": "2026-01-01",
                  "ends_on": "2026-12-31", "archived_on": "2025-12-20", "amount": "200000"},
                 {"number": "HT-2", "customer_code": "C002", "starts_on": "2026-06-01"}]
    assert (await push(client, erp, "contracts", contracts))["created"] == 2
    contracts[1]["archived_on"] = "2026-06-02"
    result = await push(client, erp, "contracts", contracts)
    assert (result["updated"], result["unchanged"]) == (1, 1)
    t1 = await TrialAccount.get(external_id="T1")
    assert (t1.account, t1.archived_on) == ("dh001", date(2026, 11, 1))
    assert (await TrialAccount.get(external_id="T2")).archived_on is None
    ht1, ht2 = await Contract.get(number="HT-1"), await Contract.get(number="HT-2")
    assert str(ht1.amount) == "200000.00" and ht1.ends_on == date(2026, 12, 31)
    assert ht2.ends_on is None and ht2.archived_on == date(2026, 6, 2)


async def test_bad_contract_rows_say_why(client, tier_world):
    contracts = [
        {"number": "HT-1", "customer_code": "C001", "starts_on": "2026-06-01",
         "ends_on": "2026-05-31"},
        {"number": "HT-2", "customer_code": "C001", "starts_on": "2026-06-01",
         "amount": "-5"},
        {"number": "HT-3", "customer_code": "C001"},
        {"number": "HT-4", "customer_code": "C001", "starts_on": "2026-06-01",
         "amount": "1.555"},
    ]
    result = await push(client, tier_world["erp"], "contracts", contracts)
    errors = {r["key"]: " ".join(r["errors"]) for r in result["rejected"]}
    assert "ends_on" in errors["HT-1"] and "amount" in errors["HT-2"]
    assert "starts_on" in errors["HT-3"] and "amount" in errors["HT-4"]
    assert result["created"] == 0


# ----- profile ----------------------------------------------------------------------------------


async def test_profile_is_replaced_or_patched_and_scored(client, tier_world):
    admin, customer = tier_world["admin"], tier_world["customers"]["C001"]
    path = f"/customers/{customer.id}/profile"
    body = await call(client, "PUT", path, admin, {
        "contact_name": "陈经理", "mobile": "13800000000", "position": "采购",
        "email": "chen@example.com"})
    assert (body["filled"], body["total"]) == (4, 7)
    body = await call(client, "PATCH", path, admin, {"qq": "12345", "email": None})
    assert body["filled"] == 4
    assert body["profile"]["qq"] == "12345" and body["profile"]["email"] == ""
    body = await call(client, "PUT", path, admin, {"wechat": "chen-wx"})
    assert body["filled"] == 1
    assert (await Customer.get(id=customer.id)).profile == {"wechat": "chen-wx"}


@pytest.mark.parametrize("body, word", [
    ({"fax": "1"}, "fax"), ({"mobile": 138}, "mobile"), ({"qq": "1" * 101}, "qq")])
async def test_bad_profile_fields_are_refused_whole(client, tier_world, body, word):
    customer = tier_world["customers"]["C001"]
    reply = await call(client, "PATCH", f"/customers/{customer.id}/profile",
                       tier_world["admin"], {"contact_name": "陈", **body}, 400)
    assert reply["error"]["code"] == "bad_profile" and word in reply["error"]["message"]
    assert (await Customer.get(id=customer.id)).profile == {}


async def test_a_salesperson_edits_only_their_customers_profile(client, tier_world):
    li = tier_world["keys"]["sales-li"]
    own, other = tier_world["customers"]["C001"], tier_world["customers"]["C002"]
    await call(client, "PATCH", f"/customers/{own.id}/profile", li, {"mobile": "1"})
    await call(client, "PATCH", f"/customers/{other.id}/profile", li, {"mobile": "1"}, 404)


# ----- tier and history -------------------------------------------------------------------------


async def test_a_new_customer_is_intent_since_its_creation(client, tier_world, clock):
    customer = tier_world["customers"]["C001"]
    body = await call(client, "GET", f"/customers/{customer.id}/tier", tier_world["admin"])
    assert (body["tier"], body["tier_label"]) == ("intent", "意向客户")
    assert body["tier_since"] == customer.created_at.date().isoformat()
    assert body["history"] == [] and body["claimed_by"] is None


async def test_the_tier_history_lists_changes_newest_first(client, tier_world, clock):
    customer, li = tier_world["customers"]["C001"], tier_world["staff"]["sales-li"]
    for day, rule, old, new in [(date(2026, 9, 1), "down5_intent_silent", "intent", "silent"),
                                (date(2026, 10, 1), "up2_silent_intent", "silent", "intent")]:
        await TierChange.create(customer=customer, rule=rule, from_tier=old, to_tier=new,
                                salesperson=li, day=day, month=day.strftime("%Y-%m"),
                                created_at=clock())
    body = await call(client, "GET", f"/customers/{customer.id}/tier",
                      tier_world["keys"]["sales-li"])
    assert [(h["day"], h["rule"], h["salesperson"]) for h in body["history"]] == [
        ("2026-10-01", "up2_silent_intent", "李业务"),
        ("2026-09-01", "down5_intent_silent", "李业务")]
    assert body["history"][0]["rule_label"].startswith("沉默客户")
    other = tier_world["customers"]["C002"]
    await call(client, "GET", f"/customers/{other.id}/tier", tier_world["keys"]["sales-li"],
               status=404)

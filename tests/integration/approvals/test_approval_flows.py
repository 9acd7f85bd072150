"""The four credit flows of seed 002 end to end through the HTTP API (and the credit
application also through DingTalk cards): 授信申请 → a granted credit line, 账期更改 → a new
due date (at most 12 months), 款项认领 → a receipt split into deposit / repayment / remainder,
还款审批 → debts paid from the repayment account. Each one's refusals leave nothing behind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.approvals.models import ApprovalFlow
from domain.credit import repayment
from domain.credit.line_lifecycle import grant_line
from domain.credit.models import CreditLedger, CreditLine, CreditOperation, CreditReceipt, Debt
from domain.credit.orders import NewOrder, create_order, ship
from domain.credit.orgs import put_org, set_terms
from domain.notices.models import OutboxMessage
from tests.support import approvals as support
from tests.support.approvals import CREDIT_APPROVERS, annual, call, start

world = support.world  # fixture


async def approve_all(client, world, flow, approvers):
    for userid in approvers:
        [task] = [t for t in flow["tasks"] if t["status"] == "pending"]
        assert task["approver"] == world["staff"][userid].name
        flow = await call(client, "POST",
                          f"/approvals/{flow['id']}/tasks/{task['id']}/approve",
                          world["keys"][userid], {"comment": "同意"})
    return flow


# ----- 授信申请 -----


async def test_a_credit_application_passes_seed_002s_four_approvers_and_grants_the_line(
        client, world, clock):
    flow = await start(client, world, "credit_application", annual(world, term_days=60))
    assert [n["name"] for n in flow["nodes"]] == ["直接上级", "业务部门总监", "营销中心总经理",
                                                  "财务部PFC"]
    assert flow["title"] == "授信申请：联想 ¥500,000.00"

    done = await approve_all(client, world, flow, CREDIT_APPROVERS)

    assert done["status"] == "approved"
    account = await CreditLine.get(id=done["result"]["credit_account_id"])
    assert (account.customer_id, account.org_id, account.type, account.limit, account.used,
            account.term_days, account.valid_to) == (
        world["customers"]["C001"], world["org"].id, "annual", Decimal("500000.00"),
        Decimal("0.00"), 60, date(2026, 12, 31))
    assert done["result"]["credit_account_number"] == account.number
    [grant] = await CreditOperation.filter(account_id=account.id)
    assert (grant.op, grant.actor) == ("grant", f"approval:{done['id']}")
    [outcome] = await OutboxMessage.filter(kind="approval_outcome")
    assert (outcome.recipient_name, outcome.payload["status"]) == ("李业务", "approved")


async def test_a_temporary_line_while_other_credit_is_left_is_refused_at_start(
        client, world, clock):
    first = await start(client, world, "credit_application", annual(world))
    await approve_all(client, world, first, CREDIT_APPROVERS)

    body = await start(client, world, "credit_application",
                       annual(world, type="temporary", amount="200000"), status=409)

    assert body["error"]["code"] == "temporary_not_allowed"
    assert await ApprovalFlow.all().count() == 1


@pytest.mark.parametrize("changes,status,code", [
    ({"type": "project"}, 400, "missing_field"),
    ({"amount": "0"}, 400, "bad_amount"),
    ({"term_days": 366}, 400, "bad_field"),
    ({"org_id": 9999}, 400, "org_not_found"),
    ({"customer_id": 9999}, 404, "customer_not_found"),
])
async def test_a_bad_credit_application_is_refused_with_nothing_written(
        client, world, changes, status, code):
    body = await start(client, world, "credit_application", annual(world, **changes),
                       status=status)
    assert body["error"]["code"] == code
    assert await ApprovalFlow.all().count() == 0


async def test_a_salesperson_cannot_apply_for_another_salespersons_customer(client, world):
    form = annual(world, customer_id=world["customers"]["C002"])
    body = await start(client, world, "credit_application", form, status=404)
    assert body["error"]["code"] == "customer_not_found"


async def test_a_grant_refused_at_the_last_node_leaves_the_flow_pending(client, world, clock):
    flow = await start(client, world, "credit_application", annual(world))
    flow = await approve_all(client, world, flow, CREDIT_APPROVERS[:3])
    await put_org(code="YXY", name=None, budget=None, enabled=False, now=clock())
    [task] = [t for t in flow["tasks"] if t["status"] == "pending"]

    body = await call(client, "POST", f"/approvals/{flow['id']}/tasks/{task['id']}/approve",
                      world["keys"]["pfc-lin"], {}, 409)

    assert body["error"]["code"] == "org_disabled"
    shown = await call(client, "GET", f"/approvals/{flow['id']}", world["keys"]["sales-li"])
    assert shown["status"] == "pending" and shown["current_node_name"] == "财务部PFC"
    assert await CreditLine.all().count() == 0
    await put_org(code="YXY", name=None, budget=None, enabled=True, now=clock())
    done = await call(client, "POST", f"/approvals/{flow['id']}/tasks/{task['id']}/approve",
                      world["keys"]["pfc-lin"], {})
    assert done["status"] == "approved" and await CreditLine.all().count() == 1


# ----- debts for the other three flows -----


@pytest.fixture
async def owed(world, clock):
    """Seed 002's 欠款生成规则 example for 联想: term 60 days (整装); order 100万 = cash 20万 +
    credit 80万; shipped 50万 on 2021-01-15 → debt 30万 due 2021-03-16, and 50万 on 2021-01-20
    → debt 50万 due 2021-03-21."""
    customer_id = world["customers"]["C001"]
    await set_terms(default=None, by_business_type={"整装": 60})
    await grant_line(customer_id=customer_id, org_id=world["org"].id, type="annual",
                        limit=Decimal("1000000"), valid_from=date(2021, 1, 1),
                        valid_to=date(2021, 12, 31), actor="test", now=clock())
    await create_order(NewOrder("SO-2021-01-10", "C001", "YXY", date(2021, 1, 10),
                                Decimal("1000000"), Decimal("200000"), Decimal("800000"),
                                business_type="整装"), "test", clock())
    for number, day in (("SH-1", 15), ("SH-2", 20)):
        await ship(number=number, order_number="SO-2021-01-10", ship_date=date(2021, 1, day),
                   amount=Decimal("500000"), actor="test", now=clock())
    first, second = await Debt.filter(customer_id=customer_id).order_by("due_date")
    assert (first.amount, first.due_date, second.amount, second.due_date) == (
        Decimal("300000.00"), date(2021, 3, 16), Decimal("500000.00"), date(2021, 3, 21))
    return {**world, "debts": (first, second), "customer_id": customer_id}


async def ledger(customer_id):
    return await CreditLedger.get(customer_id=customer_id)


async def test_a_payment_term_change_moves_the_due_date(client, owed):
    first, _ = owed["debts"]
    form = {"debt_id": first.id, "term_days": 120, "reason": "项目合同约定 120 天"}
    flow = await start(client, owed, "payment_term_change", form)
    assert flow["title"] == f"账期更改：联想 欠款#{first.id} 60→120天"
    assert [n["name"] for n in flow["nodes"]] == ["直接上级", "财务部PFC"]
    assert {"label": "原账期", "value": "60 天"} in flow["summary"]

    done = await approve_all(client, owed, flow, ("mgr-zhao", "pfc-lin"))

    assert (done["status"], done["result"]["due_date"]) == ("approved", "2021-05-15")
    fresh = await Debt.get(id=first.id)
    assert (fresh.term_days, fresh.due_date) == (120, date(2021, 5, 15))


@pytest.mark.parametrize("form,status,code", [
    ({"term_days": 366, "reason": "x"}, 400, "term_too_long"),  # at most 12 months
    ({"term_days": 90}, 400, "missing_field"),  # the reason is required
    ({"debt_id": 99999, "term_days": 90, "reason": "x"}, 404, "debt_not_found"),
])
async def test_a_bad_payment_term_change_is_refused_at_start(client, owed, form, status, code):
    form = {"debt_id": owed["debts"][0].id, **form}
    body = await start(client, owed, "payment_term_change", form, status=status)
    assert body["error"]["code"] == code
    assert await ApprovalFlow.all().count() == 0


async def test_a_payment_claim_splits_the_receipt_into_deposit_repayment_and_remainder(
        client, owed):
    first, second = owed["debts"]
    form = {"customer_id": owed["customer_id"], "number": "SK-2021-0301", "amount": "400000",
            "deposit": "50000", "repayment": "300000", "received_on": "2021-03-01",
            "payer": "联想集团"}
    flow = await start(client, owed, "payment_claim", form)
    assert {"label": "剩余", "value": "¥50,000.00"} in flow["summary"]

    done = await approve_all(client, owed, flow, ("mgr-zhao", "pfc-lin"))

    payment = await CreditReceipt.get(id=done["result"]["payment_id"])
    assert (payment.amount, payment.deposit, payment.to_base, payment.remainder) == (
        Decimal("400000.00"), Decimal("50000.00"), Decimal("300000.00"), Decimal("50000.00"))
    books = await ledger(owed["customer_id"])
    assert (books.deposit, books.unapplied, books.base_debt) == (
        Decimal("50000.00"), Decimal("50000.00"), Decimal("500000.00"))
    assert (await Debt.get(id=first.id)).outstanding == Decimal("0.00")  # oldest due first
    assert (await Debt.get(id=second.id)).outstanding == Decimal("500000.00")


async def test_a_claim_that_splits_more_than_it_received_or_reuses_a_number_is_refused(
        client, owed, clock):
    form = {"customer_id": owed["customer_id"], "number": "SK-1", "amount": "100000",
            "deposit": "50000", "repayment": "60000"}
    body = await start(client, owed, "payment_claim", form, status=400)
    assert body["error"]["code"] == "claim_over_amount"
    await repayment.receive_credit_receipt(customer_id=owed["customer_id"], number="SK-1",
                                    amount=Decimal("10"), received_on=date(2021, 3, 1),
                                    actor="test", now=clock())
    body = await start(client, owed, "payment_claim", {**form, "repayment": "0"}, status=409)
    assert body["error"]["code"] == "payment_exists"
    assert await ApprovalFlow.all().count() == 0


def claim(owed, number="SK-2021-0301", **changes):
    return {"customer_id": owed["customer_id"], "number": number, "amount": "400000",
            "deposit": "0", "repayment": "300000", "received_on": "2021-03-01", **changes}


async def test_a_second_claim_for_the_same_receipt_is_refused_while_the_first_is_live(
        client, owed):
    first = await start(client, owed, "payment_claim", claim(owed))

    body = await start(client, owed, "payment_claim", claim(owed, repayment="100000"),
                       status=409)

    assert body["error"]["code"] == "claim_in_progress"
    assert body["error"]["message"] == (
        f"收款单 SK-2021-0301 已有认领审批在进行中（#{first['id']}），不能重复认领")
    assert await ApprovalFlow.all().count() == 1
    await call(client, "POST", f"/approvals/{first['id']}/withdraw", owed["keys"]["sales-li"], {})
    again = await start(client, owed, "payment_claim", claim(owed))
    done = await approve_all(client, owed, again, ("mgr-zhao", "pfc-lin"))
    assert done["status"] == "approved"
    body = await start(client, owed, "payment_claim", claim(owed), status=409)
    assert body["error"]["code"] == "payment_exists"


async def test_a_returned_claim_keeps_its_receipt_and_may_be_resubmitted(client, owed):
    flow = await start(client, owed, "payment_claim", claim(owed))
    [task] = flow["tasks"]
    await call(client, "POST", f"/approvals/{flow['id']}/tasks/{task['id']}/return",
               owed["keys"]["mgr-zhao"], {"comment": "请附回单"})

    body = await start(client, owed, "payment_claim", claim(owed), status=409)
    assert body["error"]["code"] == "claim_in_progress"
    again = await call(client, "POST", f"/approvals/{flow['id']}/resubmit",
                       owed["keys"]["sales-li"], {"form": claim(owed, repayment="200000")})
    assert again["status"] == "pending"


async def test_a_claim_repaying_more_than_the_base_account_owes_is_refused_at_start(
        client, owed):
    # Seed 002's example leaves 联想 owing 80万 on its base account (two debts: 30万 + 50万).
    assert (await ledger(owed["customer_id"])).base_debt == Decimal("800000.00")
    body = await start(client, owed, "payment_claim",
                       claim(owed, amount="900000", repayment="800000.01"), status=409)
    assert body["error"]["code"] == "repayment_exceeds_debt"
    assert "超过基本账户欠款¥800,000.00" in body["error"]["message"]

    await start(client, owed, "payment_claim", claim(owed, amount="500000", repayment="500000"))
    body = await start(client, owed, "payment_claim",
                       claim(owed, "SK-2021-0302", amount="400000", repayment="300000.01"),
                       status=409)
    assert body["error"]["code"] == "repayment_exceeds_debt"
    assert "其中¥500,000.00已在其他认领审批中" in body["error"]["message"]
    assert await ApprovalFlow.all().count() == 1
    fits = await start(client, owed, "payment_claim",
                       claim(owed, "SK-2021-0302", amount="400000", repayment="300000"))
    assert fits["status"] == "pending"


async def test_a_repayment_approval_pays_the_chosen_debts_from_the_repayment_account(
        client, owed, clock):
    first, second = owed["debts"]
    await repayment.receive_credit_receipt(customer_id=owed["customer_id"], number="SK-2",
                                    amount=Decimal("400000"), received_on=date(2021, 3, 1),
                                    actor="test", now=clock(), allocate=False)
    form = {"customer_id": owed["customer_id"],
            "parts": [{"debt_id": second.id, "amount": "200000"}], "reason": "客户指定"}
    flow = await start(client, owed, "repayment_approval", form)

    done = await approve_all(client, owed, flow, ("mgr-zhao", "pfc-lin"))

    assert done["result"]["repayments"] == [{"debt_id": second.id, "amount": "200000.00"}]
    assert (await Debt.get(id=second.id)).outstanding == Decimal("300000.00")
    assert (await Debt.get(id=first.id)).outstanding == Decimal("300000.00")
    assert (await ledger(owed["customer_id"])).repayment_balance == Decimal("200000.00")

    oldest = await start(client, owed, "repayment_approval",
                         {"customer_id": owed["customer_id"]})
    assert oldest["summary"] == [{"label": "还款方式", "value": "按到期日从早到晚自动还款"}]
    await approve_all(client, owed, oldest, ("mgr-zhao", "pfc-lin"))
    assert (await Debt.get(id=first.id)).outstanding == Decimal("100000.00")
    assert (await ledger(owed["customer_id"])).repayment_balance == Decimal("0.00")


async def test_a_repayment_beyond_the_balance_is_refused_at_the_last_node(client, owed, clock):
    _, second = owed["debts"]
    await repayment.receive_credit_receipt(customer_id=owed["customer_id"], number="SK-3",
                                    amount=Decimal("1000"), received_on=date(2021, 3, 1),
                                    actor="test", now=clock(), allocate=False)
    form = {"customer_id": owed["customer_id"],
            "parts": [{"debt_id": second.id, "amount": "5000"}]}
    flow = await approve_all(client, owed,
                             await start(client, owed, "repayment_approval", form),
                             ("mgr-zhao",))
    [task] = [t for t in flow["tasks"] if t["status"] == "pending"]

    body = await call(client, "POST", f"/approvals/{flow['id']}/tasks/{task['id']}/approve",
                      owed["keys"]["pfc-lin"], {}, 409)

    assert body["error"]["code"] == "repayment_exceeds_balance"
    assert (await ApprovalFlow.get(id=flow["id"])).status == "pending"
    assert (await Debt.get(id=second.id)).outstanding == Decimal("500000.00")


async def test_a_repayment_approval_for_another_customers_debt_is_refused(client, owed):
    form = {"customer_id": owed["customer_id"], "parts": [{"debt_id": 99999, "amount": "1"}]}
    body = await start(client, owed, "repayment_approval", form, status=404)
    assert body["error"]["code"] == "debt_not_found"

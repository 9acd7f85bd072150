"""Finance confirms hand-over documents through the back-office API: one by one, by people and
days, the undo, the 交款交账参数 (confirm also audits), the receipt audit actions it governs,
and appended remarks."""

from __future__ import annotations

from datetime import date

import pytest

from domain.documents.models import DayClose, Document, Exchange, Expense, OtherIncome
from domain.statements.models import Statement, StatementLine
from domain.system.models import AuditLog
from tests.support.handover import (
    NOW,
    call,
    delivery,
    exchange,
    expense,
    full_day,
    make_customer,
    make_staff,
    other_income,
    receipt,
    ref,
    sale,
)

D1, D2 = date(2026, 11, 23), date(2026, 11, 24)
MODELS = (Document, Expense, OtherIncome, Exchange)


@pytest.fixture
async def people(client):
    return {"li": await make_staff("sales-li", "李业务"),
            "wang": await make_staff("sales-wang", "王业务"),
            "zhou": await make_staff("driver-zhou", "周司机")}


async def confirmed() -> set[tuple[str, str]]:
    """Every confirmed hand-over row, as (table, number)."""
    found = set()
    for model in MODELS:
        numbers = await model.filter(confirmed_at__isnull=False).values_list("number", flat=True)
        found |= {(model.__name__, n) for n in numbers}
    return found


def keys(*rows) -> set[tuple[str, str]]:
    return {(type(r).__name__, r.number) for r in rows}


async def reloaded(row):
    return await type(row).get(id=row.id)


async def set_confirm_audits(client, headers, on: bool):
    body = await call(client, "PUT", "/handover/settings", headers, {"confirm_audits": on})
    assert body == {"confirm_audits": on}


# ----- one by one -----------------------------------------------------------------------------


async def test_confirms_documents_one_by_one_and_only_those(client, finance, people):
    day = await full_day(people["li"], D1)
    body = await call(client, "POST", "/handover/confirm", finance,
                      {"items": [ref(day["sale"]), ref(day["expense"]), ref(day["exchange"])]})
    assert body == {"confirmed": 3, "audited": 0}
    assert await confirmed() == keys(day["sale"], day["expense"], day["exchange"])
    sold = await reloaded(day["sale"])
    assert sold.confirmed_at == NOW and sold.confirmed_by == "staff:test finance"
    assert sold.version == 1  # confirmation is finance's state, not a change of the document

    again = await call(client, "POST", "/handover/confirm", finance,
                       {"items": [ref(day["sale"]), ref(day["receipt"])]})
    assert again == {"confirmed": 1, "audited": 0}


async def test_unconfirms_documents_one_by_one(client, finance, people):
    day = await full_day(people["li"], D1)
    everything = [ref(row) for row in day.values()]
    await call(client, "POST", "/handover/confirm", finance, {"items": everything})
    body = await call(client, "POST", "/handover/unconfirm", finance,
                      {"items": [ref(day["receipt"]), ref(day["other_income"])]})
    assert body == {"unconfirmed": 2}
    assert await confirmed() == keys(day["sale"], day["return"], day["expense"],
                                     day["exchange"])
    row = await reloaded(day["receipt"])
    assert row.confirmed_at is None and row.confirmed_by == ""
    assert await call(client, "POST", "/handover/unconfirm", finance,
                      {"items": [ref(day["receipt"])]}) == {"unconfirmed": 0}


# ----- by people and days ---------------------------------------------------------------------


async def test_confirms_every_document_of_chosen_people_and_days_only(client, finance, people):
    li, wang, zhou = people["li"], people["wang"], people["zhou"]
    li_d1, li_d2 = await full_day(li, D1), await full_day(li, D2)
    wang_d1 = await full_day(wang, D1)
    driven = await delivery(zhou, D1, salesperson=wang)  # sold on D0 by wang, delivered D1
    driven_later = await delivery(zhou, D2)
    void_sale = await sale(li, D1, audit_status="void")

    body = await call(client, "POST", "/handover/confirm", finance,
                      {"staff": ["sales-li", "driver-zhou"], "dates": ["2026-11-23"]})
    assert body == {"confirmed": 7, "audited": 0}
    assert await confirmed() == keys(*li_d1.values(), driven)
    untouched = [*li_d2.values(), *wang_d1.values(), driven_later, void_sale]
    assert all([(await reloaded(r)).confirmed_at is None for r in untouched])


async def test_confirms_everyone_on_chosen_days_and_undoes_by_people(client, admin, people):
    li_d1, wang_d1 = await full_day(people["li"], D1), await full_day(people["wang"], D1)
    li_d2 = await full_day(people["li"], D2)
    body = await call(client, "POST", "/handover/confirm", admin,
                      {"staff": "all", "dates": ["2026-11-23"]})
    assert body == {"confirmed": 12, "audited": 0}
    assert await confirmed() == keys(*li_d1.values(), *wang_d1.values())

    undone = await call(client, "POST", "/handover/unconfirm", admin,
                        {"staff": ["sales-wang"], "dates": ["2026-11-23", "2026-11-24"]})
    assert undone == {"unconfirmed": 6}
    assert await confirmed() == keys(*li_d1.values())
    assert all([(await reloaded(r)).confirmed_at is None for r in li_d2.values()])


async def test_a_driver_s_deliveries_are_confirmed_with_the_day_he_delivered(client, finance,
                                                                             people):
    zhou = people["zhou"]
    delivered = await delivery(zhou, D2, date=D1)
    not_a_delivery = await sale(None, D2, driver=zhou, delivered_on=D2, reversal=True)
    await call(client, "POST", "/handover/confirm", finance,
               {"staff": ["driver-zhou"], "dates": ["2026-11-23"]})
    assert await confirmed() == set()
    body = await call(client, "POST", "/handover/confirm", finance,
                      {"staff": ["driver-zhou"], "dates": ["2026-11-24"]})
    assert body == {"confirmed": 1, "audited": 0}
    assert await confirmed() == keys(delivered)
    assert (await reloaded(not_a_delivery)).confirmed_at is None  # 红冲 is never delivered


# ----- the 交款交账参数 --------------------------------------------------------------------------


async def test_turning_the_setting_on_and_off_is_in_the_audit_trail(client, finance):
    for on in (True, False):
        assert await call(client, "PUT", "/handover/settings", finance,
                          {"confirm_audits": on}) == {"confirm_audits": on}
    trail = await AuditLog.filter(entity="setting").order_by("id").values_list(
        "entity_id", "detail")
    assert trail == [("handover.confirm_audits", {"value": True}),
                     ("handover.confirm_audits", {"value": False})]


async def test_with_the_setting_off_confirming_does_not_audit(client, finance, people):
    day = await full_day(people["li"], D1)
    assert await call(client, "GET", "/handover/settings", finance) == {"confirm_audits": False}
    await call(client, "POST", "/handover/confirm", finance,
               {"staff": ["sales-li"], "dates": ["2026-11-23"]})
    for name in ("receipt", "expense", "other_income", "exchange"):
        assert (await reloaded(day[name])).audit_status == "pending", name


async def test_with_the_setting_on_confirming_audits_pending_fund_documents(client, finance,
                                                                           people):
    li = people["li"]
    day = await full_day(li, D1)
    void_expense = await expense(li, D1, audit_status="void")
    await set_confirm_audits(client, finance, True)
    body = await call(client, "POST", "/handover/confirm", finance,
                      {"staff": ["sales-li"], "dates": ["2026-11-23"]})
    assert body == {"confirmed": 6, "audited": 3}
    for name in ("receipt", "expense", "other_income"):
        assert (await reloaded(day[name])).audit_status == "approved", name
    assert (await reloaded(day["exchange"])).audit_status == "pending"  # not a fund document
    assert (await reloaded(void_expense)).audit_status == "void"

    undone = await call(client, "POST", "/handover/unconfirm", finance,
                        {"items": [ref(day["receipt"]), ref(day["expense"])]})
    assert undone == {"unconfirmed": 2}
    assert (await reloaded(day["receipt"])).audit_status == "approved"  # never un-audits
    assert (await reloaded(day["expense"])).audit_status == "approved"


async def test_with_the_setting_on_only_newly_confirmed_documents_are_audited(client, finance,
                                                                             people):
    li = people["li"]
    already = await receipt(li, D1, confirmed_at=NOW, confirmed_by="earlier")
    pending = await other_income(li, D1)
    await set_confirm_audits(client, finance, True)
    body = await call(client, "POST", "/handover/confirm", finance,
                      {"items": [ref(already), ref(pending)]})
    assert body == {"confirmed": 1, "audited": 1}
    assert (await reloaded(already)).audit_status == "pending"
    assert (await reloaded(already)).confirmed_by == "earlier"
    assert (await reloaded(pending)).audit_status == "approved"


async def test_the_setting_is_a_boolean(client, finance):
    for bad in ({"confirm_audits": "yes"}, {"confirm_audits": 1}, {}):
        await call(client, "PUT", "/handover/settings", finance, bad, status=400)
    assert await call(client, "GET", "/handover/settings", finance) == {"confirm_audits": False}


# ----- receipt audit actions ------------------------------------------------------------------


async def test_with_the_setting_off_a_confirmed_receipt_cannot_be_unaudited_or_voided(
        client, finance, people):
    li = people["li"]
    approved = await receipt(li, D1, audit_status="approved")
    await call(client, "POST", "/handover/confirm", finance, {"items": [ref(approved)]})
    for action, verb in (("unaudit", "反审核"), ("void", "作废")):
        body = await call(client, "POST", f"/handover/receipts/{approved.id}/{action}", finance,
                          status=409)
        assert body["error"]["code"] == "receipt_confirmed"
        assert approved.number in body["error"]["message"] and verb in body["error"]["message"]
    row = await reloaded(approved)
    assert (row.audit_status, row.version) == ("approved", 1) and row.confirmed_at == NOW

    pending = await receipt(li, D1)
    body = await call(client, "POST", f"/handover/receipts/{pending.id}/audit", finance)
    assert body["audit_status"] == "approved" and body["confirmed"] is False
    unconfirmed = await receipt(li, D1, audit_status="approved")
    body = await call(client, "POST", f"/handover/receipts/{unconfirmed.id}/void", finance)
    assert body["audit_status"] == "void" and body["confirmed"] is False


async def test_with_the_setting_on_receipt_audits_confirm_and_unconfirm(client, finance,
                                                                       people):
    li = people["li"]
    first, second = await receipt(li, D1), await receipt(li, D1)
    await set_confirm_audits(client, finance, True)
    body = await call(client, "POST", f"/handover/receipts/{first.id}/audit", finance)
    assert body["audit_status"] == "approved" and body["confirmed"] is True
    assert (await reloaded(first)).confirmed_by == "staff:test finance"

    body = await call(client, "POST", f"/handover/receipts/{first.id}/unaudit", finance)
    assert body["audit_status"] == "pending" and body["confirmed"] is False

    await call(client, "POST", "/handover/confirm", finance, {"items": [ref(second)]})
    body = await call(client, "POST", f"/handover/receipts/{second.id}/void", finance)
    assert body["audit_status"] == "void" and body["confirmed"] is False
    row = await reloaded(second)
    assert row.confirmed_at is None and row.version == 2


async def test_a_void_receipt_cannot_be_audited_and_voiding_again_changes_nothing(
        client, finance, people):
    voided = await receipt(people["li"], D1, audit_status="void")
    for action in ("audit", "unaudit"):
        body = await call(client, "POST", f"/handover/receipts/{voided.id}/{action}", finance,
                          status=409)
        assert body["error"]["code"] == "receipt_void"
    body = await call(client, "POST", f"/handover/receipts/{voided.id}/void", finance)
    assert body["audit_status"] == "void"
    assert (await reloaded(voided)).version == 1


async def test_the_day_report_offers_each_receipt_the_actions_that_go_through(
        client, finance, people):
    li = people["li"]
    pending = await receipt(li, D1)
    held = await receipt(li, D1, audit_status="approved", confirmed_at=NOW, confirmed_by="财务")

    async def offered() -> dict[str, list[str]]:
        body = await call(client, "GET", "/handover/days/sales-li/2026-11-23", finance)
        return {row["number"]: row["actions"] for row in body["sections"]["receipts"]}

    assert await offered() == {pending.number: ["audit", "void"], held.number: []}
    await call(client, "POST", f"/handover/receipts/{held.id}/void", finance, status=409)
    await set_confirm_audits(client, finance, True)
    assert await offered() == {pending.number: ["audit", "void"],
                               held.number: ["unaudit", "void"]}
    await call(client, "POST", f"/handover/receipts/{pending.id}/void", finance)
    assert await offered() == {held.number: ["unaudit", "void"]}  # a void receipt drops out
    await DayClose.create(staff=li, day=D1, closed_at=NOW, closed_by="test")
    assert await offered() == {held.number: []}
    assert (await reloaded(held)).audit_status == "approved"


async def test_a_receipt_delivered_on_a_closed_day_offers_no_action(client, finance, people):
    li, zhou = people["li"], people["zhou"]
    driven = await receipt(li, D1, driver_id=zhou.id, delivered_on=D2)
    await DayClose.create(staff=zhou, day=D2, closed_at=NOW, closed_by="test")

    body = await call(client, "GET", "/handover/days/sales-li/2026-11-23", finance)

    assert body["closed"] is False and body["sections"]["receipts"][0]["actions"] == []
    await call(client, "POST", f"/handover/receipts/{driven.id}/audit", finance, status=423)


async def test_receipt_actions_need_a_receipt(client, finance, people):
    sold = await sale(people["li"], D1)
    await call(client, "POST", f"/handover/receipts/{sold.id}/audit", finance, status=404)
    await call(client, "POST", "/handover/receipts/999999/void", finance, status=404)


async def test_a_closed_day_refuses_receipt_actions_but_not_confirmation(client, finance,
                                                                        people):
    li = people["li"]
    pending = await receipt(li, D1)
    await DayClose.create(staff=li, day=D1, closed_at=NOW, closed_by="test")
    body = await call(client, "POST", f"/handover/receipts/{pending.id}/audit", finance,
                      status=423)
    assert body["error"]["code"] == "day_closed"
    assert "李业务 2026-11-23" in body["error"]["message"]
    assert body["error"]["detail"]["closed"] == [{"staff": "李业务", "day": "2026-11-23"}]
    assert (await reloaded(pending)).audit_status == "pending"

    assert await call(client, "POST", "/handover/confirm", finance,
                      {"items": [ref(pending)]}) == {"confirmed": 1, "audited": 0}


# ----- remarks --------------------------------------------------------------------------------


async def test_remarks_are_appended_even_on_a_closed_day(client, finance, people):
    li = people["li"]
    first, second = await sale(li, D1, remark="客户自提"), await sale(li, D1)
    await DayClose.create(staff=li, day=D1, closed_at=NOW, closed_by="test")
    body = await call(client, "POST", "/handover/remarks", finance,
                      {"ids": [first.id, second.id], "remark": " 已核对现金 "})
    assert body == {"updated": 2}
    await call(client, "POST", "/handover/remarks", finance,
               {"ids": [second.id], "remark": "少 2 元"})
    assert (await reloaded(first)).remark == "客户自提；已核对现金"
    assert (await reloaded(second)).remark == "已核对现金；少 2 元"


async def test_bad_remarks_change_nothing(client, finance, people):
    sold = await sale(people["li"], D1, remark="原备注")
    body = await call(client, "POST", "/handover/remarks", finance,
                      {"ids": [sold.id, 999999], "remark": "x"}, status=404)
    assert body["error"]["detail"]["missing"] == [999999]
    for bad in ({"ids": [sold.id], "remark": "  "}, {"ids": [], "remark": "x"},
                {"ids": [sold.id]}, {"ids": ["1"], "remark": "x"},
                {"ids": [sold.id], "remark": "长" * 501}):
        await call(client, "POST", "/handover/remarks", finance, bad, status=400)
    assert (await reloaded(sold)).remark == "原备注"


# ----- refusals -------------------------------------------------------------------------------


async def test_unknown_references_are_named_and_nothing_is_confirmed(client, finance, people):
    day = await full_day(people["li"], D1)
    body = await call(client, "POST", "/handover/confirm", finance, {"items": [
        ref(day["sale"]), {"kind": "expense", "id": 999999},
        {"kind": "document", "id": 888888}]}, status=404)
    assert body["error"]["code"] == "handover_document_not_found"
    assert "费用单 999999" in body["error"]["message"]
    assert "单据 888888" in body["error"]["message"]
    assert body["error"]["detail"]["missing"] == [{"kind": "document", "id": 888888},
                                                  {"kind": "expense", "id": 999999}]
    body = await call(client, "POST", "/handover/confirm", finance, {"items": [
        ref(day["sale"]), {"kind": "invoice", "id": day["sale"].id}]}, status=400)
    assert body["error"]["code"] == "bad_kind"
    assert await confirmed() == set()


async def test_documents_outside_every_hand_over_are_refused(client, finance, people):
    li = people["li"]
    sold = await sale(li, D1)
    customer = await make_customer(li)
    bill = await Document.create(  # as month-end billing writes it: the customer's salesperson
        number="BILL-202610-P00001", doc_type="bill", date=D1, customer=customer,
        salesperson=li, amount="100.00", owed="100.00")
    nobody = await expense(None, D1)
    body = await call(client, "POST", "/handover/confirm", finance, {"items": [
        ref(sold), ref(bill), ref(nobody)]}, status=400)
    assert body["error"]["code"] == "not_in_handover"
    assert bill.number in body["error"]["message"] and nobody.number in body["error"]["message"]
    assert sold.number not in body["error"]["message"]
    assert await confirmed() == set()


async def test_bad_people_and_dates_are_refused_and_nothing_changes(client, finance, people):
    await full_day(people["li"], D1)
    dates = [date(2026, 10, d).isoformat() for d in range(1, 32)]
    bad_bodies = [
        {"staff": ["sales-li"], "dates": ["2026-13-01"]},
        {"staff": ["sales-li"], "dates": [*dates, "2026-11-23"]},
        {"staff": ["sales-li"], "dates": []},
        {"staff": ["sales-li"], "dates": "2026-11-23"},
        {"staff": "sales-li", "dates": ["2026-11-23"]},
        {"staff": [], "dates": ["2026-11-23"]},
        {"dates": ["2026-11-23"]},
        {"items": [{"kind": "document", "id": "7"}]},
        {"items": []},
        {"items": [ref(await sale(people["li"], D1))], "dates": ["2026-11-23"]},
    ]
    for path in ("/handover/confirm", "/handover/unconfirm"):
        for bad in bad_bodies:
            await call(client, "POST", path, finance, bad, status=400)
    body = await call(client, "POST", "/handover/confirm", finance,
                      {"staff": ["sales-li", "ghost", "nobody"], "dates": ["2026-11-23"]},
                      status=400)
    assert body["error"]["code"] == "unknown_staff"
    assert "ghost" in body["error"]["message"] and "nobody" in body["error"]["message"]
    assert body["error"]["detail"]["unknown"] == ["ghost", "nobody"]
    assert await confirmed() == set()
    assert await call(client, "POST", "/handover/confirm", finance,
                      {"staff": ["sales-li"], "dates": dates}) == {"confirmed": 0, "audited": 0}


ROUTES = [("POST", "/handover/confirm"), ("POST", "/handover/unconfirm"),
          ("POST", "/handover/close"), ("POST", "/handover/reopen"),
          ("GET", "/handover/closes?date_from=2026-11-01&date_to=2026-11-30"),
          ("GET", "/handover/settings"), ("PUT", "/handover/settings"),
          ("POST", "/handover/receipts/{id}/audit"), ("POST", "/handover/receipts/{id}/unaudit"),
          ("POST", "/handover/receipts/{id}/void"), ("POST", "/handover/remarks")]


@pytest.mark.parametrize("role", ["sales", "erp"])
async def test_only_finance_and_admin_may_act(client, make_key, people, role):
    li = people["li"]
    key = await make_key(role, li.id)
    pending = await receipt(li, D1)
    swap = await exchange(li, D1)
    body = {"items": [ref(pending), ref(swap)], "staff": "all", "dates": ["2026-11-23"],
            "confirm_audits": True, "ids": [pending.id], "remark": "x"}
    for method, path in ROUTES:
        answer = await call(client, method, path.format(id=pending.id), key, body, status=403)
        assert answer["error"]["code"] == "role_forbidden"
    assert await confirmed() == set()
    assert (await reloaded(pending)).audit_status == "pending"
    assert await DayClose.all().count() == 0


async def test_voiding_a_receipt_marks_the_statements_holding_it(client, finance, people):
    voided = await receipt(people["li"], D1, audit_status="approved")
    statement = await Statement.create(
        customer_id=voided.customer_id, date_from=D1, date_to=D1, opening="0", increase="0",
        receipts="100", closing="-100", line_count=1, owed_total="-100", created_at=NOW)
    await StatementLine.create(statement=statement, document=voided, position=1,
                               number=voided.number, doc_type="receipt", date=D1,
                               amount="100", owed="-100")
    await call(client, "POST", f"/handover/receipts/{voided.id}/void", finance)
    statement = await Statement.get(id=statement.id)
    assert statement.source_changed is True and statement.version == 2


async def test_a_day_of_thousands_of_documents_is_confirmed_in_one_call(client, finance,
                                                                       people):
    li, customer = people["li"], await make_customer(people["li"])
    await Document.bulk_create([Document(
        number=f"XS-BULK-{i:05d}", doc_type="sales_out", date=D1, customer=customer,
        salesperson=li, amount="10.00", owed="10.00") for i in range(3000)], batch_size=500)
    body = await call(client, "POST", "/handover/confirm", finance,
                      {"staff": ["sales-li"], "dates": ["2026-11-23"]})
    assert body == {"confirmed": 3000, "audited": 0}
    assert await Document.filter(confirmed_at__isnull=True).count() == 0
    undone = await call(client, "POST", "/handover/unconfirm", finance,
                        {"staff": "all", "dates": ["2026-11-23"]})
    assert undone == {"unconfirmed": 3000}

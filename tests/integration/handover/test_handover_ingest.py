"""The ERP's hand-over data through ingest (seed 001): documents' audit state, driver, red
reversal and a receipt's kind, discount, 转入预收 and settlements; expenses, other income and
exchanges; the 交款交账参数 on receipts' audit changes; a confirmed document that changes loses
its confirmation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.documents.models import Document, Exchange, Expense, OtherIncome, ReceiptSettlement
from domain.documents.settings import set_confirm_audits
from tests.conftest import SHANGHAI
from tests.support import CUSTOMERS, INGEST, STAFF, post_ok
from tests.support.handover import NOW, push

DAY = "2026-11-23"
DRIVER = {"userid": "driver-zhou", "name": "周司机"}
ERP_LABEL = "staff:test erp"


async def _base(client, erp) -> None:
    await post_ok(client, f"{INGEST}/staff", erp, {"items": STAFF + [DRIVER]})
    await post_ok(client, f"{INGEST}/customers", erp, {"items": CUSTOMERS})


def doc(number, type="sales_out", amount="600.00", day=DAY, **extra) -> dict:
    return {"number": number, "type": type, "date": day, "customer_code": "C001",
            "salesperson": "sales-li", "amount": amount, **extra}


def receipt(number="SK-1", **extra) -> dict:
    """A sale receipt of 940.00 with a 10.00 discount: it settles today's 600.00 and 300.00 of
    an older 400.00 (100.00 from the prepaid balance), and puts 50.00 into 预收."""
    return doc(number, "收款单", extra.pop("amount", "940.00"), **{
        "receipt_kind": "收款", "discount": "10.00", "to_prepaid": "50.00",
        "audit_status": "待审批", "settlements": [
            {"number": "XS-1", "type": "销售出库单", "date": DAY, "amount": "600.00"},
            {"number": "XS-OLD", "type": "sales_out", "date": "2026-10-01", "amount": "400.00",
             "prepaid": "100.00"}], **extra})


async def _settlements(number) -> list[tuple]:
    rows = await ReceiptSettlement.filter(receipt__number=number).order_by("position")
    return [(s.position, s.number, s.doc_type, s.doc_date.isoformat(), str(s.amount),
             str(s.prepaid)) for s in rows]


async def _confirm(model, number) -> None:
    await model.filter(number=number).update(confirmed_at=NOW, confirmed_by="finance")


# ----- documents -------------------------------------------------------------------------------


async def test_documents_carry_the_hand_over_fields_and_a_resend_changes_nothing(client, erp):
    await _base(client, erp)
    rows = [
        doc("XS-1", erp_type="车销单", audit_status="已审批", driver="driver-zhou",
            delivered_on="2026-11-24", reversal="是"),
        receipt(),
        doc("SK-2", "receipt", "300.00", receipt_kind="预收款", discount="5.00"),
    ]
    assert await push(client, erp, "documents", rows) == {
        "created": 3, "updated": 0, "unchanged": 0, "rejected": []}
    sale = await Document.get(number="XS-1").prefetch_related("driver")
    assert (sale.erp_type, sale.audit_status, sale.driver.name, str(sale.delivered_on),
            sale.reversal, sale.receipt_kind) == ("车销单", "approved", "周司机", "2026-11-24",
                                                  True, "")
    paid = await Document.get(number="SK-1")
    assert (paid.receipt_kind, paid.audit_status, str(paid.discount), str(paid.to_prepaid),
            str(paid.owed)) == ("sale", "pending", "10.00", "50.00", "-940.00")
    assert await _settlements("SK-1") == [
        (1, "XS-1", "sales_out", DAY, "600.00", "0.00"),
        (2, "XS-OLD", "sales_out", "2026-10-01", "400.00", "100.00")]
    ahead = await Document.get(number="SK-2")
    assert (ahead.receipt_kind, ahead.audit_status, str(ahead.discount)) == (
        "prepayment", "approved", "5.00")
    assert await push(client, erp, "documents", rows) == {
        "created": 0, "updated": 0, "unchanged": 3, "rejected": []}


async def test_changed_settlements_replace_the_old_ones_as_a_whole(client, erp):
    await _base(client, erp)
    await push(client, erp, "documents", [receipt()])
    version = (await Document.get(number="SK-1")).version
    changed = receipt(amount="540.00", discount="0.00", to_prepaid="0.00", settlements=[
        {"number": "XS-9", "type": "发货单", "date": DAY, "amount": "540.00"}])
    assert (await push(client, erp, "documents", [changed]))["updated"] == 1
    assert await _settlements("SK-1") == [(1, "XS-9", "sales_out", DAY, "540.00", "0.00")]
    assert (await Document.get(number="SK-1")).version == version + 1


async def test_settlements_may_come_as_json_text_as_a_csv_cell_holds_them(client, erp):
    await _base(client, erp)
    text = ('[{"number": "XS-1", "type": "销售出库单", "date": "2026-11-23", "amount": 600},'
            ' {"number": "XS-2", "type": "sales_out", "date": "2026-11-20", "amount": 40.5}]')
    row = doc("SK-1", "收款单", "640.50", settlements=text, discount="")
    assert (await push(client, erp, "documents", [row]))["created"] == 1
    assert [s[1:] for s in await _settlements("SK-1")] == [
        ("XS-1", "sales_out", DAY, "600.00", "0.00"),
        ("XS-2", "sales_out", "2026-11-20", "40.50", "0.00")]


async def test_a_receipt_sent_without_hand_over_figures_is_taken_as_before(client, erp):
    """An ERP that knows nothing of the hand-over keeps pushing its receipts as it did."""
    await _base(client, erp)
    row = doc("SK-1", "receipt", "100.00", owed="-100.00", account="银行存款")
    assert (await push(client, erp, "documents", [row]))["created"] == 1
    stored = await Document.get(number="SK-1")
    assert (stored.receipt_kind, stored.audit_status, str(stored.discount)) == (
        "sale", "approved", "0.00")


async def test_bad_hand_over_fields_are_rejected_row_by_row_with_why(client, erp):
    await _base(client, erp)
    rows = [
        doc("OK-1"),
        doc("BAD-1", driver="nobody", delivered_on=DAY),
        doc("BAD-2", driver="driver-zhou"),
        doc("BAD-3", audit_status="审核中"),
        receipt("BAD-4", amount="900.00"),
        doc("BAD-5", discount="3.00", settlements=[{"number": "X", "type": "sales_out",
                                                    "date": DAY, "amount": "1.00"}]),
        receipt("BAD-6", settlements=[{"type": "sales_out", "date": DAY, "amount": "1.00"}]),
        receipt("BAD-7", settlements="[{not json"),
        receipt("BAD-8", receipt_kind="白条"),
        receipt("BAD-9", settlements=[{"number": "X", "type": "sales_out", "date": DAY,
                                       "amount": "10.00", "prepaid": "20.00"}]),
        doc("BAD-10", reversal="maybe"),
    ]
    result = await push(client, erp, "documents", rows)
    assert result["created"] == 1
    errors = {r["key"]: r["errors"] for r in result["rejected"]}
    assert errors["BAD-1"] == ["driver: 未知司机 'nobody'"]
    assert errors["BAD-2"] == ["delivered_on: 填写司机 (driver) 时必填"]
    assert "未知审核状态" in errors["BAD-3"][0]
    assert errors["BAD-4"] == ["核销金额(不含使用预收) 900.00 + 转入预收 50.00 应等于 收款金额 "
                               "900.00 + 收款优惠 10.00"]
    assert errors["BAD-5"] == ["discount: 只有收款单才有", "settlements: 只有收款单才有"]
    assert errors["BAD-6"] == ["settlements: 第 1 项 number: 必填"]
    assert errors["BAD-7"] == ["settlements: 不是合法的 JSON 数组"]
    assert "未知收款类型" in errors["BAD-8"][0]
    assert "使用预收不能超过核销金额" in " ".join(errors["BAD-9"])
    assert "不是布尔值" in errors["BAD-10"][0]
    assert await Document.all().values_list("number", flat=True) == ["OK-1"]
    assert not await ReceiptSettlement.exists()


async def test_an_atomic_batch_with_a_receipt_that_does_not_add_up_writes_nothing(client, erp):
    await _base(client, erp)
    body = await push(client, erp, "documents", [doc("XS-1"), receipt(amount="1.00")],
                      atomic=True, status=400)
    assert body["error"]["code"] == "batch_rejected"
    assert body["error"]["detail"]["rejected"][0]["key"] == "SK-1"
    assert not await Document.exists() and not await ReceiptSettlement.exists()


async def test_export_columns_of_zero_receipt_figures_on_sales_are_nothing(client, erp):
    await _base(client, erp)
    row = doc("XS-1", discount="0.00", to_prepaid="0", settlements="[]", receipt_kind="")
    assert (await push(client, erp, "documents", [row]))["created"] == 1


# ----- receipts' audit changes and the 交款交账参数 ---------------------------------------------


async def test_without_the_setting_a_confirmed_receipt_cannot_be_voided_or_unaudited(
        client, erp):
    await _base(client, erp)
    await push(client, erp, "documents", [receipt(audit_status="已审批")])
    await _confirm(Document, "SK-1")
    before = await Document.get(number="SK-1").values()
    result = await push(client, erp, "documents", [receipt("SK-1", audit_status="作废")])
    assert result["rejected"] == [{"index": 0, "key": "SK-1", "errors": [
        "audit_status: 收款单 SK-1 已对账确认，不能作废；请财务先取消确认"]}]
    result = await push(client, erp, "documents", [receipt("SK-1", audit_status="待审批")])
    assert "不能反审核" in result["rejected"][0]["errors"][0]
    body = await push(client, erp, "documents", [receipt("SK-1", audit_status="void")],
                      atomic=True, status=400)
    assert body["error"]["code"] == "batch_rejected"
    assert await Document.get(number="SK-1").values() == before
    # Once finance takes the confirmation back, the ERP may void it.
    await Document.filter(number="SK-1").update(confirmed_at=None, confirmed_by="")
    assert (await push(client, erp, "documents", [receipt(audit_status="作废")]))["updated"] == 1


async def test_without_the_setting_auditing_does_not_confirm(client, erp):
    await _base(client, erp)
    await push(client, erp, "documents", [receipt()])
    await push(client, erp, "documents", [receipt(audit_status="已审批")])
    assert (await Document.get(number="SK-1")).confirmed_at is None


async def test_with_the_setting_auditing_confirms_and_voiding_unconfirms(client, erp):
    await _base(client, erp)
    await set_confirm_audits(True, by="finance", now=NOW)
    await push(client, erp, "documents", [receipt()])
    assert (await Document.get(number="SK-1")).confirmed_at is None  # pending: not yet
    await push(client, erp, "documents", [receipt(audit_status="已审批")])
    audited = await Document.get(number="SK-1")
    assert (audited.audit_status, audited.confirmed_at, audited.confirmed_by) == (
        "approved", NOW, ERP_LABEL)
    result = await push(client, erp, "documents", [receipt(audit_status="作废")])
    assert result["updated"] == 1 and result["rejected"] == []
    voided = await Document.get(number="SK-1")
    assert (voided.audit_status, voided.confirmed_at, voided.confirmed_by) == ("void", None, "")
    # A receipt that arrives audited was audited in the ERP: confirmed at once.
    await push(client, erp, "documents", [receipt("SK-2", audit_status="approved")])
    assert (await Document.get(number="SK-2")).confirmed_by == ERP_LABEL


async def test_with_the_setting_unauditing_a_confirmed_receipt_unconfirms_it(client, erp):
    await _base(client, erp)
    await set_confirm_audits(True, by="finance", now=NOW)
    await push(client, erp, "documents", [receipt(audit_status="已审批")])
    await push(client, erp, "documents", [receipt(audit_status="待审批")])
    stored = await Document.get(number="SK-1")
    assert (stored.audit_status, stored.confirmed_at) == ("pending", None)


# ----- a confirmed document that changes -------------------------------------------------------


async def test_a_confirmed_document_whose_figures_change_loses_its_confirmation(client, erp):
    await _base(client, erp)
    await push(client, erp, "documents", [doc("XS-1"), receipt(), doc("XS-2")])
    for number in ("XS-1", "SK-1", "XS-2"):
        await _confirm(Document, number)
    await push(client, erp, "documents", [
        doc("XS-1", amount="601.00"),  # a figure
        receipt(settlements=[  # the settlements, the rest as it was
            {"number": "XS-1", "type": "销售出库单", "date": DAY, "amount": "500.00"},
            {"number": "XS-3", "type": "销售出库单", "date": DAY, "amount": "100.00"},
            {"number": "XS-OLD", "type": "sales_out", "date": "2026-10-01",
             "amount": "400.00", "prepaid": "100.00"}]),
        doc("XS-2", erp_type="销货单")])  # only the ERP's name for it: still confirmed
    confirmed = dict(await Document.all().values_list("number", "confirmed_by"))
    assert confirmed == {"XS-1": "", "SK-1": "", "XS-2": "finance"}
    assert (await Document.get(number="XS-1")).confirmed_at is None


async def test_confirmed_expenses_income_and_exchanges_that_change_are_unconfirmed(
        client, erp):
    await _base(client, erp)
    await push(client, erp, "expenses", [expense("FY-1"), expense("FY-2")])
    await push(client, erp, "other_incomes", [income("QT-1")])
    await push(client, erp, "exchanges", [exchange("DH-1")])
    for model, number in ((Expense, "FY-1"), (Expense, "FY-2"), (OtherIncome, "QT-1"),
                          (Exchange, "DH-1")):
        await _confirm(model, number)
    await push(client, erp, "expenses", [expense("FY-1", paid="20.00"),
                                         expense("FY-2", audit_status="已审批")])
    await push(client, erp, "other_incomes", [income("QT-1", day="2026-11-22")])
    await push(client, erp, "exchanges", [exchange("DH-1", salesperson="sales-wang")])
    assert (await Expense.get(number="FY-1")).confirmed_at is None
    assert (await Expense.get(number="FY-2")).confirmed_by == "finance"  # an audit only
    assert (await OtherIncome.get(number="QT-1")).confirmed_at is None
    assert (await Exchange.get(number="DH-1")).confirmed_at is None


# ----- expenses, other income, exchanges -------------------------------------------------------


def expense(number, **extra) -> dict:
    return {"number": number, "date": DAY, "salesperson": "sales-li",
            "items": [{"type": "差旅", "amount": "80.00"}, {"type": "餐费", "amount": "20.00"}],
            "paid": "60.00", "settled": "30.00", **extra}


def income(number, day=DAY, **extra) -> dict:
    return {"number": number, "date": day, "salesperson": "sales-li", "customer_code": "C001",
            "items": [{"type": "废品", "amount": "30.00"}], **extra}


def exchange(number, **extra) -> dict:
    return {"number": number, "date": DAY, "salesperson": "sales-li", "customer_code": "C002",
            "items": [{"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "兑出"},
                      {"product": "A4纸", "unit": "箱", "quantity": 1, "direction": "in"}],
            **extra}


async def test_expenses_land_with_their_lines_and_columns(client, erp):
    await _base(client, erp)
    rows = [expense("FY-1", customer_code="C001", account="现金", remark="拜访"),
            expense("FY-2", total="100.00", audit_status="已审批")]
    assert (await push(client, erp, "expenses", rows))["created"] == 2
    stored = await Expense.get(number="FY-1").prefetch_related("salesperson", "customer")
    assert (stored.salesperson.name, stored.customer.code, str(stored.total), str(stored.paid),
            str(stored.settled), stored.items, stored.audit_status, stored.source,
            stored.account, stored.remark) == (
        "李业务", "C001", "100.00", "60.00", "30.00",
        [{"type": "差旅", "amount": "80.00"}, {"type": "餐费", "amount": "20.00"}],
        "pending", "erp", "现金", "拜访")
    assert (await Expense.get(number="FY-2")).audit_status == "approved"
    assert (await push(client, erp, "expenses", rows))["unchanged"] == 2


async def test_bad_expenses_are_rejected_with_why(client, erp):
    await _base(client, erp)
    rows = [
        expense("FY-1", total="99.00"),
        expense("FY-2", paid="80.00"),
        expense("FY-3", salesperson="nobody"),
        {"number": "FY-4", "date": DAY},
        expense("FY-5", items=[{"type": "差旅", "amount": "-1.00"}]),
        expense("FY-6", items=[], paid="0", settled="0"),
        expense("FY-7", customer_code="NOPE"),
    ]
    result = await push(client, erp, "expenses", rows)
    errors = {r["key"]: r["errors"] for r in result["rejected"]}
    assert errors["FY-1"] == ["total: 99.00 与明细合计 100.00 不符"]
    assert errors["FY-2"] == ["paid: 支出金额 80.00 + 收款核销金额 30.00 超过总金额 100.00"]
    assert errors["FY-3"] == ["salesperson: 未知业务员 'nobody'"]
    assert errors["FY-4"] == ["salesperson: 必填", "total: 必填（或给出 items 明细）"]
    assert errors["FY-5"] == ["items: 第 1 项 amount: 金额不能为负"]
    assert errors["FY-6"] == ["total: 必填（或给出 items 明细）"]
    assert errors["FY-7"] == ["customer_code: 未知客户 'NOPE'"]
    assert not await Expense.exists()
    body = await push(client, erp, "expenses", [expense("FY-8"), rows[0]], atomic=True,
                      status=400)
    assert body["error"]["code"] == "batch_rejected" and not await Expense.exists()


async def test_other_income_lands_and_its_amount_is_the_sum_of_its_lines(client, erp):
    await _base(client, erp)
    rows = [income("QT-1", account="现金"), income("QT-2", amount="31.00"),
            income("QT-3", items=[], amount="12.00")]
    result = await push(client, erp, "other_incomes", rows)
    assert result["created"] == 2
    assert result["rejected"][0]["errors"] == ["amount: 31.00 与明细合计 30.00 不符"]
    stored = await OtherIncome.get(number="QT-1").prefetch_related("customer")
    assert (str(stored.amount), stored.customer.code, stored.audit_status, stored.account) == (
        "30.00", "C001", "pending", "现金")
    assert str((await OtherIncome.get(number="QT-3")).amount) == "12.00"


async def test_exchanges_land_with_their_goods_and_submission_time(client, erp):
    await _base(client, erp)
    rows = [exchange("DH-1"), exchange("DH-2", submitted_at="2026-11-23 09:15:00",
                                       amount="12.50", audit_status="作废")]
    assert (await push(client, erp, "exchanges", rows))["created"] == 2
    first = await Exchange.get(number="DH-1")
    assert first.items == [
        {"product": "A4纸", "unit": "箱", "quantity": "2", "direction": "out"},
        {"product": "A4纸", "unit": "箱", "quantity": "1", "direction": "in"}]
    assert first.submitted_at == NOW  # the push's time: it did not say
    second = await Exchange.get(number="DH-2")
    assert second.submitted_at == datetime(2026, 11, 23, 9, 15, tzinfo=SHANGHAI)
    assert (str(second.amount), second.audit_status) == ("12.50", "void")
    # Sent again later without a time, the stored time stands: nothing changed.
    assert (await push(client, erp, "exchanges", rows))["unchanged"] == 2


async def test_bad_exchanges_are_rejected_with_why(client, erp):
    await _base(client, erp)
    rows = [
        exchange("DH-1", items=[]),
        exchange("DH-2", items=[{"product": "A4纸", "quantity": "0", "direction": "out"}]),
        exchange("DH-3", items=[{"product": "A4纸", "quantity": "1", "direction": "sideways"}]),
        exchange("DH-4", submitted_at="2026-11-23"),
        {"number": "DH-5", "date": DAY, "salesperson": "sales-li"},
    ]
    result = await push(client, erp, "exchanges", rows)
    errors = {r["key"]: r["errors"] for r in result["rejected"]}
    assert errors["DH-1"] == ["items: 至少要有一项"]
    assert errors["DH-2"] == ["items: 第 1 项 quantity: 数量必须大于 0"]
    assert "out（兑出）或 in（兑入）" in errors["DH-3"][0]
    assert "不是时间" in errors["DH-4"][0]
    assert errors["DH-5"] == ["items: 必填"]
    assert not await Exchange.exists()


async def test_money_of_the_new_kinds_is_decimal_from_json_numbers(client, erp):
    await _base(client, erp)
    raw = ('{"items": [{"number": "QT-1", "date": "2026-11-23", "salesperson": "sales-li",'
           ' "items": [{"type": "废品", "amount": 0.1}, {"type": "废品", "amount": 0.2}]}]}')
    resp = await client.post(f"{INGEST}/other_incomes", data=raw.encode(), headers={
        **erp, "Content-Type": "application/json"})
    assert resp.status == 200, await resp.json()
    assert (await OtherIncome.get(number="QT-1")).amount == Decimal("0.30")

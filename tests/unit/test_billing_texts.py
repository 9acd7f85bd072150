"""What a salesperson reads about products a run could not bill."""

from bot.billing_texts import billing_exceptions_markdown


def _item(reason: str, label: str) -> dict:
    return {"customer": "华东短信", "product_name": "行业短信", "product": "SMS-1",
            "period": "2026-10", "reason": reason, "reason_label": label}


def test_usage_added_after_the_bill_is_not_promised_to_the_next_run():
    _, text = billing_exceptions_markdown({"date": "2026-11-01", "items": [
        _item("no_price", "产品当月没有调价"),
        _item("account_after_bill", "账号在产品出账后才加入，发送量未计费")]})
    no_price, after_bill = [line for line in text.splitlines() if line.startswith("- ")]
    assert no_price.endswith("产品当月没有调价，处理后下次出账时自动补出")
    assert after_bill.endswith("发送量未计费，需人工补开账单")
    assert "下次出账" not in text.split("\n\n")[0]

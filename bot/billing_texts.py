"""DingTalk markdown for billing notices: a salesperson's new billing exceptions of a run."""

from __future__ import annotations

from bot.texts import plain
from domain.billing.assess import ACCOUNT_AFTER_BILL

# What happens next, per reason: most are billed by the next run once fixed; usage of an account
# that joined a product after its bill stays open until finance bills it by hand.
NEXT_STEP = {ACCOUNT_AFTER_BILL: "需人工补开账单"}
RETRIED = "处理后下次出账时自动补出"


def billing_exceptions_markdown(payload: dict) -> tuple[str, str]:
    """(title, text) listing the products that could not be billed and why."""
    items = payload.get("items", [])
    count = payload.get("count", len(items))
    title = f"出账异常 {count} 项"
    lines = [f"### {title}", f"{payload.get('date', '')} 出账时以下产品的发送量未能计费：", ""]
    for item in items:
        lines.append(f"- **{plain(item['customer'], 40)}** {plain(item['product_name'], 40)}"
                     f"（{plain(item['product'], 64)}）"
                     f" {item['period']}：{item['reason_label']}，"
                     f"{NEXT_STEP.get(item.get('reason', ''), RETRIED)}")
    if count > len(items):
        lines.append(f"- ……另有 {count - len(items)} 项，请在后台出账异常中查看")
    return title, "\n".join(lines)

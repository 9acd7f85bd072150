"""DingTalk markdown for billing notices: a salesperson's new billing exceptions of a run."""

from __future__ import annotations

from bot.texts import plain


def billing_exceptions_markdown(payload: dict) -> tuple[str, str]:
    """(title, text) listing the products that could not be billed and why."""
    items = payload.get("items", [])
    count = payload.get("count", len(items))
    title = f"出账异常 {count} 项"
    lines = [f"### {title}", f"{payload.get('date', '')} 月结出账时以下产品未能出账单，"
             "处理后系统会在下次出账时补出：", ""]
    for item in items:
        lines.append(f"- **{plain(item['customer'], 40)}** {plain(item['product_name'], 40)}"
                     f"（{plain(item['product'], 64)}）"
                     f" {item['period']}：{item['reason_label']}")
    if count > len(items):
        lines.append(f"- ……另有 {count - len(items)} 项，请在后台出账异常中查看")
    return title, "\n".join(lines)

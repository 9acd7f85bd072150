"""What the DingTalk bot says when a salesperson asks for a customer's bind QR code."""

from __future__ import annotations

from datetime import datetime

USAGE = "用法：**二维码 <客户名称>**（也可以说：绑定码 <客户名称>），例如：二维码 联想"


def bind_qr_markdown(customer_name: str, code: str, expires_at: datetime,
                     image_url: str) -> tuple[str, str]:
    """(title, markdown): the QR image to forward, the code to type, and until when both work."""
    expiry = f"{expires_at:%Y-%m-%d %H:%M}"
    return f"绑定二维码 {customer_name}", "\n".join([
        f"**{customer_name}** 的微信绑定二维码：",
        "",
        f"![绑定二维码]({image_url})",
        "",
        f"请把二维码图片转发给客户联系人：用微信扫码、关注公众号，即绑定「{customer_name}」，"
        "之后对账单会发到他的微信。",
        f"- 绑定码：**{code}**，客户也可以在公众号里发送「绑定 {code}」",
        "- 二维码和绑定码只能绑定一位联系人；还有其他联系人时，请再发一次本命令",
        f"- 有效期至：{expiry}，过期后请重新发送「二维码 {customer_name}」",
        f"- 图片打不开时：[查看二维码]({image_url})",
    ])

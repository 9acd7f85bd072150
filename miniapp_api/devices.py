"""A short human label of the device behind a User-Agent ("iPhone 微信", "Android 浏览器"):
what staff read beside an answer given through a share link, never the raw header."""

from __future__ import annotations

# First match wins: iPad and Android tablets say "Mobile"-ish things, Windows phones are gone.
_DEVICES = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("HarmonyOS", "鸿蒙"), ("Windows", "Windows 电脑"), ("Macintosh", "Mac 电脑"),
            ("Linux", "Linux 电脑"))
# WeChat Work also says MicroMessenger, so it comes first.
_APPS = (("wxwork", "企业微信"), ("MicroMessenger", "微信"), ("DingTalk", "钉钉"))
BROWSER = "浏览器"
UNKNOWN = "未知设备"


def device_label(user_agent: str) -> str:
    agent = user_agent or ""
    device = next((label for mark, label in _DEVICES if mark in agent), "")
    app = next((label for mark, label in _APPS if mark.lower() in agent.lower()), "")
    if not device and not app:
        return UNKNOWN if not agent.strip() else BROWSER
    return " ".join(part for part in (device, app or BROWSER) if part)

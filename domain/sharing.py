"""Share-link tokens: `nonce.expiry.signature`, HMAC-SHA256 over nonce and expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from domain.statements.errors import SHARE_TOKEN_EXPIRED, SHARE_TOKEN_INVALID


def new_nonce() -> str:
    return secrets.token_hex(12)


def _signature(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_share_token(secret: str, nonce: str, expires_at: datetime) -> str:
    body = f"{nonce}.{int(expires_at.timestamp())}"
    return f"{body}.{_signature(secret, body)}"


def read_share_token(secret: str, token: str, now: datetime) -> str:
    """The nonce of a genuine, unexpired token; 403 for a forged one, 401 for an expired one."""
    parts = token.split(".")
    # compare_digest takes ASCII text only, and int() takes digits other than 0-9
    if len(parts) != 3 or not token.isascii() or not parts[1].isdigit():
        raise SHARE_TOKEN_INVALID("分享链接无效")
    nonce, expiry, signature = parts
    if not hmac.compare_digest(signature, _signature(secret, f"{nonce}.{expiry}")):
        raise SHARE_TOKEN_INVALID("分享链接无效")
    if int(expiry) <= now.timestamp():
        raise SHARE_TOKEN_EXPIRED("分享链接已过期，请联系业务员重新分享")
    return nonce

"""Logging for the service: readable text by default, one JSON object a line when
``TALLY_LOG_FORMAT=json``; every line carries the request id of the work it belongs to, and
no line carries a secret (share tokens, API keys, bearer tokens, signed query values and the
configured secrets are masked, in messages and tracebacks alike)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from domain.request_context import current_request_id
from httpcommon.observe import HEADER, route_of

MASK = "***"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_PATTERNS = (
    # the H5 share page: the path is the token (the route's canonical `/s/{token}` stays)
    (re.compile(r"(/s/)(?![{*])[^/\s?\"'\\]+"), rf"\1{MASK}"),
    (re.compile(r"\btly_[A-Za-z0-9_-]+"), f"tly_{MASK}"),  # back-office API keys
    (re.compile(r"(?i)\b(bearer\s+)[^\s\"']+"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(secret|access_token|ticket|token|sign|signature|code|"
                r"appsecret|password|sessionkey|session_key)=[^&\s\"']+"), rf"\1={MASK}"),
    (re.compile(r"(?i)(://[^:/@\s]+:)[^@\s]+@"), rf"\1{MASK}@"),  # passwords in URLs
)
# Attributes every LogRecord has; anything else on a record came in as `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class Redactor:
    """Masks secrets in text: the patterns above and the configured secret values."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


class RequestIdFilter(logging.Filter):
    """Gives each record the request id of the running request unless it brought its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id() or "-"
        return True


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, the record's extra
    fields, and the traceback as ``exc``."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        entry |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return self._redact(json.dumps(entry, ensure_ascii=False, default=str))


# Libraries whose debug lines carry query parameters or frames (bind codes, share nonces,
# session keys): never below INFO, whatever the level.
CHATTY_LIBRARIES = ("tortoise", "aiosqlite", "asyncpg", "urllib3", "websockets")
SECRET_SETTINGS = ("secret_key", "wechat_secret", "mp_secret", "wechat_callback_token",
                   "wechat_aes_key", "dingtalk_client_secret", "dingtalk_group_secret")


def configure_for(settings) -> logging.Handler:
    """``configure_logging`` as the settings say, masking every configured secret."""
    return configure_logging(settings.log_format, settings.log_level,
                             [getattr(settings, name) for name in SECRET_SETTINGS])


class _TallyHandler(logging.StreamHandler):
    """The handler ``configure_logging`` installs (and replaces when called again)."""


def configure_logging(log_format: str = "text", level: str = "INFO",
                      secrets: Iterable[str] = (), stream=None) -> logging.Handler:
    """Send every log line to ``stream`` (stderr) in ``log_format`` ('text' or 'json'),
    secrets masked; returns the handler."""
    redact = Redactor(secrets)
    handler = _TallyHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter(redact) if log_format == "json" else TextFormatter(redact))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _TallyHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(max(root.level, logging.INFO))
    return handler


class AccessLogger(AbstractAccessLogger):
    """One line per request: method, path with tokens masked, status, size, milliseconds; the
    request id and the route as fields."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        path = Redactor()(request.path)
        self.logger.info(
            "%s %s %s %sB %.1fms", request.method, path, response.status,
            response.body_length, time * 1000,
            extra={"request_id": response.headers.get(HEADER, "-"), "method": request.method,
                   "path": path, "route": route_of(request), "status": response.status,
                   "duration_ms": round(time * 1000, 1), "remote": request.remote},
        )

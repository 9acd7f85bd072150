"""What `tally serve` checks before it serves: no demo credentials outside the sandbox, a free
port (taken at once), a reachable and migrated database. Each refusal is a `StartupError`, one
line saying why."""

from __future__ import annotations

import errno
import json
import socket
import urllib.error
import urllib.request
from dataclasses import fields
from urllib.parse import urlsplit, urlunsplit

from tally import db
from tally.settings import PREFIX, Settings

# The settings whose defaults are public demo values: anyone could forge WeChat callbacks or
# act as the app with them, so only the sandbox may run with them (or with them empty).
DEMO_CREDENTIALS = (
    "wechat_callback_token", "wechat_appid", "wechat_secret", "mp_appid", "mp_secret",
    "dingtalk_client_id", "dingtalk_client_secret", "dingtalk_robot_code", "dingtalk_corp_id",
)

# A seller without a mini-program leaves both empty (notices then carry the link alone);
# one without the other cannot work.
MINI_PROGRAM = ("mp_appid", "mp_secret")


class StartupError(Exception):
    """The service cannot work as configured; the message is the one line to print."""


def refuse_demo_credentials(settings: Settings) -> None:
    """Outside the sandbox every credential must be set, and not to its public demo value."""
    defaults = {f.name: f.default for f in fields(Settings)}
    no_mini_program = not any(getattr(settings, name) for name in MINI_PROGRAM)
    demo = [f"{PREFIX}{name.upper()}" for name in DEMO_CREDENTIALS
            if getattr(settings, name) in ("", defaults[name])
            and not (no_mini_program and name in MINI_PROGRAM)]
    if demo:
        raise StartupError(
            f"refusing to start outside sandbox mode with demo or empty credentials: "
            f"{', '.join(demo)} (set the real ones, or run `tally serve --sandbox`)")


def refuse_demo_card_templates(settings: Settings) -> None:
    """Outside the sandbox every card kind needs the seller's own template: the demo ids exist
    only in the fake DingTalk, so every card would be refused."""
    from bot.card_templates import DEFAULTS, load_card_templates

    templates = load_card_templates(settings.dingtalk_card_templates)
    demo = sorted(kind for kind, template in templates.items()
                  if template.template_id == DEFAULTS[kind]["template_id"])
    if demo:
        raise StartupError(
            f"refusing to start outside sandbox mode with the demo card templates of "
            f"{', '.join(demo)}: set TALLY_DINGTALK_CARD_TEMPLATES (docs/production.md §10)")


def refuse_missing_pdf_font(settings: Settings) -> None:
    """The PDFs embed a CJK font file: without it every PDF download would fail."""
    from domain.printing import PdfFontMissing, check_font, font_file

    try:
        check_font(font_file(settings.pdf_font))
    except PdfFontMissing as exc:
        raise StartupError(str(exc)) from None


def claim_port(host: str, port: int) -> socket.socket:
    """The listening socket the service will serve on, taken before anything changes, so a
    second start (a second `make run`) is told at once and leaves the running one alone."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno != errno.EADDRINUSE:
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        raise StartupError(_busy(host, port)) from None
    return sock


def _busy(host: str, port: int) -> str:
    if _answers_like_tally(host, port):
        return (f"Tally is already running at http://{host}:{port} — nothing started, and its "
                f"API key still works; stop it first, or set TALLY_PORT to run another")
    return (f"port {port} on {host} is already in use (by another program, or a Tally still "
            f"starting); stop it or set TALLY_PORT")


def _answers_like_tally(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2) as response:
            return json.loads(response.read()).get("status") == "ok"
    except (OSError, ValueError, AttributeError):
        return False


async def refuse_unready_database(settings: Settings) -> None:
    """The database must answer and have every migration applied."""
    where = mask_password(settings.database_url)
    try:
        pending = await db.pending_migrations(settings)
    except db.DatabaseUnreachable as exc:
        raise StartupError(f"cannot reach the database {where}: {exc}") from None
    if pending:
        raise StartupError(
            f"the database {where} lacks {len(pending)} migration(s) (from {pending[0]}): "
            f"run `tally migrate` first, or start with `tally serve --migrate`")


def mask_password(url: str) -> str:
    """The URL with its password, if any, replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))

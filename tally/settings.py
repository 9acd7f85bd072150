"""Settings from `TALLY_*` environment variables: typed and checked when a command starts (pydantic
validates the dataclass below), never read at import. A misspelt name or a value that cannot work
is a `SettingsError`: one line naming the variable.

To add a setting, add a field at the end of `Settings`; its type is checked from the annotation, and
a value with rules of its own gets an `Annotated[..., _check(parser)]` type."""

from __future__ import annotations

import difflib
import functools
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, TypeAdapter, ValidationError

from domain.errors import DomainError

PREFIX = "TALLY_"
NOT_SETTINGS = ("TALLY_TEST_",)  # the test suite's own variables, never read by the service


class SettingsError(Exception):
    """A setting that cannot work, said in one line naming its variable."""


def _check(parse: Callable[[str], object]) -> AfterValidator:
    """A validator that runs ``parse`` on the text and keeps the text; its error is the reason."""

    def check(value: str) -> str:
        try:
            parse(value)
        except DomainError as exc:
            raise ValueError(exc.message) from None
        except (ValueError, ArithmeticError) as exc:
            raise ValueError(str(exc) or type(exc).__name__) from None
        return value

    return AfterValidator(check)


def _cron(spec: str) -> None:
    from cronsim import CronSim, CronSimError

    try:
        CronSim(spec, datetime.now(UTC))
    except CronSimError as exc:
        raise ValueError(f"not a cron expression ({exc})") from None


def _job_crons(text: str) -> None:
    from jobs.schedule import parse_job_crons

    for spec in parse_job_crons(text).values():
        _cron(spec)


def _timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found, a malformed key, a directory
        raise ValueError("not a known time zone (e.g. Asia/Shanghai)") from None


def _database_url(url: str) -> None:
    if not url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ValueError("must start with sqlite:// or postgres://")


def _reminder_days(text: str) -> None:
    from domain.credit.reminders import ReminderPolicy

    ReminderPolicy.parse(text, 1)


def _approval_flows(text: str) -> None:
    from domain.approvals.flows import flows_with_overrides

    flows_with_overrides(text)


def _wechat_templates(text: str) -> None:
    from bot.templates import load_templates

    load_templates(text)


def _dingtalk_roles(text: str) -> None:
    from domain.org.rules import parse_role_map

    parse_role_map(text)
def _card_templates(text: str) -> None:
    from bot.card_templates import load_card_templates

    load_card_templates(text)


def _rate(text: str) -> None:
    from domain.payments.rules import parse_rate

    parse_rate(text)


def _share(text: str) -> None:
    from domain.tiers.rules import parse_threshold

    parse_threshold(text)


def _mp_env_version(text: str) -> None:
    if text not in ("release", "trial", "develop"):
        raise ValueError("must be release, trial or develop")
def _pdf_font(path: str) -> None:
    from domain.printing import PdfFontMissing, check_font

    try:
        check_font(path)
    except PdfFontMissing as exc:
        raise ValueError(str(exc)) from None


Port = Annotated[int, Field(ge=1, le=65535)]
Positive = Annotated[int, Field(gt=0)]
DatabaseUrl = Annotated[str, _check(_database_url)]
TimeZone = Annotated[str, _check(_timezone)]
def _webhook_url(url: str) -> None:
    if url and not url.startswith(("https://", "http://")):
        raise ValueError("must be an http(s):// URL (or empty: no webhook)")


WebhookUrl = Annotated[str, _check(_webhook_url)]


def _base_url(url: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise ValueError("must be an http(s):// URL")


def _corp_id(text: str) -> None:
    if not text.strip() or any(c.isspace() for c in text):
        raise ValueError("must be the org's CorpId (no spaces), e.g. ding1a2b3c4d5e6f")


BaseUrl = Annotated[str, _check(_base_url)]
CorpId = Annotated[str, _check(_corp_id)]
Cron = Annotated[str, _check(_cron)]
JobCrons = Annotated[str, _check(_job_crons)]
ReminderDays = Annotated[str, _check(_reminder_days)]
ApprovalFlows = Annotated[str, _check(_approval_flows)]
WeChatTemplates = Annotated[str, _check(_wechat_templates)]
CardTemplates = Annotated[str, _check(_card_templates)]
Rate = Annotated[str, _check(_rate)]
Share = Annotated[str, _check(_share)]
MpEnvVersion = Annotated[str, _check(_mp_env_version)]
DingTalkRoles = Annotated[str, _check(_dingtalk_roles)]
PdfFont = Annotated[str, _check(_pdf_font)]


@dataclass(frozen=True)
class Settings:
    database_url: DatabaseUrl = "sqlite://data/tally.sqlite3"
    host: str = "127.0.0.1"
    port: Port = 8080
    public_base_url: str = "http://127.0.0.1:8080"
    secret_key: str = ""
    share_ttl_days: Positive = 30
    mp_session_ttl_hours: Positive = 72
    bind_code_ttl_hours: Positive = 72
    timezone: TimeZone = "Asia/Shanghai"
    sandbox: bool = False
    wechat_api_base: str = "https://api.weixin.qq.com/"
    wechat_appid: str = "wx-demo-official"
    wechat_secret: str = "demo-official-secret"
    mp_appid: str = "wx-demo-miniapp"  # empty: no mini-program (notices carry the link alone)
    mp_secret: str = "demo-miniapp-secret"
    mp_statement_page: str = "pages/statement/index"
    data_dir: str = "data"
    wechat_callback_token: str = "demo-callback-token"
    wechat_aes_key: str = ""
    wechat_templates: WeChatTemplates = ""
    dingtalk_client_id: str = "ding-demo-app"
    dingtalk_client_secret: str = "demo-dingtalk-secret"
    dingtalk_robot_code: str = "ding-demo-app"
    dingtalk_openapi_base: str = "https://api.dingtalk.com"
    dingtalk_group_webhook: str = ""
    dingtalk_group_secret: str = ""
    dingtalk_stream: bool = True
    delivery_max_attempts: Positive = 8
    delivery_backoff_seconds: int = 30
    delivery_lease_seconds: int = 120
    delivery_batch_size: Positive = 200
    delivery_concurrency: Positive = 32
    delivery_rate_wechat: Positive = 200
    delivery_rate_dingtalk: Positive = 20
    delivery_worker: bool = True
    wechat_threads: Positive = 8
    # credit (seed 002): reminders and approvals
    reminder_before_days: ReminderDays = "7,1"  # days before the due date, comma-separated
    reminder_overdue_every_days: Positive = 7
    reminder_cron: Cron = "0 9 * * *"  # daily, in the service's timezone
    approval_remind_after_hours: int = 24
    approval_flows: ApprovalFlows = ""  # JSON overriding the default approval flow definitions
    repayment_auto_allocate: bool = True  # credit receipts pay debts oldest due first at once
    jobs_enabled: bool = True  # run the scheduled jobs inside the service
    # month-end billing, payments pool and tiers (seed 004)
    penalty_monthly_rate: Rate = "0.005"  # penalty interest per started overdue month (0.5%)
    auto_write_off: bool = True  # write matched pool payments off against bills at import
    tier_profile_threshold: Share = "0.6"  # share of profile fields filled for silent -> intent
    # daily hand-over (seed 001): who gets the finance card listing unconfirmed hand-overs
    handover_finance_role: str = "财务"  # a StaffRole name
    # health, metrics, logs (issue 12)
    log_format: str = "text"  # "text" (readable) or "json" (one object a line)
    log_level: str = "INFO"
    ready_outbox_stuck_minutes: int = 15  # /readyz fails when a due pending row waits longer
    extra: dict = field(default_factory=dict)
    # abuse and least privilege (issue 12): tries per client address per minute (0: no limit),
    # in each process; and how long housekeeping keeps records
    rate_limit_mp_login: int = 30  # mini-program logins
    rate_limit_mp_bind: int = 10  # bind-code tries
    rate_limit_share_open: int = 120  # share-link requests (page, answer, QR codes, PDF)
    rate_limit_bad_api_key: int = 10  # wrong back-office API keys
    trusted_proxies: str = ""  # comma-separated IPs / CIDRs whose X-Forwarded-For is believed
    idempotency_retention_days: int = 7  # Idempotency-Key records
    inbound_retention_days: int = 30  # handled WeChat / DingTalk message ids
    job_run_retention_days: int = 400  # job-run records (each job's latest run is kept)
    # a job's own cron, overriding reminder_cron: "month-end=0 2 * * *; prune=30 3 * * *"
    job_crons: JobCrons = ""
    # bind QR codes (issue 14): the mini-program page a bind code opens (its scene is the code;
    # an empty TALLY_MP_APPID means no mini-program) and which version of the app it opens
    mp_bind_page: str = "pages/bind/index"
    mp_code_env_version: MpEnvVersion = "release"  # release, trial or develop
    # DingTalk org sync (issue 14): staff, departments, heads and roles from DingTalk's contacts
    # (the old oapi host), daily (the org-sync job) and by `tally sync dingtalk`
    dingtalk_org_sync: bool = False  # off: staff come from `tally import staff` only
    dingtalk_oapi_base: str = "https://oapi.dingtalk.com"
    dingtalk_roles: DingTalkRoles = ""  # "DingTalk role=Tally role; …" beyond same-named roles

    @property
    def mini_program(self) -> bool:
        """A mini-program is configured: its appid is set (the sandbox's is the fake's)."""
        return bool(self.mp_appid.strip())
    # DingTalk card platform (issue 14): template per card kind (JSON, see bot.card_templates),
    # and how long an approval page link in a card or 待办 stays valid
    dingtalk_card_templates: CardTemplates = ""
    approval_link_ttl_hours: Positive = 168
    # the workbench (issue 15): how long a sign-in lasts from when it was made
    workbench_session_hours: Positive = 12
    # PDFs (issue 14): the TrueType font embedded in the statement and day-report PDFs; empty:
    # fonts-wqy-microhei's file (scripts/system-deps.sh installs it; `tally serve` checks it)
    pdf_font: PdfFont = ""
    # events out to the ERP (domain.events): a signed webhook (none when the URL is empty) and
    # how long the pull feed keeps events
    erp_webhook_url: WebhookUrl = ""
    erp_webhook_secret: str = ""  # the HMAC-SHA256 key of X-Tally-Signature
    erp_webhook_timeout_seconds: Positive = 10
    event_retention_days: Positive = 90
    # workbench sign-in through DingTalk (issue 15): the org's CorpId, which 免登 inside the
    # DingTalk app asks an auth code for (the fake's outside production), and the host of
    # DingTalk's OAuth page that QR login in a browser goes to
    dingtalk_corp_id: CorpId = "ding-fake-corp"
    dingtalk_login_base: BaseUrl = "https://login.dingtalk.com"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings of the `TALLY_*` variables, checked: SettingsError if one cannot work."""
        env = os.environ if env is None else env
        _refuse_unknown_names(env)
        values = {name: env[variable] for name, variable in _variables().items()
                  if variable in env}
        try:
            settings = _validator().validate_python(values)
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None
        _check_webhook(settings)
        return _with_secret_key(settings)

    def webhook_endpoints(self) -> dict[str, tuple[str, str]]:
        """The ERP webhook endpoints by name: (url, secret); none when no URL is set."""
        if not self.erp_webhook_url:
            return {}
        return {"erp": (self.erp_webhook_url, self.erp_webhook_secret)}


def _check_webhook(settings: Settings) -> None:
    """A webhook is signed: its URL without a secret cannot work."""
    if settings.erp_webhook_url and not settings.erp_webhook_secret:
        raise SettingsError("TALLY_ERP_WEBHOOK_SECRET is not set: the ERP webhook "
                            "(TALLY_ERP_WEBHOOK_URL) is signed with it; set both or neither")


def _variables() -> dict[str, str]:
    """Each setting's field name and its environment variable."""
    return {f.name: f"{PREFIX}{f.name.upper()}" for f in fields(Settings) if f.name != "extra"}


@functools.cache
def _validator() -> TypeAdapter[Settings]:
    return TypeAdapter(Settings)


def _refuse_unknown_names(env: Mapping[str, str]) -> None:
    known = set(_variables().values())
    unknown = sorted(name for name in env if name.startswith(PREFIX) and name not in known
                     and not name.startswith(NOT_SETTINGS))
    if unknown:
        hints = [_with_hint(name, known) for name in unknown]
        raise SettingsError(f"unknown setting {', '.join(hints)}: not a Tally variable "
                            "(see the README's Configuration)")


def _with_hint(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"{name} (did you mean {close[0]}?)" if close else name


SECRET_WORDS = ("secret", "token", "key", "database_url", "webhook")


def _explain(exc: ValidationError) -> str:
    """One line: each bad variable, its value (unless secret) and why it cannot work."""
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0])
        variable = f"{PREFIX}{name.upper()}"
        shown = "" if any(w in name for w in SECRET_WORDS) else f"={error['input']!r}"
        reason = error["msg"].removeprefix("Value error, ")
        parts.append(f"{variable}{shown}: {reason}")
    return "bad setting " + "; ".join(parts)


def is_postgres(settings: Settings) -> bool:
    return settings.database_url.startswith(("postgres://", "postgresql://"))


def _with_secret_key(settings: Settings) -> Settings:
    """A per-installation key in the data directory for SQLite (demo links survive restarts);
    on PostgreSQL replicas must share one, so it has to be set."""
    if settings.secret_key:
        return settings
    if is_postgres(settings):
        raise SettingsError(
            "TALLY_SECRET_KEY is not set: on PostgreSQL every replica must share one secret "
            "(share links made on one are refused by another); set it, e.g. to the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return replace(settings, secret_key=_demo_secret(Path(settings.data_dir)))


def _demo_secret(data_dir: Path) -> str:
    """A per-installation secret kept in the data directory, so demo links survive restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()

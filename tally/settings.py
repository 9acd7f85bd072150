"""Settings from `TALLY_*` environment variables, read when the app is built, never at import."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://data/tally.sqlite3"
    host: str = "127.0.0.1"
    port: int = 8080
    public_base_url: str = "http://127.0.0.1:8080"
    secret_key: str = ""
    share_ttl_days: int = 30
    mp_session_ttl_hours: int = 72
    bind_code_ttl_hours: int = 72
    timezone: str = "Asia/Shanghai"
    sandbox: bool = False
    wechat_api_base: str = "https://api.weixin.qq.com/"
    wechat_appid: str = "wx-demo-official"
    wechat_secret: str = "demo-official-secret"
    mp_appid: str = "wx-demo-miniapp"
    mp_secret: str = "demo-miniapp-secret"
    mp_statement_page: str = "pages/statement/index"
    data_dir: str = "data"
    wechat_callback_token: str = "demo-callback-token"
    wechat_aes_key: str = ""
    wechat_templates: str = ""
    dingtalk_client_id: str = "ding-demo-app"
    dingtalk_client_secret: str = "demo-dingtalk-secret"
    dingtalk_robot_code: str = "ding-demo-app"
    dingtalk_openapi_base: str = "https://api.dingtalk.com"
    dingtalk_group_webhook: str = ""
    dingtalk_group_secret: str = ""
    dingtalk_stream: bool = True
    delivery_max_attempts: int = 8
    delivery_backoff_seconds: int = 30
    delivery_lease_seconds: int = 120
    delivery_batch_size: int = 200
    delivery_concurrency: int = 32
    delivery_rate_wechat: int = 200
    delivery_rate_dingtalk: int = 20
    delivery_worker: bool = True
    wechat_threads: int = 8
    # credit (seed 002): reminders and approvals
    reminder_before_days: str = "7,1"  # days before the due date, comma-separated
    reminder_overdue_every_days: int = 7
    reminder_cron: str = "0 9 * * *"  # daily, in the service's timezone
    approval_remind_after_hours: int = 24
    approval_flows: str = ""  # JSON overriding the default approval flow definitions
    repayment_auto_allocate: bool = True  # payments pay debts oldest due first at once
    jobs_enabled: bool = True  # run the scheduled jobs inside the service
    # month-end billing, payments pool and tiers (seed 004)
    penalty_monthly_rate: str = "0.005"  # penalty interest per started overdue month (0.5%)
    auto_write_off: bool = True  # write matched pool payments off against bills at import
    tier_profile_threshold: str = "0.6"  # share of profile fields filled for silent -> intent
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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        base = cls()
        values = {}
        for name, default in base.__dict__.items():
            raw = env.get(f"TALLY_{name.upper()}")
            if raw is None or name == "extra":
                continue
            values[name] = _coerce(raw, default)
        settings = replace(base, **values)
        if not settings.secret_key:
            settings = replace(settings, secret_key=_demo_secret(Path(settings.data_dir)))
        return settings


def _coerce(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def _demo_secret(data_dir: Path) -> str:
    """A per-installation secret kept in the data directory, so demo links survive restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()

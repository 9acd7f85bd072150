"""The `tally` command: serve, migrate, demo data, API keys and file imports."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from domain.progress import QUIET
from jobs.progress import Bar
from tally import db
from tally.sandbox import add_sandbox_command, start_fakes
from tally.settings import Settings, SettingsError
from tally.startup import (
    StartupError,
    claim_port,
    mask_password,
    refuse_demo_card_templates,
    refuse_demo_credentials,
    refuse_missing_pdf_font,
    refuse_unready_database,
)


def _now(settings: Settings) -> datetime:
    return datetime.now(ZoneInfo(settings.timezone))


async def _with_orm(settings: Settings, work: Callable[[], Awaitable]):
    """The domain composed for one command: registries filled, the store open around ``work``."""
    from tally.registries import build_registries, configure_events

    build_registries()
    configure_events(settings)
    await db.init_orm(settings)
    try:
        return await work()
    finally:
        await db.close_orm()


def cmd_migrate(settings: Settings, args) -> int:
    _migrate(settings)
    return 0


def _migrate(settings: Settings) -> None:
    where = mask_password(settings.database_url)
    try:
        asyncio.run(db.migrate(settings))
    except db.DatabaseUnreachable as exc:
        raise StartupError(f"cannot reach the database {where}: {exc}") from None
    print(f"migrations applied to {where}")


def cmd_demo(settings: Settings, args) -> int:
    _load_demo(settings)
    return 0


def _load_demo(settings: Settings) -> None:
    """Load the demo rows, mint a fresh demo admin key (revoking the last) and say how to play."""
    from domain.statements.service import ShareSettings
    from tally.demo import load_demo

    share = ShareSettings.of(settings)
    info = asyncio.run(_with_orm(settings, lambda: load_demo(share, _now(settings))))
    print("demo data loaded")
    print(f"  back-office API key (admin): {info['api_key']}")
    print(f"  demo statement share link:   {info['share_url']}")
    print(f"  play the customer:    .venv/bin/tally sandbox wechat {info['openid']} 对账单")
    print("  play the salesperson: .venv/bin/tally sandbox ding sales-li 客户 联想")
    print(f"  the workbench:        {settings.public_base_url}/workbench/ (sandbox: 钉钉扫码登录 "
          f"opens the fake DingTalk's page, where you pick who scans)")
    day = info["handover_day"]
    print(f"  李业务's hand-over day:  GET /api/backoffice/v1/handover/days/sales-li/{day}; "
          f"in DingTalk: .venv/bin/tally sandbox ding sales-li 交账 {day}")


def cmd_apikey(settings: Settings, args) -> int:
    from domain.apikeys import create_api_key

    async def work():
        return await create_api_key(args.name, args.role, args.staff_id)

    record, key = asyncio.run(_with_orm(settings, work))
    print(f"{record.role} key #{record.id} ({record.name}): {key}")
    return 0


def cmd_workbench_user(settings: Settings, args) -> int:
    """Set a workbench password login; the password comes from stdin (never argv or a log)."""
    from domain.errors import DomainError
    from domain.signin import set_password_login

    password = (sys.stdin.readline() if args.password_stdin
                else getpass.getpass(f"password for {args.login}: ")).rstrip("\n")

    async def work():
        return await set_password_login(args.login, args.name or args.login, args.role,
                                        password, args.staff)

    try:
        record = asyncio.run(_with_orm(settings, work))
    except DomainError as exc:
        print(f"tally: {exc.message}", file=sys.stderr)
        return 1
    print(f"workbench login {record.login} ({record.role}) set; sign in at "
          f"{settings.public_base_url}/workbench/login")
    return 0


def cmd_import(settings: Settings, args) -> int:
    from domain.ingest import INGESTERS
    from tally.imports import ImportFileError, read_rows

    try:
        rows = read_rows(args.file, args.kind)
    except (ImportFileError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    async def work():
        if args.kind == "usage":  # month-end billing's usage: always all or nothing
            from domain.billing.usage import ingest_usage
            return await ingest_usage(rows, now=_now(settings))
        if args.kind == "payments":  # finance's received payments, into the payments pool
            from domain.payments.pool import import_payments
            return await import_payments(rows, atomic=args.atomic, actor="cli",
                                         auto_write_off=settings.auto_write_off,
                                         now=_now(settings))
        return await INGESTERS[args.kind](rows, atomic=args.atomic, now=_now(settings),
                                          by="cli")

    from domain.errors import DomainError

    try:
        result = asyncio.run(_with_orm(settings, work))
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        _print_rejections(rows, exc.detail.get("rejected", []))
        _print_closed(rows, exc.detail.get("rows", []))
        return 1
    print(f"created {result.created}, updated {getattr(result, 'updated', 0)}, "
          f"unchanged {result.unchanged}, "
          f"rejected {len(result.rejected)}")
    _print_rejections(rows, [r.__dict__ for r in result.rejected])
    return 1 if result.rejected else 0


def _print_rejections(rows: list[dict], rejected: list[dict]) -> None:
    for item in rejected:
        line = rows[item["index"]].get("_line", item["index"] + 1)
        print(f"  line {line} ({item['key']}): {'; '.join(item['errors'])}", file=sys.stderr)


def _print_closed(rows: list[dict], refused: list[dict]) -> None:
    """The rows a closed day refused (day close, 423), by their line in the file."""
    for item in refused:
        line = rows[item["index"]].get("_line", item["index"] + 1)
        print(f"  line {line} ({item['number']}): {item['staff']} {item['day']} 已关账",
              file=sys.stderr)


def cmd_jobs_run(settings: Settings, args) -> int:
    """`tally jobs run JOB [--date D] [--force]`: one date of a daily job, recorded in job_run."""
    from domain.errors import DomainError
    from jobs.schedule import run_job

    try:
        day = date.fromisoformat(args.date) if args.date else _now(settings).date()
    except ValueError:
        print(f"error: --date must be YYYY-MM-DD, not {args.date!r}", file=sys.stderr)
        return 2
    bar = Bar() if args.progress else QUIET
    started = time.monotonic()
    try:
        outcome = asyncio.run(_with_orm(settings, lambda: run_job(
            settings, args.job, day, lambda: _now(settings), force=args.force, progress=bar)))
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    finally:
        bar.close()
    print(job_summary(outcome, time.monotonic() - started))
    return 1 if outcome.status == "failed" else 0


def job_summary(outcome, seconds: float) -> str:
    """`reminders 2026-11-23: finished in 1.2 s` and the counts, one per line."""
    head = f"{outcome.job} {outcome.run_date}: {outcome.status} in {seconds:.1f} s"
    if outcome.reason:
        head += f" ({outcome.reason}; --force to run it again)"
    lines = [head]
    if outcome.error:
        lines.append(f"  error: {outcome.error}")
    for name, value in outcome.counts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        lines.append(f"  {name}: {value}")
    return "\n".join(lines)


def cmd_sync(settings: Settings, args) -> int:
    """`tally sync dingtalk`: staff, departments, heads and roles from DingTalk's contacts now."""
    from bot.dingtalk_api import DingTalkError
    from domain.errors import DomainError
    from jobs.org_sync import sync_from_dingtalk

    try:
        summary = asyncio.run(_with_orm(settings, lambda: sync_from_dingtalk(settings)))
    except DingTalkError as exc:
        print(f"error: 钉钉通讯录读取失败，未做任何改动：{exc.message} (code {exc.code})",
              file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"synced from DingTalk ({settings.dingtalk_oapi_base}): {summary.text()}")
    return 0


def cmd_deliver(settings: Settings, args) -> int:
    """`tally deliver [--once | --until-empty] [--limit N]` (see jobs.deliver_cli)."""
    from tally.logs import configure_for

    configure_for(settings)
    stats = asyncio.run(deliver(settings, once=args.once, until_empty=args.until_empty,
                                limit=args.limit))
    if stats is not None:
        print(f"claimed {stats.claimed}, sent {stats.sent}, retried {stats.retried}, "
              f"dead {stats.dead}, alerts {stats.alerts}")
    return 0


async def deliver(settings: Settings, *, once: bool = False, until_empty: bool = False,
                  limit: int | None = None):
    """The dispatcher against the configured store and providers; its stats unless forever."""
    from bot.senders import open_senders
    from jobs.deliver_cli import drain
    from jobs.dispatcher import Dispatcher
    from tally.app import wechat_gateway

    async def work():
        gateway = wechat_gateway(settings)
        try:
            async with open_senders(settings, gateway) as senders:
                dispatcher = Dispatcher(senders, settings, lambda: _now(settings))
                return await drain(dispatcher, once=once, until_empty=until_empty,
                                   limit=limit)
        finally:
            await gateway.close()

    return await _with_orm(settings, work)


def cmd_followers(settings: Settings, args) -> int:
    """Ask WeChat about official-account followers whose unionid Tally does not know."""
    from bot.wechat_followers import refresh_followers
    from tally.app import wechat_gateway

    async def work():
        gateway = wechat_gateway(settings)
        try:
            return await refresh_followers(gateway, lambda: _now(settings))
        finally:
            await gateway.close()

    counts = asyncio.run(_with_orm(settings, work))
    print(f"followers: {counts.following} following, {counts.gone} gone, "
          f"{counts.unknown} unknown to WeChat")
    return 0


def cmd_serve(settings: Settings, args) -> int:
    from tally.app import create_app
    from tally.logs import AccessLogger, configure_for

    sandbox = args.sandbox or settings.sandbox
    if not sandbox:
        refuse_demo_credentials(settings)
        refuse_demo_card_templates(settings)
    refuse_missing_pdf_font(settings)
    sock = claim_port(settings.host, settings.port)
    try:
        _prepare_database(settings, args)
    except BaseException:
        sock.close()
        raise
    configure_for(settings)
    fakes = None
    if sandbox:
        settings, fakes = start_fakes(settings)
        print(f"sandbox: fake WeChat at {settings.wechat_api_base}, "
              f"fake DingTalk at {settings.dingtalk_openapi_base}; try `tally sandbox --help`")
    try:
        web.run_app(create_app(settings, sandbox=fakes), sock=sock,
                    access_log=None if args.quiet else logging.getLogger("aiohttp.access"),
                    access_log_class=AccessLogger)
    finally:
        if fakes is not None:
            fakes.stop()
    return 0


def _prepare_database(settings: Settings, args) -> None:
    """Migrated (with --migrate) or refused unless it answers and is migrated; the demo rows
    and a fresh demo key with --demo."""
    if args.migrate:
        _migrate(settings)
    else:
        asyncio.run(refuse_unready_database(settings))
    if args.demo:
        _load_demo(settings)


def build_parser() -> argparse.ArgumentParser:
    from jobs.deliver_cli import add_deliver_command
    from jobs.schedule import DAILY_JOBS

    parser = argparse.ArgumentParser(prog="tally", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--sandbox", action="store_true", help="use the local WeChat stand-in")
    serve.add_argument("--quiet", action="store_true", help="no access log")
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.add_argument("--demo", action="store_true",
                       help="load the demo data and mint its admin key first (make run)")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="demo data")
    demo.add_argument("action", choices=["load"])
    demo.set_defaults(func=cmd_demo)
    key = sub.add_parser("apikey", help="create a back-office API key")
    key.add_argument("action", choices=["create"])
    key.add_argument("--name", required=True)
    key.add_argument("--role", required=True, choices=["admin", "finance", "sales", "erp"])
    key.add_argument("--staff-id", type=int)
    key.set_defaults(func=cmd_apikey)
    user = sub.add_parser("workbench-user",
                          help="set a workbench password login (for people not on DingTalk)")
    user.add_argument("login")
    user.add_argument("--name", help="the name the workbench shows (default: the login)")
    user.add_argument("--role", required=True, choices=["admin", "finance", "sales"])
    user.add_argument("--staff", help="the DingTalk user id of the staff member it belongs to")
    user.add_argument("--password-stdin", action="store_true",
                      help="read the password from stdin instead of prompting")
    user.set_defaults(func=cmd_workbench_user)
    imp = sub.add_parser("import", help="import a CSV or XLSX file")
    imp.add_argument("kind", choices=["staff", "customers", "contacts", "documents", "expenses",
                                         "other_incomes", "exchanges", "usage", "payments"])
    imp.add_argument("file")
    imp.add_argument("--atomic", action="store_true", help="any bad row: import nothing")
    imp.set_defaults(func=cmd_import)
    jobs = sub.add_parser("jobs", help="run a daily job for a date")
    jobs.add_argument("action", choices=["run"])
    jobs.add_argument("job", choices=list(DAILY_JOBS))
    jobs.add_argument("--date", help="business date YYYY-MM-DD (default today)")
    jobs.add_argument("--force", action="store_true", help="run a finished date again")
    jobs.add_argument("--progress", action=argparse.BooleanOptionalAction,
                      default=sys.stderr.isatty(), help="show a progress bar on stderr")
    jobs.set_defaults(func=cmd_jobs_run)
    sync = sub.add_parser("sync", help="take staff and departments from DingTalk's contacts now")
    sync.add_argument("source", choices=["dingtalk"])
    sync.set_defaults(func=cmd_sync)
    followers = sub.add_parser(
        "followers", help="ask WeChat which contacts still follow the official account (and "
                          "their unionid, so the mini-program recognises them)")
    followers.add_argument("action", choices=["refresh"])
    followers.set_defaults(func=cmd_followers)
    add_deliver_command(sub, cmd_deliver)
    add_sandbox_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Settings first (a bad one stops every command before the commands load), then the
    command; a setting or start-up refusal is exit code 2 and one line on stderr."""
    try:
        settings = Settings.from_env()
        args = build_parser().parse_args(argv)
        return args.func(settings, args)
    except (SettingsError, StartupError) as exc:
        print(f"tally: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

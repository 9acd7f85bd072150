"""`tally deliver`: drain the outbox from the command line (or `python -m jobs.deliver_cli`).

    tally deliver                 run until SIGINT/SIGTERM (a finished round is never cut short)
    tally deliver --once          one round (up to --limit rows), then exit
    tally deliver --until-empty   rounds until nothing is due, then exit

Settings come from the environment as for `tally serve` (TALLY_DATABASE_URL,
TALLY_WECHAT_API_BASE, TALLY_DINGTALK_OPENAPI_BASE, TALLY_DELIVERY_* …).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.senders import open_senders
from bot.wechat import WeChatGateway
from bot.wechat_tokens import DbSessionStorage
from jobs.dispatcher import Dispatcher, DispatchStats
from tally import db
from tally.logs import configure_for
from tally.settings import Settings, SettingsError

log = logging.getLogger("tally.deliver")


def add_deliver_command(subparsers) -> argparse.ArgumentParser:
    """Register `deliver` on the `tally` command's subparsers (func(settings, args) -> int)."""
    parser = subparsers.add_parser("deliver", help="send queued notices (the outbox)")
    _add_arguments(parser)
    return parser


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one round, then exit")
    mode.add_argument("--until-empty", action="store_true",
                      help="rounds until nothing is due, then exit")
    parser.add_argument("--limit", type=int, default=None,
                        help="rows per round (default TALLY_DELIVERY_BATCH_SIZE)")
    parser.set_defaults(func=cmd_deliver)


def cmd_deliver(settings: Settings, args) -> int:
    configure_for(settings)
    stats = asyncio.run(deliver(settings, once=args.once, until_empty=args.until_empty,
                                limit=args.limit))
    if stats is not None:
        print(f"claimed {stats.claimed}, sent {stats.sent}, retried {stats.retried}, "
              f"dead {stats.dead}, alerts {stats.alerts}")
    return 0


async def deliver(settings: Settings, *, once: bool = False, until_empty: bool = False,
                  limit: int | None = None) -> DispatchStats | None:
    """Run the dispatcher against the configured store and providers; stats unless forever."""
    zone = ZoneInfo(settings.timezone)
    await db.init_orm(settings)
    gateway = WeChatGateway(
        settings.wechat_appid, settings.wechat_secret, api_base=settings.wechat_api_base,
        mp_appid=settings.mp_appid, mp_secret=settings.mp_secret,
        max_threads=settings.wechat_threads, session=DbSessionStorage(),
    )
    try:
        async with open_senders(settings, gateway) as senders:
            dispatcher = Dispatcher(senders, settings, lambda: datetime.now(zone))
            if once:
                return await dispatcher.run_once(limit)
            if until_empty:
                return await dispatcher.run_until_empty(limit)
            await dispatcher.run_forever(_stop_on_signals())
            return None
    finally:
        await gateway.close()
        await db.close_orm()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.deliver_cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"tally: {exc}", file=sys.stderr)
        return 2
    return args.func(settings, args)


if __name__ == "__main__":
    sys.exit(main())

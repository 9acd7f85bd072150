"""`tally deliver`: drain the outbox from the command line.

    tally deliver                 run until SIGINT/SIGTERM (a finished round is never cut short)
    tally deliver --once          one round (up to --limit rows), then exit
    tally deliver --until-empty   rounds until nothing is due, then exit

Settings come from the environment as for `tally serve` (TALLY_DATABASE_URL,
TALLY_WECHAT_API_BASE, TALLY_DINGTALK_OPENAPI_BASE, TALLY_DELIVERY_* …). This module holds the
command's arguments and its rounds; ``tally.cli`` composes the store, the senders and the
dispatcher and passes them in.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable

from jobs.dispatcher import Dispatcher, DispatchStats


def add_deliver_command(subparsers, func: Callable[..., int]) -> argparse.ArgumentParser:
    """Register `deliver` on the `tally` command's subparsers, run by ``func(settings, args)``."""
    parser = subparsers.add_parser("deliver", help="send queued notices (the outbox)",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one round, then exit")
    mode.add_argument("--until-empty", action="store_true",
                      help="rounds until nothing is due, then exit")
    parser.add_argument("--limit", type=int, default=None,
                        help="rows per round (default TALLY_DELIVERY_BATCH_SIZE)")
    parser.set_defaults(func=func)
    return parser


async def drain(dispatcher: Dispatcher, *, once: bool = False, until_empty: bool = False,
                limit: int | None = None) -> DispatchStats | None:
    """The rounds the command asked for; stats unless it ran until stopped by a signal."""
    if once:
        return await dispatcher.run_once(limit)
    if until_empty:
        return await dispatcher.run_until_empty(limit)
    await dispatcher.run_forever(_stop_on_signals())
    return None


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop

"""Statement-view benchmark: `python -m tests.bench.bench_statement_view` (or `make bench`).

Loads 10,000 statements x 20 lines into a fresh SQLite database, starts one `tally serve`
process and a bare aiohttp endpoint, and drives each with wrk (100 connections, 2 threads):
the H5 page over 2,000 share links, the mini-program statement GET for a few logged-in
contacts, and the bare endpoint as the ceiling. Exits non-zero on any non-2xx response.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from domain.customers.models import Contact, Customer, MpSession
from domain.sharing import sign_share_token
from tally import db
from tally.settings import Settings
from tests.bench.common import (
    free_port,
    get,
    process,
    process_peak_rss_mib,
    seed_statements,
    service_env,
)

ROOT = Path(__file__).resolve().parents[2]
WRK = "/usr/bin/wrk"
SECRET = "bench-secret-key"
CUSTOMERS, STATEMENTS, LINES = 500, 10_000, 20
SHARE_PATHS, MP_CONTACTS, BATCH = 2_000, 5, 2_000
TARGET_RPS, TARGET_P99_MS = 1_500, 100.0

# Warm-up: each wrk thread walks its own part of the list in order, so together they open
# every statement at least once.
WALK_LUA = """
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local items = {}
for line in io.lines("%s") do items[#items + 1] = line end
local i = nil
request = function()
  i = (i or offset * math.floor(#items / 2)) %% #items + 1
  local path, token = items[i]:match("^(%%S+)%%s*(%%S*)$")
  local headers = {}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", path, headers)
end
"""

PICK_LUA = """
local items = {}
for line in io.lines("%s") do items[#items + 1] = line end
math.randomseed(os.time())
request = function()
  local path, token = items[math.random(#items)]:match("^(%%S+)%%s*(%%S*)$")
  local headers = {}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", path, headers)
end
"""


# -- data ---------------------------------------------------------------------------------------


async def load(settings: Settings, now: datetime) -> tuple[list[str], list[str]]:
    """Fill the database; returns H5 paths and mini-program `path token` items."""
    await db.migrate(settings)
    await db.init_orm(settings)
    expires = now + timedelta(days=30)
    try:
        async with in_transaction():
            await Customer.bulk_create([
                Customer(id=c, code=f"B{c:04d}", name=f"客户{c}") for c in range(1, CUSTOMERS + 1)
            ], batch_size=BATCH)
            await Contact.bulk_create([
                Contact(id=c, customer_id=c, name=f"联系人{c}", mp_openid=f"mp-openid-{c}",
                        bound_at=now) for c in range(1, CUSTOMERS + 1)
            ], batch_size=BATCH)
            statements = await seed_statements(list(range(1, CUSTOMERS + 1)), STATEMENTS, LINES,
                                               now)
            tokens = {c: secrets.token_urlsafe(32) for c in range(1, MP_CONTACTS + 1)}
            await MpSession.bulk_create([
                MpSession(token_hash=hashlib.sha256(t.encode()).hexdigest(),
                          openid=f"mp-openid-{c}", created_at=now, expires_at=expires)
                for c, t in tokens.items()
            ])
    finally:
        await db.close_orm()
    picked = random.Random(1).sample(statements, SHARE_PATHS)
    h5 = [f"/s/{sign_share_token(SECRET, nonce, expires)}" for _, _, nonce in picked]
    mp = [f"/api/mp/v1/statements/{s} {tokens[c]}" for s, c, _ in statements if c in tokens]
    return h5, mp


# -- processes ----------------------------------------------------------------------------------


# -- wrk ----------------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(url: str, script: Path | None, seconds: int) -> dict:
    cmd = [WRK, "-t2", "-c100", f"-d{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", str(script)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         timeout=seconds + 30).stdout
    latency = {int(p): float(v) * UNITS_MS[u]
               for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency[50], "p99": latency[99],
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "errors": sum(map(int, errors.groups())) if errors else 0,
        "raw": out,
    }


def write_script(tmp: Path, name: str, items: list[str], lua: str = PICK_LUA) -> Path:
    data = tmp / f"{name}.txt"
    data.write_text("\n".join(items) + "\n")
    script = tmp / f"{name}.lua"
    script.write_text(lua % data)
    return script


# -- main ---------------------------------------------------------------------------------------


def run(tmp: Path, seconds: int) -> int:
    settings = Settings(database_url=f"sqlite://{tmp}/bench.sqlite3", secret_key=SECRET,
                        data_dir=str(tmp))
    now = datetime.now(ZoneInfo(settings.timezone))
    started = time.perf_counter()
    h5, mp = asyncio.run(load(settings, now))
    print(f"loaded {STATEMENTS:,} statements x {LINES} lines, {CUSTOMERS} customers, "
          f"{STATEMENTS:,} share links, {MP_CONTACTS} mp sessions "
          f"in {time.perf_counter() - started:.1f} s")

    port, bare_port = free_port(), free_port()
    env = service_env(settings.database_url, port, SECRET, tmp)
    base = f"http://127.0.0.1:{port}"
    h5_script, mp_script = write_script(tmp, "h5", h5), write_script(tmp, "mp", mp)
    results = {}
    with (
        process("tally serve", ["-m", "tally.cli", "serve", "--quiet"], port,
                tmp / "service.log", env) as service,
        process("bare app", ["-m", "tests.bench.bare_app", str(bare_port)], bare_port,
                tmp / "bare.log"),
    ):
        path, token = mp[0].split()
        auth = {"Authorization": f"Bearer {token}"}
        if get(base + h5[0]) != 200 or get(base + path, auth) != 200:
            raise SystemExit("a statement view did not answer 200")
        cold = wrk(base, write_script(tmp, "walk", h5, WALK_LUA), 5)
        with ThreadPoolExecutor(8) as pool:  # the walk is timed, so finish it: all warm
            list(pool.map(lambda p: get(base + p), h5))
        results["H5 page GET /s/{token}"] = wrk(base, h5_script, seconds)
        wrk(base, mp_script, 2)  # warm-up: the mini-program views are cached separately
        results["mini-program GET statement"] = wrk(base, mp_script, seconds)
        results["bare aiohttp JSON (ceiling)"] = wrk(f"http://127.0.0.1:{bare_port}/ok", None,
                                                     seconds)
        rss = process_peak_rss_mib(service.pid)
        log = (tmp / "service.log").read_text()

    ceiling = results["bare aiohttp JSON (ceiling)"]["rps"]
    print(f"\nwrk -t2 -c100 -d{seconds}s --latency\n")
    print(f"{'endpoint':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}"
          f"{'non-2xx':>9}{'sock err':>9}")
    for name, r in results.items():
        print(f"{name:<30}{r['rps']:>9,.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
              f"{r['rps'] / ceiling:>9.0%}{r['non_2xx']:>9}{r['errors']:>9}")
    print(f"\ncold start (5 s walking the {len(h5):,} links in order, each statement's first view"
          f" renders it): {cold['rps']:,.0f} req/s, p50 {cold['p50']:.1f} ms, "
          f"p99 {cold['p99']:.1f} ms")
    print(f"service peak RSS (VmHWM): {rss:.0f} MB")
    for name, r in results.items():
        if r["errors"] or r["non_2xx"]:
            print(f"\n{name}: wrk output\n{r['raw']}")
    views = [r for name, r in results.items() if "ceiling" not in name]
    met = all(r["rps"] >= TARGET_RPS and r["p99"] <= TARGET_P99_MS and not r["errors"]
              for r in views)
    print(f"targets (>= {TARGET_RPS:,} req/s, p99 <= {TARGET_P99_MS:.0f} ms, no socket errors): "
          f"{'met' if met else 'NOT met'}")
    bad = {name: r["non_2xx"] for name, r in [*results.items(), ("cold start", cold)]
           if r["non_2xx"]}
    if bad:
        print(f"\nFAIL: non-2xx responses {bad}\nservice log tail:\n{log[-3000:]}", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    args = parser.parse_args()
    if not os.access(WRK, os.X_OK):
        raise SystemExit(f"{WRK} not found: run scripts/system-deps.sh")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, stopping the servers
    with tempfile.TemporaryDirectory(prefix="tally-bench-") as tmp:
        return run(Path(tmp), args.seconds)


if __name__ == "__main__":
    sys.exit(main())

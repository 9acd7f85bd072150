"""Workbench page benchmark: `python -m tests.bench.bench_workbench [--postgres]`.

Loads the benchmark data sets into one fresh database (SQLite by default): the hand-over's
~600,000 documents (200 salespeople, 2,000 customers, 30 days up to today, and 业务员0's busy
day of 5,000 more today — ``bench_handover.seed``), 10,000 statements x 20 lines over 500 of
those customers with a share link each (``common.seed_statements``), some answered 符合 / 不符合
and some with money received (through the statement use cases), a WeChat contact per statement
customer and one 对账单通知 per statement in the outbox (half of them today; most sent, some
dead with the reason the sender records, some waiting for a retry), and 60 credit applications
of whom 35 wait for 陈经理.

Then it starts one `tally serve` (no delivery worker, no jobs: nothing else runs in the service),
makes a finance password login for 陈经理 (`tally workbench-user`) and an admin API key (`tally
apikey create`), signs in as a browser does, and times each workbench page with sequential
requests over one keep-alive connection (so nothing queues): the first request, then up to
``--requests`` more within ``--seconds``; p50 / p95 / max as the client sees them and the
server's own mean from the /metrics histogram. The API's JSON route for the same data is timed
the same way as the page's baseline. A page that answers 404 is "not built".

Prints a Markdown table for docs/performance.md; exits non-zero if any request answered 5xx or
signing in failed. Edit PAGES below when a page's path or query parameters change.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from zoneinfo import ZoneInfo

from prometheus_client.parser import text_string_to_metric_families
from tortoise.transactions import in_transaction

from bot.senders import CONSENT_REFUSED
from domain.actors import FINANCE, Actor
from domain.approvals import engine
from domain.approvals.departments import set_department
from domain.approvals.flows import CREDIT_APPLICATION, FINANCE_PFC, MARKETING_GM
from domain.approvals.models import ApprovalTask
from domain.credit.orgs import put_org
from domain.customers.models import Contact, Customer
from domain.delivery import no_channel
from domain.documents.models import Document
from domain.notices import outbox
from domain.notices.catalogue import Kind, contact_recipient, statement_issued_key
from domain.notices.models import OutboxMessage
from domain.org.models import Staff, StaffRole
from domain.sharing import sign_share_token
from domain.statements import rules
from domain.statements import service as statements
from domain.statements.answerers import SHARE, SHARE_LINK
from domain.statements.models import Statement
from domain.statements.service import ShareSettings
from tally.registries import build_registries
from tests.bench import bench_handover
from tests.bench.common import (
    PG_ADMIN_URL,
    ROOT,
    bench_orm,
    free_port,
    process,
    process_peak_rss_mib,
    scratch_postgres,
    scratch_sqlite,
    seed_contacts,
    seed_statements,
    service_env,
)

SECRET = "bench-workbench-secret"
ZONE = ZoneInfo("Asia/Shanghai")  # the service's default TALLY_TIMEZONE
API = "/api/backoffice/v1"
TARGET_P95_MS = 100.0

# ----- the pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page to time: its path and, if there is one, the API route for the same data (the
    baseline). ``{names}`` are filled from the loaded data's facts (see ``Facts``)."""

    name: str
    path: str
    api: str = ""


# The paths the page authors were given; the query parameters follow the API's where a page's
# are not known yet. Edit here when a page lands with other ones.
PAGES = (
    Page("首页", "/workbench/"),
    Page("对账单历史 · 第一页", "/workbench/statements", "/statements"),
    Page("对账单历史 · 不符合", "/workbench/statements?status=mismatched",
         "/statements?status=mismatched"),
    Page("对账单历史 · 一个客户", "/workbench/statements?customer_id={customer_id}",
         "/statements?customer_id={customer_id}"),
    Page("对账单 · 20 行", "/workbench/statements/{statement_id}", "/statements/{statement_id}"),
    Page("生成对账单 · 选单据", "/workbench/statements/new?customer_id={customer_id}",
         "/customers/{customer_id}/documents"),
    Page("客户列表", "/workbench/customers", "/customers"),
    Page("客户搜索", "/workbench/customers?q={customer_q}", "/customers?q={customer_q}"),
    Page("客户", "/workbench/customers/{customer_id}", "/customers/{customer_id}"),
    Page("发送记录 · 今天", "/workbench/deliveries", "/deliveries"),
    Page("员工对账列表 · 本周", "/workbench/handover",
         "/handover/days?date={week_from}&date_to={today}"),
    Page("员工的一天 · 5,000+ 单", "/workbench/handover/{busy_userid}/{today}",
         "/handover/days/{busy_userid}/{today}"),
    Page("审批 · 我的待办", "/workbench/approvals", "/approvals"),
)

# ----- the data --------------------------------------------------------------------------------

HANDOVER_COUNT, BUSY = 1_000_000, 5_000  # bench_handover's -n and --busy: 599,000 documents
STATEMENTS, LINES, STATEMENT_CUSTOMERS = 10_000, 20, 500
MATCHED_EVERY, MISMATCHED_EVERY, RECEIVED_EVERY = 20, 100, 30  # by statement index
FLOWS, APPROVED, REJECTED = 60, 20, 5  # credit applications; decided by 陈经理
LOGIN, PASSWORD = "bench-finance", "bench-password-1"
APPROVER = {"dingtalk_userid": "bench-approver", "name": "陈经理"}
DEPARTMENT = "销售部"
STAFF_FINANCE = Actor(kind="staff", name="孙会计", role=FINANCE)
LINK_HOLDER = Actor(kind=SHARE, name=SHARE_LINK)


@dataclass
class Facts:
    """What the page paths are filled with."""

    statement_id: int  # a 20-line statement answered 不符合 with money received
    customer_id: int  # 业务员0's customer: 20 statements, hundreds of documents
    customer_q: str  # matches 111 customers
    busy_userid: str
    today: date
    week_from: date  # this week's Monday

    def fill(self, template: str) -> str:
        return template.format(**{k: str(v) for k, v in vars(self).items()})


async def load(database_url: str, now: datetime, handover_count: int) -> Facts:
    """The data sets (see the module's doc) in a fresh database."""
    build_registries()  # the flow kinds the approvals start
    async with bench_orm(database_url):
        today = now.date()
        with step("hand-over documents"):
            sellers, customers = await bench_handover.seed(handover_count, BUSY, today)
        approver = await _org(sellers, now)
        with step("statements"):
            made = await _statements(customers[:STATEMENT_CUSTOMERS], now)
        with step("answers and receipts"):
            await _answers(made, now)
        with step("notices"):
            await _notices(made, now)
        with step("approvals"):
            await _approvals(sellers, customers, approver, now)
        print(f"loaded    {await describe()}")
    chosen = made[3 * MISMATCHED_EVERY // 2 - 1][0]  # the 150th: 不符合, and money received
    return Facts(statement_id=chosen, customer_id=customers[0], customer_q="客户12",
                 busy_userid="s-0", today=today, week_from=today - timedelta(today.weekday()))


async def _org(sellers: list[int], now: datetime) -> int:
    """陈经理 over every salesperson, 钱总监 heading their department, and the holders of the
    credit application's two role nodes; 陈经理's id."""
    approver = await Staff.create(**APPROVER, department=DEPARTMENT)
    head = await Staff.create(name="钱总监", dingtalk_userid="bench-head", department=DEPARTMENT)
    for userid, name, role in (("bench-gm", "何总", MARKETING_GM),
                               ("bench-pfc", "林PFC", FINANCE_PFC)):
        await StaffRole.create(staff=await Staff.create(name=name, dingtalk_userid=userid),
                               role=role)
    await set_department(DEPARTMENT, head_userid=head.dingtalk_userid, parent=None)
    await Staff.filter(id__in=sellers).update(manager_id=approver.id, department=DEPARTMENT)
    return approver.id


async def _statements(customer_ids: list[int], now: datetime) -> list[tuple[int, int, str]]:
    """The statements and their customers' contacts; (statement id, customer id, share nonce)
    in order."""
    async with in_transaction():
        await seed_contacts(customer_ids)
        return await seed_statements(customer_ids, STATEMENTS, LINES, now)


async def _answers(made: list[tuple[int, int, str]], now: datetime) -> None:
    """Some statements answered 符合 / 不符合 by the share link's holder, some paid."""
    for index, (statement_id, _, _) in enumerate(made, start=1):
        if index % MISMATCHED_EVERY == MISMATCHED_EVERY // 2:
            await _answer(statement_id, rules.MISMATCHED, "少了一张退货单", now)
        elif index % MATCHED_EVERY == 0:
            await _answer(statement_id, rules.MATCHED, "", now)
        if index % RECEIVED_EVERY == 0:
            await statements.record_payment(STAFF_FINANCE, statement_id, Decimal("1000.00"),
                                            "银行转账", now)


async def _answer(statement_id: int, answer: str, description: str, now: datetime) -> None:
    statement = await Statement.get(id=statement_id)
    await statements.customer_answer(LINK_HOLDER, statement, answer, description, now,
                                     via="h5", device="iPhone 微信")


async def _notices(made: list[tuple[int, int, str]], now: datetime) -> None:
    """One 对账单通知 per statement to its customer's contact (as issuing queues them): half
    today, the rest over the month before; then the outcomes the dispatcher records."""
    share = ShareSettings(SECRET, "https://tally.example.com")
    expires = now + timedelta(days=30)  # seed_statements' links
    rows = {s.id: s for s in await Statement.all()}
    names = dict(await Customer.all().values_list("id", "name"))
    contacts = {c: (i, n) for i, c, n in await Contact.all().values_list(
        "id", "customer_id", "name")}
    by_day: dict[datetime, list[outbox.NewNotice]] = {}
    for index, (statement_id, customer_id, nonce) in enumerate(made):
        to = contact_recipient(*contacts[customer_id])
        payload = statements.issued_payload(rows[statement_id], names[customer_id], nonce,
                                            share.url(sign_share_token(SECRET, nonce, expires)))
        day = now - timedelta(days=0 if index % 2 == 0 else index % 29 + 1)
        by_day.setdefault(day, []).append(outbox.NewNotice(
            Kind.STATEMENT_ISSUED, to, payload, statement_issued_key(statement_id, to)))
    async with in_transaction() as connection:
        for day, notices in by_day.items():
            await outbox.insert(notices, day, connection)
    await _outcomes(now)


async def _outcomes(now: datetime) -> None:
    """Most sent; one in 20 dead for want of consent, one in 50 dead with WeChat's refusal,
    one in 40 waiting to be tried again."""
    ids = list(await OutboxMessage.filter(kind=Kind.STATEMENT_ISSUED).order_by("id")
               .values_list("id", flat=True))
    dead_consent = [i for n, i in enumerate(ids) if n % 20 == 7]
    dead_wechat = [i for n, i in enumerate(ids) if n % 50 == 13]
    retrying = [i for n, i in enumerate(ids) if n % 40 == 21]
    sent = sorted(set(ids) - set(dead_consent) - set(dead_wechat) - set(retrying))
    async with in_transaction():
        await OutboxMessage.filter(id__in=dead_consent).update(
            status="dead", attempts=1, last_error=no_channel(CONSENT_REFUSED).reason)
        await OutboxMessage.filter(id__in=dead_wechat).update(
            status="dead", attempts=1, last_error="wechat 40003: invalid openid")
        await OutboxMessage.filter(id__in=retrying).update(
            attempts=2, last_error="wechat -1: system error",
            next_attempt_at=now + timedelta(minutes=5))
        for chunk in _chunks(sent, 5_000):
            await OutboxMessage.filter(id__in=chunk).update(
                status="sent", attempts=1, sent_at=now, provider_ref="bench-msgid")


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def _approvals(sellers: list[int], customers: list[int], approver: int,
                     now: datetime) -> None:
    """Credit applications from 业务员1…60 for a customer of theirs; 陈经理 (their manager)
    passes some on to 钱总监 and rejects a few."""
    org, _ = await put_org(code="BENCH", name="亚细亚陶瓷", budget=Decimal("100000000"),
                           enabled=True, now=now)
    for n in range(1, FLOWS + 1):
        await engine.start(CREDIT_APPLICATION, sellers[n], {
            "customer_id": customers[n], "org_id": org.id, "type": "annual",
            "amount": str(100_000 + 5_000 * n), "valid_from": f"{now.year}-01-01",
            "valid_to": f"{now.year}-12-31", "reason": "年度授信"}, now)
    tasks = await ApprovalTask.filter(approver_id=approver, status="pending").order_by("id")
    for task in tasks[:APPROVED]:
        await engine.approve(task.id, approver, "同意", now)
    for task in tasks[APPROVED:APPROVED + REJECTED]:
        await engine.reject(task.id, approver, "额度过高，请重新评估", now)


async def describe() -> str:
    """What was loaded, counted."""
    documents, statements_, customers, notices = [
        await model.all().count() for model in (Document, Statement, Customer, OutboxMessage)]
    return (f"{documents:,} documents, {statements_:,} statements x {LINES} lines, "
            f"{customers:,} customers, {notices:,} outbox rows")


@contextlib.contextmanager
def step(label: str):
    started = time.perf_counter()
    yield
    print(f"  {label:<24} {time.perf_counter() - started:6.1f} s", flush=True)


# ----- HTTP: one keep-alive connection, a browser's cookie ----------------------------------


class Browser:
    """Sequential requests over one connection, keeping the workbench's session cookie."""

    def __init__(self, port: int, timeout: float = 120) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, str, float, dict]:
        """(status, body, seconds, headers) of one request, read to the end."""
        headers = {**(headers or {})}
        if self.cookies and path.startswith("/workbench"):  # the cookie's path
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        path = urllib.parse.quote(path, safe="/?&=%")
        try:
            started = time.perf_counter()
            response, text = self._exchange(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionError):
            self._connection.close()  # the server closed the kept-alive connection: reopen
            started = time.perf_counter()
            response, text = self._exchange(method, path, body, headers)
        seconds = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return response.status, text, seconds, dict(response.headers)

    def _exchange(self, method: str, path: str, body: str | None,
                  headers: dict) -> tuple[http.client.HTTPResponse, str]:
        self._connection.request(method, path, body=body, headers=headers)
        response = self._connection.getresponse()
        return response, response.read().decode("utf-8", "replace")

    def sign_in(self, login: str, password: str) -> None:
        """As a browser: the sign-in page (session cookie and CSRF token), then the form."""
        status, html, _, _ = self.request("GET", "/workbench/login")
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
        if status != 200 or token is None:
            raise SystemExit(f"the sign-in page answered {status} without a CSRF token")
        form = urllib.parse.urlencode({"_csrf": token.group(1), "login": login,
                                       "password": password, "next": "/workbench/"})
        status, html, _, headers = self.request(
            "POST", "/workbench/login/password", form,
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 303:
            raise SystemExit(f"signing in answered {status}, not 303:\n{html[:2000]}")

    def close(self) -> None:
        self._connection.close()


# ----- timing --------------------------------------------------------------------------------


@dataclass
class Timing:
    """One page's (or API route's) requests: statuses and seconds."""

    statuses: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # the timed ones, after the first
    first: float = 0.0
    location: str = ""  # where the first answer sent the browser, if it did
    server_mean: float | None = None
    server_p95_le: float | None = None

    @property
    def not_built(self) -> bool:
        return self.statuses[:1] == [404]

    @property
    def failed(self) -> bool:
        return any(s >= 500 for s in self.statuses)

    def ms(self, q: float) -> float:
        """The q-quantile of the timed requests in ms (nearest rank)."""
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def time_path(browser: Browser, path: str, headers: dict, requests: int, seconds: float,
              metrics: MetricsReader) -> Timing:
    """The first request, then up to ``requests`` more within ``seconds`` (at least
    ``MIN_REQUESTS``, but none after ``4 x seconds``); a first request slower than ``seconds``
    is the only sample, so a page of many seconds does not hold the run up."""
    timing = Timing()
    before = metrics.read()
    status, _, first, answer = browser.request("GET", path, headers=headers)
    timing.statuses.append(status)
    timing.first, timing.location = first, answer.get("Location", "")
    if status == 404 or status >= 300:
        return timing
    if first > seconds:  # a page of seconds: its first answer is the one sample
        timing.seconds.append(first)
        metrics.attribute(before, metrics.read(), timing)
        return timing
    before = metrics.read()
    started = time.monotonic()
    while len(timing.seconds) < requests and (
            time.monotonic() - started < seconds
            or len(timing.seconds) < MIN_REQUESTS and time.monotonic() - started < 4 * seconds):
        status, _, spent, _ = browser.request("GET", path, headers=headers)
        timing.statuses.append(status)
        timing.seconds.append(spent)
    metrics.attribute(before, metrics.read(), timing)
    return timing


MIN_REQUESTS = 5
HISTOGRAM = "tally_http_request_duration_seconds"


class MetricsReader:
    """The service's request histogram (/metrics), read over its own connection."""

    def __init__(self, port: int) -> None:
        self._browser = Browser(port)

    def read(self) -> dict[tuple[str, str], dict]:
        status, text, _, _ = self._browser.request("GET", "/metrics")
        if status != 200:
            return {}
        series: dict[tuple[str, str], dict] = {}
        for family in text_string_to_metric_families(text):
            if family.name != HISTOGRAM:
                continue
            for sample in family.samples:
                key = (sample.labels["route"], sample.labels["status"])
                entry = series.setdefault(key, {"buckets": {}, "sum": 0.0, "count": 0.0})
                if sample.name.endswith("_bucket"):
                    entry["buckets"][float(sample.labels["le"])] = sample.value
                elif sample.name.endswith("_sum"):
                    entry["sum"] = sample.value
                elif sample.name.endswith("_count"):
                    entry["count"] = sample.value
        return series

    @staticmethod
    def attribute(before: dict, after: dict, timing: Timing) -> None:
        """The server's mean and bucketed p95 of the route whose count grew by the requests
        just made (the /metrics scrapes are their own route)."""
        grown = [(key, entry) for key, entry in after.items()
                 if key[0] != "/metrics" and entry["count"] > before.get(key, {}).get("count", 0)]
        if not grown:
            return
        total = sum(e["count"] - before.get(k, {}).get("count", 0) for k, e in grown)
        spent = sum(e["sum"] - before.get(k, {}).get("sum", 0) for k, e in grown)
        timing.server_mean = spent / total
        buckets: dict[float, float] = {}
        for key, entry in grown:
            for le, count in entry["buckets"].items():
                old = before.get(key, {}).get("buckets", {}).get(le, 0)
                buckets[le] = buckets.get(le, 0) + count - old
        timing.server_p95_le = next(
            (le for le in sorted(buckets) if buckets[le] >= 0.95 * total), None)


# ----- the run -------------------------------------------------------------------------------


def cli(env: dict, *args: str, stdin: str = "") -> str:
    """Run `tally …` (as the operator would) and return what it printed."""
    done = subprocess.run([sys.executable, "-m", "tally.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"tally {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def time_pages(port: int, facts: Facts, api_headers: dict,
               args: argparse.Namespace) -> list[tuple[Page, Timing, Timing | None]]:
    """Sign in, then time each page and its API baseline."""
    browser, metrics = Browser(port), MetricsReader(port)
    browser.sign_in(LOGIN, PASSWORD)
    results = []
    for page in PAGES:
        timing = time_path(browser, facts.fill(page.path), {}, args.requests, args.seconds,
                           metrics)
        if timing.location.startswith("/workbench/login"):
            raise SystemExit(f"{page.path} sent the browser to sign in again")
        base = None
        if page.api:  # timed even when the page is not built yet: the API's own figures
            base = time_path(browser, API + facts.fill(page.api), api_headers,
                             args.requests, args.seconds, metrics)
        results.append((page, timing, base))
        print(f"  {page.name}: {_said(timing)}; API: {_said(base) if base else '—'}",
              flush=True)
    return results


def run(database_url: str, tmp: Path, args: argparse.Namespace) -> int:
    now = datetime.now(ZONE)
    started = time.perf_counter()
    facts = asyncio.run(load(database_url, now, args.handover_count))
    print(f"database  {database_url.split('://')[0]}; loading took "
          f"{time.perf_counter() - started:.0f} s")

    port = free_port()
    env = service_env(database_url, port, SECRET, tmp, TALLY_DELIVERY_WORKER="false",
                      TALLY_JOBS_ENABLED="false", TALLY_DINGTALK_STREAM="false")
    cli(env, "workbench-user", LOGIN, "--role", "finance", "--name", APPROVER["name"],
        "--staff", APPROVER["dingtalk_userid"], "--password-stdin", stdin=PASSWORD + "\n")
    api_key = cli(env, "apikey", "create", "--name", "bench", "--role", "admin").split()[-1]
    with process("tally serve", ["-m", "tally.cli", "serve", "--quiet"], port,
                 tmp / "service.log", env) as service:
        results = time_pages(port, facts, {"Authorization": f"Bearer {api_key}"}, args)
        rss = process_peak_rss_mib(service.pid)
        log = (tmp / "service.log").read_text()
    print(f"\nservice peak RSS (VmHWM): {rss:.0f} MiB; total {time.perf_counter() - started:.0f} s")
    print(table(results, args.requests, args.seconds))
    failed = [page.name for page, timing, base in results
              if timing.failed or (base is not None and base.failed)]
    if failed:
        print(f"\nFAIL: 5xx from {', '.join(failed)}\nservice log tail:\n{log[-3000:]}",
              file=sys.stderr)
        return 1
    return 0


def _state(timing: Timing) -> str:
    if timing.not_built:
        return "not built (404)"
    where = f" → {timing.location}" if timing.location else ""
    return f"answered {timing.statuses[0]}{where}"


def _said(timing: Timing) -> str:
    if not timing.seconds:
        return _state(timing)
    return (f"{len(timing.seconds)} requests, p50 {timing.ms(0.5):.1f} ms, "
            f"p95 {timing.ms(0.95):.1f} ms")


def table(results: list[tuple[Page, Timing, Timing | None]], requests: int,
          seconds: float) -> str:
    """The Markdown table for docs/performance.md."""
    lines = [
        "",
        f"Sequential requests over one connection (first, then up to {requests} in {seconds:g} s);"
        " ms as the client sees them; server mean and p95 bucket (≤ ms) from /metrics.",
        "",
        "| page | path | n | first | p50 | p95 | max | server mean | server p95 ≤ | API n |"
        " API p50 | API p95 | p95 vs API |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page, timing, base in results:
        api = [str(len(base.seconds)), f"{base.ms(0.5):.1f}", f"{base.ms(0.95):.1f}"] \
            if base and base.seconds else [_state(base) if base else "—", "—", "—"]
        if not timing.seconds:
            lines.append(f"| {page.name} | `{page.path}` | {_state(timing)} |  |  |  |  |  |  | "
                         f"{' | '.join(api)} |  |")
            continue
        p95 = timing.ms(0.95)
        flag = "" if p95 <= TARGET_P95_MS else " ✗"
        statuses = sorted(set(timing.statuses))
        odd = "" if statuses == [200] else f" ({'/'.join(map(str, statuses))})"
        row = [page.name + odd, f"`{page.path}`", str(len(timing.seconds)),
               f"{1000 * timing.first:.1f}", f"{timing.ms(0.5):.1f}", f"**{p95:.1f}**{flag}",
               f"{timing.ms(1.0):.1f}",
               f"{1000 * timing.server_mean:.1f}" if timing.server_mean is not None else "—",
               f"{1000 * timing.server_p95_le:g}" if timing.server_p95_le is not None else "—"]
        row += [*api, f"{p95 / base.ms(0.95):.1f}×" if base and base.seconds else "—"]
        lines.append("| " + " | ".join(row) + " |")
    lines.append(f"\n✗: p95 over the {TARGET_P95_MS:.0f} ms aim.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true",
                       help="a scratch PostgreSQL database (default: a fresh SQLite file)")
    where.add_argument("--database-url", help="an empty database to load and use (kept)")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    parser.add_argument("-n", "--handover-count", type=int, default=HANDOVER_COUNT,
                        help="bench_handover's -n (default 1,000,000: 599,000 documents)")
    parser.add_argument("--requests", type=int, default=200,
                        help="timed requests per page after the first (default 200)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="at most this long per page's timed requests (default 5)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, stopping the service
    with tempfile.TemporaryDirectory(prefix="tally-bench-wb-") as tmp:
        if args.database_url:
            return run(args.database_url, Path(tmp), args)
        scratch = scratch_postgres(args.pg_admin_url) if args.postgres else scratch_sqlite()
        with scratch as url:
            return run(url, Path(tmp), args)


if __name__ == "__main__":
    sys.exit(main())

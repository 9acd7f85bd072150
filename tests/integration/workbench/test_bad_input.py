"""Hostile input on every workbench page is a 4xx in Chinese, never a 500 and never JSON.

The routes are read from the app's router (the workbench sub-app, and the pages of the
``workbench`` package mounted on the main app such as a DingTalk card's approval link), so a new
page is walked without anyone listing it here. Each route gets a table of cases, not a
generator: hostile path values one parameter at a time, each query parameter the page reads
(and an unknown one) with bad values, and form posts with missing, repeated, wrong-typed, huge
and NUL fields, broken multipart, a JSON body, and a missing or wrong CSRF token. Signed in as
admin, finance and a salesperson over seeded data; the salesperson also tries other people's
ids. A few refused posts are checked to have stored nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from aiohttp import web
from tortoise import Tortoise

from domain.approvals.forms import FORMS
from domain.approvals.links import sign_task_link
from domain.approvals.models import ApprovalTask
from domain.notices.models import OutboxMessage
from httpcommon.keys import SETTINGS
from tests.support import DOCUMENTS, INGEST, make_statement, post_ok
from tests.support import approvals as support
from tests.support.approvals import annual, call, start
from tests.support.handover import full_day
from tests.support.workbench import WB, post_form, sign_in

world = support.world  # fixture
DAY = date(2026, 11, 23)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The refusal's own words: the error page's message, or an error alert (a form's, or htmx's).
MESSAGE = re.compile(r'id="error-message">([^<]*)<|class="alert error"[^>]*>([^<]*)<')
LONG = "9" * 400
# A path parameter's hostile values (percent-encoded as they travel).
PATH_VALUES = ("0", "-1", "99999999999999999999", "abc", "%C2%B2", "%D9%A3", "%00", LONG,
               "2026-13-45", "%E8%81%94%E6%83%B3")
QUERY_VALUES = ("", "x" * 3000, "联想²", "\x00", "2026-13-45", "-1", "1e309",
                "99999999999999999999", "0")
FORM_VALUES = ("", "abc", "-1", "0", "1e309", "99999999999999999999", "²", "联" * 20000,
               "2026-13-45", "1|2", "document:x")
# The query parameters each page reads; a page not listed here gets GENERIC_QUERY.
QUERY = {
    "/": (),
    "/login": ("next",),
    "/login/dingtalk-qr": ("next",),
    "/login/dingtalk/callback": ("state", "authCode", "error"),
    "/statements": ("customer_id", "status", "from", "to", "page"),
    "/statements/new": ("q", "customer_id", "from", "to", "type"),
    "/statements/new/customers": ("q",),
    "/customers": ("q", "page", "disabled"),
    "/deliveries": ("date", "state", "channel", "offset"),
    "/deliveries/summary": ("from", "to"),
    "/handover": ("date_from", "date_to", "page", "show_all"),
    "/handover/{userid}/{date}": ("tab", "confirmed"),
    "/handover/{userid}/{date}/report.pdf": ("confirmed",),
    "/approvals/new": ("kind", "customer_id", *{f.name for fs in FORMS.values() for f in fs}),
    "/approvals/{flow_id}/resubmit": ("customer_id",),
    "/approvals/tasks/{task_id}": ("t",),
    "/approvals": (), "/approvals/done": (), "/approvals/mine": (), "/approvals/{flow_id}": (),
    "/customers/{id}": (), "/statements/{id}": (), "/statements/{id}/pdf": (),
    "/statements/{id}/share-links/{link_id}": (),
}
GENERIC_QUERY = ("page", "q", "from", "to", "date", "customer_id")
RANGES = (("from", "to"), ("date_from", "date_to"))
APPROVAL_FIELDS = ("kind", "same", *{f.name for fs in FORMS.values() for f in fs})
# The fields each post reads; a post not listed here gets GENERIC_FORM.
FORM = {
    "/login/password": ("login", "password", "next"),
    "/login/dingtalk": ("code", "next"),
    "/logout": (),
    "/statements": ("customer_id", "doc", "take", "type", "from", "to", "q"),
    "/statements/{id}/receive": ("amount", "note"),
    "/statements/{id}/match": ("description",),
    "/statements/{id}/mismatch": ("description",),
    "/customers/{id}/bind-qr": ("channel", "contact_id"),
    "/customers/{id}/shares": ("staff_id",),
    "/handover/confirm": ("pick", "ref", "back"),
    "/handover/unconfirm": ("pick", "ref", "back"),
    "/handover/close": ("pick", "back"),
    "/handover/reopen": ("pick", "back"),
    "/handover/remarks": ("ref", "remark", "back"),
    "/deliveries/resend-failed": ("date", "state", "channel", "offset"),
    "/deliveries/{id}/resend": ("date", "state", "channel", "offset"),
    "/approvals/new": APPROVAL_FIELDS,
    "/approvals/{flow_id}/resubmit": APPROVAL_FIELDS,
    "/approvals/tasks/{task_id}": ("t", "action", "comment"),
    "/approvals/tasks/{task_id}/approve": ("comment",),
    "/approvals/tasks/{task_id}/reject": ("comment",),
    "/approvals/tasks/{task_id}/return": ("comment",),
    "/approvals/{flow_id}/withdraw": ("comment",),
    "/handover/receipts/{id}/audit": ("back",), "/handover/receipts/{id}/unaudit": ("back",),
    "/handover/receipts/{id}/void": ("back",),
    **dict.fromkeys(("/customers/{id}/disable", "/customers/{id}/enable", "/customers/{id}/delete",
                     "/customers/{id}/shares/{staff_id}/remove", "/statements/{id}/cancel",
                     "/statements/{id}/delete", "/statements/{id}/share",
                     "/statements/{id}/share-links/{link_id}/revoke"), ()),
}
GENERIC_FORM = ("id", "comment", "note", "amount", "date")
# Posts that end what later cases use run last (as tests/fuzzing.py does).
LAST_WORDS = ("delete", "void", "disable", "remove", "withdraw", "revoke", "logout")


@dataclass
class Route:
    method: str
    path: str  # the canonical path, the workbench's prefix included

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)", self.path)

    def url(self, values: dict[str, str]) -> str:
        return re.sub(r"{(\w+)[^}]*}", lambda m: values[m.group(1)], self.path)

    def base_is_workbench(self) -> bool:
        return self.path.startswith(WB + "/")

    def key(self) -> str:
        return re.sub(r"{(\w+)[^}]*}", r"{\1}", self.path).removeprefix(WB) or "/"


@dataclass
class Walk:
    client: object
    csrf: str
    ids: dict[str, str]
    found: list[str] = field(default_factory=list)

    async def check(self, response, what: str) -> None:
        """No 5xx; a refusal is an HTML page (or htmx fragment) saying why in Chinese."""
        status = response.status
        body = await response.text() if status >= 400 else ""
        if status >= 500:
            self.found.append(f"{what}: {status} {body[:200]!r}")
        elif status >= 400:
            said = [a or b for a, b in MESSAGE.findall(body)]
            if response.content_type != "text/html" or not any(map(CHINESE.search, said)):
                self.found.append(f"{what}: {status} {response.content_type} {body[:300]!r}")


def workbench_routes(app: web.Application) -> list[Route]:
    """Every page of the workbench: the sub-app's routes and the workbench package's pages on
    the main app; the posts that end things last."""
    found = []
    for route in app.router.routes():  # the sub-apps' routes included
        resource = route.resource
        if (route.method == "HEAD" or resource is None
                or isinstance(resource, web.StaticResource)
                or not route.handler.__module__.startswith("workbench.")):
            continue
        found.append(Route(route.method, resource.canonical))
    return sorted(found, key=lambda r: (r.path.endswith(LAST_WORDS), r.path.endswith("logout")))


@pytest.fixture
async def seeded(client, world, admin):
    """Seed 002's people and customers with seed 000's documents, a statement of 联想 with a
    share link, two salespeople's hand-over days, a credit application waiting on 赵经理."""
    await post_ok(client, f"{INGEST}/documents", admin, {"items": DOCUMENTS})
    customers = world["customers"]
    statement = await make_statement(client, admin, customers["C001"])
    await post_ok(client, f"/api/backoffice/v1/statements/{statement['id']}/share", admin,
                  status=201)
    links = await call(client, "GET", f"/statements/{statement['id']}/share-links", admin)
    li = world["staff"]["sales-li"]
    day = await full_day(li, DAY)
    await full_day(world["staff"]["sales-wang"], DAY)
    flow = await start(client, world, "credit_application", annual(world))
    task = await ApprovalTask.get(flow_id=flow["id"], status="pending")
    outbox = await OutboxMessage.first()
    token = sign_task_link(client.server.app[SETTINGS].secret_key, task.id, task.approver_id,
                           datetime(2027, 1, 1, tzinfo=UTC))
    assert (await client.get(f"/approvals/tasks/{task.id}", params={"t": token})).status == 200
    ids = {"id": str(statement["id"]), "link_id": str(links["items"][0]["id"]),
           "flow_id": str(flow["id"]), "task_id": str(task.id), "userid": "sales-li",
           "date": DAY.isoformat(), "staff_id": str(li.id), "contact_id": "1"}
    return {"ids": ids, "customer": str(customers["C001"]), "receipt": str(day["receipt"].id),
            "delivery": str(outbox.id if outbox else 1), "token": token}


def _ids_for(route: Route, seeded: dict) -> dict[str, str]:
    """The route's path parameters, each a stored row's id (the kind the page expects)."""
    ids = dict(seeded["ids"])
    if route.key().startswith("/customers/"):
        ids["id"] = seeded["customer"]
    elif route.key().startswith("/handover/receipts/"):
        ids["id"] = seeded["receipt"]
    elif route.key().startswith("/deliveries/"):
        ids["id"] = seeded["delivery"]
    return ids


async def _paths(walk: Walk, route: Route, seeded: dict) -> None:
    """Each path parameter in turn hostile, the others right."""
    ids = _ids_for(route, seeded)
    for name in route.params:
        for value in PATH_VALUES:
            url = route.url({**ids, name: value})
            response = await _send(walk, route, url)
            await walk.check(response, f"{route.method} {url}")


async def _send(walk: Walk, route: Route, url: str, **kwargs):
    if route.method == "GET":
        return await walk.client.get(url, allow_redirects=False, **kwargs)
    return await post_form(walk.client, url, walk.csrf, {}, allow_redirects=False, **kwargs)


async def _queries(walk: Walk, route: Route, seeded: dict) -> None:
    url = route.url(_ids_for(route, seeded))
    names = QUERY.get(route.key(), GENERIC_QUERY)
    cases: list[list[tuple[str, str]]] = [
        [(name, value)] for name in (*names, "zz_unknown") for value in QUERY_VALUES]
    cases += [[(name, "1"), (name, "2026-11-01")] for name in names]  # repeated
    for first, last in RANGES:
        if first in names:
            cases += [[(first, "2026-12-01"), (last, "2026-01-01")],  # back to front
                      [(first, "0001-01-01"), (last, "9999-12-31")]]  # a span of ages
    for query in cases:
        response = await walk.client.get(url, params=query, allow_redirects=False)
        await walk.check(response, f"GET {url}?{query}")
    response = await walk.client.get(url, params=cases[0], headers={"HX-Request": "true"},
                                     allow_redirects=False)
    await walk.check(response, f"GET {url} (htmx)")


async def _forms(walk: Walk, route: Route, seeded: dict) -> None:
    url = route.url(_ids_for(route, seeded))
    names = FORM.get(route.key(), GENERIC_FORM)
    client, what = walk.client, f"POST {url}"
    cases: list[list[tuple[str, str]]] = [[(name, value)] for name in names
                                          for value in FORM_VALUES]
    if not route.base_is_workbench():  # the card's link page: beside a genuine token
        cases += [[("t", seeded["token"]), (name, value)] for name in ("action", "comment")
                  for value in FORM_VALUES]
    cases += [[(name, "1"), (name, "abc")] for name in names]  # repeated
    cases += [[(name, "a\x00b") for name in names] or [("x", "\x00")]]
    for data in cases:
        await walk.check(await post_form(client, url, walk.csrf, data, allow_redirects=False),
                         f"{what} {[(k, v[:20]) for k, v in data]}")
    header = {"X-CSRF-Token": walk.csrf}
    raw = {
        "no CSRF": {"data": {name: "1" for name in names}},
        "wrong CSRF": {"data": {"_csrf": "x" * 43}},
        "non-ASCII CSRF": {"data": {"_csrf": "页" * 43}},
        "multipart garbage": {"data": b"--zz\r\nContent-Disposition: form-data\r\n\r\n\xff--",
                              "headers": {**header,
                                          "Content-Type": "multipart/form-data; boundary=zz"}},
        "multipart, no boundary": {"data": b"x", "headers": {
            **header, "Content-Type": "multipart/form-data"}},
        "JSON body": {"json": {name: "1" for name in names}, "headers": header},
        "htmx, nothing": {"headers": {**header, "HX-Request": "true"}},
        "bad UTF-8": {"data": b"_csrf=" + walk.csrf.encode() + b"&x=%ff%fe",
                      "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    }
    for label, kwargs in raw.items():
        response = await client.post(url, allow_redirects=False, **kwargs)
        await walk.check(response, f"{what} ({label})")
        if "CSRF" in label:
            assert response.status == 403, (what, label, response.status)


async def _walk(client, role: str, seeded: dict, **who) -> list[str]:
    """Every route as ``role``: the whole table of cases."""
    walk = Walk(client, await sign_in(client, role, **who), seeded["ids"])
    for route in workbench_routes(client.server.app):
        await _paths(walk, route, seeded)
        if route.method == "GET":
            await _queries(walk, route, seeded)
        else:
            await _forms(walk, route, seeded)
    return walk.found


async def test_every_page_refuses_hostile_input_in_chinese_never_a_500(client, seeded):
    found = await _walk(client, "admin", seeded)
    assert not found, f"{len(found)} bad answers:\n" + "\n".join(found[:40])


SIGN_IN_PAGES = ("/login/password", "/login/dingtalk", "/logout")


@pytest.mark.parametrize(("role", "who"), [("finance", {}),
                                           ("sales", {"staff_userid": "sales-wang"})])
async def test_other_roles_meet_the_same_refusals_and_others_rows_stay_out_of_reach(
        client, seeded, role, who):
    """Finance and a salesperson: each route with a few bad ids and an empty post. 王业务's
    every id here is someone else's (李业务's customer, statement, day, flow; 赵经理's task)."""
    walk = Walk(client, await sign_in(client, role, **who), seeded["ids"])
    for route in workbench_routes(client.server.app):
        if route.key() in SIGN_IN_PAGES:
            continue  # walked as admin (and failed sign-ins count against this client)
        ids = _ids_for(route, seeded)
        for name in route.params:
            for value in ("0", "99999999999999999999", "abc"):
                url = route.url({**ids, name: value})
                await walk.check(await _send(walk, route, url), f"{route.method} {url}")
        url = route.url(ids)
        response = await _send(walk, route, url)
        await walk.check(response, f"{route.method} {url}")
        if role == "sales" and route.params and route.base_is_workbench():
            assert 400 <= response.status < 500, f"{route.method} {url}: {response.status}"
    assert not walk.found, f"{len(walk.found)} bad answers:\n" + "\n".join(walk.found[:40])


async def _row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    tables = [m._meta.db_table for m in Tortoise.apps.get_models_iterable()]
    connection = Tortoise.get_connection("default")
    counts = ", ".join(f'(SELECT COUNT(*) FROM "{t}") AS c{n}' for n, t in enumerate(tables))
    _, rows = await connection.execute_query(f"SELECT {counts}")
    return {table: int(rows[0][f"c{n}"]) for n, table in enumerate(tables)}


async def test_a_refused_post_stores_nothing(client, seeded):
    ids, customer = seeded["ids"], seeded["customer"]
    statement, task = f"{WB}/statements/{ids['id']}", ids["task_id"]
    refused = [
        ("/statements", [("customer_id", customer), ("doc", DOCUMENTS[1]["number"]),
                         ("from", "2021-12-01"), ("to", "2021-13-45")]),
        ("/statements", [("customer_id", "99999999"), ("doc", DOCUMENTS[1]["number"]),
                         ("from", "2021-12-01"), ("to", "2021-12-31")]),
        (f"{statement}/receive", [("amount", "1e309"), ("note", "x")]),
        (f"{statement}/receive", [("amount", "100.00"), ("note", "联" * 5000)]),
        (f"{statement}/mismatch", [("description", "联" * 5000)]),
        ("/handover/confirm", [("pick", f"{DAY}|sales-li"), ("pick", f"{DAY}|nobody")]),
        ("/handover/remarks", [("ref", "document:99999999"), ("remark", "x")]),
        ("/approvals/new", [("kind", "credit_application"), ("customer_id", customer),
                            ("amount", "abc"), ("type", "annual")]),
        (f"/approvals/tasks/{task}/reject", [("comment", "")]),
        (f"/customers/{customer}/shares", [("staff_id", "99999999")]),
        (f"/customers/{customer}/bind-qr", [("channel", "sms")]),
    ]
    csrf = await sign_in(client, "admin")
    before = await _row_counts()
    assert sum(before.values()) > 0  # the seeded rows are counted
    for path, data in refused:
        path = path if path.startswith(WB) else WB + path
        response = await post_form(client, path, csrf, data, allow_redirects=False)
        assert 400 <= response.status < 500, (path, data, response.status)
        response = await post_form(client, path, "x" * 43, data, allow_redirects=False)
        assert response.status == 403, (path, "wrong CSRF", response.status)
        assert await _row_counts() == before, (path, data)


async def test_a_refused_action_says_why_even_where_its_form_is_not_shown(client, seeded):
    """A post for an action this state offers no form for (a stale page, a second tab): the
    message is shown above the actions, not lost with the hidden form."""
    path = f"{WB}/statements/{seeded['ids']['id']}"
    csrf = await sign_in(client, "admin")
    received = await post_form(client, f"{path}/receive", csrf, {"amount": "1.00"},
                               allow_redirects=False)
    assert received.status == 303
    page = await client.get(path)
    shown = set(re.findall(r'data-action="(\w+)"', await page.text()))
    hidden = next(a for a in ("receive", "match", "mismatch") if a not in shown)
    data = {"amount": "abc"} if hidden == "receive" else {"description": "联" * 2001}
    refused = await post_form(client, f"{path}/{hidden}", csrf, data)
    html = await refused.text()
    assert refused.status == 400 and 'id="form-error"' in html, (hidden, html[-2000:])

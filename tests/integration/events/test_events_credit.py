"""Credit decisions: an approved credit application publishes ``credit.line_changed`` (granted)
and ``credit.decided`` with the line it granted; a rejection publishes ``credit.decided``
without a result; a grant refused at the last node rolls back and publishes nothing; an
admin's direct grant, limit change and status change each publish ``credit.line_changed``."""

from __future__ import annotations

from domain.credit.orgs import put_org
from domain.events.models import Event
from tests.integration.events.test_events_published import feed
from tests.support import approvals as support
from tests.support.approvals import CREDIT_APPROVERS, annual, call, start

world = support.world  # fixture


async def _approve(client, world, flow, userid, status=200):
    [task] = [t for t in flow["tasks"] if t["status"] == "pending"]
    return await call(client, "POST", f"/approvals/{flow['id']}/tasks/{task['id']}/approve",
                      world["keys"][userid], {"comment": "同意"}, status)


async def test_an_approved_credit_application_is_an_event_with_the_line(client, world, erp):
    flow = await start(client, world, "credit_application", annual(world, term_days=60))
    for userid in CREDIT_APPROVERS:
        assert await Event.all().count() == 0
        flow = await _approve(client, world, flow, userid)

    granted, event = (await feed(client, erp))["events"]
    assert (granted["type"], granted["data"]["change"]) == ("credit.line_changed", "granted")
    line = granted["data"]["line"]
    assert (line["id"], line["number"], line["limit"], line["term_days"], line["status"]) == (
        flow["result"]["credit_account_id"], flow["result"]["credit_account_number"],
        "500000.00", 60, "active")
    assert (granted["data"]["org_code"], granted["data"]["by"]) == (
        "YXY", f"approval:{flow['id']}")
    data = event["data"]
    assert (event["type"], data["flow_id"], data["kind"], data["decision"]) == (
        "credit.decided", flow["id"], "credit_application", "approved")
    pfc = world["staff"]["pfc-lin"]
    assert data["decided_by"] == {"id": pfc.id, "dingtalk_userid": "pfc-lin", "name": pfc.name}
    assert (data["customer"]["code"], data["comment"]) == ("C001", "同意")
    assert (data["request"]["amount"], data["request"]["type"]) == ("500000.00", "annual")
    assert data["result"] == flow["result"]
    assert set(data["result"]) == {"credit_account_id", "credit_account_number"}


async def test_a_rejected_credit_application_is_an_event_without_a_result(client, world, erp):
    flow = await start(client, world, "credit_application", annual(world))
    [task] = [t for t in flow["tasks"] if t["status"] == "pending"]
    await call(client, "POST", f"/approvals/{flow['id']}/tasks/{task['id']}/reject",
               world["keys"]["mgr-zhao"], {"comment": "额度过高"})

    [event] = (await feed(client, erp))["events"]
    assert (event["data"]["decision"], event["data"]["comment"], event["data"]["result"]) == (
        "rejected", "额度过高", {})


async def test_a_grant_refused_at_the_last_node_publishes_nothing(client, world, clock):
    flow = await start(client, world, "credit_application", annual(world))
    for userid in CREDIT_APPROVERS[:3]:
        flow = await _approve(client, world, flow, userid)
    await put_org(code="YXY", name=None, budget=None, enabled=False, now=clock())

    await _approve(client, world, flow, "pfc-lin", status=409)

    assert await Event.all().count() == 0


async def test_direct_grants_limit_and_status_changes_are_line_events(client, world, admin,
                                                                      erp):
    body = {"customer_id": world["customers"]["C001"], "org_id": world["org"].id,
            "type": "annual", "limit": "300000", "valid_from": "2026-01-01",
            "valid_to": "2026-12-31"}
    line = await call(client, "POST", "/credit/accounts", admin, body, 201)
    await call(client, "POST", f"/credit/accounts/{line['id']}/limit", admin,
               {"limit": "350000"})
    await call(client, "POST", f"/credit/accounts/{line['id']}/status", admin,
               {"status": "frozen"})
    await call(client, "POST", f"/credit/accounts/{line['id']}/status", admin,  # no change
               {"status": "frozen"})

    events = (await feed(client, erp))["events"]
    assert [(e["data"]["change"], e["data"]["line"]["limit"], e["data"]["line"]["status"])
            for e in events] == [("granted", "300000.00", "active"),
                                 ("limit_changed", "350000.00", "active"),
                                 ("status_changed", "350000.00", "frozen")]
    assert all(e["data"]["customer"]["code"] == "C001" for e in events)

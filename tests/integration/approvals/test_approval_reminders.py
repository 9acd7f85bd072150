"""Pending approval tasks are reminded once a day after they waited long enough (fixed dates)."""

from __future__ import annotations

from datetime import datetime

from domain.approvals import engine
from domain.approvals.models import ApprovalTask
from domain.approvals.reminders import remind_pending_tasks as remind_pending
from domain.notices.models import OutboxMessage
from tests.conftest import SHANGHAI
from tests.support import approvals as support
from tests.support.delivery import delivery_config, dispatcher_factory

KIND = support.KIND
expense, people = support.expense, support.people  # fixtures


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI)


async def reminders():
    return [(m.recipient_name, m.dedupe_key, m.payload) for m in
            await OutboxMessage.filter(kind="approval_reminder").order_by("id")]


async def test_a_task_is_reminded_once_a_day_after_it_waited_a_day(expense, people, clock):
    flow = await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, at(23, 10))
    [task] = await ApprovalTask.filter(flow_id=flow.id)

    assert await remind_pending(at(24, 9)) == {"due": 0, "reminded": 0}  # 23 hours
    assert await remind_pending(at(24, 10)) == {"due": 1, "reminded": 1}
    assert await remind_pending(at(24, 18)) == {"due": 0, "reminded": 0}  # same day
    assert await remind_pending(at(25, 8)) == {"due": 1, "reminded": 1}  # next day

    [(to, key, payload), (_, key2, _)] = await reminders()
    assert to == "赵经理" and key == f"approval_reminder:{task.id}:2026-11-24:staff:" \
        f"{people['mgr-zhao'].id}"
    assert "2026-11-25" in key2
    assert (payload["task_id"], payload["node"], payload["waiting_hours"]) == (task.id,
                                                                               "直接上级", 24)
    assert (await ApprovalTask.get(id=task.id)).reminded_on.isoformat() == "2026-11-25"


async def test_the_wait_is_configurable_and_decided_or_withdrawn_tasks_are_left_alone(
        expense, people, clock):
    decided = await engine.start(KIND, people["sales-wang"].id, {"amount": "1"}, at(23, 10))
    withdrawn = await engine.start(KIND, people["sales-wang"].id, {"amount": "2"}, at(23, 10))
    waiting = await engine.start(KIND, people["sales-wang"].id, {"amount": "3"}, at(23, 10))
    [task] = await ApprovalTask.filter(flow_id=decided.id)
    await engine.approve(task.id, people["mgr-zhao"].id, "", at(23, 11))  # director: 11:00
    await engine.withdraw(withdrawn.id, people["sales-wang"].id, "", at(23, 11))

    counts = await remind_pending(at(23, 22), after_hours=11)

    assert counts == {"due": 2, "reminded": 2}
    assert sorted((to, p["flow_id"]) for to, _, p in await reminders()) == [
        ("赵经理", waiting.id), ("钱总监", decided.id)]


async def test_the_reminder_reaches_the_approver_in_dingtalk(
        expense, people, clock, app, settings, fake_dingtalk):
    await engine.start(KIND, people["sales-wang"].id, {"amount": "800"}, at(23, 10))
    await remind_pending(at(24, 10))
    clock.current = at(24, 10)
    fake_dingtalk.reset()
    async with dispatcher_factory(app, clock) as build:
        dispatcher = await build(delivery_config(settings, fake_dingtalk))
        await dispatcher.run_until_empty()

    sent = [s for s in fake_dingtalk.sent if s["kind"] == "batch"]
    [reminder] = [s for s in sent if s["param"].get("title", "").startswith("审批催办")]
    assert reminder["user_ids"] == ["mgr-zhao"]
    assert reminder["param"]["title"] == "审批催办：报销 800"
    assert "已等待：24 小时" in reminder["param"]["text"]

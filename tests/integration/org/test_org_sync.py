"""The DingTalk org sync through the fake DingTalk's contacts: departments, staff, heads,
reports-to links and approval roles land; people who left are disabled (rows, customers and
all) and enabled again when they come back; members page; a failed read changes nothing and
the job run says why; the daily job is scheduled only when the sync is switched on."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.dingtalk_bot import REFUSAL
from domain.customers.models import Customer
from domain.errors import DomainError
from domain.org.models import Department, Staff, StaffRole
from domain.system.models import JobRun
from jobs.org_sync import ORG_SYNC, sync_from_dingtalk
from jobs.schedule import DAILY_JOBS, jobs_for, run_due, run_job
from tests.fakes.dingtalk_contacts import USER_LIST_PATH
from tests.support.dingtalk import ask


@pytest.fixture
def org(fake):
    """A small seller on the private fake: 销售部 (head 赵) with 华东 (head 钱) below it, 财务部."""
    contacts = fake.contacts
    contacts.set_company("明辉贸易有限公司", managers=["boss-wu"])
    contacts.add_department(10, "销售部", managers=["mgr-zhao"])
    contacts.add_department(11, "华东", parent_id=10, managers=["lead-qian"])
    contacts.add_department(20, "财务部", managers=["fin-sun"])
    contacts.add_user("boss-wu", "吴总", [1])
    contacts.add_user("mgr-zhao", "赵经理", [10])
    contacts.add_user("lead-qian", "钱组长", [11])
    contacts.add_user("sales-li", "李业务", [11])
    contacts.add_user("sales-ma", "马业务", [11], manager_userid="mgr-zhao")  # 直属主管 set
    contacts.add_user("fin-sun", "孙会计", [20])
    contacts.add_role("财务", ["fin-sun"])
    contacts.add_role("财务主管", ["fin-sun"])
    contacts.add_role("行政", ["boss-wu"])  # no Tally role of that name: ignored
    return contacts


@pytest.fixture
def synced(settings, fake):
    return replace(settings, dingtalk_oapi_base=fake.base_url, dingtalk_org_sync=True,
                   dingtalk_roles="财务主管=财务部PFC")


async def _staff() -> dict[str, Staff]:
    return {s.dingtalk_userid: s for s in await Staff.all()}


async def _roles(userid: str) -> set[str]:
    return set(await StaffRole.filter(staff__dingtalk_userid=userid).values_list(
        "role", flat=True))


async def test_the_first_sync_lands_departments_staff_heads_managers_and_roles(
        client, org, synced):
    by_hand = await Department.create(name="销售部")  # entered before the sync: adopted

    summary = await sync_from_dingtalk(synced)

    assert (summary.created, summary.updated, summary.disabled) == (6, 0, 0)
    assert (summary.departments_created, summary.departments_updated) == (3, 1)
    departments = {d.name: d for d in await Department.all()}
    assert (departments["销售部"].id, departments["销售部"].dingtalk_dept_id) == (by_hand.id, 10)
    assert set(departments) == {"明辉贸易有限公司", "销售部", "华东", "财务部"}
    staff = await _staff()
    by_id = {s.id: s for s in staff.values()}
    east = departments["华东"]
    assert east.dingtalk_dept_id == 11
    assert east.parent_id == departments["销售部"].id
    assert by_id[east.head_id].dingtalk_userid == "lead-qian"
    assert by_id[departments["明辉贸易有限公司"].head_id].dingtalk_userid == "boss-wu"
    li = staff["sales-li"]
    assert (li.name, li.department, li.dingtalk_unionid, li.active) == (
        "李业务", "华东", "union-sales-li", True)

    def boss(userid):
        manager_id = staff[userid].manager_id
        return by_id[manager_id].dingtalk_userid if manager_id else None

    assert boss("sales-li") == "lead-qian"  # the head of 华东
    assert boss("sales-ma") == "mgr-zhao"  # DingTalk's 直属主管 wins
    assert boss("lead-qian") == "mgr-zhao"  # a head reports to the head above
    assert boss("mgr-zhao") == "boss-wu"
    assert boss("boss-wu") is None
    assert await _roles("fin-sun") == {"财务", "财务部PFC"}  # same-named, and mapped
    assert await _roles("boss-wu") == set()

    again = await sync_from_dingtalk(synced)
    assert again.counts() == {**{k: 0 for k in again.counts()}, "unchanged": 6}


async def test_who_left_is_disabled_with_their_customers_and_enabled_when_back(
        client, org, synced, fake, stream):
    await sync_from_dingtalk(synced)
    li = (await _staff())["sales-li"]
    await Customer.create(code="C1", name="联想", salesperson=li)
    org.remove_user("sales-li")
    org.add_user("fin-sun", "孙会计", [20], active=False)  # an account no longer active

    summary = await sync_from_dingtalk(synced)

    assert (summary.disabled, summary.created, summary.departments_updated) == (2, 0, 1)
    staff = await _staff()
    assert not staff["sales-li"].active and not staff["fin-sun"].active
    assert await Customer.filter(salesperson_id=li.id).count() == 1  # their customers stay
    assert (await Department.get(name="财务部")).head_id is None  # no active head left
    reply = await ask(fake, stream, "sales-li", "帮助")
    assert REFUSAL in reply["content"]

    org.add_user("sales-li", "李业务", [11])
    back = await sync_from_dingtalk(synced)

    assert back.enabled == 1
    assert (await Staff.get(dingtalk_userid="sales-li")).id == li.id
    reply = await ask(fake, stream, "sales-li", "帮助")
    assert REFUSAL not in reply["content"]


async def test_a_renamed_or_moved_department_keeps_its_row(client, org, synced):
    await sync_from_dingtalk(synced)
    east = await Department.get(dingtalk_dept_id=11)
    org.add_department(11, "华东大区", parent_id=1, managers=["lead-qian"])

    summary = await sync_from_dingtalk(synced)

    moved = await Department.get(dingtalk_dept_id=11)
    root = await Department.get(dingtalk_dept_id=1)
    assert (moved.id, moved.name, moved.parent_id) == (east.id, "华东大区", root.id)
    assert summary.departments_updated == 1
    assert (await Staff.get(dingtalk_userid="sales-li")).department == "华东大区"

    await Department.create(name="财务中心")  # entered by hand: keeps its name
    org.add_department(10, "华东大区", managers=["mgr-zhao"])  # 销售部 and 华东 swap names
    org.add_department(11, "销售部", parent_id=1, managers=["lead-qian"])
    org.add_department(20, "财务中心", managers=["fin-sun"])

    await sync_from_dingtalk(synced)

    names = dict(await Department.exclude(dingtalk_dept_id=None).values_list(
        "dingtalk_dept_id", "name"))
    assert names == {1: "明辉贸易有限公司", 10: "华东大区", 11: "销售部", 20: "财务中心#20"}
    assert (await Staff.get(dingtalk_userid="fin-sun")).department == "财务中心#20"


async def test_staff_entered_by_hand_are_never_disabled(client, org, synced):
    await Staff.create(name="临时工", dingtalk_userid=None)

    await sync_from_dingtalk(synced)

    assert (await Staff.get(name="临时工")).active


async def test_members_page_past_a_hundred(client, fake, synced):
    fake.contacts.add_department(10, "门店")
    for n in range(230):
        fake.contacts.add_user(f"u{n:03}", f"店员{n}", [10])

    summary = await sync_from_dingtalk(synced)

    assert summary.created == 230
    pages = [r for r in fake.requests if r["path"] == USER_LIST_PATH and r["json"]["dept_id"] == 10]
    assert [p["json"]["cursor"] for p in pages] == [0, 100, 200]


async def test_a_role_taken_away_in_dingtalk_is_taken_away_in_tally(client, org, synced):
    await sync_from_dingtalk(synced)
    await StaffRole.create(staff=(await _staff())["fin-sun"], role="运营")  # not synced: stays
    org.remove_user("fin-sun")
    org.add_user("fin-sun", "孙会计", [20])
    org.add_role("财务", ["sales-li"])

    await sync_from_dingtalk(synced)

    assert await _roles("fin-sun") == {"运营"}
    assert await _roles("sales-li") == {"财务"}


async def test_a_failed_call_changes_nothing_and_the_job_run_records_it(
        client, org, synced, fake, clock):
    await sync_from_dingtalk(synced)
    org.remove_user("sales-li")
    fake.contacts.fail_contacts_next(-1, "系统繁忙")

    outcome = await run_job(synced, ORG_SYNC, clock().date(), clock)

    assert outcome.status == "failed" and "系统繁忙" in outcome.error
    run = await JobRun.get(job=ORG_SYNC)
    assert run.status == "failed" and "-1" in run.error
    assert (await _staff())["sales-li"].active

    outcome = await run_job(synced, ORG_SYNC, clock().date(), clock)
    assert outcome.status == "finished" and outcome.counts["disabled"] == 1


async def test_a_catch_up_syncs_once_for_today(client, org, synced, fake, clock):
    await JobRun.create(job=ORG_SYNC, run_date=clock().date() - timedelta(days=3),
                        status="finished", started_at=clock(), finished_at=clock())

    outcomes = await run_due(synced, clock, {ORG_SYNC: DAILY_JOBS[ORG_SYNC]})

    assert [o.status for o in outcomes] == ["finished"] * 3
    assert [o.counts.get("created") for o in outcomes] == [None, None, 6]
    assert sum(r["path"] == "/gettoken" for r in fake.requests) == 1


async def test_an_expired_token_is_fetched_anew(client, org, synced, fake):
    await sync_from_dingtalk(synced)
    fake.contacts.expire_tokens()

    assert (await sync_from_dingtalk(synced)).unchanged == 6


async def test_an_empty_directory_is_refused(client, org, synced, fake):
    await sync_from_dingtalk(synced)
    fake.contacts.clear()  # e.g. the app's contacts scope was narrowed to nobody

    with pytest.raises(DomainError, match="通讯录权限范围"):
        await sync_from_dingtalk(synced)
    assert await Staff.filter(active=True).count() == 6


async def test_the_daily_job_is_scheduled_only_when_the_sync_is_on(client, settings, clock,
                                                                   org, fake):
    assert ORG_SYNC not in jobs_for(settings)
    assert list(jobs_for(replace(settings, dingtalk_org_sync=True)))[-1] == ORG_SYNC
    off = replace(settings, dingtalk_oapi_base=fake.base_url)  # by hand, while switched off:

    outcome = await run_job(off, ORG_SYNC, clock().date(), clock)

    assert outcome.counts == {"skipped": "TALLY_DINGTALK_ORG_SYNC is off"}
    assert await Staff.all().count() == 0 and fake.requests == []

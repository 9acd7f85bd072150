"""`tally sync dingtalk` against the fake DingTalk, as an administrator runs it: the summary
printed; a DingTalk refusal named in one line, with nothing changed."""

from __future__ import annotations

from tortoise.contrib.test import truncate_all_models

from domain.org.models import Department, Staff
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.dingtalk_contacts import load_demo_org
from tests.support.cli import run_orm, run_tally


def _org(url):
    async def rows():
        staff = sorted(await Staff.all().values_list("dingtalk_userid", "department", "active"))
        return staff, sorted(await Department.all().values_list("name", flat=True))

    return run_orm(rows, url)


def test_sync_dingtalk_prints_the_summary_and_a_refusal_changes_nothing(database_url):
    run_orm(truncate_all_models, database_url)
    with FakeDingTalk() as fake:
        load_demo_org(fake.contacts)
        env = {"TALLY_DINGTALK_OAPI_BASE": fake.base_url}

        result = run_tally(database_url, "sync", "dingtalk", env=env)
        assert result.returncode == 0, result.stderr
        assert "staff: created 5, updated 0, disabled 0" in result.stdout
        assert "departments: created 5" in result.stdout

        refused = run_tally(database_url, "sync", "dingtalk",
                            env={**env, "TALLY_DINGTALK_CLIENT_SECRET": "wrong"})
        fake.contacts.remove_user("sales-wang")
        fake.contacts.fail_contacts_next(-1, "系统繁忙")
        busy = run_tally(database_url, "sync", "dingtalk", env=env)

    assert refused.returncode == 1
    assert refused.stderr.strip() == ("error: 钉钉通讯录读取失败，未做任何改动：/gettoken: "
                                      "不合法的corpid或corpsecret (code 40089)")
    assert busy.returncode == 1 and "系统繁忙" in busy.stderr
    staff, departments = _org(database_url)
    assert staff == [("driver-zhou", "物流部", True), ("finance-qian", "财务部", True),
                     ("mgr-zhao", "华东销售部", True), ("sales-li", "华东销售部", True),
                     ("sales-wang", "华南销售部", True)]
    assert departments == ["华东销售部", "华南销售部", "演示科技有限公司", "物流部", "财务部"]

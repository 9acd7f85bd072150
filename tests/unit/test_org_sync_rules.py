"""The org sync's pure rules: unique department names, the main department, whom a person
reports to, which Tally roles their DingTalk roles become, and the role-map setting."""

from __future__ import annotations

import pytest

from domain.org.rules import (
    DirectoryDepartment,
    DirectoryUser,
    department_heads,
    department_names,
    main_department,
    manager_of,
    parse_role_map,
    role_map,
    tally_roles,
)
from tally.settings import Settings, SettingsError

ROOT = DirectoryDepartment(1, "公司")
EAST = DirectoryDepartment(2, "华东", 1, ("zhao", "gone"))
EAST_ONE = DirectoryDepartment(3, "一部", 2)
SOUTH = DirectoryDepartment(4, "华南", 1)
SOUTH_ONE = DirectoryDepartment(5, "一部", 4, ("gone", "qian"))


def test_departments_sharing_a_name_are_told_apart_by_their_parent():
    names = department_names([ROOT, EAST, EAST_ONE, SOUTH, SOUTH_ONE])

    assert names == {1: "公司", 2: "华东", 3: "华东/一部", 4: "华南", 5: "华南/一部"}
    twins = [ROOT, DirectoryDepartment(6, "仓库", 1), DirectoryDepartment(7, "仓库", 1)]
    assert department_names(twins) == {1: "公司", 6: "公司/仓库#6", 7: "公司/仓库#7"}


def test_a_head_is_the_first_active_manager_and_people_report_up_the_tree():
    active = {"zhao", "qian", "li", "ma"}
    heads = department_heads([ROOT, EAST, EAST_ONE, SOUTH, SOUTH_ONE], active)
    parents = {1: None, 2: 1, 3: 2, 4: 1, 5: 4}

    assert heads == {2: "zhao", 5: "qian"}
    li = DirectoryUser("li", "李", dept_ids=(99, 3))
    assert main_department(li, parents) == 3  # 99 is not listed
    assert manager_of(li, 3, heads, parents, active) == "zhao"  # 一部 has none: 华东's
    zhao = DirectoryUser("zhao", "赵", dept_ids=(2,))
    assert manager_of(zhao, 2, heads, parents, active) is None  # not themselves
    ma = DirectoryUser("ma", "马", dept_ids=(5,), manager_userid="zhao")
    assert manager_of(ma, 5, heads, parents, active) == "zhao"  # 直属主管 first
    left = DirectoryUser("ma", "马", dept_ids=(5,), manager_userid="gone")
    assert manager_of(left, 5, heads, parents, active) == "qian"  # unless they left


def test_dingtalk_roles_named_like_tally_roles_or_mapped_become_them():
    roles = role_map(["财务", "财务部PFC"], parse_role_map("财务主管=财务部PFC；出纳 = 财务"))

    assert roles == {"财务": "财务", "财务部PFC": "财务部PFC", "财务主管": "财务部PFC",
                     "出纳": "财务"}
    sun = DirectoryUser("sun", "孙", roles=("出纳", "财务主管", "行政"))
    assert tally_roles(sun, roles) == {"财务", "财务部PFC"}
    assert tally_roles(DirectoryUser("x", "X", active=False, roles=("出纳",)), roles) == set()


def test_a_bad_role_map_setting_stops_the_start():
    with pytest.raises(ValueError, match="'财务' is not DingTalk role=Tally role"):
        parse_role_map("财务")
    with pytest.raises(SettingsError, match="TALLY_DINGTALK_ROLES='出纳=': "):
        Settings.from_env({"TALLY_DINGTALK_ROLES": "出纳=", "TALLY_SECRET_KEY": "k"})

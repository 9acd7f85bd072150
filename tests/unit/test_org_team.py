"""A manager's team (domain.org.team.team_below): reporting lines and headed departments,
down the whole tree, never the person themself, safe against cycles."""

from __future__ import annotations

from domain.org.team import Member, Unit, team_below

# 1 manages 2 and 3; 3 manages 4. 5 heads 华东大区 (id 10), whose sub-department 上海 (11) has
# 6, who manages 7 (in no department). 8 sits in 华东大区 itself. 9 is on their own.
MEMBERS = [Member(1, None, ""), Member(2, 1, ""), Member(3, 1, ""), Member(4, 3, ""),
           Member(5, None, ""), Member(6, None, "上海"), Member(7, 6, ""),
           Member(8, None, "华东大区"), Member(9, None, "")]
UNITS = [Unit(10, "华东大区", None, 5), Unit(11, "上海", 10, None)]


def test_a_manager_has_direct_and_indirect_reports():
    assert team_below(1, MEMBERS, UNITS) == {2, 3, 4}
    assert team_below(3, MEMBERS, UNITS) == {4}


def test_a_head_has_the_department_its_sub_departments_and_their_reports():
    assert team_below(5, MEMBERS, UNITS) == {6, 7, 8}


def test_someone_with_nobody_below_has_no_team():
    assert team_below(9, MEMBERS, UNITS) == frozenset()
    assert team_below(4, MEMBERS, UNITS) == frozenset()


def test_a_head_inside_their_own_department_is_not_their_own_team():
    members = [Member(1, None, "销售部"), Member(2, None, "销售部")]
    assert team_below(1, members, [Unit(1, "销售部", None, 1)]) == {2}


def test_cycles_in_reporting_lines_or_departments_end():
    members = [Member(1, 2, "A"), Member(2, 1, "B")]
    units = [Unit(1, "A", 2, 1), Unit(2, "B", 1, None)]
    assert team_below(1, members, units) == {2}

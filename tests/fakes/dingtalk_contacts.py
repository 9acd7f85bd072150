"""The fake DingTalk's contacts (通讯录) on the old ``oapi`` host: an org directory the test
fills (departments, members, roles) served as the real topapi calls answer.

Every answer is HTTP 200 with ``{"errcode", "errmsg", ...}`` as DingTalk's oapi does; a call
without a valid ``access_token`` query parameter gets 40014 (不合法的access_token). Member
lists page with ``cursor`` / ``next_cursor`` (``size`` ≤ 100), roles with ``offset`` /
``size``. ``fail_contacts_next(errcode)`` answers the next contacts call with that errcode.

    fake.contacts.add_department(2, "华东销售部", parent_id=1, managers=["mgr-zhao"])
    fake.contacts.add_user("sales-li", "李业务", [2], manager_userid="mgr-zhao")
    fake.contacts.add_role("财务", ["fin-sun"])
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# https://open.dingtalk.com/document/orgapp/obtain-orgapp-token
TOKEN_PATH = "/gettoken"
# https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2
LISTSUB_PATH = "/topapi/v2/department/listsub"
# https://open.dingtalk.com/document/orgapp/query-department-details0-v2
DEPARTMENT_PATH = "/topapi/v2/department/get"
# https://open.dingtalk.com/document/orgapp/queries-the-complete-information-of-a-department-user
USER_LIST_PATH = "/topapi/v2/user/list"
# https://open.dingtalk.com/document/orgapp/query-user-details
USER_PATH = "/topapi/v2/user/get"
# https://open.dingtalk.com/document/orgapp/obtains-a-list-of-enterprise-roles
ROLE_LIST_PATH = "/topapi/role/list"
# https://open.dingtalk.com/document/orgapp/obtain-the-list-of-employees-of-a-role
ROLE_MEMBERS_PATH = "/topapi/role/simplelist"

ROOT_DEPT_ID = 1
MAX_USER_PAGE = 100
MAX_ROLE_PAGE = 200
MAX_ROLE_MEMBER_PAGE = 100
# DingTalk's global error codes (全局错误码, open.dingtalk.com); 40014 is the bad-token answer
BAD_TOKEN = (40014, "不合法的access_token")
BAD_APP = (40089, "不合法的corpid或corpsecret")
NO_DEPARTMENT = (60003, "部门不存在")
NO_USER = (60121, "找不到该用户")
BAD_PARAMETER = (400002, "无效的参数")


@dataclass
class _Department:
    dept_id: int
    name: str
    parent_id: int | None
    managers: list[str] = field(default_factory=list)


@dataclass
class _User:
    userid: str
    name: str
    dept_ids: list[int]
    unionid: str
    title: str = ""
    manager_userid: str | None = None
    active: bool = True


def _answer(errcode: int = 0, errmsg: str = "ok", **more: Any) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg, **more,
                              "request_id": "fake-contacts"})


class FakeContacts:
    """The directory, its own oapi tokens and the topapi routes."""

    def __init__(self, apps: dict[str, str]) -> None:
        self._lock = threading.Lock()
        self._apps = apps  # AppKey -> AppSecret (an internal app's client id and secret)
        self._tokens: dict[str, bool] = {}  # oapi access_token -> expired
        self._ids = itertools.count(5000)
        self._departments: dict[int, _Department] = {
            ROOT_DEPT_ID: _Department(ROOT_DEPT_ID, "演示科技有限公司", None)}
        self._users: dict[str, _User] = {}
        self._roles: dict[int, tuple[str, str, list[str]]] = {}  # id -> (group, name, userids)
        self._fail: list[tuple[int, str]] = []

    # ----- the directory (thread-safe) -----

    def set_company(self, name: str, managers: list[str] | None = None) -> None:
        with self._lock:
            root = self._departments[ROOT_DEPT_ID]
            root.name, root.managers = name, list(managers or [])

    def add_department(self, dept_id: int, name: str, *, parent_id: int = ROOT_DEPT_ID,
                       managers: list[str] | None = None) -> None:
        with self._lock:
            self._departments[dept_id] = _Department(dept_id, name, parent_id,
                                                     list(managers or []))

    def add_user(self, userid: str, name: str, dept_ids: list[int], *, title: str = "",
                 manager_userid: str | None = None, active: bool = True) -> None:
        with self._lock:
            self._users[userid] = _User(userid, name, list(dept_ids), f"union-{userid}",
                                        title, manager_userid, active)

    def remove_user(self, userid: str) -> None:
        """The person left: DingTalk no longer lists them anywhere."""
        with self._lock:
            self._users.pop(userid, None)
            for _, _, members in self._roles.values():
                if userid in members:
                    members.remove(userid)

    def set_managers(self, dept_id: int, managers: list[str]) -> None:
        with self._lock:
            self._departments[dept_id].managers = list(managers)

    def add_role(self, name: str, userids: list[str], group: str = "默认") -> int:
        with self._lock:
            role_id = next(self._ids)
            self._roles[role_id] = (group, name, list(userids))
        return role_id

    def person(self, userid: str) -> dict[str, str] | None:
        """A member of the directory as sign-in sees them: userid, unionid, name (None when
        DingTalk does not know them: never joined, or left)."""
        with self._lock:
            user = self._users.get(userid)
            if user is None or not user.active:
                return None
            return {"userid": user.userid, "unionid": user.unionid, "name": user.name}

    def people(self) -> list[dict[str, str]]:
        """Every active member, in the order they were added (the fake's QR page lists them)."""
        with self._lock:
            return [{"userid": u.userid, "name": u.name, "title": u.title}
                    for u in self._users.values() if u.active]

    def fail_contacts_next(self, errcode: int = -1, errmsg: str = "系统繁忙") -> None:
        """Answer the next contacts call (not gettoken) with this errcode."""
        with self._lock:
            self._fail.append((errcode, errmsg))

    def expire_tokens(self) -> None:
        """Every oapi token issued so far is refused from now on (40014)."""
        with self._lock:
            self._tokens = {token: True for token in self._tokens}

    def clear(self) -> None:
        """An empty directory: just the root department."""
        with self._lock:
            self._departments = {ROOT_DEPT_ID: _Department(ROOT_DEPT_ID, "演示科技有限公司",
                                                           None)}
            self._users.clear()
            self._roles.clear()

    # ----- routes -----

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(TOKEN_PATH, self._token)
        for path, handler in ((LISTSUB_PATH, self._listsub), (DEPARTMENT_PATH, self._department),
                              (USER_LIST_PATH, self._user_list), (USER_PATH, self._user),
                              (ROLE_LIST_PATH, self._role_list),
                              (ROLE_MEMBERS_PATH, self._role_members)):
            app.router.add_post(path, self._guarded(handler))

    async def _token(self, request: web.Request) -> web.Response:
        key, secret = request.query.get("appkey", ""), request.query.get("appsecret", "")
        if not key or self._apps.get(key) != secret:
            return _answer(*BAD_APP)
        with self._lock:
            token = f"fake-oapi-token-{next(self._ids)}"
            self._tokens[token] = False
        return _answer(access_token=token, expires_in=7200)

    def token_valid(self, token: str) -> bool:
        """An oapi access_token this fake issued and did not expire (other oapi calls check)."""
        with self._lock:
            return self._tokens.get(token) is False

    def _guarded(self, handler):
        async def guarded(request: web.Request) -> web.Response:
            with self._lock:
                expired = self._tokens.get(request.query.get("access_token", ""), True)
                fail = self._fail.pop(0) if self._fail and not expired else None
            if expired:
                return _answer(*BAD_TOKEN)
            if fail is not None:
                return _answer(*fail)
            try:
                body = await request.json()
            except ValueError:
                return _answer(*BAD_PARAMETER)
            if not isinstance(body, dict):
                return _answer(*BAD_PARAMETER)
            with self._lock:
                return handler(body)
        return guarded

    def _listsub(self, body: dict) -> web.Response:
        parent = int(body.get("dept_id") or ROOT_DEPT_ID)
        if parent not in self._departments:
            return _answer(*NO_DEPARTMENT)
        return _answer(result=[
            {"dept_id": d.dept_id, "name": d.name, "parent_id": d.parent_id,
             "create_dept_group": False, "auto_add_user": False}
            for d in self._departments.values() if d.parent_id == parent])

    def _department(self, body: dict) -> web.Response:
        dept = self._departments.get(int(body.get("dept_id") or 0))
        if dept is None:
            return _answer(*NO_DEPARTMENT)
        result: dict[str, Any] = {"dept_id": dept.dept_id, "name": dept.name, "order": 0,
                                  "dept_manager_userid_list": list(dept.managers)}
        if dept.parent_id is not None:  # the root has none
            result["parent_id"] = dept.parent_id
        return _answer(result=result)

    def _user_list(self, body: dict) -> web.Response:
        dept_id, cursor, size = (body.get(k) for k in ("dept_id", "cursor", "size"))
        if not isinstance(size, int) or not 0 < size <= MAX_USER_PAGE or not isinstance(
                cursor, int) or cursor < 0:
            return _answer(*BAD_PARAMETER)
        if dept_id not in self._departments:
            return _answer(*NO_DEPARTMENT)
        members = [u for u in self._users.values() if dept_id in u.dept_ids]
        page = members[cursor:cursor + size]
        more = cursor + size < len(members)
        result: dict[str, Any] = {"has_more": more, "list": [
            self._listed(u, dept_id) for u in page]}
        if more:
            result["next_cursor"] = cursor + size
        return _answer(result=result)

    def _listed(self, user: _User, dept_id: int) -> dict[str, Any]:
        return {"userid": user.userid, "unionid": user.unionid, "name": user.name,
                "title": user.title, "dept_id_list": list(user.dept_ids),
                "leader": user.userid in self._departments[dept_id].managers,
                "active": user.active, "admin": False, "boss": False,
                "hide_mobile": False, "exclusive_account": False}

    def _user(self, body: dict) -> web.Response:
        user = self._users.get(str(body.get("userid") or ""))
        if user is None:
            return _answer(*NO_USER)
        result = {"userid": user.userid, "unionid": user.unionid, "name": user.name,
                  "title": user.title, "dept_id_list": list(user.dept_ids),
                  "active": user.active, "admin": False, "boss": False,
                  "leader_in_dept": [
                      {"dept_id": d, "leader": user.userid in self._departments[d].managers}
                      for d in user.dept_ids if d in self._departments],
                  "role_list": [{"id": role_id, "name": name, "group_name": group}
                                for role_id, (group, name, members) in self._roles.items()
                                if user.userid in members]}
        if user.manager_userid:  # returned only when 直属主管 is set
            result["manager_userid"] = user.manager_userid
        return _answer(result=result)

    def _role_list(self, body: dict) -> web.Response:
        offset, size = int(body.get("offset") or 0), int(body.get("size") or 20)
        if size > MAX_ROLE_PAGE:
            return _answer(*BAD_PARAMETER)
        groups: dict[str, list[dict[str, Any]]] = {}
        for role_id, (group, name, _) in self._roles.items():
            groups.setdefault(group, []).append({"id": role_id, "name": name})
        listed = [{"groupId": 100 + i, "name": group, "roles": roles}
                  for i, (group, roles) in enumerate(groups.items())]
        return _answer(result={"hasMore": offset + size < len(listed),
                               "list": listed[offset:offset + size]})

    def _role_members(self, body: dict) -> web.Response:
        role = self._roles.get(int(body.get("role_id") or 0))
        offset, size = int(body.get("offset") or 0), int(body.get("size") or 20)
        if role is None or size > MAX_ROLE_MEMBER_PAGE:
            return _answer(*BAD_PARAMETER)
        members = [u for u in role[2] if u in self._users]
        return _answer(result={"hasMore": offset + size < len(members), "list": [
            {"userid": u, "name": self._users[u].name, "manageScopes": []}
            for u in members[offset:offset + size]]})


def load_demo_org(contacts: FakeContacts) -> None:
    """The sandbox's org: tally.demo's staff (赵经理 heads both sales departments) and a finance
    clerk who approves and confirms hand-overs."""
    contacts.set_company("演示科技有限公司")
    contacts.add_department(2, "华东销售部", managers=["mgr-zhao"])
    contacts.add_department(3, "华南销售部", managers=["mgr-zhao"])
    contacts.add_department(4, "物流部")
    contacts.add_user("mgr-zhao", "赵经理", [2, 3], title="销售经理")
    contacts.add_user("sales-li", "李业务", [2], title="业务员", manager_userid="mgr-zhao")
    contacts.add_user("sales-wang", "王业务", [3], title="业务员", manager_userid="mgr-zhao")
    contacts.add_user("driver-zhou", "周司机", [4], title="司机")
    # finance, and the role names seed 002's credit approval asks for, so that an approval
    # started in the sandbox finds its approvers (the sync brings 钱会计 in; tally.demo has no
    # finance staff of its own)
    contacts.add_department(5, "财务部", managers=["finance-qian"])
    contacts.add_user("finance-qian", "钱会计", [5], title="会计")
    contacts.add_role("营销中心总经理", ["mgr-zhao"])
    contacts.add_role("财务部PFC", ["finance-qian"])
    contacts.add_role("财务", ["finance-qian"])

"""DingTalk contacts (通讯录) over aiohttp: departments, members, managers and roles, read into
the plain ``domain.org.rules.Directory`` that the org sync applies.

These calls live on the old ``oapi`` host (``settings.dingtalk_oapi_base``), not on the
``api.dingtalk.com`` OpenAPI: the token comes from ``GET /gettoken`` and rides as the
``access_token`` query parameter; every answer is ``{"errcode": 0, "errmsg": "ok", ...}`` (HTTP
200 even on errors). A rejected token (40014 / 42001) is fetched anew once and the call retried.
Every failure is a ``DingTalkError`` with DingTalk's errcode as its ``code``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Mapping
from typing import Any

import aiohttp
from yarl import URL

from bot.dingtalk_api import TOKEN_MARGIN_SECONDS, DingTalkError, _Http
from domain.org.rules import Directory, DirectoryDepartment, DirectoryUser

# https://open.dingtalk.com/document/orgapp/obtain-orgapp-token
# GET /gettoken?appkey=&appsecret= -> {errcode, errmsg, access_token, expires_in}
TOKEN_PATH = "/gettoken"
# https://open.dingtalk.com/document/orgapp/obtain-the-department-list-v2
# {dept_id} -> result: [{dept_id, name, parent_id, ...}] (one level below dept_id)
LISTSUB_PATH = "/topapi/v2/department/listsub"
# https://open.dingtalk.com/document/orgapp/query-department-details0-v2
# {dept_id} -> result: {dept_id, name, parent_id, dept_manager_userid_list, ...}
DEPARTMENT_PATH = "/topapi/v2/department/get"
# https://open.dingtalk.com/document/orgapp/queries-the-complete-information-of-a-department-user
# {dept_id, cursor, size <= 100} -> result: {has_more, next_cursor, list: [{userid, unionid,
# name, title, dept_id_list, leader, active, ...}]} (no manager there: see USER_PATH)
USER_LIST_PATH = "/topapi/v2/user/list"
# https://open.dingtalk.com/document/orgapp/query-user-details
# {userid} -> result: {userid, manager_userid (only when 直属主管 is set), leader_in_dept, ...}
USER_PATH = "/topapi/v2/user/get"
# https://open.dingtalk.com/document/orgapp/obtains-a-list-of-enterprise-roles
# {offset, size <= 200} -> result: {hasMore, list: [{groupId, name, roles: [{id, name}]}]}
ROLE_LIST_PATH = "/topapi/role/list"
# https://open.dingtalk.com/document/orgapp/obtain-the-list-of-employees-of-a-role
# {role_id, offset, size <= 100} -> result: {hasMore, list: [{userid, name, manageScopes}]}
ROLE_MEMBERS_PATH = "/topapi/role/simplelist"

ROOT_DEPT_ID = 1
USER_PAGE = 100
ROLE_PAGE = 200
ROLE_MEMBER_PAGE = 100
TOKEN_ERRCODES = frozenset({40014, 42001})  # 不合法的access_token, access_token 超时
RETRYABLE_ERRCODES = frozenset({-1, 90018})  # 系统繁忙, 调用太频繁
DETAIL_CONCURRENCY = 4  # user/get per person: a few at a time, under DingTalk's QPS limit


class DingTalkContacts:
    """The contacts API of one internal app (its AppKey / AppSecret are the app's client id and
    secret). Call ``await close()`` when done."""

    def __init__(self, app_key: str, app_secret: str, oapi_base: str, *,
                 session: aiohttp.ClientSession | None = None, timeout: float = 10.0) -> None:
        self._app_key = app_key
        self._app_secret = app_secret
        self._base = oapi_base.rstrip("/")
        self._http = _Http(session, timeout)
        self._token: str | None = None
        self._token_expires = 0.0

    async def close(self) -> None:
        await self._http.close()

    async def read_directory(self, role_names: Collection[str] = ()) -> Directory:
        """Every department under the root, every member, their managers and those of
        ``role_names`` (DingTalk role names) each person holds."""
        departments = await self._departments()
        users = await self._members([d.dept_id for d in departments])
        managers = await self._managers(list(users))
        roles = await self._role_members(role_names)
        return Directory(tuple(departments), tuple(
            _user(item, managers.get(userid), roles.get(userid, ()))
            for userid, item in users.items()))

    async def _departments(self) -> list[DirectoryDepartment]:
        """The root and every department below it, parents before children."""
        found = [await self._department(ROOT_DEPT_ID)]
        queue = [ROOT_DEPT_ID]
        while queue:
            for child in await self.call(LISTSUB_PATH, {"dept_id": queue.pop(0)}) or []:
                dept_id = int(child["dept_id"])
                if all(d.dept_id != dept_id for d in found):
                    found.append(await self._department(dept_id))
                    queue.append(dept_id)
        return found

    async def _department(self, dept_id: int) -> DirectoryDepartment:
        result = await self.call(DEPARTMENT_PATH, {"dept_id": dept_id}) or {}
        parent = result.get("parent_id") if dept_id != ROOT_DEPT_ID else None
        return DirectoryDepartment(
            dept_id, str(result.get("name") or dept_id),
            int(parent) if parent is not None else None,
            tuple(str(u) for u in result.get("dept_manager_userid_list") or ()))

    async def _members(self, dept_ids: list[int]) -> dict[str, dict]:
        """Each member once (a person in several departments is listed by each)."""
        users: dict[str, dict] = {}
        for dept_id in dept_ids:
            cursor = 0
            while True:
                page = await self.call(USER_LIST_PATH, {
                    "dept_id": dept_id, "cursor": cursor, "size": USER_PAGE}) or {}
                for item in page.get("list") or []:
                    users.setdefault(str(item["userid"]), item)
                if not page.get("has_more"):
                    break
                cursor = int(page["next_cursor"])
        return users

    async def _managers(self, userids: list[str]) -> dict[str, str]:
        """Each person's 直属主管, where one is set (user/get; the list call lacks it)."""
        gate = asyncio.Semaphore(DETAIL_CONCURRENCY)

        async def manager(userid: str) -> str | None:
            async with gate:
                detail = await self.call(USER_PATH, {"userid": userid}) or {}
            return detail.get("manager_userid") or None

        found = await asyncio.gather(*(manager(u) for u in userids))
        return {u: str(m) for u, m in zip(userids, found, strict=True) if m}

    async def _role_members(self, role_names: Collection[str]) -> dict[str, tuple[str, ...]]:
        """userid → the DingTalk role names (among ``role_names``) the person holds."""
        held: dict[str, list[str]] = {}
        for role_id, name in await self._roles(role_names):
            offset = 0
            while True:
                page = await self.call(ROLE_MEMBERS_PATH, {
                    "role_id": role_id, "offset": offset, "size": ROLE_MEMBER_PAGE}) or {}
                for member in page.get("list") or []:
                    held.setdefault(str(member["userid"]), []).append(name)
                if not page.get("hasMore"):
                    break
                offset += ROLE_MEMBER_PAGE
        return {userid: tuple(names) for userid, names in held.items()}

    async def _roles(self, role_names: Collection[str]) -> list[tuple[int, str]]:
        wanted = set(role_names)
        roles: list[tuple[int, str]] = []
        offset = 0
        while wanted:
            page = await self.call(ROLE_LIST_PATH, {"offset": offset, "size": ROLE_PAGE}) or {}
            for group in page.get("list") or []:
                roles += [(int(r["id"]), str(r["name"])) for r in group.get("roles") or ()
                          if r.get("name") in wanted]
            if not page.get("hasMore"):
                break
            offset += ROLE_PAGE
        return roles

    async def call(self, path: str, body: dict) -> Any:
        """POST a topapi call; its ``result``. A rejected token is fetched anew once."""
        token = await self._access_token()
        answer = await self._post(path, body, token)
        if answer.get("errcode") in TOKEN_ERRCODES:
            self._token = None
            answer = await self._post(path, body, await self._access_token())
        _check(answer, path)
        return answer.get("result")

    async def _post(self, path: str, body: dict, token: str) -> dict:
        url = URL(f"{self._base}{path}").with_query(access_token=token)
        status, answer = await self._http.request("POST", url, body)
        if status >= 400 or not isinstance(answer, dict):
            raise DingTalkError(status, f"HTTP{status}", f"{path}: no JSON answer",
                                retryable=status >= 500 or status == 429)
        return answer

    async def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        url = URL(f"{self._base}{TOKEN_PATH}").with_query(
            appkey=self._app_key, appsecret=self._app_secret)
        status, answer = await self._http.request("GET", url, None)
        if status >= 400 or not isinstance(answer, dict):
            raise DingTalkError(status, f"HTTP{status}", "gettoken: no JSON answer",
                                retryable=status >= 500)
        _check(answer, TOKEN_PATH)
        self._token = str(answer["access_token"])
        expires_in = int(answer.get("expires_in", 7200))
        self._token_expires = time.monotonic() + max(expires_in - TOKEN_MARGIN_SECONDS, 0)
        return self._token


async def read_directory(settings, roles: Mapping[str, str]) -> Directory:
    """The directory of the configured app, with the DingTalk roles ``roles`` maps (the org
    sync's reader, registered by ``tally.registries``)."""
    contacts = DingTalkContacts(settings.dingtalk_client_id, settings.dingtalk_client_secret,
                                settings.dingtalk_oapi_base)
    try:
        return await contacts.read_directory(list(roles))
    finally:
        await contacts.close()


def _check(answer: dict, path: str) -> None:
    errcode = int(answer.get("errcode", -1))
    if errcode != 0:
        message = f"{path}: {answer.get('errmsg') or 'no errmsg'}"
        raise DingTalkError(200, str(errcode), message, errcode in RETRYABLE_ERRCODES)


def _user(item: dict, manager: str | None, roles: tuple[str, ...]) -> DirectoryUser:
    return DirectoryUser(
        userid=str(item["userid"]), name=str(item.get("name") or item["userid"]),
        unionid=str(item["unionid"]) if item.get("unionid") else None,
        dept_ids=tuple(int(d) for d in item.get("dept_id_list") or ()),
        active=bool(item.get("active", True)), manager_userid=manager, roles=roles)

"""DingTalk OpenAPI over aiohttp: one-to-one robot messages, card-platform cards, to-dos (待办),
group robots, and who a sign-in code stands for (免登 inside DingTalk, QR login in a browser).

dingtalk-stream has no async OpenAPI calls (its helpers block on ``requests`` and read the base
URL from the environment at import), so the few calls Tally needs are made here with aiohttp
against an explicit ``base_url``. The access token is cached until shortly before it expires;
a call answered 401 fetches a new token once and is retried once.

Every failure is a ``DingTalkError``; ``retryable`` says whether trying again later may help
(HTTP 5xx, 429 / throttling, timeouts and connection errors).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import aiohttp
from yarl import URL

from httpcommon.upstream import UpstreamError

TOKEN_PATH = "/v1.0/oauth2/accessToken"
BATCH_SEND_PATH = "/v1.0/robot/oToMessages/batchSend"
# Card platform (卡片平台): create a card instance and deliver it in one call, update it by
# outTrackId. https://open.dingtalk.com/document/orgapp/create-and-deliver-cards and
# https://open.dingtalk.com/document/orgapp/interactive-card-update-interface (field names also
# as in aliyun/dingtalk-sdk card_1_0 CreateAndDeliverRequest / UpdateCardRequest).
CARD_CREATE_PATH = "/v1.0/card/instances/createAndDeliver"
CARD_UPDATE_PATH = "/v1.0/card/instances"
ROBOT_SPACE = "dtv1.card//IM_ROBOT.{user_id}"  # a one-to-one chat with the app's robot
USER_ID_TYPE = 1  # userIds are DingTalk userids (2 would be unionIds); without it no card shows
# To-dos: https://open.dingtalk.com/document/orgapp/add-dingtalk-to-do-task and
# https://open.dingtalk.com/document/orgapp/updates-dingtalk-to-do-tasks
TODO_PATH = "/v1.0/todo/users/{union_id}/tasks"
TOKEN_MARGIN_SECONDS = 300  # refresh this long before DingTalk's expiry, as the SDK does
# Sign-in. 免登 inside DingTalk: the page's auth code (5 minutes, one use) -> the person, on the
# oapi host with the app's oapi token: POST /topapi/v2/user/getuserinfo?access_token= {code} ->
# {errcode: 0, result: {userid, unionid, name, device_id, sys, sys_level, associated_unionid}};
# a bad, spent or expired code is errcode 40078 (不存在的临时授权码).
# https://open.dingtalk.com/document/orgapp/obtain-the-userid-of-a-user-by-using-the-log-free
AUTH_CODE_USER_PATH = "/topapi/v2/user/getuserinfo"
# QR login (OAuth 2): the callback's authCode -> the person's own token -> their profile.
# POST /v1.0/oauth2/userAccessToken {clientId, clientSecret, code, grantType} ->
# {accessToken, refreshToken, expireIn, corpId}
# https://open.dingtalk.com/document/orgapp/obtain-user-token
USER_TOKEN_PATH = "/v1.0/oauth2/userAccessToken"
# GET /v1.0/contact/users/me (x-acs-dingtalk-access-token: the user's token) ->
# {nick, avatarUrl, mobile, openId, unionId, email, stateCode}
# https://open.dingtalk.com/document/orgapp/dingtalk-retrieve-user-information
USER_ME_PATH = "/v1.0/contact/users/me"
THROTTLING_CODES = ("Throttling", "QpsLimit", "FlowControl")
GROUP_RETRYABLE_ERRCODES = frozenset({-1, 130101})  # system busy, sending too fast


class DingTalkError(UpstreamError):
    """A failed DingTalk call: HTTP ``status`` (None without an answer), DingTalk's ``code``
    (also as ``errcode`` when it is a number, as the oapi host's are, for the HTTP edges)."""

    def __init__(self, status: int | None, code: str, message: str, retryable: bool) -> None:
        super().__init__(f"DingTalk error {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retryable = retryable
        self.errcode = int(code) if code.lstrip("-").isdigit() else None
        self.errmsg = message


@dataclass(frozen=True)
class DingTalkUser:
    """The person a sign-in code stood for: ``userid`` (免登 only: QR login knows the unionid),
    the ``unionid`` and the name DingTalk shows."""

    userid: str | None
    unionid: str
    name: str


def sign_group_robot(secret: str, timestamp_ms: int) -> str:
    """DingTalk's group-robot signature: base64(HMAC-SHA256(secret, f"{ts}\\n{secret}"))."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_webhook_url(webhook_url: str, secret: str, timestamp_ms: int) -> URL:
    """The webhook URL with ``timestamp`` and the url-encoded ``sign`` appended."""
    sign = quote_plus(sign_group_robot(secret, timestamp_ms))
    separator = "&" if "?" in webhook_url else "?"
    return URL(f"{webhook_url}{separator}timestamp={timestamp_ms}&sign={sign}", encoded=True)


def _error_from_answer(status: int, body: Any) -> DingTalkError:
    body = body if isinstance(body, dict) else {}
    code = str(body.get("code") or f"HTTP{status}")
    message = str(body.get("message") or "")
    throttled = status == 429 or any(mark in code for mark in THROTTLING_CODES)
    return DingTalkError(status, code, message, retryable=status >= 500 or throttled)


async def _read_json(response: aiohttp.ClientResponse) -> Any:
    text = await response.text()
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class _Http:
    """A JSON client on a shared or owned aiohttp session, mapping failures to DingTalkError."""

    def __init__(self, session: aiohttp.ClientSession | None, timeout: float) -> None:
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def request(
        self, method: str, url: str | URL, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        try:
            async with self.session().request(
                method, url, json=body, headers=headers, timeout=self._timeout
            ) as response:
                return response.status, await _read_json(response)
        except TimeoutError:
            raise DingTalkError(None, "timeout", "DingTalk did not answer in time", True) from None
        except aiohttp.ClientError as exc:
            raise DingTalkError(None, "connection", f"{type(exc).__name__}: {exc}", True) from None

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None


class DingTalkApi:
    """Async DingTalk OpenAPI client for one app (robot). Call ``await close()`` when done."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        robot_code: str,
        base_url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 5.0,
        oapi_base: str = "https://oapi.dingtalk.com",
    ) -> None:
        self.client_id = client_id
        self.robot_code = robot_code
        self._client_secret = client_secret
        self._base = base_url.rstrip("/")
        self._oapi_base = oapi_base
        self._http = _Http(session, timeout)
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()
        self._oapi: Any = None  # the oapi host's client (its own token), made on first use

    async def user_of_auth_code(self, code: str) -> DingTalkUser:
        """Who the 免登 auth code a page got inside DingTalk stands for (one use, 5 minutes)."""
        result = await self._oapi_client().call(AUTH_CODE_USER_PATH, {"code": code}) or {}
        if not result.get("userid"):
            raise DingTalkError(200, "noUserid", "getuserinfo answered no userid", False)
        return DingTalkUser(str(result["userid"]), str(result.get("unionid") or ""),
                            str(result.get("name") or ""))

    async def user_of_login_code(self, code: str) -> DingTalkUser:
        """Who the authCode of a QR login's callback stands for: the code buys the person's own
        token, which reads their profile (contact/users/me)."""
        body = {"clientId": self.client_id, "clientSecret": self._client_secret, "code": code,
                "grantType": "authorization_code"}
        status, answer = await self._http.request("POST", self._base + USER_TOKEN_PATH, body)
        if status >= 400 or not isinstance(answer, dict) or not answer.get("accessToken"):
            raise _error_from_answer(status if status >= 400 else 502, answer)
        headers = {"x-acs-dingtalk-access-token": str(answer["accessToken"])}
        status, me = await self._http.request("GET", self._base + USER_ME_PATH, None, headers)
        if status >= 400 or not isinstance(me, dict) or not me.get("unionId"):
            raise _error_from_answer(status if status >= 400 else 502, me)
        return DingTalkUser(None, str(me["unionId"]), str(me.get("nick") or ""))

    def _oapi_client(self) -> Any:
        if self._oapi is None:
            # imported here: the contacts client is built on this module's HTTP helpers
            from bot.dingtalk_contacts import DingTalkContacts

            self._oapi = DingTalkContacts(self.client_id, self._client_secret, self._oapi_base,
                                          session=self._http.session())
        return self._oapi

    async def send_text(self, user_ids: list[str], text: str) -> str:
        """One-to-one text to staff by DingTalk user id; returns the processQueryKey."""
        return await self._batch_send(user_ids, "sampleText", {"content": text})

    async def send_markdown(self, user_ids: list[str], title: str, text: str) -> str:
        return await self._batch_send(user_ids, "sampleMarkdown", {"title": title, "text": text})

    async def send_card(self, user_id: str, out_track_id: str, template_id: str,
                        params: dict[str, str], title: str = "") -> None:
        """A card-platform card to one user's chat with the robot; ``out_track_id`` names it for
        updates and comes back in its presses (over the stream: ``callbackType`` STREAM)."""
        body = {
            "cardTemplateId": template_id,
            "outTrackId": out_track_id,
            "callbackType": "STREAM",
            "cardData": {"cardParamMap": params},
            "openSpaceId": ROBOT_SPACE.format(user_id=user_id),
            "imRobotOpenSpaceModel": {"supportForward": False,
                                      "lastMessageI18n": {"ZH_CN": title[:50] or "卡片"}},
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": self.robot_code},
            "userIdType": USER_ID_TYPE,
        }
        answer = await self._call("POST", CARD_CREATE_PATH, body)
        failed = [r for r in (answer.get("result") or {}).get("deliverResults") or []
                  if not r.get("success")]
        if failed:
            raise DingTalkError(200, "deliverFailed", str(failed[0].get("errorMsg", "")), False)

    async def update_card(self, out_track_id: str, params: dict[str, str]) -> None:
        """Replace the public data of a card sent before (every key the template binds)."""
        body = {"outTrackId": out_track_id, "cardData": {"cardParamMap": params},
                "cardUpdateOptions": {"updateCardDataByKey": True}, "userIdType": USER_ID_TYPE}
        await self._call("PUT", CARD_UPDATE_PATH, body)

    async def create_todo(self, union_id: str, todo: dict[str, Any]) -> str:
        """A 待办 for ``union_id`` (created as them, as the API requires an operator); its id.
        ``todo`` holds sourceId, subject, description, detailUrl and the like."""
        body = {"executorIds": [union_id], "participantIds": [union_id], **todo}
        path = TODO_PATH.format(union_id=quote(union_id, safe=""))
        answer = await self._call("POST", path, body, {"operatorId": union_id})
        return str(answer.get("id", ""))

    async def complete_todo(self, union_id: str, todo_id: str) -> None:
        path = TODO_PATH.format(union_id=quote(union_id, safe="")) + "/" + quote(todo_id, safe="")
        await self._call("PUT", path, {"done": True}, {"operatorId": union_id})

    async def send_group_robot(self, webhook_url: str, secret: str, text: str) -> None:
        await send_group_robot(webhook_url, secret, text, http=self._http)

    async def reply_session(
        self, session_webhook: str, title: str, text: str, at_user_ids: list[str] | None = None
    ) -> None:
        """Answer a bot message in its conversation through the message's session webhook
        (markdown; the SDK's ``reply_markdown`` does the same with blocking ``requests``)."""
        body = {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": text},
            "at": {"atUserIds": list(at_user_ids or [])},
        }
        status, answer = await self._http.request("POST", session_webhook, body)
        _check_group_answer(status, answer)

    async def close(self) -> None:
        await self._http.close()

    async def _batch_send(self, user_ids: list[str], msg_key: str, param: dict) -> str:
        if not user_ids:
            raise ValueError("user_ids must not be empty")
        body = {
            "robotCode": self.robot_code,
            "userIds": list(user_ids),
            "msgKey": msg_key,
            "msgParam": json.dumps(param, ensure_ascii=False),
        }
        answer = await self._call("POST", BATCH_SEND_PATH, body)
        return str(answer.get("processQueryKey", ""))

    async def _call(self, method: str, path: str, body: dict,
                    query: dict[str, str] | None = None) -> dict:
        if query:
            path = f"{path}?{urlencode(query)}"
        token = await self._access_token()
        status, answer = await self._send(method, path, body, token)
        if status == 401:
            await self._refresh_token(token)
            status, answer = await self._send(method, path, body, await self._access_token())
        if status >= 400:
            raise _error_from_answer(status, answer)
        return answer if isinstance(answer, dict) else {}

    async def _send(self, method: str, path: str, body: dict, token: str) -> tuple[int, Any]:
        headers = {"x-acs-dingtalk-access-token": token}
        return await self._http.request(method, self._base + path, body, headers)

    async def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        async with self._token_lock:
            if self._token and time.monotonic() < self._token_expires:
                return self._token
            return await self._fetch_token()

    async def _refresh_token(self, rejected: str) -> None:
        """Forget ``rejected`` and fetch anew, unless another call already replaced it."""
        async with self._token_lock:
            if self._token == rejected:
                self._token = None
                await self._fetch_token()

    async def _fetch_token(self) -> str:
        body = {"appKey": self.client_id, "appSecret": self._client_secret}
        status, answer = await self._http.request("POST", self._base + TOKEN_PATH, body)
        if status >= 400 or not isinstance(answer, dict) or not answer.get("accessToken"):
            raise _error_from_answer(status if status >= 400 else 502, answer)
        expires_in = int(answer.get("expireIn", 7200))
        self._token = str(answer["accessToken"])
        self._token_expires = time.monotonic() + max(expires_in - TOKEN_MARGIN_SECONDS, 0)
        return self._token


async def send_group_robot(
    webhook_url: str,
    secret: str,
    text: str,
    *,
    session: aiohttp.ClientSession | None = None,
    request_timeout: float = 5.0,
    timestamp_ms: int | None = None,
    http: _Http | None = None,
) -> None:
    """Post a text to a group robot's webhook, signed with the robot's secret (加签)."""
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    url = signed_webhook_url(webhook_url, secret, timestamp_ms)
    body = {"msgtype": "text", "text": {"content": text}}
    own = http is None
    http = http or _Http(session, request_timeout)
    try:
        status, answer = await http.request("POST", url, body)
    finally:
        if own:
            await http.close()
    _check_group_answer(status, answer)


def _check_group_answer(status: int, answer: Any) -> None:
    if status >= 400:
        raise _error_from_answer(status, answer)
    answer = answer if isinstance(answer, dict) else {}
    errcode = int(answer.get("errcode", -1))
    if errcode != 0:
        message = str(answer.get("errmsg", "no answer"))
        raise DingTalkError(status, str(errcode), message, errcode in GROUP_RETRYABLE_ERRCODES)

"""WeChat gateway: the real wechatpy SDK, run off the event loop in a bounded thread pool.

wechatpy is synchronous (``requests``). Every SDK call runs in a ThreadPoolExecutor owned by the
gateway, never on the event loop. wechatpy's own ``auto_retry`` recurses without limit on a
persistent 40001, so it is off; instead a call that fails with a token error (40001 / 40014 /
42001) refreshes the token once and is retried once.

Two wechatpy clients share one session storage (keys are ``{appid}_access_token``): the official
account (``appid``/``secret``: template messages) and the mini-program (``mp_appid``/``mp_secret``:
code2session, and later subscribe messages and mini-program codes).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.client.api import WeChatWxa
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage

from httpcommon.upstream import UpstreamError

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com/"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
RETRYABLE_ERRORS = frozenset({-1, 45009})
_SECRET_PARAMS = re.compile(r"\b(secret|access_token|js_code)=[^&\s'\"]*")
T = TypeVar("T")


class WeChatError(UpstreamError):
    """A failed WeChat call.

    ``errcode`` is WeChat's error code, or None when there was no WeChat answer (HTTP 5xx,
    timeout, connection error, unreadable body); ``status`` is the HTTP status when known.
    """

    def __init__(self, errcode: int | None, errmsg: str, status: int | None = None) -> None:
        super().__init__(f"WeChat error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.status = status

    @property
    def retryable(self) -> bool:
        """True for transient failures (transport, 5xx, system busy, rate limit)."""
        return self.errcode is None or self.errcode in RETRYABLE_ERRORS


class _TimeoutSession(requests.Session):
    """A requests session that applies ``timeout`` to every call (wechatpy's token fetch
    passes none) and pools as many connections as the gateway has threads."""

    def __init__(self, timeout: float, pool_size: int) -> None:
        super().__init__()
        self._timeout = timeout
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().request(method, url, *args, **kwargs)


class _Wxa(WeChatWxa):
    def code_to_session(self, js_code: str) -> dict[str, Any]:
        # jscode2session takes no access_token. wechatpy adds one (fetching it first) unless
        # the key is present; requests drops None-valued params, so none is fetched or sent.
        params = {
            "appid": self.appid,
            "secret": self.secret,
            "js_code": js_code,
            "grant_type": "authorization_code",
            "access_token": None,
        }
        return self._get("sns/jscode2session", params=params)

    def get_unlimited_code(self, scene: str, page: str, env_version: str) -> Any:
        """getUnlimitedQRCode with the fields wechatpy's get_wxa_code_unlimited lacks
        (check_path, env_version); the raw response when WeChat sent an image, WeChatClient-
        Exception when it sent {errcode, errmsg} (still HTTP 200).
        https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html
        """
        # check_path false: the page need not be published yet (a trial or develop version).
        body = {"scene": scene, "page": page, "check_path": False, "env_version": env_version}
        return self._post("wxa/getwxacodeunlimit", data=body)


class _Client(WeChatClient):
    """WeChatClient pointed at ``api_base``, with a timeout and a serialised token refresh."""

    wxa = _Wxa()

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        api_base: str,
        session: SessionStorage,
        timeout: float,
        pool_size: int,
    ) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base + "cgi-bin/"
        self.wxa.API_BASE_URL = api_base
        self._http.close()
        self._http = _TimeoutSession(timeout, pool_size)
        self._token_lock = threading.RLock()

    def fetch_access_token(self) -> dict[str, Any]:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        with self._token_lock:
            return self._fetch_access_token(url=self.API_BASE_URL + "token", params=params)

    @property
    def access_token(self) -> str:
        with self._token_lock:
            return super().access_token

    def refresh_token(self, rejected: str | None) -> None:
        """Fetch a new token unless another thread already replaced ``rejected``."""
        with self._token_lock:
            current = self.session.get(self.access_token_key)
            if current and current != rejected:
                return
            log.info("WeChat token for %s rejected, fetching a new one", self.appid)
            self.fetch_access_token()

    def close(self) -> None:
        self._http.close()


def _with_token_retry(client: _Client, call: Callable[[], T]) -> T:
    """Run ``call``; on a token error refresh the token once and retry once (runs in a thread)."""
    token = client.access_token
    try:
        return call()
    except WeChatClientException as exc:
        if exc.errcode not in TOKEN_ERRORS:
            raise
    client.refresh_token(token)
    return call()


def _translated(call: Callable[[], T]) -> T:
    """Run ``call`` and turn SDK and transport failures into WeChatError (runs in a thread)."""
    try:
        return call()
    except WeChatClientException as exc:
        raise _error_from(exc) from exc
    except requests.RequestException as exc:
        # requests' messages carry the URL, whose query holds the app secret: redact it and
        # drop the original from the chain so logged tracebacks cannot show it.
        status = exc.response.status_code if exc.response is not None else None
        message = _SECRET_PARAMS.sub(r"\1=***", f"request failed: {exc}")
        raise WeChatError(None, message, status) from None


def _error_from(exc: WeChatClientException) -> WeChatError:
    status = exc.response.status_code if exc.response is not None else None
    if exc.errcode is None:
        return WeChatError(None, f"HTTP {status}", status)
    return WeChatError(int(exc.errcode), str(exc.errmsg), status)


class WeChatGateway:
    """Async facade over wechatpy. Call ``await close()`` when done."""

    def __init__(
        self,
        appid: str,
        secret: str,
        api_base: str = DEFAULT_API_BASE,
        *,
        mp_appid: str,
        mp_secret: str,
        timeout: float = 5.0,
        max_threads: int = 8,
        session: SessionStorage | None = None,
    ) -> None:
        api_base = api_base if api_base.endswith("/") else api_base + "/"
        options = {
            "api_base": api_base,
            "session": session if session is not None else MemoryStorage(),
            "timeout": timeout,
            "pool_size": max_threads,
        }
        self._oa = _Client(appid, secret, **options)
        self._mp = _Client(mp_appid, mp_secret, **options)
        self._executor = ThreadPoolExecutor(max_threads, thread_name_prefix="wechat")
        self._inflight: set[Future[Any]] = set()
        self._closed = False

    async def code_to_session(self, code: str) -> dict[str, Any]:
        """Exchange a mini-program login code: {"openid", "session_key", "unionid" or None}."""
        result = await self._run(functools.partial(self._mp.wxa.code_to_session, code))
        if not isinstance(result, dict) or not result.get("openid"):
            raise WeChatError(None, f"unexpected jscode2session answer: {result!r}")
        return {
            "openid": result["openid"],
            "session_key": result.get("session_key"),
            "unionid": result.get("unionid"),
        }

    async def send_template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, Any],
        url: str | None = None,
        miniprogram: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Official-account template message; returns WeChat's answer ({errcode: 0, msgid})."""
        send = functools.partial(
            self._oa.message.send_template,
            openid,
            template_id,
            data,
            url=url,
            mini_program=miniprogram,
        )
        return await self._run(functools.partial(_with_token_retry, self._oa, send))

    async def create_temporary_qr(self, scene: str, expire_seconds: int) -> dict[str, Any]:
        """A temporary official-account QR code whose scan event carries ``scene``: WeChat's
        {ticket, expire_seconds, url}; ``url`` is what the QR image encodes.
        https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
        """
        data = {"expire_seconds": expire_seconds, "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene}}}
        create = functools.partial(self._oa.qrcode.create, data)
        result = await self._run(functools.partial(_with_token_retry, self._oa, create))
        if not isinstance(result, dict) or not result.get("url") or not result.get("ticket"):
            raise WeChatError(None, f"unexpected qrcode/create answer: {result!r}")
        return result

    async def miniprogram_code(self, scene: str, page: str, env_version: str) -> bytes:
        """A mini-program code (getUnlimitedQRCode) opening ``page`` with ``scene``: the image
        bytes (WeChat sends JPEG or PNG)."""
        fetch = functools.partial(self._mp.wxa.get_unlimited_code, scene, page, env_version)
        answer = await self._run(functools.partial(_with_token_retry, self._mp, fetch))
        body = getattr(answer, "content", None)
        if not isinstance(body, bytes) or not body.startswith((b"\x89PNG", b"\xff\xd8")):
            raise WeChatError(None, "getwxacodeunlimit answered no image")
        return body

    async def user_info(self, openid: str) -> dict[str, Any]:
        """An official-account follower: ``{"subscribe": 1, "openid", "unionid" (only when the
        account is bound to an open platform), …}``, or ``{"subscribe": 0, "openid"}`` for one
        who left. GET cgi-bin/user/info?openid=&lang=zh_CN, see
        https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_userinfo.html
        """
        get = functools.partial(self._oa.user.get, openid, lang="zh_CN")
        return await self._run(functools.partial(_with_token_retry, self._oa, get))

    async def access_token(self, app: str, rejected: str | None = None) -> str:
        """The official account's ("oa") or mini-program's ("mp") token, from wechatpy's
        storage; when WeChat ``rejected`` a token, it is refreshed first (once, by whoever asks
        first). For senders that call WeChat over aiohttp with wechatpy's token handling."""
        client = self._oa if app == "oa" else self._mp

        def read() -> str:
            if rejected is not None:
                client.refresh_token(rejected)
            return client.access_token

        return await self._run(read)

    async def close(self) -> None:
        """Wait for calls in flight, then stop the thread pool and HTTP sessions."""
        if self._closed:
            return
        self._closed = True
        # Includes calls whose caller was cancelled: their threads are still running.
        running = [asyncio.wrap_future(f) for f in list(self._inflight)]
        await asyncio.gather(*running, return_exceptions=True)
        self._executor.shutdown(wait=True)
        self._oa.close()
        self._mp.close()

    async def _run(self, call: Callable[[], T]) -> T:
        if self._closed:
            raise RuntimeError("WeChatGateway is closed")
        future = self._executor.submit(_translated, call)
        self._inflight.add(future)
        future.add_done_callback(self._inflight.discard)
        return await asyncio.wrap_future(future)

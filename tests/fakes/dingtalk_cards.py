"""The fake DingTalk's card platform (卡片平台) and to-dos (待办), mixed into ``FakeDingTalk``.

Card instances are created and delivered in one call, ``POST /v1.0/card/instances/createAndDeliver``
(https://open.dingtalk.com/document/orgapp/create-and-deliver-cards; fields as aliyun/dingtalk-sdk
card_1_0 ``CreateAndDeliverRequest``: cardTemplateId, outTrackId, cardData.cardParamMap with
string values, callbackType, openSpaceId, imRobotOpenSpaceModel, imRobotOpenDeliverModel,
userIdType; answer ``{"success", "result": {"outTrackId", "deliverResults": [...]}}``) and
updated with ``PUT /v1.0/card/instances``
(https://open.dingtalk.com/document/orgapp/interactive-card-update-interface: outTrackId,
cardData, cardUpdateOptions, privateData, userIdType; answer ``{"success", "result"}``). Bad
input is refused as the real API does: HTTP 400 ``{"code": "param.…", "message": …}``.

Templates are known by id (``add_card_template``; the demo ones are registered), each with the
names of its inputs. A press (``push_card_callback``) carries only what its template can send:
the button's ``action`` and the values of the template's inputs — a ``comment`` only when the
template has a comment input — and reaches the stream only for a card created with
``callbackType`` "STREAM" (as the real platform: otherwise it goes to an HTTP callback).

To-dos: ``POST /v1.0/todo/users/{unionId}/tasks?operatorId=…`` and ``PUT
/v1.0/todo/users/{unionId}/tasks/{taskId}?operatorId=…``
(https://open.dingtalk.com/document/orgapp/add-dingtalk-to-do-task,
https://open.dingtalk.com/document/orgapp/updates-dingtalk-to-do-tasks); a second create with
the same sourceId is refused ("task exist"), as the real one.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

from aiohttp import web

CORP_ID = "ding-fake-corp"
CARD_TOPIC = "/v1.0/card/instances/callback"
ROBOT_SPACE_PREFIX = "dtv1.card//IM_ROBOT."
# The demo templates of bot.card_templates, and a plain one without an input.
DEMO_TEMPLATES: dict[str, tuple[str, ...]] = {
    "demo-card-approval.schema": ("comment",),
    "demo-card-dispute.schema": (),
    "demo-card-handover.schema": (),
    "demo-card-plain.schema": (),
}
TODO_SUBJECT_MAX = 1024  # the documented limits are not given in figures: a generous bound


def _refuse(code: str, message: str, status: int = 400) -> web.Response:
    return web.json_response({"code": code, "message": message,
                              "requestid": uuid.uuid4().hex}, status=status)


class CardPlatform:
    """State and handlers of the card platform and to-dos; FakeDingTalk mixes it in."""

    _lock: threading.Lock
    robot_code: str

    def _init_cards(self) -> None:
        self._templates: dict[str, tuple[str, ...]] = dict(DEMO_TEMPLATES)
        self._instances: dict[str, dict[str, Any]] = {}
        self._todos: dict[str, dict[str, Any]] = {}

    def _reset_cards(self) -> None:
        self._instances.clear()
        self._todos.clear()

    def add_card_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1.0/card/instances/createAndDeliver", self._create_and_deliver)
        app.router.add_put("/v1.0/card/instances", self._update_instance)
        app.router.add_post("/v1.0/todo/users/{union_id}/tasks", self._create_todo)
        app.router.add_put("/v1.0/todo/users/{union_id}/tasks/{task_id}", self._update_todo)

    # ----- control -----

    def add_card_template(self, template_id: str, inputs: tuple[str, ...] = ()) -> None:
        """Publish a template whose inputs (text boxes) are bound to ``inputs``."""
        with self._lock:
            self._templates[template_id] = tuple(inputs)

    @property
    def cards(self) -> dict[str, dict[str, Any]]:
        """Instances by outTrackId: {template_id, params (the current cardParamMap), user_id
        (the first delivered to), delivered_to, callback_type, updates}."""
        with self._lock:
            return {key: {**card, "params": dict(card["params"]),
                          "delivered_to": list(card["delivered_to"])}
                    for key, card in self._instances.items()}

    @property
    def todos(self) -> dict[str, dict[str, Any]]:
        """To-dos by id: {union_id, body (as created), done, updates}."""
        with self._lock:
            return {key: dict(todo) for key, todo in self._todos.items()}

    def push_card_callback(
        self, user_id: str, out_track_id: str, action_params: dict,
        action_ids: list[str] | None = None, *, message_id: str | None = None,
    ) -> str:
        """Press a button of card ``out_track_id`` as ``user_id`` with the template's inputs
        filled from ``action_params`` ("action" names the button); what the template cannot
        carry is dropped. Returns the frame's messageId."""
        with self._lock:
            card = self._instances.get(out_track_id)
            inputs = self._templates.get(card["template_id"], ()) if card else ()
        if card is not None and card["callback_type"] != "STREAM":
            raise RuntimeError(f"card {out_track_id} was not created with callbackType STREAM: "
                               "its presses do not reach a stream client")
        params = {key: value for key, value in action_params.items()
                  if key == "action" or key in inputs}
        ids = action_ids if action_ids is not None else [str(params.get("action", ""))]
        content = {"cardPrivateData": {"actionIds": ids, "params": params}}
        data = {
            "extension": "{}", "corpId": CORP_ID, "type": "actionCallback",
            "userId": user_id, "content": json.dumps(content, ensure_ascii=False),
            "outTrackId": out_track_id, "spaceType": "IM_ROBOT",
            "spaceId": f"{ROBOT_SPACE_PREFIX}{user_id}",
        }
        return self._push("CALLBACK", CARD_TOPIC, data, message_id)

    # ----- handlers -----

    async def _create_and_deliver(self, request: web.Request) -> web.Response:
        refused = self._check_token(request)
        if refused:
            return refused
        body = await self._json(request) or {}
        problem = self._card_problem(body)
        if problem:
            return _refuse(*problem)
        space = body["openSpaceId"]
        user_id = space.removeprefix(ROBOT_SPACE_PREFIX)
        delivered = body.get("userIdType") == 1  # without it the card does not show
        with self._lock:
            card = self._instances.setdefault(body["outTrackId"], {
                "template_id": body["cardTemplateId"], "params": {}, "user_id": user_id,
                "delivered_to": [], "callback_type": body.get("callbackType", ""),
                "updates": 0})
            card["params"] = dict(body["cardData"]["cardParamMap"])
            if delivered and user_id not in card["delivered_to"]:
                card["delivered_to"].append(user_id)
            self._sent.append({"kind": "card", "payload": body, "card_biz_id": body["outTrackId"],
                               "user_id": user_id})
        result = {"spaceType": "IM_ROBOT", "spaceId": user_id, "success": True}
        return web.json_response({"success": True, "result": {
            "outTrackId": body["outTrackId"], "deliverResults": [result]}})

    def _card_problem(self, body: dict[str, Any]) -> tuple[str, str] | None:
        """The real API's refusal (code, message) of a create-and-deliver body, if any."""
        if not body:
            return "param.empty", "param.empty"
        if not body.get("cardTemplateId"):
            return "param.cardTemplateIdEmpty", "param.cardTemplateIdEmpty"
        if not body.get("outTrackId"):
            return "param.outTrackIdEmpty", "param.outTrackIdEmpty"
        params = (body.get("cardData") or {}).get("cardParamMap")
        if not isinstance(params, dict) or not params:
            return "param.cardPublicDataEmpty", "param.cardPublicDataEmpty"
        if not all(isinstance(v, str) for v in params.values()):
            return "param.invalid", "cardParamMap values must be strings"
        with self._lock:
            known = body["cardTemplateId"] in self._templates
        if not known:
            return "param.cardTemplateIdInvalid", "card template not found"  # unlisted code
        deliver = body.get("imRobotOpenDeliverModel") or {}
        space = str(body.get("openSpaceId", ""))
        if not space.startswith(ROBOT_SPACE_PREFIX) or len(space) == len(ROBOT_SPACE_PREFIX) \
                or deliver.get("spaceType") != "IM_ROBOT" \
                or deliver.get("robotCode") != self.robot_code:
            return "param.openSpaceModelInvalid", "param.openSpaceModelInvalid"
        return None

    async def _update_instance(self, request: web.Request) -> web.Response:
        refused = self._check_token(request)
        if refused:
            return refused
        body = await self._json(request) or {}
        params = (body.get("cardData") or {}).get("cardParamMap")
        if not body.get("outTrackId"):
            return _refuse("param.outTrackIdEmpty", "param.outTrackIdEmpty")
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            return _refuse("param.cardPublicDataEmpty", "param.cardPublicDataEmpty")
        by_key = (body.get("cardUpdateOptions") or {}).get("updateCardDataByKey", False)
        with self._lock:
            card = self._instances.get(body["outTrackId"])
            if card is not None:
                card["params"] = {**card["params"], **params} if by_key else dict(params)
                card["updates"] += 1
                self._sent.append({"kind": "card_update", "payload": body,
                                   "card_biz_id": body["outTrackId"]})
        if card is None:  # unlisted code: the documented ones cover empty fields only
            return _refuse("param.cardNotExist", "card instance not found")
        return web.json_response({"success": True, "result": True})

    async def _create_todo(self, request: web.Request) -> web.Response:
        refused = self._check_token(request)
        if refused:
            return refused
        union_id = request.match_info["union_id"]
        body = await self._json(request) or {}
        if not request.query.get("operatorId") or not body.get("subject"):
            return _refuse("todo.taskCreate.paramError", "todo.taskCreate.paramError")
        if len(body["subject"]) > TODO_SUBJECT_MAX:
            return _refuse("todo.taskCreate.paramError", "subject is oversize")
        with self._lock:
            source = body.get("sourceId")
            if source and any(t["body"].get("sourceId") == source for t in self._todos.values()):
                return _refuse("todo.taskCreate.paramError", "task exist")
            todo_id = f"task{uuid.uuid4().hex[:24]}"
            self._todos[todo_id] = {"union_id": union_id, "body": body, "done": False,
                                    "updates": 0}
            self._sent.append({"kind": "todo", "payload": body, "todo_id": todo_id,
                               "union_id": union_id})
        now = int(time.time() * 1000)
        return web.json_response({**body, "id": todo_id, "done": False, "createdTime": now,
                                  "modifiedTime": now, "creatorId": union_id,
                                  "requestId": uuid.uuid4().hex})

    async def _update_todo(self, request: web.Request) -> web.Response:
        refused = self._check_token(request)
        if refused:
            return refused
        body = await self._json(request) or {}
        if not request.query.get("operatorId"):
            return _refuse("todo.taskUpdate.paramError", "todo.taskUpdate.paramError")
        with self._lock:
            todo = self._todos.get(request.match_info["task_id"])
            if todo is not None and todo["union_id"] == request.match_info["union_id"]:
                if "done" in body:
                    todo["done"] = bool(body["done"])
                todo["updates"] += 1
                self._sent.append({"kind": "todo_update", "payload": body,
                                   "todo_id": request.match_info["task_id"]})
            else:
                todo = None
        if todo is None:
            return _refuse("todo.taskUpdate.paramError", "task not exist")
        return web.json_response({"result": True})

    # provided by FakeDingTalk
    _sent: list[dict[str, Any]]

    def _check_token(self, request: web.Request) -> web.Response | None:
        raise NotImplementedError

    async def _json(self, request: web.Request) -> dict[str, Any] | None:
        raise NotImplementedError

    def _push(self, kind: str, topic: str, data: dict, message_id: str | None) -> str:
        raise NotImplementedError

"""Schemas of the mini-program operations for the OpenAPI document."""

from __future__ import annotations

from backoffice_api.openapi_spec import STATEMENT
from httpcommon.openapi import items_of as _list
from httpcommon.openapi import ok as _ok
from httpcommon.openapi import query_param as _q
from httpcommon.openapi import text
from miniapp_api.subscriptions import MAX_TEMPLATE_ID, MAX_TEMPLATES

ANSWER = {"type": "object", "required": ["answer"], "properties": {
    "answer": {"enum": ["matched", "mismatched"]},
    "description": {"type": "string", "maxLength": 2000, "description": "不符合时必填"}}}
ME = {"type": "object", "properties": {"bound": {"type": "boolean"},
                                       "customer": {"type": ["object", "null"]}}}

OPERATIONS = {
    "POST /login": {"summary": "用 wx.login 的 code 登录", "body": {
        "type": "object", "required": ["code"], "properties": {"code": text(128)}},
        "responses": _ok({"type": "object", "properties": {
            "token": {"type": "string"}, "expires_at": {"type": "string"},
            "bound": {"type": "boolean"}}})},
    "POST /logout": {"summary": "退出登录（吊销本会话）", "responses": _ok({
        "type": "object", "properties": {"revoked": {"type": "boolean"}}})},
    "GET /me": {"summary": "当前用户与绑定的客户", "responses": _ok(ME)},
    "POST /bind": {"summary": "用绑定码绑定客户", "body": {
        "type": "object", "required": ["code"], "properties": {
            "code": {"type": "string", "maxLength": 16},
            "name": {"type": "string", "maxLength": 100}}}, "responses": _ok(ME)},
    "GET /statements": {"summary": "本客户的对账单", "query": [
        _q("status", {"enum": ["unconfirmed", "matched", "mismatched"]}),
        _q("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
        _q("offset", {"type": "integer", "minimum": 0, "maximum": 10**9})],
        "responses": _ok(_list(STATEMENT))},
    "GET /statements/{id}": {"summary": "对账单详情", "responses": _ok(STATEMENT)},
    "POST /statements/{id}/answer": {"summary": "回复 符合 / 不符合", "body": ANSWER,
                                     "responses": _ok({"type": "object", "properties": {
                                         "status": {"type": "string"},
                                         "changed": {"type": "boolean"}}})},
    "POST /subscriptions": {
        "summary": "记录已同意的订阅消息模板（每次同意可发一条）", "body": {
            "type": "object", "required": ["accepted"], "properties": {
                "accepted": {"type": "array", "minItems": 1, "maxItems": MAX_TEMPLATES,
                             "items": {"type": "string", "minLength": 1,
                                       "maxLength": MAX_TEMPLATE_ID}}}},
        "responses": _ok({"type": "object", "properties": {"subscriptions": {
            "type": "array", "items": {"type": "object", "properties": {
                "template_id": {"type": "string"}, "remaining": {"type": "integer"}}}}}})},
}

OPENAPI = {
    "title": "Tally mini-program API",
    "prefix": "/api/mp/v1",
    "operations": OPERATIONS,
    "public": ("/login",),
    "security_schemes": {"session": {"type": "http", "scheme": "bearer"}},
}

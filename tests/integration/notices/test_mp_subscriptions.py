"""Mini-program subscribe messages: each accepted template allows one more message."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.contrib.test import truncate_all_models

import tally.app
from domain.notices.models import MpSubscription
from miniapp_api import subscriptions
from miniapp_api.app import PREFIX as MP
from miniapp_api.app import create_mp_app
from tests.support import post_ok, seed

BO = "/api/backoffice/v1"


def mp_app_with_subscriptions():
    """The mini-program sub-app with the route added, as miniapp_api/app.py will have it."""
    app = create_mp_app()
    if not any(r.canonical == "/subscriptions" for r in app.router.resources()):
        app.router.add_routes(subscriptions.routes)  # until miniapp_api/app.py adds it
    return app


@pytest.fixture
async def client(aiohttp_client, settings, clock, monkeypatch):
    monkeypatch.setattr(tally.app, "create_mp_app", mp_app_with_subscriptions)
    app = tally.app.create_app(settings, clock=clock)
    test_client = await aiohttp_client(app)
    await truncate_all_models()
    yield test_client
    await test_client.close()


async def login(client, fake_wechat, openid: str) -> dict:
    fake_wechat.register_code(f"code-{openid}", openid)
    body = await post_ok(client, f"{MP}/login", {}, {"code": f"code-{openid}"})
    return {"Authorization": f"Bearer {body['token']}"}


@pytest.fixture
async def session(client, admin, fake_wechat):
    customers = await seed(client, admin)
    headers = await login(client, fake_wechat, "o-mp-chen")
    bind = await post_ok(client, f"{BO}/customers/{customers['C001']['id']}/bind-codes", admin,
                         status=201)
    await post_ok(client, f"{MP}/bind", headers, {"code": bind["code"]})
    return headers


async def accept(client, headers, accepted, status=200) -> dict:
    return await post_ok(client, f"{MP}/subscriptions", headers, {"accepted": accepted},
                         status=status)


async def test_each_acceptance_allows_one_more_message_of_that_template(client, session):
    first = await accept(client, session, ["tpl-statement", "tpl-reminder"])
    assert first["subscriptions"] == [{"template_id": "tpl-statement", "remaining": 1},
                                      {"template_id": "tpl-reminder", "remaining": 1}]
    again = await accept(client, session, ["tpl-statement"])
    assert again["subscriptions"] == [{"template_id": "tpl-statement", "remaining": 2}]
    rows = await MpSubscription.all().order_by("template_id").values_list(
        "template_id", "remaining")
    assert rows == [("tpl-reminder", 1), ("tpl-statement", 2)]


async def test_acceptances_arriving_together_all_count(client, session):
    await asyncio.gather(*(accept(client, session, ["tpl-new"]) for _ in range(5)))
    assert (await MpSubscription.get(template_id="tpl-new")).remaining == 5


async def test_a_template_named_twice_in_one_answer_counts_once(client, session):
    body = await accept(client, session, ["tpl-statement", "tpl-statement"])
    assert body["subscriptions"] == [{"template_id": "tpl-statement", "remaining": 1}]


async def test_an_unbound_contact_is_refused(client, fake_wechat):
    headers = await login(client, fake_wechat, "o-mp-stranger")
    body = await accept(client, headers, ["tpl-statement"], status=401)
    assert body["error"]["code"] == "not_bound"
    assert await MpSubscription.all().count() == 0


async def test_an_unknown_session_is_refused(client):
    body = await accept(client, {"Authorization": "Bearer nope"}, ["tpl-statement"], status=401)
    assert body["error"]["code"] == "bad_session"


@pytest.mark.parametrize("accepted", [[], "tpl", [""], [3], ["x" * 65], ["t"] * 11])
async def test_a_malformed_list_is_refused(client, session, accepted):
    body = await accept(client, session, accepted, status=400)
    assert body["error"]["code"] == "bad_field"
    assert await MpSubscription.all().count() == 0

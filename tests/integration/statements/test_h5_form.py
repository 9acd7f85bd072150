"""The H5 page's plain form post (no JavaScript): failures come back as the page, not JSON."""

from __future__ import annotations

from domain.statements.models import Statement
from tests.support import make_statement, post_ok, seed

API = "/api/backoffice/v1/statements"


async def _shared(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    share = await post_ok(client, f"{API}/{statement['id']}/share", admin, status=201)
    return statement, share["url"].removeprefix("http://tally.test")


async def test_a_form_post_without_description_re_renders_the_page_with_a_400(client, admin):
    statement, path = await _shared(client, admin)
    resp = await client.post(f"{path}/answer", data={"answer": "mismatched", "description": " "},
                             allow_redirects=False)
    assert resp.status == 400
    assert resp.content_type == "text/html"
    html = await resp.text()
    assert '<p id="form-error" class="form-error" role="alert">选择不符合时必须填写描述</p>' in html
    assert 'id="answer-form"' in html and "联想" in html
    row = await Statement.get(id=statement["id"])
    assert row.status == "unconfirmed" and row.answered_at is None


async def test_a_form_post_after_an_answer_shows_the_answer_and_a_409(client, admin):
    statement, path = await _shared(client, admin)
    ok = await client.post(f"{path}/answer", data={"answer": "matched"}, allow_redirects=False)
    assert ok.status == 303 and ok.headers["Location"] == path
    resp = await client.post(f"{path}/answer",
                             data={"answer": "mismatched", "description": "改主意"})
    assert resp.status == 409
    html = await resp.text()
    assert resp.content_type == "text/html"
    assert "对账单已确认为符合" in html and 'id="result"' in html
    assert 'id="answer-form"' not in html
    assert (await Statement.get(id=statement["id"])).status == "matched"


async def test_form_line_breaks_are_stored_as_lf_and_count_once_toward_the_limit(
    client, admin
):
    statement, path = await _shared(client, admin)
    description = "一" * 999 + "\r\n" + "二" * 1000  # 2000 characters as a textarea counts
    resp = await client.post(f"{path}/answer",
                             data={"answer": "mismatched", "description": description},
                             allow_redirects=False)
    assert resp.status == 303
    feedback = await (await client.get(f"{API}/{statement['id']}/feedback",
                                       headers=admin)).json()
    assert feedback["items"][0]["description"] == "一" * 999 + "\n" + "二" * 1000


async def test_a_form_post_on_an_expired_link_gets_the_error_page(client, admin, clock):
    _, path = await _shared(client, admin)
    clock.advance(days=31)
    resp = await client.post(f"{path}/answer", data={"answer": "matched"})
    assert resp.status == 401
    assert resp.content_type == "text/html" and "已过期" in await resp.text()


async def test_json_posts_still_get_json_errors(client, admin):
    _, path = await _shared(client, admin)
    resp = await client.post(f"{path}/answer", json={"answer": "mismatched"})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "description_required"


async def test_the_answered_page_shows_the_customers_description(client, admin):
    _, path = await _shared(client, admin)
    await post_ok(client, f"{path}/answer", {},
                  {"answer": "mismatched", "description": "少了一张 <退货单>"})
    html = await (await client.get(path)).text()
    assert "描述：少了一张 &lt;退货单&gt;" in html

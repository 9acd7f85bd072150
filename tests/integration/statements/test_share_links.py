"""Share links: signed, expiring, revocable; the same link as QR codes; views counted."""

from __future__ import annotations

from xml.etree import ElementTree

from domain.statements.models import Statement
from tests.support import make_statement, post_ok, seed

API = "/api/backoffice/v1/statements"


async def _shared(client, admin):
    customers = await seed(client, admin)
    statement = await make_statement(client, admin, customers["C001"]["id"])
    share = await post_ok(client, f"{API}/{statement['id']}/share", admin, status=201)
    return statement, share, share["url"].removeprefix("http://tally.test")


async def test_sharing_gives_a_link_a_png_and_an_svg_qr_code_and_a_mini_program_path(
    client, admin
):
    statement, share, path = await _shared(client, admin)
    assert share["url"].startswith("http://tally.test/s/")
    assert share["mp_path"].startswith("pages/statement/index?scene=")
    page = await client.get(path)
    assert page.status == 200
    html = await page.text()
    assert "联想" in html and "¥48,876.00" in html
    png = await client.get(share["qr_png"].removeprefix("http://tally.test"))
    assert png.status == 200 and (await png.read()).startswith(b"\x89PNG")
    svg = await client.get(share["qr_svg"].removeprefix("http://tally.test"))
    assert ElementTree.fromstring(await svg.read()).tag.endswith("svg")


async def test_links_expire_after_thirty_days(client, admin, clock):
    _, share, path = await _shared(client, admin)
    clock.advance(days=29, hours=23)
    assert (await client.get(path)).status == 200
    clock.advance(hours=2)
    resp = await client.get(path)
    assert resp.status == 401
    assert "已过期" in await resp.text()
    answer = await client.post(f"{path}/answer", json={"answer": "matched"})
    assert answer.status == 401


async def test_a_forged_or_tampered_token_is_refused(client, admin):
    _, share, path = await _shared(client, admin)
    nonce, expiry, signature = share["token"].split(".")
    longer = f"/s/{nonce}.{int(expiry) + 86400 * 365}.{signature}"
    for bad in (longer, "/s/nonsense", f"/s/{nonce}.{expiry}.AAAA"):
        resp = await client.get(bad)
        assert resp.status == 403, bad
        assert (await client.post(f"{bad}/answer", json={"answer": "matched"})).status == 403


async def test_a_revoked_link_stops_working_but_others_stay(client, admin):
    statement, share, path = await _shared(client, admin)
    second = await post_ok(client, f"{API}/{statement['id']}/share", admin, status=201)
    await post_ok(client, f"{API}/{statement['id']}/share-links/{share['link_id']}/revoke", admin)
    assert (await client.get(path)).status == 403
    assert (await client.get(second["url"].removeprefix("http://tally.test"))).status == 200
    links = await (await client.get(f"{API}/{statement['id']}/share-links", headers=admin)).json()
    assert [link["revoked_at"] is not None for link in links["items"]] == [False, True]


async def test_views_are_counted_with_first_and_last_view(client, admin, clock, app):
    from httpcommon.keys import VIEW_COUNTER

    statement, _, path = await _shared(client, admin)
    first = clock()
    await client.get(path)
    last = clock.advance(minutes=5)
    await client.get(path)
    await client.get(path)
    await app[VIEW_COUNTER].flush()
    row = await Statement.get(id=statement["id"])
    assert row.view_count == 3
    assert row.first_viewed_at == first and row.last_viewed_at == last


async def test_the_statement_pdf_is_served_from_the_link_and_the_back_office(client, admin):
    statement, _, path = await _shared(client, admin)
    for url, headers in ((f"{path}/pdf", {}), (f"{API}/{statement['id']}/pdf", admin)):
        resp = await client.get(url, headers=headers)
        assert resp.status == 200
        assert resp.content_type == "application/pdf"
        assert (await resp.read()).startswith(b"%PDF")


async def test_a_deleted_statement_link_no_longer_opens(client, admin):
    statement, _, path = await _shared(client, admin)
    await client.delete(f"{API}/{statement['id']}", headers=admin)
    assert (await client.get(path)).status == 403


async def test_staff_see_how_often_and_when_the_customer_viewed_in_the_view_and_list(
    client, admin, clock, app
):
    from httpcommon.keys import VIEW_COUNTER

    statement, _, path = await _shared(client, admin)
    fresh = await (await client.get(f"{API}/{statement['id']}", headers=admin)).json()
    assert (fresh["view_count"], fresh["first_viewed_at"], fresh["last_viewed_at"]) == (
        0, None, None)
    first = clock()
    await client.get(path)
    last = clock.advance(hours=2)
    await client.get(path)
    await app[VIEW_COUNTER].flush()
    view = await (await client.get(f"{API}/{statement['id']}", headers=admin)).json()
    listed = (await (await client.get(API, headers=admin)).json())["items"][0]
    for shown in (view, listed):
        assert shown["view_count"] == 2
        assert shown["first_viewed_at"] == first.isoformat()
        assert shown["last_viewed_at"] == last.isoformat()

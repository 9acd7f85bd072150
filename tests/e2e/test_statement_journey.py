"""The whole journey over HTTP, on whichever database the run uses:
ingest → statement → share → H5 answer 不符合 → finance reads it → 取消确认 → customer 符合."""

from __future__ import annotations

from domain.notices.models import OutboxMessage
from tests.support import make_statement, post_ok, seed

BO = "/api/backoffice/v1"


async def test_a_statement_goes_from_erp_documents_to_an_agreed_balance(
    client, erp, finance, admin
):
    customers = await seed(client, erp, reader=finance)
    statement = await make_statement(client, finance, customers["C001"]["id"])
    share = await post_ok(client, f"{BO}/statements/{statement['id']}/share", finance, status=201)
    page = share["url"].removeprefix("http://tally.test")

    html = await (await client.get(page)).text()
    assert "联想" in html and "XS-T-2021-12-22-0001" in html
    answered = await post_ok(client, f"{page}/answer", {},
                             {"answer": "mismatched", "description": "退货单 1000 元未冲账"})
    assert answered["status"] == "mismatched"
    assert await OutboxMessage.filter(kind="statement_disputed").count() == 1

    feedback = await (await client.get(f"{BO}/statements/{statement['id']}/feedback",
                                       headers=finance)).json()
    assert feedback["items"][-1]["description"] == "退货单 1000 元未冲账"
    assert feedback["items"][-1]["result"] == "mismatched"

    await post_ok(client, f"{BO}/statements/{statement['id']}/cancel", finance)
    again = await post_ok(client, f"{page}/answer", {}, {"answer": "matched"})
    assert again == {"status": "matched", "changed": True, "statement_id": statement["id"]}
    final = await (await client.get(f"{BO}/statements/{statement['id']}",
                                    headers=finance)).json()
    assert final["status"] == "matched" and final["status_label"] == "符合"
    history = await (await client.get(f"{BO}/statements/{statement['id']}/history",
                                      headers=finance)).json()
    assert [h["action"] for h in history["items"]] == [
        "create", "share", "answer", "cancel", "answer"]

"""A voided document (作废) is no document: statements and receivables leave it out."""

from __future__ import annotations

from domain.documents.models import Document
from tests.support import make_statement, seed


async def test_void_documents_are_left_out_of_statements_and_openings(client, admin):
    customers = await seed(client, admin)
    await Document.filter(number__in=["XS-2021-11-30-0009", "XS-T-2021-12-22-0001"]).update(
        audit_status="void")
    statement = await make_statement(client, admin, customers["C001"]["id"])
    assert statement["opening"] == "0.00"  # the voided November sale is not owed
    assert statement["receipts"] == "0.00"  # nor is the voided receipt taken off
    assert statement["line_count"] == 3
    assert "XS-T-2021-12-22-0001" not in [line["number"] for line in statement["lines"]]


async def test_picking_a_void_document_by_number_is_refused(client, admin):
    customers = await seed(client, admin)
    await Document.filter(number="XT-T-2021-12-22-0002").update(audit_status="void")
    resp = await client.post("/api/backoffice/v1/statements", headers=admin, json={
        "customer_id": customers["C001"]["id"], "date_from": "2021-12-01",
        "date_to": "2021-12-22", "documents": ["XT-T-2021-12-22-0002"]})
    assert resp.status == 400
    assert "XT-T-2021-12-22-0002" in (await resp.json())["error"]["message"]

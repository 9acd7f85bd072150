"""The OpenAPI documents describe every route, and every described operation exists."""

from __future__ import annotations

import pytest

from backoffice_api.app import create_backoffice_app
from httpcommon.contract import operation_of
from httpcommon.openapi import operations
from miniapp_api.app import create_mp_app


def _resolved(schema: dict, document: dict) -> dict:
    """``schema``, or the component its $ref names."""
    ref = schema.get("$ref", "")
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


@pytest.mark.parametrize("prefix", ["/api/backoffice/v1", "/api/mp/v1"])
async def test_the_openapi_document_matches_the_routes(client, prefix):
    resp = await client.get(f"{prefix}/openapi.json")
    assert resp.status == 200
    document = await resp.json()
    assert document["openapi"].startswith("3.")
    served = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    subapp = create_backoffice_app() if "backoffice" in prefix else create_mp_app()
    routed = {(m.upper(), prefix + p) for m, p, _ in operations(subapp)}
    assert served == routed
    # each route declares its types (httpcommon.contract): none is written out by hand
    declared = {(m.upper(), prefix + p) for m, p, handler in operations(subapp)
                if operation_of(handler)}
    assert declared == routed
    for ops in document["paths"].values():
        for op in ops.values():
            assert op["summary"] and "default" in op["responses"]
    # two models of one name would be told apart by their module path: give each its own name
    assert not [name for name in document["components"]["schemas"] if "__" in name]


async def test_the_documents_state_the_stores_limits(client):
    document = await (await client.get("/api/backoffice/v1/openapi.json")).json()
    statement = document["paths"]["/api/backoffice/v1/statements/{id}"]["get"]
    assert statement["parameters"][0]["schema"] == {
        "type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    order = document["paths"]["/api/backoffice/v1/credit/orders/{number}"]["get"]
    assert order["parameters"][0]["schema"]["maxLength"] == 64
    receive = document["paths"]["/api/backoffice/v1/statements/{id}/receive"]["post"]
    amount = _resolved(receive["requestBody"]["content"]["application/json"]["schema"],
                       document)["properties"]["amount"]
    assert amount["pattern"] == r"^(0*[1-9]\d{0,13}(\.\d{1,2})?|0{1,14}\.(0[1-9]|[1-9]\d?))$"
    mp = await (await client.get("/api/mp/v1/openapi.json")).json()
    listed = {p["name"]: p["schema"] for p in mp["paths"]["/api/mp/v1/statements"]["get"][
        "parameters"]}
    assert (listed["limit"]["maximum"], listed["status"]["enum"]) == (
        100, ["unconfirmed", "matched", "mismatched"])

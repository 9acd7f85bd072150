"""The API documentation pages: public, and everything they load comes from the service."""

from __future__ import annotations

import re

import pytest

DOCS = {"/api/backoffice/v1/docs": "/api/backoffice/v1/openapi.json",
        "/api/mp/v1/docs": "/api/mp/v1/openapi.json"}


@pytest.mark.parametrize("docs, openapi", DOCS.items())
async def test_a_docs_page_is_public_and_names_its_openapi_document(client, docs, openapi):
    response = await client.get(docs)
    assert response.status == 200
    assert response.content_type == "text/html"
    assert f'data-openapi="{openapi}"' in await response.text()
    assert (await client.get(openapi)).status == 200


@pytest.mark.parametrize("docs", DOCS)
async def test_every_asset_of_a_docs_page_is_served_by_the_service_itself(client, docs):
    html = await (await client.get(docs)).text()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/api/docs/assets/"), f"{asset} is not served by us"
        response = await client.get(asset)
        assert response.status == 200, asset
        assert len(await response.read()) > 100, asset


async def test_the_docs_pages_are_not_operations_of_the_documents(client):
    for docs, openapi in DOCS.items():
        paths = (await (await client.get(openapi)).json())["paths"]
        assert docs not in paths

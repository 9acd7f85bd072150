"""The back-office OpenAPI document's frame: title, prefix, security. Its operations are
generated from the routes' declarations (httpcommon.contract)."""

from __future__ import annotations

OPENAPI = {
    "title": "Tally back-office API",
    "prefix": "/api/backoffice/v1",
    "security_schemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
}

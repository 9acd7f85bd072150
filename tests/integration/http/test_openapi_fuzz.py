"""Schemathesis feeds both served OpenAPI documents valid and invalid input: no answer is a
5xx, every answer matches its documented schema, and valid input is accepted: the documents
state the limits, tests.fuzzing.NOT_IN_SCHEMA lists the 400s no schema can state (`make fuzz`
runs longer and at random)."""

from __future__ import annotations

from tests.fuzzing import fuzz_service

EXAMPLES = 4  # per operation and generation mode: about 920 requests


def test_both_openapi_documents_survive_generated_input(settings, fake_wechat):
    findings = fuzz_service(settings, fake_wechat, EXAMPLES, derandomize=True)
    print(findings.summary())
    assert findings.requests > 800
    assert findings.statuses[429] == 0  # every case reached the handler it was meant for
    assert findings.server_errors == 0, "\n\n".join(findings.failures[:20])
    assert findings.failures == [], "\n\n".join(findings.failures[:20])
    assert findings.refused == [], "\n\n".join(findings.refused[:20])

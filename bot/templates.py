"""WeChat message templates: which template id each notice kind uses and how its fields fill.

A template maps WeChat's field names to the names of values ``bot.senders`` renders for a notice
(``customer``, ``period``, ``closing``, …), once for the official-account template message
(``template_id`` / ``fields``) and once for the mini-program subscribe message
(``mp_template_id`` / ``mp_fields``; subscribe fields are typed by WeChat — ``thing`` ≤ 20
characters, ``amount`` a bare number, ``date`` a date — so they take the short values).

``settings.wechat_templates`` is a JSON object keyed by notice kind; each entry overrides the
demo defaults below key by key, e.g.::

    {"statement_issued": {"template_id": "AbC…", "mp_template_id": "XyZ…"}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from domain.notices.catalogue import Kind


@dataclass(frozen=True)
class Template:
    kind: str
    template_id: str
    fields: dict[str, str] = field(default_factory=dict)
    mp_template_id: str = ""
    mp_fields: dict[str, str] = field(default_factory=dict)

    def data(self, values: dict[str, str]) -> dict[str, dict[str, str]]:
        """Official-account template data: {"keyword1": {"value": "…"}, …}."""
        return _fill(self.fields, values)

    def mp_data(self, values: dict[str, str]) -> dict[str, dict[str, str]]:
        """Mini-program subscribe data, same shape, WeChat's typed field names."""
        return _fill(self.mp_fields, values)


def _fill(mapping: dict[str, str], values: dict[str, str]) -> dict[str, dict[str, str]]:
    return {name: {"value": values.get(source, "")} for name, source in mapping.items()}


def _debt_template(slug: str, extra_fields: dict[str, str]) -> dict:
    """A debt reminder's demo template: customer, amount, due date (and ``extra_fields``)."""
    return {
        "template_id": f"demo-tpl-{slug}",
        "fields": {"first": "title", "keyword1": "customer", "keyword2": "amount",
                   "keyword3": "due_date", **extra_fields, "remark": "hint"},
        "mp_template_id": f"demo-mp-{slug}",
        "mp_fields": {"thing1": "customer_short", "amount2": "amount_number",
                      "date3": "due_date", "thing4": "hint_short"},
    }


DEFAULTS: dict[str, dict] = {  # the TEMPLATE renderer of each WeChat kind
    Kind.STATEMENT_ISSUED: {
        "template_id": "demo-tpl-statement-issued",
        "fields": {"first": "title", "keyword1": "customer", "keyword2": "period",
                   "keyword3": "closing", "remark": "hint"},
        "mp_template_id": "demo-mp-statement-issued",
        "mp_fields": {"thing1": "customer_short", "thing2": "period_short",
                      "amount3": "closing_number", "thing4": "hint_short"},
    },
    Kind.REPAYMENT_REMINDER: _debt_template("repayment-reminder", {}),
    Kind.OVERDUE_NOTICE: _debt_template("overdue-notice", {"keyword4": "days_overdue"}),
}
ENTRY_KEYS = frozenset({"template_id", "fields", "mp_template_id", "mp_fields"})


def load_templates(raw: str) -> dict[str, Template]:
    """The templates by kind: the demo defaults overridden by ``raw`` (JSON; empty for none).

    Raises ValueError on malformed JSON or unknown keys, so a typo fails at start-up."""
    overrides = _parse(raw)
    kinds = {**DEFAULTS, **{kind: {} for kind in overrides if kind not in DEFAULTS}}
    return {kind: _template(kind, {**base, **overrides.get(kind, {})})
            for kind, base in kinds.items()}


def _parse(raw: str) -> dict[str, dict]:
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"TALLY_WECHAT_TEMPLATES is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
        raise ValueError("TALLY_WECHAT_TEMPLATES must be an object of objects by notice kind")
    for kind, entry in parsed.items():
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise ValueError(f"TALLY_WECHAT_TEMPLATES[{kind}]: unknown keys {sorted(unknown)}")
    return parsed


def _template(kind: str, entry: dict) -> Template:
    if not entry.get("template_id") and not entry.get("mp_template_id"):
        raise ValueError(f"TALLY_WECHAT_TEMPLATES[{kind}] needs template_id or mp_template_id")
    return Template(
        kind=kind, template_id=str(entry.get("template_id", "")),
        fields=dict(entry.get("fields", {})), mp_template_id=str(entry.get("mp_template_id", "")),
        mp_fields=dict(entry.get("mp_fields", {})),
    )

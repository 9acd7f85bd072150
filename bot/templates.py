"""WeChat message templates: which template id each notice kind uses and how its typed fields fill.

A template maps WeChat's typed field names (``thing1``, ``amount3``, ``date2`` …, see
``bot.wechat_fields``) to the values a notice can show (``customer``, ``period``, ``closing``, …,
see ``bot.template_values``), once for the official-account template message (``template_id`` /
``fields``; a new-style 类目模板 uses the same typed names as subscribe messages) and once for the
mini-program subscribe message (``mp_template_id`` / ``mp_fields``). One renderer fills both:
each value is written for its field's type and fitted to it (a thing cut to 20 characters with
…), so WeChat never refuses it and the customer sees whole words.

``settings.wechat_templates`` is a JSON object keyed by notice kind; each entry overrides the
demo defaults below key by key, e.g.::

    {"statement_issued": {"template_id": "AbC…",
                          "fields": {"thing1": "customer", "thing2": "period",
                                     "amount3": "closing"}}}

It is checked at start: a historical field (``first`` / ``remark`` / ``keywordN``), an unknown
type, a value the kind does not have or a type that cannot hold the value stops the service with
one line naming the variable and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import InvalidOperation
from typing import Any

from bot.template_settings import template_overrides
from bot.template_values import SOURCES, Source
from bot.wechat_fields import field_type, fit
from domain.notices.catalogue import Kind

VARIABLE = "TALLY_WECHAT_TEMPLATES"


class TemplateDataError(ValueError):
    """A notice whose value cannot go into its field (e.g. a negative amount): WeChat would
    refuse the message, so it is not sent."""


@dataclass(frozen=True)
class Template:
    kind: str
    template_id: str
    fields: dict[str, str] = field(default_factory=dict)
    mp_template_id: str = ""
    mp_fields: dict[str, str] = field(default_factory=dict)

    def data(self, payload: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        """Official-account template data: {"thing1": {"value": "…"}, …}, each value fitted."""
        return render(self.kind, self.fields, payload)

    def mp_data(self, payload: Mapping[str, Any]) -> dict[str, dict[str, str]]:
        """Mini-program subscribe data, the same renderer."""
        return render(self.kind, self.mp_fields, payload)


def render(kind: str, mapping: Mapping[str, str], payload: Mapping[str, Any]
           ) -> dict[str, dict[str, str]]:
    """Each field's value read for its type and fitted to it; TemplateDataError if one cannot."""
    sources = SOURCES[Kind(kind)]
    data = {}
    for name, source in mapping.items():
        kind_of_field = field_type(name)
        try:
            text = sources[source].reads[kind_of_field](payload)
            data[name] = {"value": fit(kind_of_field, text)}
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise TemplateDataError(f"{kind} {name} ({source}): {exc}") from None
    return data


def _debt_template(slug: str, state_field: str) -> dict:
    """A debt reminder's demo template: customer, amount, earliest due date, state, hint."""
    return {
        "template_id": f"demo-tpl-{slug}",
        "fields": {"thing1": "customer", "amount2": "amount", "date3": "due_date",
                   "thing4": state_field, "thing5": "hint"},
        "mp_template_id": f"demo-mp-{slug}",
        "mp_fields": {"thing1": "customer", "amount2": "amount", "date3": "due_date",
                      "thing4": state_field},
    }


DEFAULTS: dict[str, dict] = {  # the demo templates of each WeChat kind
    Kind.STATEMENT_ISSUED: {
        "template_id": "demo-tpl-statement-issued",
        "fields": {"thing1": "customer", "thing2": "period", "amount3": "closing",
                   "phrase4": "status", "thing5": "hint"},
        "mp_template_id": "demo-mp-statement-issued",
        "mp_fields": {"thing1": "customer", "thing2": "period", "amount3": "closing",
                      "thing4": "hint"},
    },
    Kind.REPAYMENT_REMINDER: _debt_template("repayment-reminder", "debts"),
    Kind.OVERDUE_NOTICE: _debt_template("overdue-notice", "debts"),
}
ENTRY_KEYS = frozenset({"template_id", "fields", "mp_template_id", "mp_fields"})


def load_templates(raw: str) -> dict[str, Template]:
    """The templates by kind: the demo defaults overridden by ``raw`` (JSON; empty for none).

    Raises ValueError naming the kind and field on anything WeChat or Tally could not use, so a
    typo fails at start-up."""
    overrides = template_overrides(raw, VARIABLE, DEFAULTS, ENTRY_KEYS, "WeChat notice")
    return {kind: _template(kind, {**base, **overrides.get(kind, {})})
            for kind, base in DEFAULTS.items()}


def _template(kind: str, entry: dict) -> Template:
    if not entry.get("template_id") and not entry.get("mp_template_id"):
        raise ValueError(f"{VARIABLE}[{kind}] needs template_id or mp_template_id")
    template = Template(
        kind=kind, template_id=str(entry.get("template_id", "")),
        fields=_mapping(kind, "fields", entry.get("fields", {})),
        mp_template_id=str(entry.get("mp_template_id", "")),
        mp_fields=_mapping(kind, "mp_fields", entry.get("mp_fields", {})),
    )
    for key, mapping, template_id in (("fields", template.fields, template.template_id),
                                      ("mp_fields", template.mp_fields, template.mp_template_id)):
        if template_id and not mapping:
            raise ValueError(f"{VARIABLE}[{kind}].{key} is empty: a message with no values")
    return template


def _mapping(kind: str, key: str, mapping: Any) -> dict[str, str]:
    """The fields → values of one template, each checked against WeChat's types and the kind's
    values."""
    where = f"{VARIABLE}[{kind}].{key}"
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValueError(f"{where} must map field names to value names")
    sources = SOURCES[Kind(kind)]
    for name, source in mapping.items():
        try:
            kind_of_field = field_type(name)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        _check_source(where, name, kind_of_field, source, sources)
    return dict(mapping)


def _check_source(where: str, name: str, kind_of_field: str, source: str,
                  sources: Mapping[str, Source]) -> None:
    if source not in sources:
        raise ValueError(f"{where}.{name}: no value {source!r} for this notice "
                         f"(known: {', '.join(sources)})")
    reads = sources[source].reads
    if kind_of_field not in reads:
        raise ValueError(f"{where}.{name}: {source} ({sources[source].means}) cannot go into "
                         f"a {kind_of_field} field; it fits {', '.join(reads)}")

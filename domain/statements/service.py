"""Statement use cases: build, act on (seed 000's table), answer, share, view, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from domain import audit
from domain.access import (
    can_see_customer,
    get_visible_customer,
    only_customers,
    visible_customer_ids,
)
from domain.actors import Actor
from domain.common_errors import BAD_AMOUNT, BAD_STATUS
from domain.customers.models import Contact, Customer
from domain.documents.models import Document
from domain.documents.rules import DOC_TYPES, VOID, signed_amount
from domain.events.catalogue import EventType, StatementAnswered, customer_ref
from domain.events.publish import NewEvent, publish
from domain.money import ZERO
from domain.notices import outbox
from domain.notices.catalogue import (
    MANAGERS,
    Kind,
    StatementDisputed,
    StatementIssued,
    contact_recipient,
    dispute_alert_key,
    staff_recipient,
    statement_disputed_key,
    statement_issued_key,
)
from domain.org.models import Staff
from domain.sharing import sign_share_token
from domain.statements import issuing, rules
from domain.statements.answerers import answerer
from domain.statements.errors import (
    BAD_ANSWER,
    BAD_DOC_TYPES,
    BAD_RESULT,
    DESCRIPTION_REQUIRED,
    DESCRIPTION_TOO_LONG,
    DOCUMENTS_NOT_AUDITED,
    DOCUMENTS_NOT_FOUND,
    SHARE_LINK_NOT_FOUND,
    SHARE_TOKEN_REVOKED,
    STATEMENT_CHANGED,
    STATEMENT_NOT_FOUND,
)
from domain.statements.models import ShareLink, Statement, StatementEvent, StatementLine
from domain.statements.rules import LineValues
from domain.statements.scenes import statement_scene
from domain.statements.settings import counted_audit_states
from domain.statements.views import ANSWERING_ACTIONS, history_item, standing_answers


@dataclass(frozen=True)
class ShareSettings:
    secret: str
    base_url: str
    ttl_days: int = 30
    bind_code_ttl_hours: int = 72  # bind codes a salesperson asks the bot for

    @classmethod
    def of(cls, settings) -> ShareSettings:
        """From the service's settings (secret_key, public_base_url, share_ttl_days,
        bind_code_ttl_hours)."""
        return cls(settings.secret_key, settings.public_base_url, settings.share_ttl_days,
                   settings.bind_code_ttl_hours)

    def url(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/s/{token}"


# A link that would die within this long is not handed out again: a fresh one is made instead.
MIN_LINK_LIFE = timedelta(days=1)


@dataclass(frozen=True)
class NewStatement:
    customer_id: int
    date_from: date
    date_to: date
    numbers: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = DOC_TYPES
    notify: bool = True


async def create_statement(
    actor: Actor, spec: NewStatement, share: ShareSettings, now: datetime
) -> Statement:
    """Snapshot the chosen documents into a statement and issue it to the customer's contacts."""
    rules.check_period(spec.date_from, spec.date_to)
    customer = await get_visible_customer(actor, spec.customer_id)
    counted = await counted_audit_states()
    documents = await _pick_documents(customer, spec, counted)
    opening = await _opening_receivable(customer.id, spec.date_from, counted)
    totals = rules.statement_totals(
        opening, (LineValues(d.doc_type, d.amount, d.owed) for d in documents)
    )
    async with in_transaction():
        statement = await Statement.create(**issuing.statement_fields(
            customer.id, spec.date_from, spec.date_to, totals, actor, now))
        statement.customer = customer  # the views read it: no second query
        await StatementLine.bulk_create([StatementLine(**issuing.line_fields(statement.id, i, d))
                                         for i, d in enumerate(documents)])
        await StatementEvent.create(**issuing.created_event_fields(statement.id, actor, now))
        await audit.record(actor, "create", "statement", statement.id, now,
                           customer_id=customer.id, lines=totals.line_count)
        if spec.notify:
            await _issue_to_contacts(statement, customer, actor, share, now)
    return statement


async def _pick_documents(
    customer: Customer, spec: NewStatement, counted: tuple[str, ...]
) -> list[Document]:
    in_range = Document.filter(
        customer_id=customer.id, date__gte=spec.date_from, date__lte=spec.date_to
    ).exclude(audit_status=VOID)
    if spec.numbers:
        documents = await in_range.filter(number__in=spec.numbers).order_by("date", "number")
        missing = sorted(set(spec.numbers) - {d.number for d in documents})
        if missing:
            raise DOCUMENTS_NOT_FOUND(
                f"以下单据不属于该客户或不在对账日期内: {', '.join(missing)}", numbers=missing,
                )
        _refuse_uncounted(documents, counted)
    else:
        unknown = sorted(set(spec.doc_types) - set(DOC_TYPES))
        if unknown or not spec.doc_types:
            raise BAD_DOC_TYPES(f"未知单据类型: {', '.join(unknown)}")
        documents = await in_range.filter(
            doc_type__in=spec.doc_types, audit_status__in=counted).order_by("date", "number")
    # None in the range is a balance confirmation (seed 000): the opening balance only.
    return documents


def _refuse_uncounted(documents: list[Document], counted: tuple[str, ...]) -> None:
    """Picked documents still pending (待审批) while statements take audited ones only."""
    pending = [d.number for d in documents if d.audit_status not in counted]
    if pending:
        raise DOCUMENTS_NOT_AUDITED(
            f"以下单据尚未审核，不能对账: {', '.join(pending)}", numbers=pending,
            )


async def _opening_receivable(
    customer_id: int, before: date, counted: tuple[str, ...]
) -> Decimal:
    # Summed in Python: SQLite keeps decimals as text, and SQL SUM would go through floats.
    rows = await Document.filter(
        customer_id=customer_id, date__lt=before, audit_status__in=counted
    ).values_list("doc_type", "amount")
    return sum((signed_amount(t, Decimal(a)) for t, a in rows), ZERO)


async def _issue_to_contacts(statement, customer, actor, share, now) -> None:
    contacts = await Contact.filter(
        Q(openid__isnull=False) | Q(mp_openid__isnull=False), customer_id=customer.id
    ).order_by("id")
    if not contacts:
        return
    link, token = await _new_share_link(statement, actor, share, now)
    payload = issued_payload(statement, customer.name, link.nonce, share.url(token))
    for person in contacts:
        to = contact_recipient(person.id, person.name)
        await outbox.enqueue(Kind.STATEMENT_ISSUED, to, payload,
                             statement_issued_key(statement.id, to), now)


def issued_payload(statement: Statement, customer_name: str, nonce: str,
                   url: str) -> StatementIssued:
    """What a STATEMENT_ISSUED notice to a contact carries (also for bulk issuing)."""
    return {
        "statement_id": statement.id, "customer": customer_name,
        "date_from": statement.date_from.isoformat(), "date_to": statement.date_to.isoformat(),
        "closing": str(statement.closing), "owed_total": str(statement.owed_total),
        "url": url, "mp_scene": statement_scene(nonce),
    }


async def get_statement(actor: Actor, statement_id: int) -> Statement:
    statement = await Statement.get_or_none(id=statement_id, deleted_at=None)
    if statement is None or not await can_see_customer(actor, statement.customer_id):
        raise STATEMENT_NOT_FOUND(f"对账单 {statement_id} 不存在")
    return statement


async def list_statements(
    actor: Actor, *, customer_id: int | None = None, status: str | None = None,
    date_from: date | None = None, date_to: date | None = None,
    limit: int = 50, offset: int = 0,
) -> list[Statement]:
    """Newest first; ``date_from`` / ``date_to`` keep statements whose period overlaps them."""
    rules.check_period(date_from, date_to)
    query = Statement.filter(deleted_at=None)
    if date_from:
        query = query.filter(date_to__gte=date_from)
    if date_to:
        query = query.filter(date_from__lte=date_to)
    query = only_customers(query, await visible_customer_ids(actor), customer_id)
    if status:
        if status not in rules.STATUS_LABELS:
            raise BAD_STATUS(f"未知状态: {status}")
        query = query.filter(status=status)
    return await query.order_by("-created_at", "-id").offset(offset).limit(limit)


async def history_items(actor: Actor, **filters) -> list[dict]:
    """对账单历史: the statements ``list_statements`` finds, as rows naming their customer."""
    found = await list_statements(actor, **filters)
    rows = await Customer.filter(id__in={s.customer_id for s in found}).values_list("id", "name")
    names: dict[int, str] = dict(rows)
    return [history_item(s, names.get(s.customer_id, "")) for s in found]


async def _transition(statement: Statement, action: str, now: datetime, **changes) -> None:
    """Apply a state change only if nobody else changed the statement first."""
    rules.check_action(action, statement.status, statement.received_amount)
    changes["version"] = statement.version + 1
    updated = await Statement.filter(id=statement.id, version=statement.version).update(**changes)
    if not updated:
        raise STATEMENT_CHANGED("对账单已被他人修改，请刷新后重试")
    for name, value in changes.items():
        setattr(statement, name, value)


async def staff_confirm(
    actor: Actor, statement_id: int, result: str, description: str, now: datetime
) -> Statement:
    """符合确认 / 不符合确认 by staff, e.g. after the customer confirmed by phone."""
    action = {rules.MATCHED: rules.MATCH, rules.MISMATCHED: rules.MISMATCH}.get(result)
    if action is None:
        raise BAD_RESULT("result 必须是 matched 或 mismatched")
    statement = await get_statement(actor, statement_id)
    async with in_transaction():
        await _transition(statement, action, now, status=result, answered_at=now,
                          answered_by=answerer(actor, now))
        await _event(statement, action, actor, now, result=result, description=description)
    return statement


async def cancel_confirmation(actor: Actor, statement_id: int, now: datetime) -> Statement:
    statement = await get_statement(actor, statement_id)
    async with in_transaction():
        await _transition(statement, rules.CANCEL, now, status=rules.UNCONFIRMED,
                          answered_at=None, answered_by="")
        await _event(statement, rules.CANCEL, actor, now)
    return statement


async def record_payment(
    actor: Actor, statement_id: int, amount: Decimal, note: str, now: datetime
) -> Statement:
    """收款: money received against the statement after it was issued."""
    if amount <= 0:
        raise BAD_AMOUNT("收款金额必须大于 0")
    statement = await get_statement(actor, statement_id)
    async with in_transaction():
        await _transition(statement, rules.RECEIVE, now,
                          received_amount=statement.received_amount + amount)
        await _event(statement, rules.RECEIVE, actor, now, amount=amount, description=note)
    return statement


async def feedback(actor: Actor, statement_id: int) -> list[StatementEvent]:
    """反馈内容: every answer and confirmation with its description, oldest first."""
    statement = await get_statement(actor, statement_id)
    rules.check_action(rules.FEEDBACK, statement.status, statement.received_amount)
    return await StatementEvent.filter(
        statement_id=statement.id, action__in=["answer", rules.MATCH, rules.MISMATCH, rules.CANCEL]
    ).order_by("created_at", "id")


async def answers_for_print(statement: Statement, zone: tzinfo) -> list[dict]:
    """The standing answers the PDF's 客户确认 block shows (see views.standing_answers)."""
    if statement.status == rules.UNCONFIRMED:
        return []
    events = await StatementEvent.filter(
        statement_id=statement.id, action__in=ANSWERING_ACTIONS).order_by("created_at", "id")
    return standing_answers(events, zone) or _answer_without_events(statement, zone)


def _answer_without_events(statement: Statement, zone: tzinfo) -> list[dict]:
    """An answered statement whose events are gone (imported history): the statement's own
    answer, so the PDF does not offer an empty block to sign."""
    if statement.answered_at is None:
        return []
    return [{"result": statement.status, "result_label": rules.STATUS_LABELS[statement.status],
             "by": statement.answered_by or "—", "by_customer": True,
             "at": statement.answered_at.astimezone(zone), "description": ""}]


async def history(actor: Actor, statement_id: int) -> list[StatementEvent]:
    statement = await get_statement(actor, statement_id)
    return await StatementEvent.filter(statement_id=statement.id).order_by("created_at", "id")


async def delete_statement(actor: Actor, statement_id: int, now: datetime) -> None:
    statement = await get_statement(actor, statement_id)
    async with in_transaction():
        await _transition(statement, rules.DELETE, now, deleted_at=now, deleted_by=actor.label)
        await ShareLink.filter(statement_id=statement.id, revoked_at=None).update(revoked_at=now)
        await _event(statement, rules.DELETE, actor, now)
        await audit.record(actor, "delete", "statement", statement.id, now,
                           status=statement.status, closing=str(statement.closing))


async def share_statement(
    actor: Actor, statement_id: int, share: ShareSettings, now: datetime
) -> tuple[ShareLink, str]:
    """分享: a new signed, expiring link; earlier links stay valid until revoked or expired."""
    statement = await get_statement(actor, statement_id)
    rules.check_action(rules.SHARE, statement.status, statement.received_amount)
    async with in_transaction():
        link, token = await _new_share_link(statement, actor, share, now)
        await _event(statement, rules.SHARE, actor, now)
    return link, token


async def _new_share_link(statement, actor, share: ShareSettings, now) -> tuple[ShareLink, str]:
    link = await ShareLink.create(
        **issuing.share_link_fields(statement.id, actor, share.ttl_days, now))
    return link, sign_share_token(share.secret, link.nonce, link.expires_at)


async def live_share_url(actor: Actor, statement_id: int, share: ShareSettings, now) -> str:
    """The URL of a live share link of the statement, or of a new one (分享)."""
    link = await ShareLink.filter(
        statement_id=statement_id, revoked_at=None, expires_at__gt=now + MIN_LINK_LIFE
    ).order_by("-expires_at", "-id").first()
    if link is None:
        _, token = await share_statement(actor, statement_id, share, now)
        return share.url(token)
    return share.url(sign_share_token(share.secret, link.nonce, link.expires_at))


async def live_share_link(
    actor: Actor, statement_id: int, link_id: int, share: ShareSettings, now: datetime
) -> tuple[ShareLink, str]:
    """A live share link of the statement and its token, to show its URL and QR code again
    (the token is the link's signature, so it is the same every time)."""
    statement = await get_statement(actor, statement_id)
    link = await ShareLink.get_or_none(id=link_id, statement_id=statement.id)
    if link is None or rules.link_state(link, now) != rules.LIVE:
        raise SHARE_LINK_NOT_FOUND(f"分享链接 {link_id} 不存在、已吊销或已过期")
    return link, sign_share_token(share.secret, link.nonce, link.expires_at)


async def list_share_links(actor: Actor, statement_id: int) -> list[ShareLink]:
    statement = await get_statement(actor, statement_id)
    return await ShareLink.filter(statement_id=statement.id).order_by("-id")


async def revoke_share_link(actor: Actor, statement_id: int, link_id: int, now) -> ShareLink:
    statement = await get_statement(actor, statement_id)
    link = await ShareLink.get_or_none(id=link_id, statement_id=statement.id)
    if link is None:
        raise SHARE_LINK_NOT_FOUND(f"分享链接 {link_id} 不存在")
    if link.revoked_at is None:
        link.revoked_at = now
        await link.save(update_fields=["revoked_at"])
        await audit.record(actor, "revoke", "share_link", link.id, now, statement_id=statement.id)
    return link


async def customer_answer(
    actor: Actor, statement: Statement, answer: str, description: str, now: datetime, *,
    via: str = "", device: str = "",
) -> bool:
    """A customer's 符合 / 不符合 through ``via`` (h5 | mp), from ``device`` ("iPhone 微信").
    Returns False for a repeat; a change of mind is a conflict."""
    description = (description or "").strip()
    if answer not in (rules.MATCHED, rules.MISMATCHED):
        raise BAD_ANSWER("answer 必须是 matched（符合）或 mismatched（不符合）")
    if answer == rules.MISMATCHED and not description:
        raise DESCRIPTION_REQUIRED("选择不符合时必须填写描述")
    if len(description) > 2000:
        raise DESCRIPTION_TOO_LONG("描述不能超过 2000 字")
    if not rules.answer_outcome(statement.status, answer):
        return False
    answered_by = answerer(actor, now, device)
    async with in_transaction():
        updated = await Statement.filter(
            id=statement.id, version=statement.version, status=rules.UNCONFIRMED
        ).update(status=answer, answered_at=now, answered_by=answered_by,
                 version=statement.version + 1)
        if not updated:
            fresh = await Statement.get(id=statement.id)
            if not rules.answer_outcome(fresh.status, answer):
                return False
            raise STATEMENT_CHANGED("对账单已被他人修改，请刷新后重试")
        statement.status, statement.version = answer, statement.version + 1
        event = await _event(statement, "answer", actor, now, result=answer,
                             description=description, via=via, device=device)
        if answer == rules.MISMATCHED:
            await _notify_dispute(statement, event, description, answered_by, now)
        await _publish_answer(statement, event, answered_by, now)
    return True


async def _publish_answer(statement: Statement, event: StatementEvent, answered_by: str,
                          now: datetime) -> None:
    """The ERP hears of the customer's answer (its event, beside the statement's own)."""
    customer = await Customer.get(id=statement.customer_id)
    data: StatementAnswered = {
        "statement_id": statement.id, "customer": customer_ref(customer),
        "date_from": statement.date_from.isoformat(), "date_to": statement.date_to.isoformat(),
        "closing": str(statement.closing), "owed_total": str(statement.owed_total),
        "answer": event.result, "description": event.description, "answered_by": answered_by,
        "answered_at": now.isoformat(), "via": event.via}
    await publish(NewEvent(EventType.STATEMENT_ANSWERED,
                           f"{EventType.STATEMENT_ANSWERED}:{statement.id}:{event.id}",
                           "statement", statement.id, data, customer.id), now)


@dataclass(frozen=True)
class ShownAnswer:
    """What the customer's page says about the current status."""

    by_customer: bool  # False when staff set it (符合确认 / 不符合确认)
    description: str  # the customer's own words; staff notes stay internal


async def shown_answer(statement: Statement) -> ShownAnswer:
    """Who set the statement's current status: the latest answer, confirmation or cancel."""
    latest = await StatementEvent.filter(
        statement_id=statement.id, action__in=["answer", rules.MATCH, rules.MISMATCH, rules.CANCEL]
    ).order_by("-id").first()
    if latest is None or latest.action != "answer" or latest.result != statement.status:
        return ShownAnswer(by_customer=False, description="")
    return ShownAnswer(by_customer=True, description=latest.description)


async def _notify_dispute(
    statement: Statement, event: StatementEvent, description: str, answered_by: str, now
) -> None:
    customer = await Customer.get(id=statement.customer_id).prefetch_related("salesperson")
    payload: StatementDisputed = {
        "statement_id": statement.id, "customer": customer.name,
        "date_from": statement.date_from.isoformat(), "date_to": statement.date_to.isoformat(),
        "closing": str(statement.closing), "description": description,
        "answered_by": answered_by,
    }
    salesperson: Staff | None = customer.salesperson
    if salesperson is not None:
        to = staff_recipient(salesperson.id, salesperson.name)
        await outbox.enqueue(Kind.STATEMENT_DISPUTED, to, payload,
                             statement_disputed_key(statement.id, event.id, to), now)
        if salesperson.manager_id:
            manager = await Staff.get(id=salesperson.manager_id)
            to = staff_recipient(manager.id, manager.name)
            await outbox.enqueue(Kind.DISPUTE_ALERT, to, payload,
                                 dispute_alert_key(statement.id, event.id, to), now)
    await outbox.enqueue(Kind.DISPUTE_ALERT, MANAGERS, payload,
                         dispute_alert_key(statement.id, event.id, MANAGERS), now)


async def _event(statement, action, actor: Actor, now, **values) -> StatementEvent:
    return await StatementEvent.create(
        statement_id=statement.id, action=action, actor_kind=actor.kind, actor=actor.name,
        contact_id=actor.contact_id, created_at=now, **values,
    )


async def resolve_share_token(nonce: str, now: datetime) -> Statement:
    """The statement (with its customer) behind a verified token's nonce, in one query,
    unless the link was revoked or the statement deleted."""
    link = await ShareLink.filter(nonce=nonce).select_related("statement__customer").first()
    if link is None or link.revoked_at is not None:
        raise SHARE_TOKEN_REVOKED("分享链接已失效")
    if link.statement.deleted_at is not None:
        raise STATEMENT_NOT_FOUND("对账单不存在或已删除")
    return link.statement


async def mark_source_changed(document_ids: list[int]) -> None:
    """The statements holding these documents no longer match their sources (they stay
    snapshots); their version moves too, so whatever cached a view of them drops it."""
    statement_ids = await StatementLine.filter(document_id__in=document_ids).values_list(
        "statement_id", flat=True)
    if statement_ids:
        await Statement.filter(id__in=set(statement_ids), source_changed=False).update(
            source_changed=True, version=F("version") + 1)

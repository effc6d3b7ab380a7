"""Writes of quotes: create from a deal with lines, change a draft, new version, delete a
draft, and the manager's decision. Sending and the client's decision are in `sending.py`,
the catalogue in `catalogue.py`, the company's details in `profile.py`.

One transaction each, audited. Who may write a quote is who may change its deal: the
capability `quote.write` (admins, managers, agents) and, for agents, only their own
deals; analysts only read. A quote of a deal the actor cannot see is not found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.services import system_event_record
from klient.core.capabilities import require
from klient.core.errors import Conflict, PermissionDenied, ValidationFailed
from klient.core.models import Role, User, Workspace
from klient.core.numbering import number_next, number_sequences
from klient.core.services import audit_record
from klient.money.amounts import Money
from klient.money.currencies import currency_check
from klient.sales.models import Deal, DealContact
from klient.sales.quote_models import Quote, QuoteLine
from klient.sales.quotes.errors import (
    QuoteAlreadyDecided,
    QuoteNotCurrent,
    QuoteNotDraft,
)
from klient.sales.quotes.line_services import (
    LineIn,
    lines_build,
    lines_store,
)
from klient.sales.quotes.selectors import company_profile_get, quote_get
from klient.sales.selectors import deal_get

QUOTE_SEQUENCE = "sales.quote"
QUOTE_KIND = "sales.quote"
DEFAULT_VALID_DAYS = 30


# --- who may write ---------------------------------------------------------------------


def quote_write_check(actor: User, deal: Deal) -> None:
    """The capability, and an agent only on their own deals (the deals' rule)."""
    require(actor, "quote.write")
    if actor.role == Role.AGENT and deal.owner_id != actor.pk:
        raise PermissionDenied(_("You can change only the quotes of your own deals."))


def _deal_for_write(actor: User, deal_id: int) -> Deal:
    deal = deal_get(user=actor, deal_id=deal_id)
    quote_write_check(actor, deal)
    return deal


def quote_for_write(actor: User, quote_id: int) -> Quote:
    """The quote, seen by the actor, writable by them, locked until the transaction ends."""
    seen = quote_get(user=actor, quote_id=quote_id)
    quote_write_check(actor, seen.deal)
    quote = Quote.objects.select_for_update().get(pk=seen.pk)
    quote.deal = seen.deal
    return quote


def _require_draft(quote: Quote) -> None:
    if quote.status == Quote.Status.SUPERSEDED:
        raise QuoteNotCurrent()
    if quote.status != Quote.Status.DRAFT:
        raise QuoteNotDraft()


# --- fields ----------------------------------------------------------------------------


def _language(value: str | None, *, fallback: str) -> str:
    languages = dict(settings.LANGUAGES)
    if value:
        if value not in languages:
            raise ValidationFailed(
                fields={"language": _("Unknown value “%(value)s”.") % {"value": value}}
            )
        return value
    return fallback if fallback in languages else "en"


def _addressee(deal: Deal, person_id: int | None) -> DealContact | None:
    """The contact the quote is addressed to: the one named (a contact of the deal), else
    the deal's first contact."""
    contacts = DealContact.objects.filter(deal=deal).select_related("person")
    if person_id is None:
        return contacts.first()
    link = contacts.filter(person_id=person_id).first()
    if link is None:
        raise ValidationFailed(fields={"person_id": _("Not a contact person of this deal.")})
    return link


def _valid_until(value: date | None, *, days: int) -> date:
    today = timezone.localdate()
    if value is None:
        return today + timedelta(days=days or DEFAULT_VALID_DAYS)
    if value < today:
        raise ValidationFailed(fields={"valid_until": _("Choose today or a later date.")})
    return value


def _text(value: object, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _quote_number(workspace_id: int, prefix: str, at: Any) -> str:
    """The next number, `КП-2026-00042`, with the workspace's own prefix if it set one."""
    number = number_next(workspace_id=workspace_id, key=QUOTE_SEQUENCE, at=at)
    default = number_sequences.get(QUOTE_SEQUENCE).prefix
    return f"{prefix}{number[len(default) :]}" if prefix else number


# --- quotes ----------------------------------------------------------------------------


@transaction.atomic
def quote_create(
    *,
    actor: User,
    deal_id: int,
    lines: Sequence[LineIn] = (),
    currency: str | None = None,
    language: str | None = None,
    person_id: int | None = None,
    valid_until: date | None = None,
    notes: str = "",
) -> Quote:
    """A draft quote on the deal, numbered, with its lines. The currency is the deal's
    (else the workspace's), the language the addressee's (else the workspace's)."""
    deal = _deal_for_write(actor, deal_id)
    workspace = Workspace.objects.get(pk=deal.workspace_id)
    code = currency_check(currency or deal.currency or workspace.default_currency)
    contact = _addressee(deal, person_id)
    person = contact.person if contact is not None else None
    chosen = _language(
        language,
        fallback=(person.preferred_language if person else "") or workspace.default_language,
    )
    profile = company_profile_get(workspace_id=deal.workspace_id)
    until = _valid_until(valid_until, days=profile.quote_valid_days)
    built = lines_build(actor, currency=code, lines=lines)
    now = timezone.now()
    quote = Quote(
        workspace_id=deal.workspace_id,
        deal=deal,
        number=_quote_number(deal.workspace_id, profile.quote_prefix, now),
        language=chosen,
        currency=code,
        person=person,
        valid_until=until,
        notes=str(notes or "")[:10_000],
        created_by=actor,
    )
    quote.save()
    lines_store(quote, built)
    quote.save(update_fields=["net_total", "vat_total", "gross_total"])
    audit_record(
        workspace=deal.workspace_id,
        actor=actor,
        action="quote.create",
        instance=quote,
        changes={
            "number": (None, quote.number),
            "deal": (None, deal.pk),
            "lines": (None, len(built)),
            "gross_total": (None, quote.gross_total),
        },
    )
    return quote


QUOTE_FIELDS = ("language", "person_id", "valid_until", "notes")


@transaction.atomic
def quote_update(*, actor: User, quote_id: int, data: Mapping[str, Any]) -> Quote:
    """Change a draft's language, addressee, validity date or notes."""
    quote = quote_for_write(actor, quote_id)
    _require_draft(quote)
    unknown = set(data) - set(QUOTE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={key: _("Unknown field.") for key in sorted(unknown)})
    changes: dict[str, tuple[Any, Any]] = {}
    values: dict[str, Any] = {}
    if "language" in data:
        values["language"] = _language(data["language"] or None, fallback=quote.language)
    if "person_id" in data:
        contact = _addressee(quote.deal, data["person_id"]) if data["person_id"] else None
        values["person_id"] = contact.person_id if contact is not None else None
    if "valid_until" in data:
        profile = company_profile_get(workspace_id=quote.workspace_id)
        values["valid_until"] = _valid_until(data["valid_until"], days=profile.quote_valid_days)
    if "notes" in data:
        values["notes"] = str(data["notes"] or "")[:10_000]
    for field, value in values.items():
        before = getattr(quote, field)
        if before != value:
            setattr(quote, field, value)
            changes[field] = (before, value)
    if changes:
        quote.save(update_fields=[*changes, "updated_at"])
        audit_record(
            workspace=quote.workspace_id,
            actor=actor,
            action="quote.update",
            instance=quote,
            changes=changes,
        )
    return quote


@transaction.atomic
def quote_lines_set(*, actor: User, quote_id: int, lines: Sequence[LineIn]) -> Quote:
    """Replace a draft's lines (all checked first: a bad line changes nothing)."""
    quote = quote_for_write(actor, quote_id)
    _require_draft(quote)
    built = lines_build(actor, currency=quote.currency, lines=lines)
    before = (
        QuoteLine.objects.filter(quote=quote).count(),
        Money(quote.gross_total, quote.currency),
    )
    lines_store(quote, built)
    quote.save(update_fields=["net_total", "vat_total", "gross_total", "updated_at"])
    audit_record(
        workspace=quote.workspace_id,
        actor=actor,
        action="quote.update",
        instance=quote,
        changes={
            "lines": (before[0], len(built)),
            "gross_total": (before[1].amount, quote.gross_total),
        },
    )
    return quote


@transaction.atomic
def quote_version_new(*, actor: User, quote_id: int) -> Quote:
    """A new draft version of a sent or declined quote: same number, version + 1, its
    lines copied; the previous version stays, superseded."""
    previous = quote_for_write(actor, quote_id)
    if previous.status == Quote.Status.SUPERSEDED:
        raise QuoteNotCurrent()
    if previous.status == Quote.Status.DRAFT:
        raise Conflict(_("This version is still a draft: change it instead."))
    if previous.status == Quote.Status.ACCEPTED:
        raise QuoteAlreadyDecided()
    lines = list(QuoteLine.objects.filter(quote=previous).order_by("position", "id"))
    previous.status_before, previous.status = previous.status, Quote.Status.SUPERSEDED
    previous.save(update_fields=["status", "status_before", "updated_at"])
    profile = company_profile_get(workspace_id=previous.workspace_id)
    quote = Quote.objects.create(
        workspace_id=previous.workspace_id,
        deal=previous.deal,
        number=previous.number,
        version=previous.version + 1,
        language=previous.language,
        currency=previous.currency,
        person_id=previous.person_id,
        valid_until=_valid_until(None, days=profile.quote_valid_days),
        notes=previous.notes,
        created_by=actor,
    )
    lines_store(quote, lines)
    quote.save(update_fields=["net_total", "vat_total", "gross_total"])
    audit_record(
        workspace=quote.workspace_id,
        actor=actor,
        action="quote.version",
        instance=quote,
        changes={"version": (previous.version, quote.version)},
    )
    return quote


@transaction.atomic
def quote_delete(*, actor: User, quote_id: int) -> None:
    """Delete a draft. Deleting a later version's draft makes the previous version the
    current one again, with the status it had. The number is not given out again."""
    quote = quote_for_write(actor, quote_id)
    _require_draft(quote)
    previous = (
        Quote.objects.select_for_update()
        .filter(
            workspace_id=quote.workspace_id,
            number=quote.number,
            version=quote.version - 1,
            status=Quote.Status.SUPERSEDED,
        )
        .first()
    )
    audit_record(
        workspace=quote.workspace_id,
        actor=actor,
        action="quote.delete",
        instance=quote,
        changes={"number": (quote.number, None), "version": (quote.version, None)},
    )
    quote.delete()
    if previous is not None:
        previous.status = previous.status_before or Quote.Status.SENT
        previous.status_before = ""
        previous.save(update_fields=["status", "status_before", "updated_at"])


DECISIONS = {"accepted": Quote.Status.ACCEPTED, "declined": Quote.Status.DECLINED}


def decision_status(decision: str) -> Quote.Status:
    if decision not in DECISIONS:
        raise ValidationFailed(
            fields={"decision": _("Unknown value “%(value)s”.") % {"value": decision}}
        )
    return DECISIONS[decision]


def decision_record(
    quote: Quote, *, status: Quote.Status, via: str, actor: User | None, note: str
) -> None:
    """Set the decision on the locked quote and put it on the deal's timeline."""
    now = timezone.now()
    quote.status = status
    quote.decided_at = now
    quote.decided_by = actor
    quote.decided_via = via
    quote.decision_note = _text(note, 500)
    quote.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decided_via",
            "decision_note",
            "updated_at",
        ]
    )
    deal = quote.deal
    system_event_record(
        owner=deal,
        kind=f"sales.quote_{status}",
        subject=quote.label,
        body=quote.decision_note,
        person=quote.person,
        organization=deal.organization,
        occurred_at=now,
        idempotency_key=f"quote:{quote.pk}:{status}",
    )


@transaction.atomic
def quote_decide(*, actor: User, quote_id: int, decision: str, note: str = "") -> Quote:
    """The manager records the client's answer (by phone, by letter): accepted or
    declined. A draft may be decided too (the client agreed before it was sent)."""
    status = decision_status(decision)
    quote = quote_for_write(actor, quote_id)
    if quote.status == Quote.Status.SUPERSEDED:
        raise QuoteNotCurrent()
    if quote.status in (Quote.Status.ACCEPTED, Quote.Status.DECLINED):
        raise QuoteAlreadyDecided()
    decision_record(quote, status=status, via=Quote.DecidedVia.MANAGER, actor=actor, note=note)
    audit_record(
        workspace=quote.workspace_id,
        actor=actor,
        action="quote.accept" if status == Quote.Status.ACCEPTED else "quote.decline",
        instance=quote,
        changes={"status": (None, str(status))},
    )
    return quote

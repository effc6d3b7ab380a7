"""Sending a quote to the deal's contact people, and the client's answer from the link.

`quote_send` renders the PDF in the quote's language, makes a public link for the
client's decision (`core.public_links`, purpose `sales.quote_decision`, valid until the
end of the quote's last valid day), and queues one email per recipient through the one
email path (`notifications.channels.email.email_send`: the message, its PDF attachment
and its delivery job are written in this transaction, SMTP talks in a worker after
commit). The deal's timeline gets a `sales.quote_sent` entry.

`quote_decide_public` records the client's accept or decline from that link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from babel.dates import format_date
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klient.activities.services import system_event_record
from klient.contacts.models import Person
from klient.core.errors import ValidationFailed
from klient.core.models import PublicLink, User
from klient.core.public_links import public_link_create
from klient.core.services import audit_record
from klient.money.amounts import money_format
from klient.money.currencies import babel_locale
from klient.notifications.channels.email import Attachment, email_send
from klient.notifications.models import MessageLog
from klient.sales.models import DealContact
from klient.sales.quote_models import Quote, QuoteLine
from klient.sales.quotes.document import QuoteDocument, quote_document
from klient.sales.quotes.errors import (
    NoRecipient,
    QuoteAlreadyDecided,
    QuoteEmpty,
    QuoteExpired,
    QuoteNotCurrent,
    QuoteNotSent,
)
from klient.sales.quotes.pdf import quote_pdf_filename, quote_pdf_render
from klient.sales.quotes.services import decision_record, decision_status, quote_for_write

DECISION_PURPOSE = "sales.quote_decision"
EMAIL_KIND = "sales.quote"
MESSAGE_MAX = 5000


@dataclass(frozen=True)
class QuoteSent:
    quote: Quote
    messages: list[MessageLog]
    url: str


def _recipients(quote: Quote, person_ids: Sequence[int] | None) -> list[Person]:
    """The deal's contacts with an email (those named, else all of them)."""
    contacts = [
        link.person
        for link in DealContact.objects.filter(deal_id=quote.deal_id).select_related("person")
    ]
    if person_ids is None:
        chosen = [person for person in contacts if person.primary_email]
    else:
        by_id = {person.pk: person for person in contacts}
        errors = {}
        for index, person_id in enumerate(person_ids):
            person = by_id.get(person_id)
            if person is None:
                errors[f"person_ids[{index}]"] = _("Not a contact person of this deal.")
            elif not person.primary_email:
                errors[f"person_ids[{index}]"] = _("This person has no email address.")
        if errors:
            raise ValidationFailed(fields=errors)
        chosen = [by_id[person_id] for person_id in dict.fromkeys(person_ids)]
    if not chosen:
        raise NoRecipient()
    return chosen


def quote_pdf_bytes(quote: Quote) -> tuple[str, bytes]:
    """The quote's PDF as it is now: (file name, bytes)."""
    document = quote_document(quote)
    return quote_pdf_filename(document), quote_pdf_render(document)


def _link_expiry(quote: Quote) -> datetime:
    assert quote.valid_until is not None
    day_after = datetime.combine(quote.valid_until + timedelta(days=1), time.min)
    return timezone.make_aware(day_after)


def public_url(token: str) -> str:
    path = reverse("sales:quote_public", kwargs={"token": token})
    return f"{settings.KLIENT_BASE_URL.rstrip('/')}{path}"


def _email_text(
    document: QuoteDocument, *, person: Person, url: str, message: str, sender: User
) -> tuple[str, str]:
    """Subject and body in the quote's language (the caller overrides the language)."""
    subject = _("Commercial proposal %(number)s from %(company)s") % {
        "number": document.number
        if document.version == 1
        else f"{document.number} (v{document.version})",
        "company": document.company.name,
    }
    greeting = (
        _("Hello, %(name)s!") % {"name": person.first_name} if person.first_name else _("Hello!")
    )
    parts = [
        greeting,
        _(
            "Please find attached our commercial proposal %(number)s for %(total)s, "
            "valid until %(date)s."
        )
        % {
            "number": document.number,
            "total": money_format(document.gross, language=document.language),
            "date": format_date(
                document.valid_until, format="long", locale=babel_locale(document.language)
            )
            if document.valid_until
            else "—",
        },
    ]
    if message.strip():
        parts.append(message.strip())
    parts.append(_("To accept or decline the proposal, open this link:\n%(url)s") % {"url": url})
    parts.append(
        _("Kind regards,\n%(sender)s\n%(company)s")
        % {"sender": sender.display_name, "company": document.company.name}
    )
    return subject, "\n\n".join(parts)


@transaction.atomic
def quote_send(
    *,
    actor: User,
    quote_id: int,
    person_ids: Sequence[int] | None = None,
    message: str = "",
) -> QuoteSent:
    """Email the quote (its PDF attached, a link to accept or decline) to the deal's
    contact people with an email address, or to those named. A sent quote may be sent
    again (the client lost it, one more colleague of theirs): a new link, the same
    version."""
    quote = quote_for_write(actor, quote_id)
    if quote.status == Quote.Status.SUPERSEDED:
        raise QuoteNotCurrent()
    if quote.status in (Quote.Status.ACCEPTED, Quote.Status.DECLINED):
        raise QuoteAlreadyDecided()
    if not QuoteLine.objects.filter(quote=quote).exists():
        raise QuoteEmpty()
    if quote.valid_until is None or quote.valid_until < timezone.localdate():
        raise QuoteExpired()
    if len(message) > MESSAGE_MAX:
        raise ValidationFailed(
            fields={"message": _("At most %(count)s characters.") % {"count": MESSAGE_MAX}}
        )
    people = _recipients(quote, person_ids)
    now = timezone.now()
    if quote.status == Quote.Status.DRAFT:
        quote.sent_at = now  # the PDF's date is the day it is first sent
    document = quote_document(quote)
    filename = quote_pdf_filename(document)
    pdf = quote_pdf_render(document)
    _link, token = public_link_create(
        workspace_id=quote.workspace_id,
        purpose=DECISION_PURPOSE,
        target=("sales.quote", quote.pk),
        expires_at=_link_expiry(quote),
        language=quote.language,
        created_by=actor,
    )
    url = public_url(token)
    occurrence = quote.sent_count + 1
    messages = []
    with translation.override(quote.language):
        for person in people:
            subject, body = _email_text(
                document, person=person, url=url, message=message, sender=actor
            )
            messages.append(
                email_send(
                    workspace_id=quote.workspace_id,
                    to=person.primary_email,
                    subject=subject,
                    body_text=body,
                    kind=EMAIL_KIND,
                    recipient_person=person,
                    language=quote.language,
                    record=("sales.deal", quote.deal_id),
                    occurrence=f"quote:{quote.pk}:send:{occurrence}",
                    dedupe_key=f"sales.quote:{quote.pk}:{occurrence}:{person.pk}",
                    attachments=[Attachment(filename, pdf, "application/pdf")],
                )
            )
    previous = quote.status
    quote.status = Quote.Status.SENT
    quote.sent_count = occurrence
    quote.pdf = pdf
    quote.save(update_fields=["status", "sent_at", "sent_count", "pdf", "updated_at"])
    addresses = [person.primary_email for person in people]
    system_event_record(
        owner=quote.deal,
        kind="sales.quote_sent",
        subject=f"{quote.label} → {', '.join(addresses)}"[:300],
        body=money_format(quote.gross, language=quote.language),
        person=people[0],
        organization=quote.deal.organization,
        occurred_at=now,
        idempotency_key=f"quote:{quote.pk}:sent:{occurrence}",
    )
    audit_record(
        workspace=quote.workspace_id,
        actor=actor,
        action="quote.send",
        instance=quote,
        changes={"status": (previous, quote.status), "recipients": (None, addresses)},
    )
    return QuoteSent(quote=quote, messages=messages, url=url)


@transaction.atomic
def quote_decide_public(*, link: PublicLink, decision: str, note: str = "") -> Quote:
    """The client's answer from the link they were sent (already resolved by the view,
    outside this transaction): only a sent, current version can be decided, once."""
    status = decision_status(decision)
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("deal__organization", "person")
        .filter(workspace_id=link.workspace_id, pk=link.target_id)
        .first()
    )
    if quote is None or link.target_kind != "sales.quote":
        raise QuoteNotSent()
    if quote.status == Quote.Status.SUPERSEDED:
        raise QuoteNotCurrent()
    if quote.status in (Quote.Status.ACCEPTED, Quote.Status.DECLINED):
        raise QuoteAlreadyDecided()
    if quote.status != Quote.Status.SENT:
        raise QuoteNotSent()
    decision_record(quote, status=status, via=Quote.DecidedVia.CLIENT, actor=None, note=note)
    audit_record(
        workspace=quote.workspace_id,
        actor=None,
        action="quote.client_accept" if status == Quote.Status.ACCEPTED else "quote.client_decline",
        instance=quote,
        changes={
            "status": (Quote.Status.SENT.value, str(status)),
            "link": (None, link.token_prefix),
        },
    )
    return quote

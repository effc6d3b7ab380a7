"""Sending a quote: one email per contact of the deal, through the platform's one email
path, to a real SMTP server on loopback, the PDF attached and a link to answer; the deal's
timeline says so. What cannot be sent is refused and sends nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from pypdf import PdfReader

from klient.activities.models import Interaction
from klient.core.errors import NotFound, PermissionDenied, ValidationFailed
from klient.core.models import PublicLink
from klient.notifications.models import MessageLog
from klient.sales.quote_models import Quote
from klient.sales.quotes.errors import NoRecipient, QuoteEmpty, QuoteExpired, QuoteNotCurrent
from klient.sales.quotes.line_services import LineIn
from klient.sales.quotes.sending import quote_send
from klient.sales.quotes.services import quote_lines_set, quote_version_new
from tests.notifications import conftest as notifications
from tests.sales import quotes_support as support
from tests.sales.factories import deal_make
from tests.sales.quotes_support import quote_make

# Fixtures (assigned, so a test's parameter of the same name is not a redefinition).
customs = support.customs
deal = support.deal
freight = support.freight
smtp = notifications.smtp
pipeline = support.pipeline

pytestmark = [pytest.mark.django_db, pytest.mark.urls(support.QUOTE_URLS)]
D = Decimal


def header(message, name: str) -> str:
    return str(make_header(decode_header(message[name])))


def test_the_quote_goes_to_each_contact_with_its_pdf_and_a_link(
    smtp,
    agent_a,
    deal,
    freight,
    django_capture_on_commit_callbacks,
):
    quote = quote_make(agent_a, deal, LineIn(product_id=freight.pk, quantity=2), language="ru")

    with django_capture_on_commit_callbacks(execute=True):
        sent = quote_send(
            actor=agent_a, quote_id=quote.pk, message="Цены действуют до конца месяца."
        )

    received = {tuple(recipients): message for recipients, message in smtp.inbox.messages}
    assert set(received) == {("anna.a@client.example",), ("boris.a@client.example",)}
    anna = received[("anna.a@client.example",)]
    assert quote.number in header(anna, "Subject")
    parts = {part.get_content_type(): part for part in anna.walk()}
    body = parts["text/plain"].get_payload(decode=True).decode()
    assert "Цены действуют до конца месяца." in body
    assert sent.url in body
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/deals/q/[\w-]{43}/", sent.url)
    attachment = parts["application/pdf"]
    assert attachment.get_filename() == f"{quote.number}.pdf"
    pdf = attachment.get_payload(decode=True)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert quote.number in text and "Морская перевозка" in text
    quote.refresh_from_db()
    assert (quote.status, quote.sent_count, bytes(quote.pdf)) == ("sent", 1, pdf)
    assert (
        sorted(MessageLog.objects.values_list("status", "record_kind", "record_id"))
        == [("sent", "sales.deal", deal.pk)] * 2
    )


def test_the_sending_is_on_the_deal_s_timeline(
    smtp,
    agent_a,
    deal,
    django_capture_on_commit_callbacks,
):
    quote = quote_make(agent_a, deal)

    with django_capture_on_commit_callbacks(execute=True):
        quote_send(actor=agent_a, quote_id=quote.pk)

    entry = Interaction.objects.get(kind="sales.quote_sent")
    assert (entry.subject_kind, entry.subject_id) == ("sales.deal", deal.pk)
    assert entry.subject == f"{quote.number} → anna.a@client.example, boris.a@client.example"
    assert entry.person.first_name == "Анна"
    assert entry.organization_id == deal.organization_id


def test_only_the_chosen_contacts_get_it_and_a_second_send_gets_there_too(
    smtp,
    agent_a,
    deal,
    django_capture_on_commit_callbacks,
):
    quote = quote_make(agent_a, deal)
    anna = deal.contacts.order_by("position").first().person

    with django_capture_on_commit_callbacks(execute=True):
        quote_send(actor=agent_a, quote_id=quote.pk, person_ids=[anna.pk])
        quote_send(actor=agent_a, quote_id=quote.pk, person_ids=[anna.pk])

    assert [recipients for recipients, _message in smtp.inbox.messages] == [
        ["anna.a@client.example"],
        ["anna.a@client.example"],
    ]
    assert PublicLink.objects.filter(purpose="sales.quote_decision").count() == 2
    assert Interaction.objects.filter(kind="sales.quote_sent").count() == 2


def test_the_link_lasts_until_the_end_of_the_last_valid_day(smtp, agent_a, deal):
    until = timezone.localdate() + timedelta(days=5)
    quote = quote_make(agent_a, deal, valid_until=until)

    quote_send(actor=agent_a, quote_id=quote.pk)

    link = PublicLink.objects.get()
    assert timezone.localtime(link.expires_at).date() == until + timedelta(days=1)
    assert timezone.localtime(link.expires_at).time().hour == 0
    assert (link.target_kind, link.target_id, link.language) == ("sales.quote", quote.pk, "ru")


def test_a_person_who_is_not_a_contact_of_the_deal_is_refused(smtp, agent_a, deal, pipeline):
    other = deal_make(agent_a, pipeline, title="Другая сделка")
    quote = quote_make(agent_a, deal)

    with pytest.raises(ValidationFailed) as refused:
        quote_send(actor=agent_a, quote_id=quote.pk, person_ids=[999_999])

    assert list(refused.value.fields) == ["person_ids[0]"]
    assert MessageLog.objects.count() == 0
    empty = quote_make(agent_a, other)
    with pytest.raises(NoRecipient):
        quote_send(actor=agent_a, quote_id=empty.pk)


def test_an_empty_expired_or_superseded_quote_is_not_sent(agent_a, deal):
    quote = quote_make(agent_a, deal)
    quote_lines_set(actor=agent_a, quote_id=quote.pk, lines=[])
    with pytest.raises(QuoteEmpty):
        quote_send(actor=agent_a, quote_id=quote.pk)

    late = quote_make(agent_a, deal)
    Quote.objects.filter(pk=late.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(QuoteExpired):
        quote_send(actor=agent_a, quote_id=late.pk)

    old = quote_make(agent_a, deal)
    Quote.objects.filter(pk=old.pk).update(status="sent")
    quote_version_new(actor=agent_a, quote_id=old.pk)
    with pytest.raises(QuoteNotCurrent):
        quote_send(actor=agent_a, quote_id=old.pk)

    assert (MessageLog.objects.count(), PublicLink.objects.count()) == (0, 0)


def test_only_who_may_change_the_deal_sends(agent_a, agent_a2, agent_b, analyst, deal):
    quote = quote_make(agent_a, deal)

    with pytest.raises(PermissionDenied):
        quote_send(actor=agent_a2, quote_id=quote.pk)
    with pytest.raises(PermissionDenied):
        quote_send(actor=analyst, quote_id=quote.pk)
    with pytest.raises(NotFound):
        quote_send(actor=agent_b, quote_id=quote.pk)
    assert MessageLog.objects.count() == 0

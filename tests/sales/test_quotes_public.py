"""The client's page from the link in the email: the quote, its PDF, accept or decline
once; an expired, revoked or wrong link opens nothing and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from klient.activities.models import Interaction
from klient.core.models import AuditEvent, PublicLink
from klient.core.public_links import public_link_create, public_link_revoke
from klient.sales.quote_models import Quote
from klient.sales.quotes.sending import quote_send
from klient.sales.quotes.services import quote_version_new
from tests.sales import quotes_support as support
from tests.sales.quotes_support import quote_make

deal = support.deal
pipeline = support.pipeline

pytestmark = [pytest.mark.django_db, pytest.mark.urls(support.QUOTE_URLS)]
LINK_REFUSED = "This link cannot be opened."


@pytest.fixture
def sent(agent_a, deal):
    quote = quote_make(agent_a, deal, language="en")
    result = quote_send(actor=agent_a, quote_id=quote.pk)
    path = result.url.removeprefix("http://127.0.0.1:8000")
    return result.quote, path


def test_the_client_sees_the_quote_in_its_language_with_the_public_headers(sent):
    quote, path = sent

    response = Client().get(path)

    page = response.content.decode()
    assert response.status_code == 200
    assert quote.number in page
    assert 'name="decision" value="accepted"' in page
    assert 'name="decision" value="declined"' in page
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert (response["Referrer-Policy"], response["Cache-Control"]) == ("no-referrer", "no-store")
    assert "<style" not in page and " style=" not in page and "<script>" not in page


def test_the_client_accepts_once(sent):
    quote, path = sent
    client = Client()

    accepted = client.post(path, {"decision": "accepted", "note": "Согласны, ждём счёт"})
    again = client.post(path, {"decision": "declined"})

    quote.refresh_from_db()
    assert accepted.status_code == 200
    assert "the proposal is accepted" in accepted.content.decode()
    assert (quote.status, quote.decided_via, quote.decided_by, quote.decision_note) == (
        "accepted",
        "client",
        None,
        "Согласны, ждём счёт",
    )
    assert again.status_code == 409
    assert "already been accepted or declined" in again.content.decode()
    entry = Interaction.objects.get(kind="sales.quote_accepted")
    assert (entry.subject_kind, entry.subject_id, entry.subject) == (
        "sales.deal",
        quote.deal_id,
        quote.number,
    )
    assert AuditEvent.objects.filter(action="quote.client_accept", object_id=quote.pk).count() == 1


def test_the_client_declines(sent):
    quote, path = sent

    response = Client().post(path, {"decision": "declined", "note": "Дорого"})

    quote.refresh_from_db()
    assert response.status_code == 200
    assert (quote.status, quote.decision_note) == ("declined", "Дорого")
    assert Interaction.objects.filter(kind="sales.quote_declined").count() == 1


def test_an_unknown_answer_is_refused(sent):
    quote, path = sent

    response = Client().post(path, {"decision": "maybe"})

    quote.refresh_from_db()
    assert (response.status_code, quote.status) == (422, "sent")


def test_the_client_downloads_the_pdf_as_sent(sent):
    quote, path = sent

    response = Client().get(path + "pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(quote.pdf)


def test_an_expired_link_opens_nothing_and_decides_nothing(sent):
    quote, path = sent
    PublicLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    opened = Client().get(path)
    posted = Client().post(path, {"decision": "accepted"})

    quote.refresh_from_db()
    assert (opened.status_code, posted.status_code, quote.status) == (404, 404, "sent")
    assert LINK_REFUSED in posted.content.decode()


def test_a_revoked_link_opens_nothing_and_decides_nothing(sent, agent_a):
    quote, path = sent
    public_link_revoke(actor=agent_a, link=PublicLink.objects.get())

    posted = Client().post(path, {"decision": "accepted"})

    quote.refresh_from_db()
    assert (posted.status_code, quote.status) == (404, "sent")
    assert LINK_REFUSED in posted.content.decode()


def test_a_link_made_for_something_else_does_not_open_the_quote(sent):
    quote, _path = sent
    _link, token = public_link_create(
        workspace_id=quote.workspace_id,
        purpose="sales.other",
        target=("sales.quote", quote.pk),
        expires_at=timezone.now() + timedelta(days=1),
    )

    response = Client().post(f"/deals/q/{token}/", {"decision": "accepted"})

    quote.refresh_from_db()
    assert (response.status_code, quote.status) == (404, "sent")


def test_an_old_version_s_link_says_it_was_replaced_and_cannot_be_decided(sent, agent_a):
    quote, path = sent
    quote_version_new(actor=agent_a, quote_id=quote.pk)

    opened = Client().get(path)
    posted = Client().post(path, {"decision": "accepted"})

    quote.refresh_from_db()
    assert "replaced by a newer one" in opened.content.decode()
    assert 'name="decision"' not in opened.content.decode()
    assert (posted.status_code, quote.status) == (409, "superseded")
    assert Quote.objects.filter(status="accepted").count() == 0

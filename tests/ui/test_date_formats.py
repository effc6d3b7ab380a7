"""Every date and time on a page in the reader's language's own format, one per kind of value."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from klient.activities.services import interaction_create, task_create
from klient.contacts.models import Person
from klient.contacts.services import consent_grant

# 15:15 in Moscow, the test settings' time zone.
MOMENT = datetime(2026, 12, 2, 12, 15, tzinfo=UTC)

EXPECTED = {
    "en": {"date": "2 Dec 2026", "datetime": "2 Dec 2026, 15:15"},
    "ru": {"date": "02.12.2026", "datetime": "02.12.2026 15:15"},
    "bg": {"date": "02.12.2026 г.", "datetime": "02.12.2026 г. 15:15 ч."},
}


@pytest.fixture
def dated_person(agent_a, person_a):
    Person.objects.filter(pk=person_a.pk).update(created_at=MOMENT)
    consent_grant(
        actor=agent_a, person=person_a, purpose="newsletter", channel="email", granted_at=MOMENT
    )
    interaction_create(
        actor=agent_a, kind="call", person=person_a, subject="Звонок", occurred_at=MOMENT
    )
    task_create(actor=agent_a, title="Перезвонить", person=person_a, due_at=MOMENT)
    return person_a


def _page(client_for, user, language, url):
    client = client_for(user)
    client.post(reverse("core:language_set"), {"language": language})
    return client.get(url).content.decode()


@pytest.mark.parametrize("language", ["en", "ru", "bg"])
def test_person_card_dates_and_times_in_the_languages_format(
    client_for, agent_a, dated_person, language
):
    html = _page(
        client_for, agent_a, language, reverse("contacts:person_detail", args=[dated_person.pk])
    )
    expected = EXPECTED[language]
    # The card's "created" date and the consent's date: the date format.
    assert f'<dd class="muted small">{expected["date"]}</dd>' in html
    assert f'<span class="faint small nowrap">{expected["date"]}</span>' in html
    # The call in the timeline and the task's due time: the date-and-time format.
    times = re.findall(r'<time[^>]*datetime="2026-12-02T15:15:00\+03:00"[^>]*>([^<]*)</time>', html)
    assert times and set(times) == {expected["datetime"]}


def test_bulgarian_is_not_in_us_format(client_for, agent_a, dated_person):
    html = _page(
        client_for, agent_a, "bg", reverse("contacts:person_detail", args=[dated_person.pk])
    )
    assert "12/02/2026" not in html
    assert "p.m." not in html and "след обяд" not in html

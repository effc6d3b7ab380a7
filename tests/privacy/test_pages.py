"""The person card's "Export personal data" and "Erase personal data": shown to who may,
the download, the confirmation page with its reason, refusals in words."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from klient.contacts.models import Person
from klient.core.models import AuditEvent
from tests.privacy.conftest import SECRETS, client_for, streamed, zip_read

pytestmark = pytest.mark.django_db

EXPORT = 'data-testid="personal-data-export"'
ERASE = 'data-testid="personal-data-erase"'


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("admin", {EXPORT, ERASE}),
        ("manager_a", {EXPORT}),
        ("agent_a", set()),
        ("analyst", set()),
    ],
)
def test_the_card_offers_what_the_role_may_do(request, role, shown, client_a):
    html = client_for(request.getfixturevalue(role)).get(f"/people/{client_a.pk}/").content.decode()

    assert {marker for marker in (EXPORT, ERASE) if marker in html} == shown


def test_the_export_link_downloads_the_zip(admin, client_a):
    response = client_for(admin).get(f"/people/{client_a.pk}/personal-data/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = json.loads(zip_read(streamed(response))["data.json"])
    assert data["sections"]["contacts.person"]["rows"][0]["emails"] == ["oleg@example.org"]


@pytest.mark.parametrize(("role", "status"), [("agent_a", 403), ("analyst", 403), ("agent_b", 404)])
def test_the_export_link_refuses_in_words(request, role, status, client_a):
    response = client_for(request.getfixturevalue(role)).get(
        f"/people/{client_a.pk}/personal-data/"
    )

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")


def test_the_confirmation_page_says_what_happens_and_asks_why(admin, client_a):
    response = client_for(admin).get(f"/people/{client_a.pk}/erase/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Erased client #{client_a.pk}" in html
    assert 'name="reason"' in html and 'name="confirm"' in html
    assert "Interactions and tasks" in html  # where it is erased
    assert Person.objects.get(pk=client_a.pk).last_name == "Орлов"


def test_the_confirmation_page_renders_in_russian_and_bulgarian(admin, client_a):
    client = client_for(admin)
    for language in ("ru", "bg"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(f"/people/{client_a.pk}/erase/")
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("manager_a", 403), ("agent_a", 403), ("agent_b", 404)]
)
def test_only_admins_reach_the_confirmation_page(request, role, status, client_a):
    client = client_for(request.getfixturevalue(role))

    assert client.get(f"/people/{client_a.pk}/erase/").status_code == status
    response = client.post(f"/people/{client_a.pk}/erase/", {"reason": "x", "confirm": "on"})
    assert response.status_code == status
    assert Person.objects.get(pk=client_a.pk).last_name == "Орлов"


def test_without_the_tick_or_a_reason_nothing_is_erased(admin, client_a):
    response = client_for(admin).post(f"/people/{client_a.pk}/erase/", {"reason": "  "})

    html = response.content.decode()
    assert response.status_code == 422
    assert "This field is required." in html
    assert "Tick this box to erase." in html
    assert Person.objects.get(pk=client_a.pk).last_name == "Орлов"


def test_erasing_from_the_page(admin, client_a):
    response = client_for(admin).post(
        f"/people/{client_a.pk}/erase/",
        {"reason": "Request by phone", "confirm": "on"},
        follow=True,
    )

    html = response.content.decode()
    assert response.redirect_chain == [(f"/people/{client_a.pk}/", 302)]
    assert "The client&#x27;s personal data was erased." in html
    assert f"<h1>Erased client #{client_a.pk}</h1>" in html
    assert "oleg@example.org" not in html
    assert AuditEvent.objects.get(action="personal_data.erase").changes["reason"] == [
        None,
        "Request by phone",
    ]


def test_the_card_and_its_history_show_no_erased_value(admin, dossier):
    client = client_for(admin)
    client.post(
        f"/people/{dossier.person.pk}/erase/", {"reason": "Client request", "confirm": "on"}
    )

    html = client.get(f"/people/{dossier.person.pk}/").content.decode().lower()

    assert [value for value in SECRETS if value in html] == []
    assert "erased client #" in html
    assert "<code>tags</code>: erased → erased" in html

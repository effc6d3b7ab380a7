"""Every value read by hand from a query string or a form is a typed 422 (or 404) on bad
input, in the API and in the pages, never a 500; an export checks everything before its
audit event and its first byte."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from klient.contacts.list_services import saved_list_create
from klient.contacts.services import person_create
from klient.core.models import AuditEvent
from tests.api.client import ApiClient
from tests.factories import TeamFactory

HUGE = str(10**23)
TOO_BIG = "Enter a number from 1 to 9223372036854775807."
NOT_A_NUMBER = "Enter a whole number."
# (value, the field's message): "²" passes str.isdigit() but not int().
BAD_IDS = [(HUGE, TOO_BIG), ("²", NOT_A_NUMBER), ("12abc", NOT_A_NUMBER), ("0", TOO_BIG)]


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


EXPORT_PARAMS = [
    ("people.csv", "list"),
    ("people.csv", "owner"),
    ("people.csv", "owner_id"),
    ("people.csv", "team_id"),
    ("people.csv", "organization_id"),
    ("people.vcf", "list"),
    ("people.xlsx", "list"),
    ("organizations.csv", "owner"),
    ("organizations.csv", "team_id"),
    ("interactions.csv", "person_id"),
    ("interactions.csv", "organization_id"),
]


@pytest.mark.parametrize(("value", "message"), BAD_IDS)
@pytest.mark.parametrize(("export", "param"), EXPORT_PARAMS)
def test_api_export_with_a_bad_id_is_a_typed_422_and_no_audit_event(
    admin, export, param, value, message
):
    api = ApiClient(admin)
    audited = AuditEvent.objects.count()

    response = api.get(f"/exports/{export}", **{param: value})

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Some fields are invalid.",
        "fields": {param: message},
    }
    assert AuditEvent.objects.count() == audited


@pytest.mark.parametrize(("export", "param"), EXPORT_PARAMS)
def test_page_export_with_a_huge_id_shows_the_error(admin, export, param):
    response = _client(admin).get(f"/export/{export}", {param: HUGE})

    assert response.status_code == 422
    assert TOO_BIG in response.content.decode()


@pytest.mark.parametrize("prefix", ["/api/v1/exports", "/export"])
def test_export_of_a_list_the_user_cannot_see_is_404_before_anything_streams(
    agent_a, agent_b, prefix
):
    hidden = saved_list_create(actor=agent_b, name="B's private list")
    client = _client(agent_a)
    audited = AuditEvent.objects.count()

    response = client.get(f"{prefix}/people.csv", {"list": hidden.pk})

    assert response.status_code == 404
    assert not response.streaming
    assert AuditEvent.objects.count() == audited


def test_export_of_an_unknown_format_is_404_without_an_audit_event(admin):
    api = ApiClient(admin)
    audited = AuditEvent.objects.count()

    statuses = [
        api.get("/exports/organizations.vcf").status_code,
        api.get("/exports/interactions.pdf").status_code,
    ]

    assert statuses == [404, 404]
    assert AuditEvent.objects.count() == audited


@pytest.mark.parametrize(("value", "message"), BAD_IDS)
@pytest.mark.parametrize("param", ["actor", "object_id"])
def test_audit_page_with_a_bad_filter_says_so(admin, param, value, message):
    response = _client(admin).get("/settings/audit/", {param: value})

    assert response.status_code == 422
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/clients/", {"page": "²"}),
        ("/clients/", {"size": "-5"}),
        ("/organizations/", {"cursor": _cursor("2024-13-45T00:00:00|1")}),
        ("/notifications/", {"cursor": _cursor("x")}),
    ],
)
def test_list_pages_with_a_bad_offset_or_cursor_say_so(agent_a, url, params):
    response = _client(agent_a).get(url, params)

    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/people", "/interactions"])
def test_api_lists_with_a_forged_cursor_are_422(agent_a, path):
    response = ApiClient(agent_a).get(path, cursor=_cursor("not a date|1"))

    assert response.status_code == 422
    assert response.json()["fields"] == {"cursor": "Invalid cursor."}


@pytest.mark.parametrize(("value", "message"), BAD_IDS)
def test_forms_posting_a_bad_id_say_so(admin, agent_a, value, message):
    client = _client(admin)
    saved = saved_list_create(actor=admin, name="L")
    person = person_create(actor=admin, last_name="Primary")

    responses = [
        client.post("/notifications/read/", {"id": value}),
        client.post(f"/settings/users/{agent_a.pk}/", {"teams": value, "role": "agent"}),
        client.post(f"/lists/{saved.pk}/people/add/", {"person_id": value}),
        client.post(f"/people/{person.pk}/merge/", {"duplicate_id": value}),
    ]

    assert [r.status_code for r in responses] == [422, 422, 422, 422]
    assert all(message in r.content.decode() for r in responses)


def test_a_team_of_another_workspace_is_refused_not_dropped(admin, agent_a, team_a):
    foreign = TeamFactory()

    response = _client(admin).post(
        f"/settings/users/{agent_a.pk}/", {"teams": [team_a.pk, foreign.pk], "role": "agent"}
    )

    assert response.status_code == 422
    assert "Unknown team." in response.content.decode()
    assert list(agent_a.teams.values_list("pk", flat=True)) == [team_a.pk]

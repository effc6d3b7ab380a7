"""GET /api/v1/people/{id}/personal-data and POST /api/v1/people/{id}/erase: who may, the
typed errors, the OpenAPI description."""

from __future__ import annotations

import json

import pytest

from klient.contacts.models import Person
from klient.core.models import AuditEvent
from tests.api.client import ApiClient
from tests.privacy.conftest import streamed, zip_read

pytestmark = pytest.mark.django_db

ADMINS_ONLY = {
    "code": "permission_denied",
    "message": "Only administrators can do this.",
    "fields": {},
}
READ_ONLY = {"code": "permission_denied", "message": "Your role can only read.", "fields": {}}
CANNOT = {"code": "permission_denied", "message": "Your role cannot do this.", "fields": {}}
NOT_FOUND = {"code": "not_found", "message": "Person not found.", "fields": {}}


def _export(user, person_id):
    return ApiClient(user).get(f"/people/{person_id}/personal-data")


def _erase(user, person_id, body=None):
    return ApiClient(user).post(f"/people/{person_id}/erase", body or {"reason": "Client asked"})


@pytest.mark.parametrize("role", ["admin", "manager_a"])
def test_admins_and_the_owners_manager_download_the_zip(request, role, client_a):
    response = _export(request.getfixturevalue(role), client_a.pk)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="personal-data-person-{client_a.pk}.zip"'
    )
    data = json.loads(zip_read(streamed(response))["data.json"])
    assert data["subject"] == {"kind": "contacts.person", "id": client_a.pk, "name": "Олег Орлов"}


@pytest.mark.parametrize(
    ("role", "status", "body"),
    [
        ("agent_a", 403, CANNOT),  # the owner
        ("analyst", 403, READ_ONLY),
        ("manager_b", 404, NOT_FOUND),  # another team's manager
        ("agent_b", 404, NOT_FOUND),
        ("other_workspace_admin", 404, NOT_FOUND),
    ],
)
def test_others_may_not_export(request, role, status, body, client_a):
    response = _export(request.getfixturevalue(role), client_a.pk)

    assert (response.status_code, response.json()) == (status, body)
    assert not AuditEvent.objects.filter(action="personal_data.export").exists()


def test_an_unknown_or_merged_person_is_not_found(admin, client_a, agent_a):
    from klient.contacts.services import person_create, person_merge

    duplicate = person_create(actor=agent_a, first_name="Олег", last_name="Орлов")
    person_merge(actor=agent_a, primary=client_a, duplicate=duplicate)

    assert (_export(admin, 987654).status_code, _export(admin, 987654).json()) == (404, NOT_FOUND)
    merged = _erase(admin, duplicate.pk)
    assert (merged.status_code, merged.json()["code"]) == (404, "not_found")


def test_an_admin_erases(admin, dossier):
    response = _erase(admin, dossier.person.pk, {"reason": "Request by email of 12 May"})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == dossier.person.pk
    assert body["erased_in"][-1] == "contacts.person"
    assert Person.objects.get(pk=dossier.person.pk).full_name == (
        f"Erased client #{dossier.person.pk}"
    )


@pytest.mark.parametrize(
    ("role", "status", "body"),
    [
        ("manager_a", 403, ADMINS_ONLY),
        ("agent_a", 403, ADMINS_ONLY),
        ("analyst", 403, ADMINS_ONLY),
        ("manager_b", 404, NOT_FOUND),
        ("other_workspace_admin", 404, NOT_FOUND),
    ],
)
def test_only_admins_erase(request, role, status, body, client_a):
    response = _erase(request.getfixturevalue(role), client_a.pk)

    assert (response.status_code, response.json()) == (status, body)
    assert Person.objects.get(pk=client_a.pk).last_name == "Орлов"
    assert not AuditEvent.objects.filter(action="personal_data.erase").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "x" * 501}, "reason")],
)
def test_a_missing_or_long_reason_is_a_422(admin, client_a, payload, field):
    response = ApiClient(admin).post(f"/people/{client_a.pk}/erase", payload)

    assert response.status_code == 422
    assert field in json.dumps(response.json()["fields"])
    assert Person.objects.get(pk=client_a.pk).last_name == "Орлов"


def test_a_blank_reason_is_refused_by_the_service_too(admin, client_a):
    response = _erase(admin, client_a.pk, {"reason": "   "})

    assert response.status_code == 422
    assert response.json()["fields"] == {"reason": "This field is required."}


def test_both_endpoints_are_in_the_openapi_schema(admin, client):
    client.force_login(admin)
    schema = client.get("/api/v1/openapi.json").json()

    export = schema["paths"]["/api/v1/people/{person_id}/personal-data"]["get"]
    assert "application/zip" in export["responses"]["200"]["content"]
    assert set(export["responses"]) >= {"200", "403", "404"}
    erase = schema["paths"]["/api/v1/people/{person_id}/erase"]["post"]
    assert set(erase["responses"]) >= {"200", "403", "404", "422"}
    assert erase["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/EraseIn"
    )

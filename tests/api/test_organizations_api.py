"""The contacts router, organizations: create, read, update, delete, list; per role."""

from __future__ import annotations

import pytest

from klient.contacts.services import organization_create
from tests.api.client import ApiClient, walk

READ_ONLY = {"code": "permission_denied", "message": "Your role can only read.", "fields": {}}
ORG_NOT_FOUND = {"code": "not_found", "message": "Organization not found.", "fields": {}}


def test_create_organization_returns_201_with_normalised_fields(agent_a, team_a):
    response = ApiClient(agent_a).post(
        "/organizations",
        {
            "name": " ООО Ромашка ",
            "tax_id": "7701234567",
            "email": "Info@Romashka.RU",
            "phone": "8 (495) 123-45-67",
            "lifecycle_stage": "customer",
            "tags": ["vip", "b2b"],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "ООО Ромашка",
        "legal_name": "",
        "tax_id": "7701234567",
        "website": "",
        "industry": "",
        "email": "info@romashka.ru",
        "phone": "+74951234567",
        "address": "",
        "lifecycle_stage": "customer",
        "segment": "",
        "owner_id": agent_a.pk,
        "team_id": team_a.pk,
        "tags": ["b2b", "vip"],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_create_organization_without_name_is_422(agent_a):
    response = ApiClient(agent_a).post("/organizations", {"tax_id": "1"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Some fields are invalid.",
        "fields": {"name": "Field required"},
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "“not-an-email” is not a valid email address."),
        ("phone", "12", "“12” is not a valid phone number."),
        ("lifecycle_stage", "king", "Unknown value “king”."),
    ],
)
def test_create_organization_with_invalid_value_is_422(agent_a, field, value, message):
    response = ApiClient(agent_a).post("/organizations", {"name": "Acme", field: value})

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_contact_data",
        "message": "Some fields are invalid.",
        "fields": {field: message},
    }


def test_organization_owner_from_another_workspace_is_422(agent_a, other_workspace_admin):
    response = ApiClient(agent_a).post(
        "/organizations", {"name": "Acme", "owner_id": other_workspace_admin.pk}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"owner_id": "Unknown user."}


def test_organization_field_too_long_is_422_not_a_database_error(agent_a):
    response = ApiClient(agent_a).post("/organizations", {"name": "x" * 256})

    assert response.status_code == 422
    assert response.json()["fields"] == {"name": "String should have at most 255 characters"}


def test_get_patch_delete_organization(agent_a):
    api = ApiClient(agent_a)
    org = api.post("/organizations", {"name": "Acme"}).json()

    got = api.get(f"/organizations/{org['id']}")
    assert got.status_code == 200
    assert got.json() == org

    patched = api.patch(f"/organizations/{org['id']}", {"industry": "Logistics", "tags": ["sea"]})
    assert patched.status_code == 200
    assert (patched.json()["industry"], patched.json()["tags"], patched.json()["name"]) == (
        "Logistics",
        ["sea"],
        "Acme",
    )

    deleted = api.delete(f"/organizations/{org['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.get(f"/organizations/{org['id']}").json() == ORG_NOT_FOUND


def test_patch_organization_with_empty_name_is_422(agent_a):
    api = ApiClient(agent_a)
    org = api.post("/organizations", {"name": "Acme"}).json()

    response = api.patch(f"/organizations/{org['id']}", {"name": ""})

    assert response.status_code == 422
    assert response.json()["fields"] == {"name": "String should have at least 1 character"}


def test_organizations_of_another_team_are_not_found_for_an_agent(agent_a, org_b):
    api = ApiClient(agent_a)

    for response in (
        api.get(f"/organizations/{org_b.pk}"),
        api.patch(f"/organizations/{org_b.pk}", {"name": "x"}),
        api.delete(f"/organizations/{org_b.pk}"),
    ):
        assert response.status_code == 404
        assert response.json() == ORG_NOT_FOUND
    assert api.get("/organizations").json() == {"items": [], "next_cursor": None}


def test_organization_of_another_workspace_is_not_found(other_workspace_admin, org_b):
    response = ApiClient(other_workspace_admin).get(f"/organizations/{org_b.pk}")

    assert response.status_code == 404
    assert response.json() == ORG_NOT_FOUND


def test_analyst_reads_organizations_but_cannot_write(analyst, org_b):
    api = ApiClient(analyst)

    assert api.get(f"/organizations/{org_b.pk}").status_code == 200
    for response in (
        api.post("/organizations", {"name": "Acme"}),
        api.patch(f"/organizations/{org_b.pk}", {"name": "x"}),
        api.delete(f"/organizations/{org_b.pk}"),
    ):
        assert response.status_code == 403
        assert response.json() == READ_ONLY


def test_organization_list_filters_and_walks_every_page(admin):
    for index in range(7):
        organization_create(actor=admin, name=f"Northwind {index}", segment="smb")
    organization_create(actor=admin, name="Contoso", segment="enterprise")
    api = ApiClient(admin)

    everything = walk(api, "/organizations", limit=3)
    assert len(everything) == 8
    assert len({item["id"] for item in everything}) == 8
    assert [item["name"] for item in walk(api, "/organizations", segment="enterprise")] == [
        "Contoso"
    ]
    assert len(walk(api, "/organizations", q="northwind", limit=2)) == 7

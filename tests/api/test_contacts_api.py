"""The contacts router, people: create and validate, read, update, delete, permissions per
role, list filters and pagination, duplicates and merge."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klient.activities.services import interaction_create
from klient.contacts.services import organization_create, person_create
from tests.api.client import ApiClient, walk

READ_ONLY = {"code": "permission_denied", "message": "Your role can only read.", "fields": {}}
PERSON_NOT_FOUND = {"code": "not_found", "message": "Person not found.", "fields": {}}


# --- people: create and validate --------------------------------------------------------------


def test_create_person_returns_201_with_channels_organization_and_tags(agent_a, team_a):
    org = organization_create(actor=agent_a, name="ООО Ромашка")

    response = ApiClient(agent_a).post(
        "/people",
        {
            "first_name": "Анна",
            "last_name": "Смирнова",
            "title": "CFO",
            "emails": ["Anna@Romashka.RU", "anna.private@mail.ru"],
            "phones": ["8 916 123-45-67"],
            "organization_id": org.pk,
            "organization_role": "finance",
            "tags": ["vip"],
            "lifecycle_stage": "customer",
            "preferred_channel": "email",
            "preferred_language": "ru",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "first_name": "Анна",
        "last_name": "Смирнова",
        "middle_name": "",
        "full_name": "Анна Смирнова",
        "title": "CFO",
        "lifecycle_stage": "customer",
        "segment": "",
        "preferred_channel": "email",
        "preferred_language": "ru",
        "owner_id": agent_a.pk,
        "team_id": team_a.pk,
        "emails": ["anna@romashka.ru", "anna.private@mail.ru"],
        "phones": ["+79161234567"],
        "organization_id": org.pk,
        "organizations": [
            {
                "organization_id": org.pk,
                "name": "ООО Ромашка",
                "role": "finance",
                "job_title": "",
                "is_primary": True,
            }
        ],
        "tags": ["vip"],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_create_person_with_invalid_email_is_422_with_field(agent_a):
    response = ApiClient(agent_a).post(
        "/people", {"last_name": "Смирнова", "emails": ["ok@example.org", "nope@"]}
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_contact_data",
        "message": "Some emails are invalid.",
        "fields": {"emails[1]": "“nope@” is not a valid email address."},
    }


def test_create_person_with_invalid_phone_is_422_with_field(agent_a):
    response = ApiClient(agent_a).post("/people", {"last_name": "Смирнова", "phones": ["123"]})

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_contact_data",
        "message": "Some phone numbers are invalid.",
        "fields": {"phones[0]": "“123” is not a valid phone number."},
    }


def test_create_person_without_a_name_is_422(agent_a):
    response = ApiClient(agent_a).post("/people", {"emails": ["a@example.org"]})

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_contact_data",
        "message": "A person needs a first or last name.",
        "fields": {"last_name": "This field is required."},
    }


def test_create_person_with_wrong_types_reports_each_field(agent_a):
    response = ApiClient(agent_a).post(
        "/people", {"first_name": 5, "emails": "a@example.org", "nickname": "x"}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "first_name": "Input should be a valid string",
        "emails": "Input should be a valid list",
        "nickname": "Extra inputs are not permitted",
    }


def test_create_person_refuses_nul_characters(agent_a):
    response = ApiClient(agent_a).post("/people", {"last_name": "Smi\x00th"})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "last_name": "Value error, NUL characters are not allowed."
    }


def test_create_person_in_organization_of_another_workspace_is_422(agent_a, other_workspace_admin):
    foreign = organization_create(actor=other_workspace_admin, name="Foreign")

    response = ApiClient(agent_a).post(
        "/people", {"last_name": "Смирнова", "organization_id": foreign.pk}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"organization_id": "Unknown organization."}


def test_create_person_with_unknown_organization_role_is_422(agent_a):
    org = organization_create(actor=agent_a, name="Acme")

    response = ApiClient(agent_a).post(
        "/people", {"last_name": "Смирнова", "organization_id": org.pk, "organization_role": "boss"}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"organization_role": "Unknown value “boss”."}


def test_analyst_cannot_create_person(analyst):
    response = ApiClient(analyst).post("/people", {"last_name": "Смирнова"})

    assert response.status_code == 403
    assert response.json() == READ_ONLY


# --- people: read, update, delete --------------------------------------------------------------


def test_get_person(agent_a, person_a):
    response = ApiClient(agent_a).get(f"/people/{person_a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["full_name"], body["emails"], body["phones"]) == (
        person_a.pk,
        "Иван Кузнецов",
        ["ivan@romashka.ru"],
        ["+79161234567"],
    )


def test_unknown_person_id_is_404(agent_a):
    response = ApiClient(agent_a).get("/people/999999")

    assert response.status_code == 404
    assert response.json() == PERSON_NOT_FOUND


def test_person_id_that_is_not_a_number_is_422(agent_a):
    response = ApiClient(agent_a).get("/people/abc")

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "person_id": "Input should be a valid integer, unable to parse string as an integer"
    }


def test_person_of_another_workspace_is_404(admin, stranger_person):
    api = ApiClient(admin)

    for response in (
        api.get(f"/people/{stranger_person.pk}"),
        api.get(f"/people/{stranger_person.pk}/360"),
        api.patch(f"/people/{stranger_person.pk}", {"title": "x"}),
        api.delete(f"/people/{stranger_person.pk}"),
    ):
        assert response.status_code == 404
        assert response.json() == PERSON_NOT_FOUND


def test_patch_person_changes_only_sent_fields_and_replaces_channels(agent_a, person_a):
    api = ApiClient(agent_a)

    response = api.patch(
        f"/people/{person_a.pk}",
        {"title": "Директор", "emails": ["new@romashka.ru"], "phones": [], "owner_id": None},
    )

    assert response.status_code == 200
    body = response.json()
    assert (
        body["title"],
        body["first_name"],
        body["emails"],
        body["phones"],
        body["owner_id"],
    ) == ("Директор", "Иван", ["new@romashka.ru"], [], None)


def test_patch_person_with_null_name_is_422(agent_a, person_a):
    response = ApiClient(agent_a).patch(f"/people/{person_a.pk}", {"first_name": None})

    assert response.status_code == 422
    assert response.json()["fields"] == {"first_name": "Input should be a valid string"}


def test_patch_person_with_invalid_phone_is_422_and_changes_nothing(agent_a, person_a):
    api = ApiClient(agent_a)

    response = api.patch(f"/people/{person_a.pk}", {"title": "CEO", "phones": ["+7 999"]})

    assert response.status_code == 422
    assert response.json()["fields"] == {"phones[0]": "“+7 999” is not a valid phone number."}
    assert api.get(f"/people/{person_a.pk}").json()["title"] == ""


def test_delete_person(agent_a, person_a):
    api = ApiClient(agent_a)

    response = api.delete(f"/people/{person_a.pk}")

    assert response.status_code == 204
    assert api.get(f"/people/{person_a.pk}").status_code == 404


# --- people: permissions per role --------------------------------------------------------------


def test_agent_sees_own_team_but_not_the_other_team(agent_a, agent_a2, person_a, person_b):
    api = ApiClient(agent_a2)  # same team as person_a's owner

    assert [item["id"] for item in walk(api, "/people")] == [person_a.pk]
    assert api.get(f"/people/{person_a.pk}").status_code == 200
    for response in (
        api.get(f"/people/{person_b.pk}"),
        api.get(f"/people/{person_b.pk}/360"),
        api.patch(f"/people/{person_b.pk}", {"title": "x"}),
        api.delete(f"/people/{person_b.pk}"),
    ):
        assert response.status_code == 404
        assert response.json() == PERSON_NOT_FOUND


def test_manager_sees_their_team_only(manager_a, person_a, person_b):
    api = ApiClient(manager_a)

    assert [item["id"] for item in walk(api, "/people")] == [person_a.pk]
    assert api.patch(f"/people/{person_a.pk}", {"segment": "key"}).status_code == 200
    assert api.get(f"/people/{person_b.pk}").status_code == 404


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_admin_and_analyst_see_everyone(role, request, person_a, person_b, stranger_person):
    api = ApiClient(request.getfixturevalue(role))

    assert {item["id"] for item in walk(api, "/people")} == {person_a.pk, person_b.pk}


def test_analyst_cannot_change_or_delete_people(analyst, person_a):
    api = ApiClient(analyst)

    for response in (
        api.patch(f"/people/{person_a.pk}", {"title": "x"}),
        api.delete(f"/people/{person_a.pk}"),
        api.post(f"/people/{person_a.pk}/merge", {"duplicate_id": person_a.pk}),
    ):
        assert response.status_code == 403
        assert response.json() == READ_ONLY


# --- people: list filters and pagination ---------------------------------------------------------


def test_people_list_walks_every_page_without_repeats(admin):
    created = {person_create(actor=admin, last_name=f"Person {i}").pk for i in range(11)}
    api = ApiClient(admin)

    first = api.get("/people", limit=4).json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    items = walk(api, "/people", limit=4)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 11
    assert set(ids) == created


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "кузн"}, {"kuznetsov"}),
        ({"q": "romashka"}, {"kuznetsov"}),
        ({"tag": "vip"}, {"kuznetsov"}),
        ({"lifecycle_stage": "customer"}, {"smith"}),
        ({"segment": "smb"}, {"smith"}),
        ({"organization_id": "ORG"}, {"smith"}),
        ({"team_id": "TEAM_B"}, {"georgiev"}),
        ({"owner_id": "AGENT_B"}, {"georgiev"}),
        ({}, {"kuznetsov", "smith", "georgiev"}),
    ],
)
def test_people_list_filters(admin, agent_b, team_b, params, expected):
    org = organization_create(actor=admin, name="Northwind")
    people = {
        "kuznetsov": person_create(
            actor=admin,
            first_name="Иван",
            last_name="Кузнецов",
            emails=["ivan@romashka.ru"],
            tags=["vip"],
        ),
        "smith": person_create(
            actor=admin,
            first_name="John",
            last_name="Smith",
            lifecycle_stage="customer",
            segment="smb",
            organization_id=org.pk,
        ),
        "georgiev": person_create(actor=agent_b, last_name="Георгиев"),
    }
    names = {person.pk: key for key, person in people.items()}
    substitutes = {"ORG": org.pk, "TEAM_B": team_b.pk, "AGENT_B": agent_b.pk}
    query = {key: substitutes.get(value, value) for key, value in params.items()}

    items = walk(ApiClient(admin), "/people", **query)

    assert {names[item["id"]] for item in items} == expected


def test_people_list_with_bad_filter_is_422(admin):
    response = ApiClient(admin).get("/people", owner_id="me")

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "owner_id": "Input should be a valid integer, unable to parse string as an integer"
    }


# --- duplicates and merge ----------------------------------------------------------------------


def test_duplicates_and_merge(agent_a):
    primary = person_create(actor=agent_a, last_name="Кузнецов", emails=["ivan@romashka.ru"])
    duplicate = person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Кузнецов",
        emails=["IVAN@romashka.ru", "ivan@mail.ru"],
        phones=["+79161234567"],
    )
    interaction_create(actor=agent_a, kind="call", person=duplicate, subject="Called")
    api = ApiClient(agent_a)

    duplicates = api.get(f"/people/{primary.pk}/duplicates")
    assert duplicates.status_code == 200
    assert [item["id"] for item in duplicates.json()] == [duplicate.pk]

    merged = api.post(f"/people/{primary.pk}/merge", {"duplicate_id": duplicate.pk})
    assert merged.status_code == 200
    body = merged.json()
    assert (body["id"], body["first_name"], body["emails"], body["phones"]) == (
        primary.pk,
        "Иван",
        ["ivan@romashka.ru", "ivan@mail.ru"],
        ["+79161234567"],
    )
    gone = api.get(f"/people/{duplicate.pk}")
    assert gone.status_code == 404
    assert gone.json() == {
        "code": "not_found",
        "message": "This person was merged into another record.",
        "fields": {"merged_into": str(primary.pk)},
    }
    timeline = api.get(f"/people/{primary.pk}/360").json()["timeline"]
    assert [row["subject"] for row in timeline] == ["Called"]


def test_merge_with_itself_is_409(agent_a, person_a):
    response = ApiClient(agent_a).post(
        f"/people/{person_a.pk}/merge", {"duplicate_id": person_a.pk}
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "merge_not_allowed",
        "message": "These records cannot be merged.",
        "fields": {},
    }


def test_merge_with_an_invisible_person_is_422(agent_a, person_a, person_b):
    response = ApiClient(agent_a).post(
        f"/people/{person_a.pk}/merge", {"duplicate_id": person_b.pk}
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Some fields are invalid.",
        "fields": {"duplicate_id": "Unknown record."},
    }


def test_merge_without_duplicate_id_is_422(agent_a, person_a):
    response = ApiClient(agent_a).post(f"/people/{person_a.pk}/merge", {})

    assert response.status_code == 422
    assert response.json()["fields"] == {"duplicate_id": "Field required"}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
PERSON_KEYS = st.sampled_from(
    [
        "first_name",
        "last_name",
        "emails",
        "phones",
        "tags",
        "organization_id",
        "owner_id",
        "lifecycle_stage",
        "title",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(PERSON_KEYS, JSON_VALUES, max_size=5))
def test_arbitrary_person_body_never_gives_a_500(agent_a, body):
    response = ApiClient(agent_a).post("/people", body)

    assert response.status_code in (201, 409, 422), response.content
    assert set(response.json()) >= (
        {"id"} if response.status_code == 201 else {"code", "message", "fields"}
    )


@pytest.mark.parametrize("path", ["/people", "/organizations", "/search"])
def test_nul_in_a_query_parameter_is_422(admin, path):
    response = ApiClient(admin).get(path, q="ab\x00c")

    assert response.status_code == 422
    assert response.json()["fields"] == {"q": "Value error, NUL characters are not allowed."}


def test_email_longer_than_the_column_is_422_not_a_database_error(agent_a):
    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"

    response = ApiClient(agent_a).post("/people", {"last_name": "Long", "emails": [email]})

    assert response.status_code == 422
    assert response.json()["fields"] == {"emails[0]": "String should have at most 254 characters"}

"""The contacts router, reads across records: /search and the client 360 card."""

from __future__ import annotations

from klient.activities.services import interaction_create, task_create
from klient.contacts.services import organization_create, person_create
from tests.api.client import ApiClient

PERSON_NOT_FOUND = {"code": "not_found", "message": "Person not found.", "fields": {}}


# --- search ------------------------------------------------------------------------------------


def test_search_finds_people_and_organizations(admin):
    person = person_create(
        actor=admin,
        first_name="Иван",
        last_name="Ромашкин",
        emails=["ivan@example.org"],
        phones=["+79161234567"],
    )
    org = organization_create(actor=admin, name="ООО Ромашка")
    person_create(actor=admin, last_name="Петров")

    response = ApiClient(admin).get("/search", q="ромашк")

    assert response.status_code == 200
    assert response.json() == {
        "people": [
            {
                "id": person.pk,
                "full_name": "Иван Ромашкин",
                "primary_email": "ivan@example.org",
                "primary_phone": "+79161234567",
                "lifecycle_stage": "lead",
            }
        ],
        "organizations": [{"id": org.pk, "name": "ООО Ромашка", "lifecycle_stage": "lead"}],
    }


def test_search_returns_at_most_20_of_each(admin):
    for index in range(23):
        person_create(actor=admin, last_name=f"Acme person {index}")
        organization_create(actor=admin, name=f"Acme {index}")

    body = ApiClient(admin).get("/search", q="acme").json()

    assert (len(body["people"]), len(body["organizations"])) == (20, 20)


def test_search_respects_visibility(agent_a, person_b):
    response = ApiClient(agent_a).get("/search", q="georg")

    assert response.json() == {"people": [], "organizations": []}


def test_search_without_query_is_422(agent_a):
    response = ApiClient(agent_a).get("/search")

    assert response.status_code == 422
    assert response.json()["fields"] == {"q": "Field required"}


# --- client 360 ----------------------------------------------------------------------------------


def test_person_360_returns_the_whole_card_as_json(agent_a, team_a):
    org = organization_create(actor=agent_a, name="ООО Ромашка")
    person = person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Кузнецов",
        emails=["ivan@romashka.ru"],
        phones=["+79161234567"],
        organization_id=org.pk,
        organization_role="decision_maker",
    )
    call = interaction_create(
        actor=agent_a,
        kind="call",
        person=person,
        subject="Intro",
        direction="outbound",
        duration_seconds=60,
    )
    task = task_create(actor=agent_a, title="Send proposal", person=person)

    response = ApiClient(agent_a).get(f"/people/{person.pk}/360")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == {
        "id": person.pk,
        "first_name": "Иван",
        "last_name": "Кузнецов",
        "middle_name": "",
        "full_name": "Иван Кузнецов",
        "title": "",
        "lifecycle_stage": "lead",
        "segment": "",
        "preferred_channel": "",
        "preferred_language": "",
        "owner_id": agent_a.pk,
        "team_id": team_a.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "emails": ["ivan@romashka.ru"],
        "phones": ["+79161234567"],
        "organizations": [
            {
                "organization_id": org.pk,
                "organization__name": "ООО Ромашка",
                "role": "decision_maker",
                "job_title": "",
            }
        ],
        "timeline": [
            {
                "id": call.pk,
                "kind": "call",
                "direction": "outbound",
                "channel": "",
                "occurred_at": body["timeline"][0]["occurred_at"],
                "duration_seconds": 60,
                "subject": "Intro",
                "body": "",
                "author_id": agent_a.pk,
                "author__username": "agent_a",
                "person_id": person.pk,
                "organization_id": org.pk,
            }
        ],
        "open_tasks": [
            {
                "id": task.pk,
                "title": "Send proposal",
                "due_at": None,
                "assignee_id": agent_a.pk,
                "status": "open",
            }
        ],
    }
    assert body["created_at"].endswith("Z")


def test_person_360_of_invisible_or_unknown_person_is_404(agent_a, person_b):
    api = ApiClient(agent_a)

    for person_id in (person_b.pk, 987654):
        response = api.get(f"/people/{person_id}/360")
        assert response.status_code == 404
        assert response.json() == PERSON_NOT_FOUND


def test_person_360_needs_a_token(anonymous, person_a):
    assert anonymous.get(f"/people/{person_a.pk}/360").status_code == 401


def test_person_360_costs_one_query_for_auth_and_one_per_part_of_the_card(
    admin, person_a, django_assert_num_queries
):
    api = ApiClient(admin)

    # token+user+workspace, person, emails, phones, organizations, timeline, open tasks
    with django_assert_num_queries(7):
        response = api.get(f"/people/{person_a.pk}/360")

    assert response.status_code == 200


def test_people_list_query_count_does_not_grow_with_the_page(admin, django_assert_num_queries):
    for index in range(3):
        person_create(
            actor=admin, last_name=f"P{index}", emails=[f"p{index}@example.org"], tags=["t"]
        )
    api = ApiClient(admin)

    # auth, page, then one prefetch each: emails, phones, tags, affiliations
    with django_assert_num_queries(6):
        assert len(api.get("/people", limit=2).json()["items"]) == 2
    with django_assert_num_queries(6):
        assert len(api.get("/people", limit=50).json()["items"]) == 3

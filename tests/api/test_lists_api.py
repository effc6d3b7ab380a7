"""The lists router: static lists and dynamic segments, their members and who sees them;
and the people router's organizations and consents endpoints."""

from __future__ import annotations

import pytest

from klient.contacts.list_services import saved_list_create
from klient.contacts.models import Affiliation, Consent, Person, SavedList
from klient.contacts.services import organization_create, person_create
from klient.core.models import AuditEvent
from tests.api.client import ApiClient, walk

READ_ONLY = {"code": "permission_denied", "message": "Your role can only read.", "fields": {}}
LIST_NOT_FOUND = {"code": "not_found", "message": "List not found.", "fields": {}}
PERSON_NOT_FOUND = {"code": "not_found", "message": "Person not found.", "fields": {}}
SEGMENT_FIXED = {
    "code": "invalid_contact_data",
    "message": "Members of a segment follow its filter; they cannot be added.",
    "fields": {},
}


def _list_out(saved: SavedList, *, person_count: int) -> dict:
    return {
        "id": saved.pk,
        "name": saved.name,
        "kind": saved.kind,
        "filters": saved.filters,
        "owner_id": saved.owner_id,
        "visibility": saved.visibility,
        "team_id": saved.team_id,
        "person_count": person_count,
        "created_at": saved.created_at.isoformat().replace("+00:00", "Z"),
    }


def _ids(items: list[dict]) -> list[int]:
    return sorted(item["id"] for item in items)


@pytest.fixture
def vip_a(agent_a):
    return person_create(actor=agent_a, first_name="Анна", last_name="Смирнова", tags=["vip"])


@pytest.fixture
def vip_b(agent_b):
    return person_create(actor=agent_b, first_name="Petar", last_name="Petrov", tags=["vip"])


@pytest.fixture
def static_list(admin, person_a, person_b):
    """Made by the admin, holding one person of each team, shared with the workspace."""
    return saved_list_create(
        actor=admin,
        name="Выставка 2025",
        person_ids=[person_a.pk, person_b.pk],
        visibility="workspace",
    )


@pytest.fixture
def vip_segment(admin):
    return saved_list_create(
        actor=admin, name="VIP", kind="dynamic", filters={"tag": "vip"}, visibility="workspace"
    )


# --- create ----------------------------------------------------------------------------------


def test_create_static_list_returns_201_with_members_counted(agent_a, person_a):
    response = ApiClient(agent_a).post(
        "/lists", {"name": "  Конференция  ", "person_ids": [person_a.pk, person_a.pk]}
    )

    assert response.status_code == 201
    saved = SavedList.objects.get()
    assert response.json() == {
        "id": saved.pk,
        "name": "Конференция",
        "kind": "static",
        "filters": {},
        "owner_id": agent_a.pk,
        "visibility": "private",
        "team_id": None,
        "person_count": 1,
        "created_at": response.json()["created_at"],
    }
    assert list(saved.members.values_list("pk", flat=True)) == [person_a.pk]
    event = AuditEvent.objects.get(action="saved_list.create")
    assert (event.actor_id, event.object_id) == (agent_a.pk, saved.pk)


def test_create_segment_stores_only_the_filters_sent(agent_a, vip_a, person_a):
    response = ApiClient(agent_a).post(
        "/lists",
        {"name": "VIP", "kind": "dynamic", "filters": {"tag": "vip", "q": "  смирнова "}},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "dynamic"
    assert body["filters"] == {"tag": "vip", "q": "смирнова"}
    assert body["person_count"] == 1
    assert SavedList.objects.get().filters == {"tag": "vip", "q": "смирнова"}


def test_create_segment_with_unknown_filter_key_is_422(agent_a):
    response = ApiClient(agent_a).post(
        "/lists", {"name": "X", "kind": "dynamic", "filters": {"tag": "vip", "colour": "red"}}
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Some fields are invalid.",
        "fields": {"filters.colour": "Extra inputs are not permitted"},
    }
    assert not SavedList.objects.exists()


def test_create_segment_with_unknown_stage_is_422(agent_a):
    response = ApiClient(agent_a).post(
        "/lists", {"name": "X", "kind": "dynamic", "filters": {"lifecycle_stage": "vip"}}
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_contact_data",
        "message": "Some fields are invalid.",
        "fields": {"filters.lifecycle_stage": "Unknown value “vip”."},
    }


def test_create_with_bad_input_reports_each_field(agent_a):
    response = ApiClient(agent_a).post(
        "/lists", {"name": "", "person_ids": ["x", 0], "filters": None}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "name": "String should have at least 1 character",
        "person_ids[0]": "Input should be a valid integer, unable to parse string as an integer",
        "person_ids[1]": "Input should be greater than or equal to 1",
        "filters": "Input should be a valid dictionary or object to extract fields from",
    }


def test_create_with_unknown_kind_is_422(agent_a):
    response = ApiClient(agent_a).post("/lists", {"name": "X", "kind": "smart"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"kind": "Unknown value “smart”."}


def test_create_segment_with_members_or_list_with_filter_is_422(agent_a, person_a):
    api = ApiClient(agent_a)

    segment = api.post("/lists", {"name": "S", "kind": "dynamic", "person_ids": [person_a.pk]})
    static = api.post("/lists", {"name": "L", "filters": {"tag": "vip"}})

    assert segment.status_code == 422
    assert segment.json()["fields"] == {
        "person_ids": "Members of a segment follow its filter; they cannot be added."
    }
    assert static.status_code == 422
    assert static.json()["fields"] == {"filters": "Only a segment keeps a filter."}
    assert not SavedList.objects.exists()


def test_create_list_with_a_person_the_user_cannot_see_is_422(agent_a, person_a, person_b):
    response = ApiClient(agent_a).post(
        "/lists", {"name": "L", "person_ids": [person_a.pk, person_b.pk]}
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_contact_data",
        "message": "Some fields are invalid.",
        "fields": {"person_ids[1]": "Unknown person."},
    }
    assert not SavedList.objects.exists()


# --- read ------------------------------------------------------------------------------------


def test_segment_stays_current_when_a_matching_person_is_created(agent_a, vip_segment, vip_a):
    api = ApiClient(agent_a)
    assert _ids(walk(api, f"/lists/{vip_segment.pk}/people")) == [vip_a.pk]

    later = person_create(actor=agent_a, first_name="Олег", last_name="Новый", tags=["vip"])
    person_create(actor=agent_a, first_name="Не", last_name="Подходит", tags=["other"])

    assert _ids(walk(api, f"/lists/{vip_segment.pk}/people")) == sorted([vip_a.pk, later.pk])
    assert api.get(f"/lists/{vip_segment.pk}").json() == _list_out(vip_segment, person_count=2)


def test_segment_drops_a_person_who_no_longer_matches(agent_a, vip_segment, vip_a):
    api = ApiClient(agent_a)

    api.patch(f"/people/{vip_a.pk}", {"tags": []})

    assert walk(api, f"/lists/{vip_segment.pk}/people") == []


def test_list_people_are_the_full_person_payload(agent_a, person_a, team_a):
    saved = saved_list_create(actor=agent_a, name="L", person_ids=[person_a.pk])
    api = ApiClient(agent_a)

    page = api.get(f"/lists/{saved.pk}/people").json()

    assert page == {"items": [api.get(f"/people/{person_a.pk}").json()], "next_cursor": None}


def test_members_are_shown_only_to_those_who_may_see_them(
    admin, agent_a, agent_b, static_list, person_a, person_b
):
    for user, expected in (
        (admin, [person_a.pk, person_b.pk]),
        (agent_a, [person_a.pk]),
        (agent_b, [person_b.pk]),
    ):
        api = ApiClient(user)
        assert _ids(walk(api, f"/lists/{static_list.pk}/people")) == sorted(expected)
        assert api.get(f"/lists/{static_list.pk}").json()["person_count"] == len(expected)


def test_segment_members_follow_visibility(agent_b, vip_segment, vip_a, vip_b):
    api = ApiClient(agent_b)

    assert _ids(walk(api, f"/lists/{vip_segment.pk}/people")) == [vip_b.pk]
    assert api.get(f"/lists/{vip_segment.pk}").json()["person_count"] == 1


def test_list_people_are_cursor_paginated(agent_a):
    people = [person_create(actor=agent_a, last_name=f"P{i}") for i in range(5)]
    saved = saved_list_create(actor=agent_a, name="L", person_ids=[p.pk for p in people])
    api = ApiClient(agent_a)

    first = api.get(f"/lists/{saved.pk}/people", limit=2).json()
    everyone = walk(api, f"/lists/{saved.pk}/people", limit=2)

    assert len(first["items"]) == 2
    assert first["next_cursor"] is not None
    assert _ids(everyone) == sorted(p.pk for p in people)
    assert len(everyone) == 5


def test_list_people_with_a_bad_cursor_is_422(agent_a, static_list):
    response = ApiClient(agent_a).get(f"/lists/{static_list.pk}/people", cursor="@@@")

    assert response.status_code == 422
    assert response.json()["fields"] == {"cursor": "Invalid cursor."}


def test_list_index_pages_newest_first_with_counts_and_kind_filter(
    agent_b, static_list, vip_segment, vip_a, vip_b
):
    api = ApiClient(agent_b)

    everything = api.get("/lists").json()
    first = api.get("/lists", limit=1).json()
    segments = api.get("/lists", kind="dynamic").json()

    assert everything == {
        "items": [_list_out(vip_segment, person_count=1), _list_out(static_list, person_count=1)],
        "next_cursor": None,
    }
    assert first["items"] == [_list_out(vip_segment, person_count=1)]
    assert api.get("/lists", cursor=first["next_cursor"]).json()["items"] == [
        _list_out(static_list, person_count=1)
    ]
    assert segments["items"] == [_list_out(vip_segment, person_count=1)]


def test_another_workspaces_list_is_not_found(other_workspace_admin, static_list, person_a):
    api = ApiClient(other_workspace_admin)
    responses = [
        api.get(f"/lists/{static_list.pk}"),
        api.get(f"/lists/{static_list.pk}/people"),
        api.patch(f"/lists/{static_list.pk}", {"name": "Mine"}),
        api.delete(f"/lists/{static_list.pk}"),
        api.post(f"/lists/{static_list.pk}/people", {"person_ids": [person_a.pk]}),
        api.delete(f"/lists/{static_list.pk}/people/{person_a.pk}"),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert all(r.json() == LIST_NOT_FOUND for r in responses)
    assert api.get("/lists").json() == {"items": [], "next_cursor": None}
    assert SavedList.objects.get().name == "Выставка 2025"


# --- change ----------------------------------------------------------------------------------


def test_rename_and_refilter_a_segment(agent_a, person_a, vip_a):
    vip_segment = saved_list_create(
        actor=agent_a, name="VIP", kind="dynamic", filters={"tag": "vip"}
    )
    api = ApiClient(agent_a)

    response = api.patch(
        f"/lists/{vip_segment.pk}", {"name": "Leads", "filters": {"lifecycle_stage": "lead"}}
    )

    assert response.status_code == 200
    vip_segment.refresh_from_db()
    assert response.json() == _list_out(vip_segment, person_count=2)
    assert vip_segment.filters == {"lifecycle_stage": "lead"}
    event = AuditEvent.objects.get(action="saved_list.update")
    assert event.changes == {
        "name": ["VIP", "Leads"],
        "filters": [{"tag": "vip"}, {"lifecycle_stage": "lead"}],
    }


def test_filters_of_a_static_list_cannot_be_set(admin, static_list):
    response = ApiClient(admin).patch(f"/lists/{static_list.pk}", {"filters": {"tag": "vip"}})

    assert response.status_code == 422
    assert response.json()["fields"] == {"filters": "Only a segment keeps a filter."}


def test_patch_with_empty_name_is_422(agent_a, static_list):
    response = ApiClient(agent_a).patch(f"/lists/{static_list.pk}", {"name": ""})

    assert response.status_code == 422
    assert response.json()["fields"] == {"name": "String should have at least 1 character"}


def test_delete_a_list_keeps_its_people(admin, static_list, person_a):
    response = ApiClient(admin).delete(f"/lists/{static_list.pk}")

    assert response.status_code == 204
    assert not SavedList.objects.exists()
    assert Person.objects.filter(pk=person_a.pk).exists()
    event = AuditEvent.objects.get(action="saved_list.delete")
    assert event.changes == {"name": ["Выставка 2025", None], "kind": ["static", None]}


# --- members ---------------------------------------------------------------------------------


def test_add_people_to_a_static_list(agent_a, person_a):
    saved = saved_list_create(actor=agent_a, name="L")
    other = person_create(actor=agent_a, last_name="Второй")
    api = ApiClient(agent_a)

    response = api.post(f"/lists/{saved.pk}/people", {"person_ids": [person_a.pk, other.pk]})
    again = api.post(f"/lists/{saved.pk}/people", {"person_ids": [person_a.pk]})

    assert response.status_code == 200
    assert response.json() == _list_out(saved, person_count=2)
    assert again.json()["person_count"] == 2
    assert _ids(walk(api, f"/lists/{saved.pk}/people")) == sorted([person_a.pk, other.pk])


def test_adding_a_person_the_user_cannot_see_adds_nobody(agent_a, person_a, person_b):
    saved = saved_list_create(actor=agent_a, name="L")

    response = ApiClient(agent_a).post(
        f"/lists/{saved.pk}/people", {"person_ids": [person_a.pk, person_b.pk, 10**9]}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "person_ids[1]": "Unknown person.",
        "person_ids[2]": "Unknown person.",
    }
    assert not saved.members.exists()


def test_adding_people_to_a_segment_is_422(agent_a, vip_segment, person_a):
    response = ApiClient(agent_a).post(
        f"/lists/{vip_segment.pk}/people", {"person_ids": [person_a.pk]}
    )

    assert response.status_code == 422
    assert response.json() == SEGMENT_FIXED


def test_add_people_needs_a_non_empty_list(agent_a, static_list):
    response = ApiClient(agent_a).post(f"/lists/{static_list.pk}/people", {"person_ids": []})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "person_ids": "List should have at least 1 item after validation, not 0"
    }


def test_remove_a_member(agent_a, static_list, person_a, person_b):
    api = ApiClient(agent_a)

    response = api.delete(f"/lists/{static_list.pk}/people/{person_a.pk}")
    again = api.delete(f"/lists/{static_list.pk}/people/{person_a.pk}")

    assert response.status_code == 204
    assert list(static_list.members.values_list("pk", flat=True)) == [person_b.pk]
    assert again.status_code == 404
    assert again.json() == {
        "code": "not_found",
        "message": "This person is not on the list.",
        "fields": {},
    }
    event = AuditEvent.objects.get(action="saved_list.remove")
    assert event.changes == {"members": [[person_a.pk], None]}


def test_remove_a_member_the_user_cannot_see_is_404(agent_a, static_list, person_b):
    response = ApiClient(agent_a).delete(f"/lists/{static_list.pk}/people/{person_b.pk}")

    assert response.status_code == 404
    assert response.json() == PERSON_NOT_FOUND
    assert static_list.members.filter(pk=person_b.pk).exists()


def test_remove_from_a_segment_is_422(agent_a, vip_segment, vip_a):
    response = ApiClient(agent_a).delete(f"/lists/{vip_segment.pk}/people/{vip_a.pk}")

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_contact_data",
        "message": "Members of a segment follow its filter; they cannot be removed.",
        "fields": {},
    }


# --- roles -----------------------------------------------------------------------------------


def test_analyst_reads_lists_but_every_write_is_403(analyst, static_list, person_a, person_b):
    api = ApiClient(analyst)
    assert api.get(f"/lists/{static_list.pk}").json()["person_count"] == 2
    assert _ids(walk(api, f"/lists/{static_list.pk}/people")) == sorted([person_a.pk, person_b.pk])

    responses = [
        api.post("/lists", {"name": "Mine"}),
        api.patch(f"/lists/{static_list.pk}", {"name": "Mine"}),
        api.delete(f"/lists/{static_list.pk}"),
        api.post(f"/lists/{static_list.pk}/people", {"person_ids": [person_a.pk]}),
        api.delete(f"/lists/{static_list.pk}/people/{person_a.pk}"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert all(r.json() == READ_ONLY for r in responses)
    static_list.refresh_from_db()
    assert static_list.name == "Выставка 2025"
    assert static_list.members.count() == 2


def test_anonymous_is_401(anonymous, static_list):
    assert anonymous.get("/lists").status_code == 401
    assert anonymous.get(f"/lists/{static_list.pk}/people").status_code == 401


# --- a person's organizations ---------------------------------------------------------------


def test_link_a_person_to_organizations(agent_a, person_a):
    first = organization_create(actor=agent_a, name="ООО Ромашка")
    second = organization_create(actor=agent_a, name="ООО Лютик")
    api = ApiClient(agent_a)

    one = api.post(
        f"/people/{person_a.pk}/organizations",
        {"organization_id": first.pk, "role": "finance", "job_title": "CFO"},
    )
    two = api.post(f"/people/{person_a.pk}/organizations", {"organization_id": second.pk})

    assert one.status_code == 200
    assert one.json() == {
        "organization_id": first.pk,
        "name": "ООО Ромашка",
        "role": "finance",
        "job_title": "CFO",
        "is_primary": True,
    }
    assert two.json() == {
        "organization_id": second.pk,
        "name": "ООО Лютик",
        "role": "other",
        "job_title": "",
        "is_primary": False,
    }
    assert api.get(f"/people/{person_a.pk}").json()["organization_id"] == first.pk


def test_linking_again_changes_role_and_title(agent_a, person_a):
    org = organization_create(actor=agent_a, name="Acme")
    api = ApiClient(agent_a)
    api.post(f"/people/{person_a.pk}/organizations", {"organization_id": org.pk})

    response = api.post(
        f"/people/{person_a.pk}/organizations",
        {"organization_id": org.pk, "role": "decision_maker", "job_title": "CEO"},
    )

    assert response.json()["role"] == "decision_maker"
    assert response.json()["is_primary"] is True
    assert Affiliation.objects.count() == 1


def test_link_with_bad_input(agent_a, person_a, org_b, other_workspace_admin):
    org = organization_create(actor=agent_a, name="Acme")
    foreign = organization_create(actor=other_workspace_admin, name="Foreign")
    api = ApiClient(agent_a)
    path = f"/people/{person_a.pk}/organizations"

    bad_role = api.post(path, {"organization_id": org.pk, "role": "boss"})
    invisible = api.post(path, {"organization_id": org_b.pk})
    other_ws = api.post(path, {"organization_id": foreign.pk})
    missing = api.post(path, {"role": "finance"})

    assert bad_role.status_code == 422
    assert bad_role.json()["fields"] == {"role": "Unknown value “boss”."}
    assert invisible.status_code == other_ws.status_code == 422
    assert invisible.json()["fields"] == {"organization_id": "Unknown record."}
    assert other_ws.json()["fields"] == {"organization_id": "Unknown record."}
    assert missing.json()["fields"] == {"organization_id": "Field required"}
    assert not Affiliation.objects.exists()


def test_link_a_person_the_user_cannot_see_is_404(agent_a, person_b):
    org = organization_create(actor=agent_a, name="Acme")

    response = ApiClient(agent_a).post(
        f"/people/{person_b.pk}/organizations", {"organization_id": org.pk}
    )

    assert response.status_code == 404
    assert response.json() == PERSON_NOT_FOUND


def test_unlink_the_primary_organization_promotes_the_next(agent_a, person_a):
    first = organization_create(actor=agent_a, name="First")
    second = organization_create(actor=agent_a, name="Second")
    api = ApiClient(agent_a)
    for org in (first, second):
        api.post(f"/people/{person_a.pk}/organizations", {"organization_id": org.pk})

    response = api.delete(f"/people/{person_a.pk}/organizations/{first.pk}")
    again = api.delete(f"/people/{person_a.pk}/organizations/{first.pk}")

    assert response.status_code == 204
    person = api.get(f"/people/{person_a.pk}").json()
    assert person["organization_id"] == second.pk
    assert [o["organization_id"] for o in person["organizations"]] == [second.pk]
    assert again.status_code == 404
    assert again.json() == {
        "code": "not_found",
        "message": "This person is not linked to that organization.",
        "fields": {},
    }
    assert AuditEvent.objects.filter(action="affiliation.remove").count() == 1


def test_analyst_cannot_link_or_unlink(analyst, agent_a, person_a):
    org = organization_create(actor=agent_a, name="Acme")
    api = ApiClient(analyst)

    link = api.post(f"/people/{person_a.pk}/organizations", {"organization_id": org.pk})
    unlink = api.delete(f"/people/{person_a.pk}/organizations/{org.pk}")

    assert (link.status_code, link.json()) == (403, READ_ONLY)
    assert unlink.status_code == 404  # nothing to unlink; reading that is allowed
    assert not Affiliation.objects.exists()


# --- consents --------------------------------------------------------------------------------


def test_grant_list_and_withdraw_a_consent(agent_a, person_a):
    api = ApiClient(agent_a)

    granted = api.post(
        f"/people/{person_a.pk}/consents",
        {"purpose": " newsletter ", "channel": "email", "source": "web form"},
    )

    assert granted.status_code == 201
    consent = Consent.objects.get()
    body = granted.json()
    assert body == {
        "id": consent.pk,
        "person_id": person_a.pk,
        "purpose": "newsletter",
        "channel": "email",
        "source": "web form",
        "granted_at": body["granted_at"],
        "withdrawn_at": None,
        "is_active": True,
    }
    assert api.get(f"/people/{person_a.pk}/consents").json() == [body]

    withdrawn = api.post(f"/consents/{consent.pk}/withdraw")
    again = api.post(f"/consents/{consent.pk}/withdraw")

    assert withdrawn.status_code == 200
    assert withdrawn.json()["is_active"] is False
    assert withdrawn.json()["withdrawn_at"] is not None
    assert again.json() == withdrawn.json()
    assert api.get(f"/people/{person_a.pk}/consents").json() == [withdrawn.json()]
    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 1


def test_consents_are_listed_newest_first(agent_a, person_a):
    api = ApiClient(agent_a)
    for purpose in ("first", "second"):
        api.post(f"/people/{person_a.pk}/consents", {"purpose": purpose, "channel": "sms"})

    rows = api.get(f"/people/{person_a.pk}/consents").json()

    assert [row["purpose"] for row in rows] == ["second", "first"]


def test_grant_with_bad_input(agent_a, person_a):
    api = ApiClient(agent_a)
    path = f"/people/{person_a.pk}/consents"

    bad_channel = api.post(path, {"purpose": "newsletter", "channel": "pigeon"})
    blank = api.post(path, {"purpose": "   ", "channel": "email"})
    missing = api.post(path, {})

    assert bad_channel.status_code == 422
    assert bad_channel.json()["fields"] == {"channel": "Unknown value “pigeon”."}
    assert blank.json()["fields"] == {"purpose": "This field is required."}
    assert missing.json()["fields"] == {
        "purpose": "Field required",
        "channel": "Field required",
    }
    assert not Consent.objects.exists()


def test_consents_of_an_invisible_person_are_not_found(agent_a, agent_b, person_b):
    own = ApiClient(agent_b).post(
        f"/people/{person_b.pk}/consents", {"purpose": "news", "channel": "email"}
    )
    api = ApiClient(agent_a)

    assert api.get(f"/people/{person_b.pk}/consents").status_code == 404
    assert (
        api.post(
            f"/people/{person_b.pk}/consents", {"purpose": "x", "channel": "email"}
        ).status_code
        == 404
    )
    withdraw = api.post(f"/consents/{own.json()['id']}/withdraw")
    assert withdraw.status_code == 404
    assert withdraw.json() == {"code": "not_found", "message": "Consent not found.", "fields": {}}
    assert Consent.objects.get().withdrawn_at is None


def test_analyst_reads_consents_but_cannot_change_them(analyst, agent_a, person_a):
    granted = ApiClient(agent_a).post(
        f"/people/{person_a.pk}/consents", {"purpose": "news", "channel": "email"}
    )
    api = ApiClient(analyst)

    assert [c["id"] for c in api.get(f"/people/{person_a.pk}/consents").json()] == [
        granted.json()["id"]
    ]
    grant = api.post(f"/people/{person_a.pk}/consents", {"purpose": "x", "channel": "email"})
    withdraw = api.post(f"/consents/{granted.json()['id']}/withdraw")
    assert (grant.status_code, grant.json()) == (403, READ_ONLY)
    assert (withdraw.status_code, withdraw.json()) == (403, READ_ONLY)
    assert Consent.objects.get().withdrawn_at is None

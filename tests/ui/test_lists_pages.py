"""The lists and segments pages: what each role sees, the writes, and bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.contacts.list_services import saved_list_create
from klient.contacts.models import SavedList
from klient.contacts.services import person_create
from klient.core.models import AuditEvent

ROLES = ("admin", "manager_a", "agent_a", "agent_b", "analyst")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _people_ids(response) -> list[int]:
    return sorted(person.pk for person in response.context["page"].items)


@pytest.fixture
def ivan(agent_a):
    """Team A's customer, tagged vip."""
    return person_create(
        actor=agent_a,
        first_name="Иван",
        last_name="Петров",
        tags=["vip"],
        lifecycle_stage="customer",
        emails=["ivan@example.org"],
    )


@pytest.fixture
def georgi(agent_b):
    """Team B's lead, tagged vip: agent_a and manager_a cannot see him."""
    return person_create(actor=agent_b, first_name="Георги", last_name="Иванов", tags=["vip"])


@pytest.fixture
def expo(admin, ivan, georgi):
    return saved_list_create(
        actor=admin, name="Выставка", person_ids=[ivan.pk, georgi.pk], visibility="workspace"
    )


@pytest.fixture
def vip(admin):
    return saved_list_create(
        actor=admin, name="VIP", kind="dynamic", filters={"tag": "vip"}, visibility="workspace"
    )


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_index_lists_both_kinds_with_counts_each_role_may_see(request, role, expo, vip):
    user = request.getfixturevalue(role)
    expected = {"admin": 2, "manager_a": 1, "agent_a": 1, "agent_b": 1, "analyst": 2}[role]

    response = _client(user).get(reverse("lists:index"))

    assert response.status_code == 200
    counts = {item["list"].name: item["count"] for item in response.context["items"]}
    assert counts == {"VIP": expected, "Выставка": expected}
    html = response.content.decode()
    assert "Tag: vip" in html
    assert (reverse("lists:segment_create") in html) is (role != "analyst")


@pytest.mark.parametrize("role", ROLES)
def test_detail_shows_only_members_the_role_may_see(request, role, expo, ivan, georgi):
    user = request.getfixturevalue(role)
    visible = {
        "admin": [ivan, georgi],
        "manager_a": [ivan],
        "agent_a": [ivan],
        "agent_b": [georgi],
        "analyst": [ivan, georgi],
    }[role]

    response = _client(user).get(reverse("lists:detail", args=[expo.pk]))

    assert response.status_code == 200
    assert _people_ids(response) == sorted(p.pk for p in visible)
    html = response.content.decode()
    for person in (ivan, georgi):
        assert (person.full_name in html) is (person in visible)
    remove_url = reverse("lists:member_remove", args=[expo.pk, visible[0].pk])
    assert (remove_url in html) is (role != "analyst")


def test_segment_page_stays_current(agent_a, vip, ivan):
    client = _client(agent_a)
    url = reverse("lists:detail", args=[vip.pk])
    assert _people_ids(client.get(url)) == [ivan.pk]

    later = person_create(actor=agent_a, last_name="Новиков", tags=["vip"])

    response = client.get(url)
    assert _people_ids(response) == sorted([ivan.pk, later.pk])
    assert response.context["total"] == 2


def test_other_workspace_cannot_open_a_list(other_workspace_admin, expo):
    client = _client(other_workspace_admin)

    assert client.get(reverse("lists:detail", args=[expo.pk])).status_code == 404
    assert client.get(reverse("lists:edit", args=[expo.pk])).status_code == 404
    assert client.get(reverse("lists:index")).context["items"] == []


def test_anonymous_is_sent_to_login(db):
    response = Client().get(reverse("lists:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_add_people_search_offers_visible_people_not_yet_on_the_list(agent_a, ivan, georgi):
    saved = saved_list_create(actor=agent_a, name="Пусто")
    client = _client(agent_a)
    url = reverse("lists:detail", args=[saved.pk])

    page = client.get(url, {"add_q": "иван"})
    partial = client.get(
        url, {"add_q": "иван"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="candidates"
    )

    assert [p.pk for p in page.context["candidates"]] == [ivan.pk]
    assert partial.status_code == 200
    assert [t.name for t in partial.templates] == ["contacts/lists/_candidates.html"]
    assert "Иван Петров" in partial.content.decode()
    assert "Георги" not in partial.content.decode()


# --- writing ---------------------------------------------------------------------------------


def test_create_a_segment_from_a_filter(agent_a, ivan):
    client = _client(agent_a)
    form = client.get(reverse("lists:segment_create"), {"tag": "vip", "q": "петров"})
    assert form.status_code == 200
    assert form.context["form"].initial == {"tag": "vip", "q": "петров"}

    response = client.post(
        reverse("lists:segment_create"),
        {
            "name": "VIP-клиенты",
            "tag": "vip",
            "lifecycle_stage": "customer",
            "owner": str(agent_a.pk),
            "q": "",
            "segment": "",
        },
    )

    saved = SavedList.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("lists:detail", args=[saved.pk])
    assert (saved.name, saved.kind, saved.owner_id) == ("VIP-клиенты", "dynamic", agent_a.pk)
    assert saved.filters == {"lifecycle_stage": "customer", "tag": "vip", "owner_id": agent_a.pk}
    assert _people_ids(client.get(response["Location"])) == [ivan.pk]


def test_segment_form_without_a_name_is_422(agent_a):
    response = _client(agent_a).post(reverse("lists:segment_create"), {"name": "", "tag": ""})

    assert response.status_code == 422
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert not SavedList.objects.exists()


def test_create_a_list_add_and_remove_people(agent_a, ivan):
    client = _client(agent_a)

    created = client.post(reverse("lists:create"), {"name": "Звонки в пятницу"})
    saved = SavedList.objects.get()
    added = client.post(reverse("lists:member_add", args=[saved.pk]), {"person_id": ivan.pk})

    assert created["Location"] == reverse("lists:detail", args=[saved.pk])
    assert added.status_code == 302
    assert added["Location"] == reverse("lists:detail", args=[saved.pk])
    assert list(saved.members.values_list("pk", flat=True)) == [ivan.pk]

    removed = client.post(
        reverse("lists:member_remove", args=[saved.pk, ivan.pk]), HTTP_HX_REQUEST="true"
    )

    assert (removed.status_code, removed.content) == (200, b"")
    assert not saved.members.exists()
    assert AuditEvent.objects.filter(action="saved_list.remove").count() == 1


def test_adding_someone_the_user_cannot_see_is_refused(agent_a, georgi):
    saved = saved_list_create(actor=agent_a, name="L")

    response = _client(agent_a).post(
        reverse("lists:member_add", args=[saved.pk]), {"person_id": georgi.pk}
    )

    assert response.status_code == 422
    assert "Unknown person." in response.content.decode()
    assert not saved.members.exists()


def test_adding_to_a_segment_is_refused_as_a_toast(agent_a, vip, ivan):
    response = _client(agent_a).post(
        reverse("lists:member_add", args=[vip.pk]), {"person_id": ivan.pk}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    assert "toast" in response.content.decode()
    assert response["HX-Retarget"] == "#toasts"


def test_edit_a_segment_keeps_filters_set_elsewhere(agent_a, team_a):
    saved = saved_list_create(
        actor=agent_a, name="S", kind="dynamic", filters={"tag": "vip", "team_id": team_a.pk}
    )
    client = _client(agent_a)
    page = client.get(reverse("lists:edit", args=[saved.pk]))
    assert page.status_code == 200
    assert "Sales A" in page.content.decode()

    response = client.post(
        reverse("lists:edit", args=[saved.pk]), {"name": "Customers", "lifecycle_stage": "customer"}
    )

    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.name == "Customers"
    assert saved.filters == {"team_id": team_a.pk, "lifecycle_stage": "customer"}


def test_rename_a_static_list(admin, expo):
    response = _client(admin).post(reverse("lists:edit", args=[expo.pk]), {"name": "Expo"})

    assert response.status_code == 302
    expo.refresh_from_db()
    assert expo.name == "Expo"


def test_delete_a_list(admin, expo, ivan):
    response = _client(admin).post(reverse("lists:delete", args=[expo.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("lists:index")
    assert not SavedList.objects.exists()
    assert AuditEvent.objects.filter(action="saved_list.delete").count() == 1


def test_analyst_cannot_open_write_pages_or_post(analyst, expo, vip, ivan):
    client = _client(analyst)
    for url in (
        reverse("lists:create"),
        reverse("lists:segment_create"),
        reverse("lists:edit", args=[expo.pk]),
    ):
        assert client.get(url).status_code == 403, url
    posts = [
        (reverse("lists:create"), {"name": "Mine"}),
        (reverse("lists:segment_create"), {"name": "Mine", "tag": "vip"}),
        (reverse("lists:edit", args=[expo.pk]), {"name": "Mine"}),
        (reverse("lists:edit", args=[vip.pk]), {"name": "Mine"}),
        (reverse("lists:delete", args=[expo.pk]), {}),
        (reverse("lists:member_add", args=[expo.pk]), {"person_id": ivan.pk}),
        (reverse("lists:member_remove", args=[expo.pk, ivan.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert sorted(SavedList.objects.values_list("name", flat=True)) == ["VIP", "Выставка"]
    assert expo.members.count() == 2


def test_delete_and_remove_need_post(agent_a, expo, ivan):
    client = _client(agent_a)

    assert client.get(reverse("lists:delete", args=[expo.pk])).status_code == 405
    assert client.get(reverse("lists:member_remove", args=[expo.pk, ivan.pk])).status_code == 405
    assert SavedList.objects.filter(pk=expo.pk).exists()


# --- bounded queries -------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_index_queries_do_not_grow_with_lists(agent_a, ivan):
    client = _client(agent_a)
    url = reverse("lists:index")

    def make(start: int, count: int) -> None:
        for index in range(start, start + count):
            saved_list_create(actor=agent_a, name=f"L{index}", person_ids=[ivan.pk])
            saved_list_create(
                actor=agent_a,
                name=f"S{index}",
                kind="dynamic",
                filters={"tag": "vip", "owner_id": agent_a.pk},
            )

    make(0, 2)
    small = _count(client, url)
    make(2, 20)
    assert _count(client, url) == small


def test_detail_queries_do_not_grow_with_members(agent_a):
    saved = saved_list_create(actor=agent_a, name="L")
    client = _client(agent_a)
    url = reverse("lists:detail", args=[saved.pk])

    def add(start: int, count: int) -> None:
        people = [
            person_create(actor=agent_a, last_name=f"P{i}", tags=["x", f"t{i}"])
            for i in range(start, start + count)
        ]
        saved.members.add(*people)

    add(0, 3)
    small = _count(client, url)
    add(3, 30)
    assert _count(client, url) == small

"""Every page renders for every role, and shows write controls only to roles that may write."""

from __future__ import annotations

import pytest
from django.urls import reverse

ROLES = ["admin", "manager_a", "agent_a", "analyst"]


def _pages(person, org):
    return [
        reverse("home:index"),
        reverse("contacts:client_list"),
        reverse("contacts:organization_list"),
        reverse("contacts:person_detail", args=[person.pk]),
        reverse("contacts:organization_detail", args=[org.pk]),
        reverse("activities:task_list"),
        reverse("notifications:notification_list"),
        reverse("password_change"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_each_role(request, client_for, person_a, org_a, call_a, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    for url in _pages(person_a, org_a):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'id="main"' in response.content


@pytest.mark.parametrize("role", ["admin", "manager_a", "agent_a"])
def test_write_pages_render_for_writers(request, client_for, person_a, org_a, role):
    client = client_for(request.getfixturevalue(role))
    for url in (
        reverse("contacts:person_create"),
        reverse("contacts:organization_create"),
        reverse("contacts:person_edit", args=[person_a.pk]),
        reverse("contacts:organization_edit", args=[org_a.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_login_page_renders_for_anonymous(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_pages_redirect_anonymous_to_login(client, person_a):
    response = client.get(reverse("contacts:person_detail", args=[person_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_htmx_request_of_anonymous_gets_client_redirect(client):
    response = client.get(reverse("contacts:client_list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_login_with_password_lands_on_the_home_page(client, agent_a):
    from tests.factories import TEST_PASSWORD

    response = client.post(reverse("login"), {"username": "agent_a", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_person_card_shows_contacts_and_timeline(client_for, agent_a, person_a, call_a):
    content = (
        client_for(agent_a)
        .get(reverse("contacts:person_detail", args=[person_a.pk]))
        .content.decode()
    )
    assert "Иван Петров" in content
    assert "+7 916 123 45 67" in content or "+7 916 123-45-67" in content
    assert "ivan@example.org" in content
    assert "ООО Ромашка" in content
    assert "Первый звонок" in content
    assert 'id="interaction-form"' in content


def test_analyst_sees_no_write_forms(client_for, analyst, person_a, org_a, call_a):
    client = client_for(analyst)
    for url in (
        reverse("contacts:person_detail", args=[person_a.pk]),
        reverse("contacts:organization_detail", args=[org_a.pk]),
        reverse("contacts:client_list"),
    ):
        content = client.get(url).content.decode()
        assert 'id="interaction-form"' not in content, url
        assert "comment-form" not in content, url
        assert reverse("contacts:person_create") not in content, url
        assert 'method="post" action="/people/' not in content, url


def test_audit_history_only_for_admin(client_for, admin, agent_a, person_a):
    url = reverse("contacts:person_detail", args=[person_a.pk])
    admin_page = client_for(admin).get(url).content.decode()
    agent_page = client_for(agent_a).get(url).content.decode()
    assert "person.create" in admin_page
    assert "person.create" not in agent_page


def test_live_search_returns_partial_with_match(client_for, agent_a, person_a):
    response = client_for(agent_a).get(
        reverse("contacts:client_list"),
        {"q": "916 123"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Иван Петров" in content


def test_list_filters_by_stage_owner_and_tag(client_for, agent_a, person_a):
    client = client_for(agent_a)
    url = reverse("contacts:client_list")
    assert "Иван Петров" in client.get(url, {"tag": "vip"}).content.decode()
    assert "Иван Петров" in client.get(url, {"owner": agent_a.pk}).content.decode()
    assert "Иван Петров" not in client.get(url, {"lifecycle_stage": "customer"}).content.decode()


def test_unknown_address_gets_the_products_404_page(client_for, agent_a):
    response = client_for(agent_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

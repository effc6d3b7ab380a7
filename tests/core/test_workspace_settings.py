"""The workspace settings page: name, default phone region and language; admins only, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from klient.contacts.services import person_create
from klient.core.errors import PermissionDenied, ValidationFailed
from klient.core.models import AuditEvent, Workspace
from klient.core.services import workspace_update

URL = "/settings/workspace/"


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_page_has_its_address():
    assert reverse("core:settings_workspace") == URL


def test_admin_sees_the_current_settings(admin):
    html = _client(admin).get(URL).content.decode()
    assert f'value="{admin.workspace.name}"' in html
    assert '<option value="RU" selected>' in html
    assert '<option value="BG">Bulgaria (+359)</option>' in html


def test_admin_saves_name_region_and_language(admin):
    response = _client(admin).post(
        URL, {"name": "Балкан Лоджистикс", "default_region": "BG", "default_language": "bg"}
    )
    assert response.status_code == 302
    workspace = Workspace.objects.get(pk=admin.workspace_id)
    assert (workspace.name, workspace.default_region, workspace.default_language) == (
        "Балкан Лоджистикс",
        "BG",
        "bg",
    )
    event = AuditEvent.objects.get(action="workspace.update")
    assert event.actor_id == admin.pk
    assert event.changes["default_region"] == ["RU", "BG"]


def test_national_numbers_are_read_in_the_workspaces_region(admin):
    workspace_update(actor=admin, name="W", default_region="BG", default_language="bg")
    admin.refresh_from_db()
    person = person_create(actor=admin, last_name="Георгиев", phones=["0888 123 456"])
    assert person.primary_phone == "+359888123456"


def test_other_roles_cannot_open_or_change_it(manager_a):
    client = _client(manager_a)
    assert client.get(URL).status_code == 403
    post = {"name": "X", "default_region": "BG", "default_language": "bg"}
    assert client.post(URL, post).status_code == 403
    assert Workspace.objects.get(pk=manager_a.workspace_id).default_region == "RU"


def test_unknown_region_is_refused_on_the_page(admin):
    response = _client(admin).post(
        URL, {"name": "W", "default_region": "XX", "default_language": "en"}
    )
    assert response.status_code == 422
    assert Workspace.objects.get(pk=admin.workspace_id).default_region == "RU"


def test_service_refuses_unknown_values_with_field_errors(admin):
    with pytest.raises(ValidationFailed) as error:
        workspace_update(actor=admin, name=" ", default_region="XX", default_language="de")
    assert set(error.value.fields) == {"name", "default_region", "default_language"}


def test_service_is_for_admins(manager_a):
    with pytest.raises(PermissionDenied):
        workspace_update(actor=manager_a, name="W", default_region="BG", default_language="bg")


def test_saving_unchanged_settings_writes_no_audit_event(admin):
    workspace = admin.workspace
    workspace_update(
        actor=admin,
        name=workspace.name,
        default_region=workspace.default_region,
        default_language=workspace.default_language,
    )
    assert not AuditEvent.objects.filter(action="workspace.update").exists()

"""A team's lead takes its escalations; without one, the workspace administrators do."""

from __future__ import annotations

import pytest
from django.test import Client

from klient.core.errors import PermissionDenied, ValidationFailed
from klient.core.models import AuditEvent
from klient.core.selectors import escalation_recipients
from klient.core.services import team_lead_set, user_deactivate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_without_a_lead_escalations_go_to_the_administrators(admin, team_a, workspace):
    second = UserFactory(workspace=workspace, role="admin", username="admin2")
    recipients = escalation_recipients(workspace_id=workspace.pk, team_id=team_a.pk)
    assert recipients == [admin, second]
    assert escalation_recipients(workspace_id=workspace.pk, team_id=None) == [admin, second]


def test_the_lead_takes_them_while_active(admin, manager_a, team_a, workspace):
    team_lead_set(actor=admin, team=team_a, lead=manager_a)
    assert escalation_recipients(workspace_id=workspace.pk, team_id=team_a.pk) == [manager_a]
    user_deactivate(user=manager_a, actor=admin)
    assert escalation_recipients(workspace_id=workspace.pk, team_id=team_a.pk) == [admin]


def test_setting_a_lead_is_audited_and_for_administrators_only(admin, manager_a, team_a):
    with pytest.raises(PermissionDenied):
        team_lead_set(actor=manager_a, team=team_a, lead=manager_a)
    team_lead_set(actor=admin, team=team_a, lead=manager_a)
    event = AuditEvent.objects.get(action="team.lead")
    assert event.changes == {"lead_id": [None, manager_a.pk]}


def test_a_lead_from_another_workspace_is_refused(admin, team_a, other_workspace_admin):
    with pytest.raises(ValidationFailed):
        team_lead_set(actor=admin, team=team_a, lead=other_workspace_admin)


def test_the_teams_page_sets_and_clears_the_lead(admin, manager_a, team_a):
    client = Client()
    client.force_login(admin)
    url = f"/settings/teams/{team_a.pk}/lead/"
    assert client.post(url, {"lead_id": manager_a.pk}).status_code == 302
    team_a.refresh_from_db()
    assert team_a.lead_id == manager_a.pk
    assert f'value="{manager_a.pk}" selected' in client.get("/settings/teams/").content.decode()
    client.post(url, {"lead_id": ""})
    team_a.refresh_from_db()
    assert team_a.lead_id is None
    assert client.post(url, {"lead_id": "10" * 12}).status_code in (400, 422)

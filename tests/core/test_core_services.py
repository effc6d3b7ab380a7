import pytest

from klient.core.errors import Conflict, ValidationFailed
from klient.core.models import AuditEvent
from klient.core.pagination import cursor_decode, cursor_encode
from klient.core.selectors import audit_list
from klient.core.services import (
    token_authenticate,
    token_create,
    token_revoke,
    user_create,
    user_deactivate,
)
from klient.notifications.models import Notification
from klient.notifications.services import notification_create
from klient.settings import database_from_url


def test_token_authenticates_its_user_until_revoked_or_deactivated(agent_a, admin):
    secret = token_create(user=agent_a)
    assert token_authenticate(secret) == agent_a
    assert token_authenticate(secret + "x") is None
    assert token_authenticate("Bearer " + secret) is None

    token_revoke(user=agent_a, prefix=secret[:10])
    assert token_authenticate(secret) is None

    second = token_create(user=agent_a)
    user_deactivate(user=agent_a, actor=admin)
    assert token_authenticate(second) is None


def test_token_secret_is_not_stored(agent_a):
    secret = token_create(user=agent_a)
    stored = agent_a.api_tokens.get()
    assert stored.key_hash != secret
    assert secret not in stored.key_hash


def test_user_create_rejects_unknown_role_and_duplicates(workspace):
    with pytest.raises(ValidationFailed) as caught:
        user_create(workspace=workspace, username="x", role="emperor")
    assert "role" in caught.value.fields
    user_create(workspace=workspace, username="x", role="agent")
    with pytest.raises(Conflict):
        user_create(workspace=workspace, username="x", role="agent")


def test_notification_with_dedupe_key_is_created_once(agent_a):
    first = notification_create(recipient=agent_a, kind="mention", text="hi", dedupe_key="c:1")
    again = notification_create(recipient=agent_a, kind="mention", text="hi", dedupe_key="c:1")
    assert first is not None
    assert again is None
    assert Notification.objects.filter(recipient=agent_a).count() == 1


def test_audit_list_is_for_admins_only_and_filters(admin, agent_a, workspace):
    user_create(workspace=workspace, username="new", role="agent", actor=admin)
    assert audit_list(user=agent_a).count() == 0
    events = audit_list(user=admin, action="user.create")
    assert [e.changes["username"][1] for e in events][:1] == ["new"]
    assert all(isinstance(e, AuditEvent) for e in events)


def test_cursor_round_trip_and_garbage():
    assert cursor_decode(cursor_encode("2026-01-01T00:00:00+00:00", 5), 2) == [
        "2026-01-01T00:00:00+00:00",
        "5",
    ]
    with pytest.raises(ValidationFailed):
        cursor_decode("%%%not-base64", 2)
    with pytest.raises(ValidationFailed):
        cursor_decode(cursor_encode("only-one"), 2)


def test_database_url_parsing():
    config = database_from_url("postgresql://klient:p%40ss@db.local:6543/crm?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "klient",
        "p@ss",
        "db.local",
        "6543",
        "crm",
    )
    # prepare_threshold: server-side prepared statements for klient.core.prepared's queries
    assert config["OPTIONS"] == {"sslmode": "require", "prepare_threshold": 5}
    assert database_from_url("postgresql://x@y/z?prepare_threshold=none")["OPTIONS"] == {
        "prepare_threshold": None
    }
    sqlite = database_from_url(None)
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "synchronous=FULL" in sqlite["OPTIONS"]["init_command"]
    with pytest.raises(ValueError, match="unsupported scheme"):
        database_from_url("mysql://x@y/z")

"""The platform router (/health, /me, /notifications, /audit) and what every route shares:
authentication, typed errors, the OpenAPI schema and its docs page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from klient.core.services import (
    token_create,
    token_revoke,
    user_deactivate,
)
from klient.notifications.services import notification_create
from tests.api.client import ApiClient, walk

UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "Authentication required: send a valid token as 'Authorization: Bearer …'.",
    "fields": {},
}


# --- health, schema, docs ----------------------------------------------------------------


def test_health_needs_no_token_and_checks_the_database(db, anonymous):
    response = anonymous.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_schema_lists_the_routes_and_bearer_auth(db, anonymous):
    response = anonymous.get("/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    for path in (
        "/api/v1/people",
        "/api/v1/people/{person_id}/360",
        "/api/v1/organizations",
        "/api/v1/interactions/{interaction_id}/comments",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/search",
        "/api/v1/audit",
        "/api/v1/me",
        "/api/v1/health",
    ):
        assert path in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {
        "code",
        "message",
        "fields",
    }


def test_docs_page_loads_swagger_from_our_static_files_not_a_cdn(db, anonymous):
    response = anonymous.client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert 'href="/static/ninja/swagger-ui.css"' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert '"validatorUrl": null' in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert anonymous.client.get(f"/static/ninja/{asset}").status_code == 200


# --- authentication ----------------------------------------------------------------------


def test_missing_token_is_401_with_typed_body(db, anonymous):
    response = anonymous.get("/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer kl_not-a-real-token", "Bearer ", "Basic YTpi", "Bearer garbage"]
)
def test_invalid_token_is_401(db, header):
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_revoked_token_is_401(agent_a):
    secret = token_create(user=agent_a)
    token_revoke(user=agent_a, prefix=secret[:10])

    response = ApiClient(agent_a, token=secret).get("/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_deactivated_users_token_is_401(agent_a, admin):
    api = ApiClient(agent_a)
    assert api.get("/me").status_code == 200

    user_deactivate(user=agent_a, actor=admin)

    response = api.get("/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_session_login_is_accepted_for_the_web_ui(agent_a):
    client = Client()
    client.force_login(agent_a)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "agent_a"


def test_session_write_without_csrf_token_is_refused(agent_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent_a)

    response = client.post("/api/v1/notifications/read", data="{}", content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "CSRF check failed.",
        "fields": {},
    }


def test_bearer_write_needs_no_csrf_token(agent_a):
    api = ApiClient(agent_a)
    api.client = Client(enforce_csrf_checks=True)

    response = api.post("/notifications/read", {})

    assert response.status_code == 200


# --- typed errors for bad input ------------------------------------------------------------


def test_malformed_json_is_400(agent_a):
    response = ApiClient(agent_a).post("/organizations", raw=b'{"name": "Acme",')

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_request",
        "message": "The request body is not valid JSON.",
        "fields": {},
    }


def test_body_that_is_not_an_object_is_422(agent_a):
    response = ApiClient(agent_a).post("/organizations", raw=b"[1, 2]")

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Some fields are invalid.",
        "fields": {"body": "Input should be a valid dictionary or object to extract fields from"},
    }


def test_missing_body_is_422(agent_a):
    response = ApiClient(agent_a).post("/organizations")

    assert response.status_code == 422
    assert response.json()["fields"] == {"body": "Field required"}


def test_oversized_body_is_413_not_500(agent_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = b'{"name": "' + b"x" * 2048 + b'"}'

    response = ApiClient(agent_a).post("/organizations", raw=body)

    assert response.status_code == 413
    assert response.json() == {
        "code": "payload_too_large",
        "message": "The request body is too large.",
        "fields": {},
    }


def test_oversized_body_at_the_configured_limit_is_413(agent_a, settings):
    body = b'{"name": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'

    response = ApiClient(agent_a).post("/people", raw=body)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_unknown_endpoint_is_typed_404(agent_a):
    api = ApiClient(agent_a)

    for response in (api.get("/no-such-thing"), api.post("/no/such/thing", {})):
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "message": "No such endpoint.",
            "fields": {},
        }


def test_bad_query_parameter_is_422_with_field(agent_a):
    response = ApiClient(agent_a).get("/notifications", limit="0")

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Some fields are invalid.",
        "fields": {"limit": "Input should be greater than or equal to 1"},
    }


def test_garbage_cursor_is_422(agent_a):
    response = ApiClient(agent_a).get("/notifications", cursor="%%%")

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "Invalid cursor.",
        "fields": {"cursor": "Invalid cursor."},
    }


# --- /me -----------------------------------------------------------------------------------


def test_me_returns_the_token_owner(agent_a, team_a):
    response = ApiClient(agent_a).get("/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": agent_a.pk,
        "username": "agent_a",
        "first_name": "Test",
        "last_name": agent_a.last_name,
        "email": "agent_a@example.org",
        "role": "agent",
        "language": "",
        "workspace_id": agent_a.workspace_id,
        "team_ids": [team_a.pk],
    }


# --- notifications -------------------------------------------------------------------------


def test_notifications_lists_only_mine_newest_first(agent_a, agent_b):
    first = notification_create(recipient=agent_a, kind="mention", text="first", url="/people/1/")
    second = notification_create(recipient=agent_a, kind="task", text="second")
    notification_create(recipient=agent_b, kind="task", text="not yours")

    response = ApiClient(agent_a).get("/notifications")

    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert [item["id"] for item in body["items"]] == [second.pk, first.pk]
    item = body["items"][1]
    assert item == {
        "id": first.pk,
        "kind": "mention",
        "message": "first",
        "text": "first",
        "url": "/people/1/",
        "is_read": False,
        "created_at": item["created_at"],
    }
    assert item["created_at"].endswith("Z")


def test_notifications_paginate_without_repeats(agent_a):
    created = [
        notification_create(recipient=agent_a, kind="task", text=f"n{i}").pk for i in range(7)
    ]

    items = walk(ApiClient(agent_a), "/notifications", limit=3)

    assert [item["id"] for item in items] == sorted(created, reverse=True)


def test_mark_some_notifications_read(agent_a, agent_b):
    mine = notification_create(recipient=agent_a, kind="task", text="a")
    other = notification_create(recipient=agent_a, kind="task", text="b")
    theirs = notification_create(recipient=agent_b, kind="task", text="c")
    api = ApiClient(agent_a)

    response = api.post("/notifications/read", {"ids": [mine.pk, theirs.pk]})

    assert response.status_code == 200
    assert response.json() == {"updated": 1}
    unread = api.get("/notifications", unread="true").json()["items"]
    assert [item["id"] for item in unread] == [other.pk]
    theirs.refresh_from_db()
    assert theirs.is_read is False


def test_mark_all_notifications_read(agent_a):
    for text in ("a", "b"):
        notification_create(recipient=agent_a, kind="task", text=text)
    api = ApiClient(agent_a)

    assert api.post("/notifications/read", {}).json() == {"updated": 2}
    assert api.get("/notifications", unread="true").json() == {"items": [], "next_cursor": None}


def test_mark_read_refuses_unknown_fields(agent_a):
    response = ApiClient(agent_a).post("/notifications/read", {"all": True})

    assert response.status_code == 422
    assert response.json()["fields"] == {"all": "Extra inputs are not permitted"}


# --- audit -----------------------------------------------------------------------------------


def test_admin_reads_the_audit_trail_of_a_record(admin):
    api = ApiClient(admin)
    person = api.post("/people", {"first_name": "Анна", "last_name": "Иванова"}).json()
    api.patch(f"/people/{person['id']}", {"title": "CFO"})

    response = api.get("/audit", object_type="contacts.person", object_id=person["id"])

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["action"] for item in items] == ["person.update", "person.create"]
    assert items[0] == {
        "id": items[0]["id"],
        "action": "person.update",
        "object_type": "contacts.person",
        "object_id": person["id"],
        "actor_id": admin.pk,
        "changes": {"title": ["", "CFO"]},
        "at": items[0]["at"],
    }


@pytest.mark.parametrize("role", ["manager_a", "agent_a", "analyst"])
def test_audit_is_admins_only(role, request):
    user = request.getfixturevalue(role)

    response = ApiClient(user).get("/audit")

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Only administrators can read the audit log.",
        "fields": {},
    }


def test_audit_of_another_workspace_is_empty(admin, other_workspace_admin):
    person = ApiClient(admin).post("/people", {"last_name": "Петров"}).json()

    response = ApiClient(other_workspace_admin).get(
        "/audit", object_type="contacts.person", object_id=person["id"]
    )

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


def test_every_route_but_health_needs_a_token(db, anonymous):
    """Walks the OpenAPI schema, so a new route cannot forget authentication."""
    schema = anonymous.get("/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            response = getattr(anonymous.client, method)(url, content_type="application/json")
            # The token endpoint takes a username and password instead (an empty body: 422).
            expected = {"/api/v1/health": 200, "/api/v1/auth/token": 422}.get(path, 401)
            assert response.status_code == expected, (method, path)
            checked += 1
    assert checked >= 30

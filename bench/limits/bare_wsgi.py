"""Client-360 limit: a bare WSGI handler doing the product's queries with the driver and orjson.

Serve it exactly like the product: `gunicorn -w 2 bench.limits.bare_wsgi:application`.
It reads the same database (BARE_SQLITE_PATH, or KLIENT_DATABASE_URL for PostgreSQL)
and answers `GET /api/v1/people/<id>/360` with a bearer token: token lookup, the
person scoped to the token's workspace, emails, phones, organizations, the latest 20
interactions and open tasks. Admin tokens only (the benchmark's user); others get 403.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

import orjson

_PATH = re.compile(r"^/api/v1/people/(\d+)/360$")
_conn: Any = None
_PG = (os.environ.get("KLIENT_DATABASE_URL") or "").startswith("postgres")
_P = "%s" if _PG else "?"

TOKEN_SQL = (
    "SELECT u.id, u.workspace_id, u.role FROM core_apitoken t JOIN core_user u "
    f"ON u.id = t.user_id WHERE t.key_hash = {_P} AND t.revoked_at IS NULL "
    "AND u.is_active"
)
PERSON_SQL = (
    "SELECT id, first_name, last_name, middle_name, full_name, title, lifecycle_stage, "
    "segment, preferred_channel, preferred_language, owner_id, team_id, created_at, "
    f"updated_at FROM contacts_person WHERE workspace_id = {_P} AND id = {_P} "
    "AND merged_into_id IS NULL"
)
EMAILS_SQL = (
    f"SELECT email FROM contacts_emailaddress WHERE person_id = {_P} ORDER BY is_primary DESC, id"
)
PHONES_SQL = (
    f"SELECT number FROM contacts_phonenumber WHERE person_id = {_P} ORDER BY is_primary DESC, id"
)
ORGS_SQL = (
    "SELECT a.organization_id, o.name, a.role, a.job_title FROM contacts_affiliation a "
    "JOIN contacts_organization o ON o.id = a.organization_id "
    f"WHERE a.person_id = {_P} ORDER BY a.is_primary DESC, a.id"
)
TIMELINE_SQL = (
    "SELECT i.id, i.kind, i.direction, i.channel, i.occurred_at, i.duration_seconds, "
    "i.subject, i.body, i.author_id, u.username, i.person_id, i.organization_id "
    "FROM activities_interaction i LEFT JOIN core_user u ON u.id = i.author_id "
    f"WHERE i.person_id = {_P} ORDER BY i.occurred_at DESC, i.id DESC LIMIT 20"
)
TASKS_SQL = (
    "SELECT id, title, due_at, assignee_id, status FROM activities_task "
    f"WHERE person_id = {_P} AND status = 'open' ORDER BY due_at, id LIMIT 50"
)
PERSON_KEYS = (
    "id",
    "first_name",
    "last_name",
    "middle_name",
    "full_name",
    "title",
    "lifecycle_stage",
    "segment",
    "preferred_channel",
    "preferred_language",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
)
TIMELINE_KEYS = (
    "id",
    "kind",
    "direction",
    "channel",
    "occurred_at",
    "duration_seconds",
    "subject",
    "body",
    "author_id",
    "author__username",
    "person_id",
    "organization_id",
)
ORG_KEYS = ("organization_id", "organization__name", "role", "job_title")
TASK_KEYS = ("id", "title", "due_at", "assignee_id", "status")


def _connection() -> Any:
    global _conn
    if _conn is None:
        if _PG:
            import psycopg

            _conn = psycopg.connect(os.environ["KLIENT_DATABASE_URL"], autocommit=True)
        else:
            _conn = sqlite3.connect(
                os.environ["BARE_SQLITE_PATH"], isolation_level=None, check_same_thread=False
            )
            _conn.execute("PRAGMA journal_mode=WAL")
    return _conn


def _reply(start_response: Callable[..., Any], status: str, body: bytes) -> Iterable[bytes]:
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    match = _PATH.match(environ.get("PATH_INFO", ""))
    if not match or environ.get("REQUEST_METHOD") != "GET":
        return _reply(start_response, "404 Not Found", b'{"code":"not_found"}')
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if not auth.startswith("Bearer "):
        return _reply(start_response, "401 Unauthorized", b'{"code":"unauthorized"}')
    conn = _connection()
    key_hash = hashlib.sha256(auth[7:].encode()).hexdigest()
    user = conn.execute(TOKEN_SQL, (key_hash,)).fetchone()
    if user is None:
        return _reply(start_response, "401 Unauthorized", b'{"code":"unauthorized"}')
    if user[2] not in ("admin", "analyst"):
        return _reply(start_response, "403 Forbidden", b'{"code":"forbidden"}')
    person_id = int(match.group(1))
    row = conn.execute(PERSON_SQL, (user[1], person_id)).fetchone()
    if row is None:
        return _reply(start_response, "404 Not Found", b'{"code":"not_found"}')
    data = dict(zip(PERSON_KEYS, row, strict=True))
    data["emails"] = [r[0] for r in conn.execute(EMAILS_SQL, (person_id,))]
    data["phones"] = [r[0] for r in conn.execute(PHONES_SQL, (person_id,))]
    data["organizations"] = [
        dict(zip(ORG_KEYS, r, strict=True)) for r in conn.execute(ORGS_SQL, (person_id,))
    ]
    data["timeline"] = [
        dict(zip(TIMELINE_KEYS, r, strict=True)) for r in conn.execute(TIMELINE_SQL, (person_id,))
    ]
    data["open_tasks"] = [
        dict(zip(TASK_KEYS, r, strict=True)) for r in conn.execute(TASKS_SQL, (person_id,))
    ]
    return _reply(start_response, "200 OK", orjson.dumps(data))

"""The Django test client calling /api/v1/ with a bearer token from token_create."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from klient.core.models import User
from klient.core.services import token_create

PREFIX = "/api/v1"


class ApiClient:
    """Calls /api/v1/... as one user; bodies go out as JSON."""

    def __init__(self, user: User | None, token: str | None = None) -> None:
        self.client = Client()
        self.user = user
        secret = token if token is not None else (token_create(user=user) if user else None)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(PREFIX + path, params, **self.headers)

    def post(self, path: str, body: Any = None, *, raw: bytes | str | None = None) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(
            PREFIX + path, data=data, content_type="application/json", **self.headers
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            PREFIX + path, data=json.dumps(body), content_type="application/json", **self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(PREFIX + path, **self.headers)


def walk(api: ApiClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a cursor-paginated list, following next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = api.get(path, **query)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items

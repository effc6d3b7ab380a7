"""Fixtures of the API tests: a client per user, and an anonymous one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from klient.core.models import User
from tests.api.client import ApiClient


@pytest.fixture
def api_as() -> Callable[[User], ApiClient]:
    return ApiClient


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)

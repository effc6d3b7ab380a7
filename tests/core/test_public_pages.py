"""The shell of public pages: stricter headers, the link's language, nothing of a
signed-in user. Served by a test-only URLconf: Klient has no public page of its own."""

from datetime import timedelta

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone, translation

from klient.core.middleware import CONTENT_SECURITY_POLICY
from klient.core.public_links import public_link_create, public_link_resolve
from klient.core.public_views import public_page, public_render
from klient.core.throttle import client_address

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PUBLIC_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)


@public_page
def link_page(request: HttpRequest, token: str) -> HttpResponse:
    link = public_link_resolve(token=token, purpose="test.page", request_ip=client_address(request))
    return public_render(request, link=link, template="klient/public_base.html")


urlpatterns = [path("p/<str:token>/", link_page)]


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


def make(workspace, language=""):
    return public_link_create(
        workspace_id=workspace.pk,
        purpose="test.page",
        target=("sales.quote", 1),
        expires_at=timezone.now() + timedelta(days=1),
        language=language,
    )[1]


def test_a_public_page_carries_the_public_headers(workspace):
    response = Client().get(f"/p/{make(workspace)}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == PUBLIC_POLICY
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"


def test_the_public_policy_is_stricter_than_the_agents_pages():
    agents = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    public = dict(part.split(" ", 1) for part in PUBLIC_POLICY.split("; "))
    assert (agents["default-src"], public["default-src"]) == ("'self'", "'none'")
    assert (agents["img-src"], public["img-src"]) == ("'self' data:", "'self'")


def test_a_public_page_is_in_the_links_language_not_the_browsers(workspace):
    response = Client(HTTP_ACCEPT_LANGUAGE="ru").get(f"/p/{make(workspace, 'bg')}/")
    html = response.content.decode()
    assert '<html lang="bg">' in html
    assert "Към съдържанието" in html  # "Skip to content"


def test_a_link_without_a_language_speaks_its_workspaces(workspace):
    workspace.default_language = "ru"
    workspace.save()
    response = Client(HTTP_ACCEPT_LANGUAGE="bg").get(f"/p/{make(workspace)}/")
    assert '<html lang="ru">' in response.content.decode()


def test_a_public_page_shows_the_workspace_and_nothing_of_a_signed_in_user(workspace, agent_a):
    workspace.name = "Northwind Freight"
    workspace.save()
    client = Client()
    client.force_login(agent_a)
    html = client.get(f"/p/{make(workspace)}/").content.decode()
    assert "<title> · Northwind Freight</title>" in html
    assert "agent_a" not in html
    assert agent_a.last_name not in html
    assert 'class="mainnav"' not in html
    assert "bell" not in html


def test_a_link_that_cannot_be_opened_gets_the_public_error_page(workspace):
    response = Client().get("/p/not-a-link/")
    html = response.content.decode()
    assert response.status_code == 404
    assert response["Content-Security-Policy"] == PUBLIC_POLICY
    assert response["Cache-Control"] == "no-store"
    assert "<h1>This link cannot be opened. It may have expired or already been used: " in html
    assert "Back to clients" not in html


def test_a_locked_address_is_told_when_to_come_back(workspace, settings):
    settings.KLIENT_PUBLIC_LINK_ADDRESS_FAILURE_LIMIT = 2
    settings.KLIENT_LOGIN_COOLOFF_MINUTES = 15
    client = Client()
    client.get("/p/guess-1/")
    response = client.get("/p/guess-2/")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response["X-Robots-Tag"] == "noindex, nofollow"

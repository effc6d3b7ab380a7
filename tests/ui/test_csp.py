"""Content-Security-Policy: on every HTML page, and templates that need nothing inline."""

import re
from pathlib import Path

import pytest

import klient

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)
TEMPLATES = sorted(Path(klient.__file__).parent.rglob("templates/**/*.html"))
INLINE = {
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE
    ),
    "event-handler attribute": re.compile(r"\s(?:hx-)?on[:a-z-]+\s*=\s*[\"']", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_the_sign_in_page_carries_the_policy(client, db):
    response = client.get("/accounts/login/")
    assert response["Content-Security-Policy"] == POLICY


def test_a_signed_in_page_carries_the_policy(client_for, agent_a):
    response = client_for(agent_a).get("/")
    assert response["Content-Security-Policy"] == POLICY


def test_an_htmx_fragment_carries_the_policy(client_for, agent_a):
    response = client_for(agent_a).get("/clients/", {"q": "x"}, HTTP_HX_REQUEST="true")
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == POLICY


def test_json_responses_carry_none(client_for, agent_a):
    response = client_for(agent_a).get("/api/v1/me")
    assert "Content-Security-Policy" not in response


def test_the_500_page_takes_its_styles_from_a_file(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert '<link rel="stylesheet" href="/static/klient/error.css">' in html


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda path: str(path.relative_to(path.parents[2]))
)
def test_templates_need_nothing_the_policy_blocks(template):
    text = template.read_text()
    found = [name for name, pattern in INLINE.items() if pattern.search(text)]
    assert found == []

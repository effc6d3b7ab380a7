"""The client address used for throttling: X-Forwarded-For only from a trusted proxy."""

import pytest
from django.test import RequestFactory

from klient.core.throttle import client_address

PROXY = "192.0.2.10"
CLIENT = "203.0.113.7"


@pytest.fixture
def request_from():
    def make(remote, forwarded=None):
        headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)

    return make


def test_without_a_trusted_proxy_the_header_is_ignored(settings, request_from):
    settings.KLIENT_TRUSTED_PROXY = []
    assert client_address(request_from(PROXY, CLIENT)) == PROXY


def test_a_request_from_the_trusted_proxy_gives_the_forwarded_client(settings, request_from):
    settings.KLIENT_TRUSTED_PROXY = [PROXY]
    assert client_address(request_from(PROXY, CLIENT)) == CLIENT


def test_a_request_from_elsewhere_cannot_choose_its_address(settings, request_from):
    settings.KLIENT_TRUSTED_PROXY = [PROXY]
    assert client_address(request_from("198.51.100.20", CLIENT)) == "198.51.100.20"


def test_an_address_the_client_wrote_before_the_proxys_is_ignored(settings, request_from):
    """nginx appends the address it saw; whatever the client sent stays to its left."""
    settings.KLIENT_TRUSTED_PROXY = ["192.0.2.0/24"]
    request = request_from(PROXY, f"1.2.3.4, {CLIENT}, 192.0.2.11")
    assert client_address(request) == CLIENT


def test_a_forwarded_value_that_is_no_address_falls_back_to_the_proxy(settings, request_from):
    settings.KLIENT_TRUSTED_PROXY = [PROXY]
    assert client_address(request_from(PROXY, "not-an-address")) == PROXY


def test_ipv6_proxies_and_clients(settings, request_from):
    settings.KLIENT_TRUSTED_PROXY = ["::1"]
    assert client_address(request_from("::1", "2001:db8::5")) == "2001:db8::5"

"""The guard refuses, before any connection, every address that is not a public http(s)
one, whatever form it is written in; the allowlist opens only what it names."""

from __future__ import annotations

import socket

import pytest

from klient.webhooks.errors import TargetRefused
from klient.webhooks.guard import Target, target_check


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://127.0.0.1:8000/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "http://2130706433/hook",  # 127.0.0.1 written as one number
        "http://0x7f.1/hook",
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
        "http://localhost/hook",
        "https://LocalHost:8443/hook",
    ],
)
def test_private_loopback_and_link_local_targets_are_refused_before_any_connection(
    url, no_connections
):
    with pytest.raises(TargetRefused) as refused:
        target_check(url)

    assert set(refused.value.fields) == {"url"}
    assert "not a public address" in str(refused.value.fields["url"])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "Only http and https addresses can receive webhooks."),
        ("gopher://93.184.216.34/", "Only http and https addresses can receive webhooks."),
        ("ftp://93.184.216.34/", "Only http and https addresses can receive webhooks."),
        (
            "https://user:secret@93.184.216.34/hook",
            "The address must not contain a user name or password.",
        ),
        (
            "https://user@93.184.216.34/hook",
            "The address must not contain a user name or password.",
        ),
        ("https:///hook", "Enter a full address such as https://example.com/hooks/klient."),
        (
            "https://93.184.216.34:99999/",
            "Enter a full address such as https://example.com/hooks/klient.",
        ),
        (
            "https://93.184.216.34/a b",
            "Enter a full address such as https://example.com/hooks/klient.",
        ),
    ],
)
def test_other_schemes_credentials_and_broken_addresses_are_refused(url, reason, no_connections):
    with pytest.raises(TargetRefused) as refused:
        target_check(url)

    assert refused.value.fields == {"url": reason}


def test_a_name_is_refused_if_any_of_its_addresses_is_private(monkeypatch, no_connections):
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.10", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)

    with pytest.raises(TargetRefused) as refused:
        target_check("https://hooks.example.com/in")

    assert refused.value.fields["url"] == (
        "hooks.example.com resolves to 192.168.1.10, which is not a public address: "
        "webhooks go to public addresses only."
    )


def test_a_name_that_does_not_resolve_is_refused(monkeypatch, no_connections):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)

    with pytest.raises(TargetRefused) as refused:
        target_check("https://nowhere.example/in")

    assert refused.value.fields == {"url": "The host name nowhere.example could not be resolved."}


def test_a_public_address_is_accepted_with_what_the_request_needs(no_connections):
    target = target_check("https://93.184.216.34/hooks/in?x=1#part")

    assert target == Target(
        scheme="https",
        host="93.184.216.34",
        port=443,
        path="/hooks/in?x=1",
        addresses=("93.184.216.34",),
    )


def test_a_non_latin_name_is_resolved_and_sent_in_its_ascii_form(monkeypatch, no_connections):
    asked = []

    def resolve(host, port, **kwargs):
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    target = target_check("http://пример.рф:8080/")

    assert asked == ["xn--e1afmkfd.xn--p1ai"]
    assert (target.host, target.port, target.path) == ("xn--e1afmkfd.xn--p1ai", 8080, "/")


def test_the_allowlist_opens_the_networks_it_names(settings, no_connections):
    settings.KLIENT_WEBHOOK_ALLOW_PRIVATE = ["127.0.0.0/8"]

    assert target_check("http://127.0.0.1:8000/").addresses == ("127.0.0.1",)
    with pytest.raises(TargetRefused):
        target_check("http://10.0.0.1/")


def test_the_allowlist_may_be_one_comma_separated_text(settings, no_connections):
    settings.KLIENT_WEBHOOK_ALLOW_PRIVATE = "10.1.0.0/16, 127.0.0.1/32"

    assert target_check("http://10.1.2.3/").addresses == ("10.1.2.3",)
    assert target_check("http://127.0.0.1/").addresses == ("127.0.0.1",)

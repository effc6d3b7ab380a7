"""HTTPS deployments: `check --deploy` is clean once the KLIENT_* switches are set, and the
settings they turn on are the ones a TLS proxy deployment needs."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run_python(home: Path, code: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
    return subprocess.run(
        [sys.executable, *code],
        capture_output=True,
        text=True,
        env={**clean, "KLIENT_HOME": str(home), "DJANGO_SETTINGS_MODULE": "klient.settings", **env},
        timeout=120,
    )


def deploy_warnings(home: Path, **env: str) -> list[str]:
    result = run_python(home, ["-m", "django", "check", "--deploy"], **env)
    return sorted(set(re.findall(r"\(security\.(W\d+)\)", result.stdout + result.stderr)))


def settings_of(home: Path, names: list[str], **env: str) -> list[str]:
    script = "import django; django.setup(); from django.conf import settings; " + "; ".join(
        f"print(repr(getattr(settings, {name!r}, None)))" for name in names
    )
    return run_python(home, ["-c", script], **env).stdout.splitlines()


def test_without_the_switches_deploy_check_names_the_four_https_warnings(tmp_path):
    assert deploy_warnings(tmp_path) == ["W004", "W008", "W012", "W016"]


def test_klient_https_leaves_only_the_domain_wide_hsts_choices(tmp_path):
    """Subdomains and preloading bind every site of the domain: the operator opts in."""
    assert deploy_warnings(tmp_path, KLIENT_HTTPS="1") == ["W005", "W021"]


def test_klient_https_with_the_domain_wide_choices_is_clean(tmp_path):
    warnings = deploy_warnings(
        tmp_path, KLIENT_HTTPS="1", KLIENT_HSTS_INCLUDE_SUBDOMAINS="1", KLIENT_HSTS_PRELOAD="1"
    )
    assert warnings == []


def test_behind_a_proxy_that_redirects_itself(tmp_path):
    values = settings_of(
        tmp_path,
        ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "SECURE_HSTS_SECONDS"],
        KLIENT_HTTPS="1",
        KLIENT_SSL_REDIRECT="0",
        KLIENT_HSTS_SECONDS="600",
    )
    assert values == ["False", "True", "600"]


def test_proxy_header_trusted_proxies_and_csrf_origins(tmp_path):
    values = settings_of(
        tmp_path,
        ["SECURE_PROXY_SSL_HEADER", "KLIENT_TRUSTED_PROXY", "CSRF_TRUSTED_ORIGINS"],
        KLIENT_PROXY_SSL_HEADER="X-Forwarded-Proto",
        KLIENT_TRUSTED_PROXY="127.0.0.1, 192.0.2.0/24",
        KLIENT_CSRF_TRUSTED_ORIGINS="https://crm.example.org,https://klient.example.org",
    )
    assert values == [
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "['127.0.0.1', '192.0.2.0/24']",
        "['https://crm.example.org', 'https://klient.example.org']",
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, {key.lower(): value for key, value in response.getheaders()}
    finally:
        connection.close()


@pytest.fixture(scope="module")
def migrated_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("serve")
    result = run_python(home, ["-m", "klient.cli", "migrate"])
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture
def serve(migrated_home):
    """`klient serve` on a loopback port with the given environment; stopped afterwards."""
    started: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> int:
        port = _free_port()
        clean = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
        command = ["serve", "--no-migrate", "--port", str(port), "--workers", "1"]
        process = subprocess.Popen(
            [sys.executable, "-m", "klient.cli", *command],
            env={**clean, "KLIENT_HOME": str(migrated_home), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        for _ in range(300):  # up to 30 s for gunicorn's start
            try:
                _get(port, "/api/v1/health", {})
                return port
            except OSError:
                time.sleep(0.1)
        raise AssertionError("klient serve did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def test_serve_behind_the_trusted_proxy_takes_its_word_for_https(serve):
    port = serve(KLIENT_HTTPS="1", KLIENT_TRUSTED_PROXY="127.0.0.1")
    status, headers = _get(port, "/api/v1/health", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000"


def test_serve_redirects_plain_http_to_https(serve):
    port = serve(KLIENT_HTTPS="1", KLIENT_TRUSTED_PROXY="127.0.0.1")
    status, headers = _get(port, "/api/v1/health", {"Host": "localhost"})
    assert (status, headers["location"]) == (301, "https://localhost/api/v1/health")


def test_serve_ignores_the_https_header_from_an_untrusted_address(serve):
    port = serve(KLIENT_HTTPS="1", KLIENT_TRUSTED_PROXY="192.0.2.1")
    status, _headers = _get(port, "/api/v1/health", {"X-Forwarded-Proto": "https"})
    assert status == 301

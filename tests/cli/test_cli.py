"""The `klient` command, run as a user runs it: a subprocess with its own KLIENT_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLIENT_")}
    env.update(KLIENT_HOME=str(home), **extra)
    return env


def klient(home: Path, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "klient.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(home, **extra),
        timeout=300,
    )


def test_help_lists_every_command(tmp_path):
    result = klient(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "migrate", "createuser", "token", "worker", "import"):
        assert command in result.stdout


def test_createuser_reads_password_from_stdin_and_token_create_prints_a_token(tmp_path):
    assert klient(tmp_path, "migrate").returncode == 0

    created = klient(
        tmp_path, "createuser", "--username", "olga", "--role", "manager", stdin="s3cret-Passw0rd\n"
    )
    token = klient(tmp_path, "token", "create", "--username", "olga")

    assert created.returncode == 0, created.stderr
    assert "created user olga (manager)" in created.stdout
    assert "password:" not in created.stdout
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("kl_")


def test_createuser_generates_a_password_when_none_is_given(tmp_path):
    klient(tmp_path, "migrate")
    result = klient(tmp_path, "createuser", "--username", "ivan", "--role", "agent")
    assert result.returncode == 0, result.stderr
    assert "password: " in result.stdout


def test_errors_are_one_clear_line_and_a_non_zero_exit(tmp_path):
    klient(tmp_path, "migrate")
    unknown_user = klient(tmp_path, "token", "create", "--username", "nobody")
    klient(tmp_path, "createuser", "--username", "ivan", "--role", "agent")
    duplicate = klient(tmp_path, "createuser", "--username", "ivan", "--role", "agent")
    bad_role = klient(tmp_path, "createuser", "--username", "x", "--role", "king")

    assert unknown_user.returncode == 1
    assert unknown_user.stderr.strip() == "klient: error: no user 'nobody'"
    assert duplicate.returncode == 1
    assert duplicate.stderr.strip().startswith("klient: error: A user with this username")
    assert len(duplicate.stderr.strip().splitlines()) == 1
    assert bad_role.returncode == 2  # argparse rejects the choice


def test_worker_runs_a_queued_mention_notification(tmp_path):
    """A real huey consumer (`klient worker`) picks up the durable job a comment queued."""
    env_extra = {}
    if redis_url := os.environ.get("KLIENT_TEST_REDIS_URL"):
        env_extra["KLIENT_REDIS_URL"] = redis_url
    assert klient(tmp_path, "migrate", **env_extra).returncode == 0
    script = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from klient.core.services import workspace_create, user_create
from klient.contacts.services import person_create
from klient.activities.services import interaction_create, comment_create
ws = workspace_create(name="W")
a = user_create(workspace=ws, username="a", role="admin", password="x-Passw0rd-1")
b = user_create(workspace=ws, username="b", role="agent", password="x-Passw0rd-1")
p = person_create(actor=a, last_name="Client", owner_id=b.pk)  # b must see it to be told
i = interaction_create(actor=a, kind="call", person=p)
comment_create(actor=a, interaction=i, body="@b please call back")
"""
    queued = subprocess.run(
        [sys.executable, "-c", script],
        env=_env(tmp_path, **env_extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert queued.returncode == 0, queued.stderr
    worker = subprocess.Popen(
        [sys.executable, "-m", "klient.cli", "worker"],
        env=_env(tmp_path, **env_extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    check = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "klient.settings"
django.setup()
from klient.core.models import OutboxJob
from klient.notifications.models import Notification
print(Notification.objects.filter(recipient__username="b", kind="mention").count(),
      OutboxJob.objects.filter(status="done").count())
"""
    try:
        deadline = time.monotonic() + 60
        counts = ""
        while time.monotonic() < deadline:
            counts = subprocess.run(
                [sys.executable, "-c", check],
                env=_env(tmp_path, **env_extra),
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout.strip()
            if counts == "1 1":
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert counts == "1 1"

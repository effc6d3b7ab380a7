"""Fixtures of the sales tests: the real SMTP server of the notifications tests."""

from tests.notifications.conftest import smtp, smtp_down  # noqa: F401

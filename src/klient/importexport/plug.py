"""What import/export registers with the platform (klient.core.registry)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.core.models import User
from klient.core.registry import NavItem, nav_items


def _transfer_url(user: User) -> str:
    # Read-only roles can only export.
    return reverse("importexport:import_new" if user.can_write else "importexport:export")


def plug() -> None:
    nav_items.register(
        NavItem(
            key="importexport",
            label=_("Import & export"),
            url=_transfer_url,
            icon="i-transfer",
            section="importexport",
            order=40,
        )
    )

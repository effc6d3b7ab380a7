"""What the roles may do with clients (klient.core.capabilities)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.capabilities import WRITERS, Capability, capabilities


def capabilities_register() -> None:
    for capability in (
        Capability("contacts.write", _("Create and change clients"), WRITERS, 100),
        Capability("contacts.delete", _("Delete clients"), WRITERS, 110),
        Capability("contacts.merge", _("Merge duplicate clients"), WRITERS, 120),
        Capability("contacts.lists", _("Create and change lists and segments"), WRITERS, 130),
    ):
        capabilities.register(capability)

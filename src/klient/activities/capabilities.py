"""What the roles may do on timelines and tasks (klient.core.capabilities)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.capabilities import LEADS, WRITERS, Capability, capabilities


def capabilities_register() -> None:
    for capability in (
        Capability("activities.log", _("Log interactions, comment, add tasks"), WRITERS, 200),
        Capability("activities.edit_any", _("Change or delete colleagues' entries"), LEADS, 210),
    ):
        capabilities.register(capability)

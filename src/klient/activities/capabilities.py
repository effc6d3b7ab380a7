"""What the roles may do on timelines and tasks (klient.core.capabilities)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.capabilities import ADMIN, ANALYST, LEADS, WRITERS, Capability, capabilities

# Who sees every task: administrators, and analysts, who read everything and write nothing.
READ_ALL = frozenset({ADMIN, ANALYST})


def capabilities_register() -> None:
    for capability in (
        Capability("activities.log", _("Log interactions, comment, add tasks"), WRITERS, 200),
        Capability("activities.edit_any", _("Change or delete colleagues' entries"), LEADS, 210),
        Capability("activities.tasks_team", _("See the tasks of their teams"), LEADS, 220),
        Capability("activities.tasks_all", _("See every task of the workspace"), READ_ALL, 230),
    ):
        capabilities.register(capability)

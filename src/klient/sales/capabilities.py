"""What the roles may do in sales (klient.core.capabilities)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.capabilities import ADMINS, WRITERS, Capability, capabilities


def capabilities_register() -> None:
    for capability in (
        Capability("deal.create", _("Create and change deals"), WRITERS, 300),
        Capability("deal.move", _("Move deals between stages"), WRITERS, 310),
        Capability("pipeline.manage", _("Set up pipelines, stages and lost reasons"), ADMINS, 320),
    ):
        capabilities.register(capability)

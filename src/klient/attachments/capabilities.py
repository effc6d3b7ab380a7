"""What the roles may do with attached files (klient.core.capabilities). Reading follows
the record: whoever may see a record may see and download its files."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.capabilities import LEADS, WRITERS, Capability, capabilities


def capabilities_register() -> None:
    for capability in (
        Capability("attachment.add", _("Attach files to records"), WRITERS, 300),
        Capability("attachment.delete", _("Delete files one attached"), WRITERS, 310),
        Capability("attachment.delete_any", _("Delete colleagues' files"), LEADS, 320),
    ):
        capabilities.register(capability)

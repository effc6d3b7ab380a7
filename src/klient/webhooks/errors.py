"""Domain errors of webhooks (API: typed JSON; pages: a message in the user's language)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.errors import ValidationFailed


class TargetRefused(ValidationFailed):
    """The address may not receive webhooks (not http(s), credentials in it, or a name
    resolving to a private, loopback, link-local or otherwise non-public address).
    Raised before any connection is made; `fields` names the `url`."""

    code = "target_refused"
    default_message = _("Webhooks can only be sent to public http or https addresses.")

    def __init__(self, reason: object) -> None:
        super().__init__(fields={"url": reason})
        self.reason = str(reason)

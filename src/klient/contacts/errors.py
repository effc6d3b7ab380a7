from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.errors import Conflict, ValidationFailed


class InvalidContactData(ValidationFailed):
    code = "invalid_contact_data"


class MergeNotAllowed(Conflict):
    code = "merge_not_allowed"
    default_message = _("These records cannot be merged.")

"""How the dossier's audit events read on the audit log (klient.core.audit_words).

Russian sentences put the actor before a colon and let the participle agree with the
record's noun ("изменён контакт", "создана организация"), never with the actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from klient.contacts.models import Affiliation, SavedList
from klient.core.audit_words import COUNT, LIST, AuditField, AuditSubject, audit_words_register
from klient.core.registry import RecordRef, client_records
from klient.core.templatetags.klient_ui import phone

PERSON = "contacts.person"
ORGANIZATION = "contacts.organization"
SAVED_LIST = "contacts.savedlist"


def _affiliation_role(value: Any) -> str:
    return str(dict(Affiliation.Role.choices).get(value, value))


def _phones(value: Any) -> str:
    numbers = value if isinstance(value, list) else [value]
    return ", ".join(phone(str(number)) for number in numbers)


def _handlers(value: Any) -> str:
    """Keys of client-records handlers (personal-data export and erasure), by label."""
    keys = value if isinstance(value, list) else [value]
    return ", ".join(
        str(client_records.get(key).label) if key in client_records else str(key) for key in keys
    )


def _lists_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    # Named without a link: a private list opens only for its owner.
    rows = SavedList.objects.filter(pk__in=list(ids)).values_list("pk", "name")
    return {pk: RecordRef(SAVED_LIST, pk, name, "") for pk, name in rows}


_CLIENT_FIELDS = {
    "emails": AuditField(_("emails"), LIST),
    "phones": AuditField(_("phones"), _phones),
    "phone": AuditField(_("phone"), _phones),
    "tags": AuditField(_("tags"), LIST),
}


def register() -> None:
    audit_words_register(
        subject=AuditSubject(
            key=PERSON,
            fields={
                **_CLIENT_FIELDS,
                "organization": AuditField(_("organization"), ORGANIZATION),
                "role": AuditField(_("role"), _affiliation_role),
                "consent": AuditField(_("consent")),
                "merged_from": AuditField(_("merged from"), PERSON),
                "merged_into": AuditField(_("merged into"), PERSON),
                "moved": AuditField(_("moved records")),
                # Written by core.personal_data: the export's sections, the erasure's.
                "sections": AuditField(_("sections"), _handlers),
                "files": AuditField(_("files")),
                "handlers": AuditField(_("erased in"), _handlers),
                "reason": AuditField(_("reason")),
            },
        ),
        actions=[
            ("person.create", _("Person created"), _("%(actor)s created person %(record)s")),
            (
                "person.update",
                _("Person changed"),
                _("%(actor)s changed %(fields)s of person %(record)s"),
            ),
            ("person.delete", _("Person deleted"), _("%(actor)s deleted person %(record)s")),
            (
                "person.merge",
                _("Duplicate merged in"),
                _("%(actor)s merged duplicate %(merged_from)s into person %(record)s"),
            ),
            (
                "person.merged_into",
                _("Merged into another person"),
                _("%(actor)s merged person %(record)s into %(merged_into)s"),
            ),
            (
                "affiliation.set",
                _("Person linked to an organization"),
                _("%(actor)s linked person %(record)s to %(organization)s as %(role)s"),
            ),
            (
                "affiliation.remove",
                _("Person unlinked from an organization"),
                _("%(actor)s unlinked person %(record)s from %(organization)s"),
            ),
            (
                "consent.grant",
                _("Consent recorded"),
                _("%(actor)s recorded consent %(consent)s of person %(record)s"),
            ),
            (
                "consent.withdraw",
                _("Consent withdrawn"),
                _("%(actor)s recorded the withdrawal of consent %(consent)s of person %(record)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(key=ORGANIZATION, fields=_CLIENT_FIELDS),
        actions=[
            (
                "organization.create",
                _("Organization created"),
                _("%(actor)s created organization %(record)s"),
            ),
            (
                "organization.update",
                _("Organization changed"),
                _("%(actor)s changed %(fields)s of organization %(record)s"),
            ),
            (
                "organization.delete",
                _("Organization deleted"),
                _("%(actor)s deleted organization %(record)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key=SAVED_LIST,
            label=_("Saved list"),
            fields={"members": AuditField(_("people"), COUNT), "filters": AuditField(_("filter"))},
            describe=_lists_describe,
        ),
        actions=[
            ("saved_list.create", _("List created"), _("%(actor)s created list %(record)s")),
            (
                "saved_list.add",
                _("People added to a list"),
                _("%(actor)s added people to list %(record)s: %(members)s"),
            ),
            (
                "saved_list.remove",
                _("People removed from a list"),
                _("%(actor)s removed people from list %(record)s: %(members)s"),
            ),
            (
                "saved_list.update",
                _("List changed"),
                _("%(actor)s changed %(fields)s of list %(record)s"),
            ),
            ("saved_list.delete", _("List deleted"), _("%(actor)s deleted list “%(name)s”")),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="contacts.listpreference",
            label=_("List columns"),
            fields={"columns": AuditField(_("columns"), LIST)},
        ),
        actions=[
            (
                "list_preference.set",
                _("List columns chosen"),
                _("%(actor)s chose the columns of a list: %(columns)s"),
            ),
        ],
    )

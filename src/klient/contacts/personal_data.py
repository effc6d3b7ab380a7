"""The person record itself, for the personal-data export and erasure (docs/personal-data.md).

Erasure pseudonymises the person: the row stays (deals, requests and the audit log point
at it by id), named "Erased client #id" in the workspace's language, with nothing else
personal left: no first, middle or last name, job title, segment, preferences, emails,
phones, organization links, consents, tags or list memberships, and an empty search
text (the search index follows the column). Owner, team, lifecycle stage and dates stay:
they are the company's, not the client's. People merged into this one (kept as
`merged_into` rows) are erased with it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.contacts.models import (
    Affiliation,
    Consent,
    EmailAddress,
    Person,
    PhoneNumber,
    SavedList,
)
from klient.core.audit_personal import PersonalAuditKind, personal_audit_kinds
from klient.core.models import Workspace
from klient.core.personal_data import audit_personal_values_erase
from klient.core.registry import ClientRecordsHandler, PersonalDataSection, client_records

PERSON = "contacts.person"

# Changed fields of a person's audit events that are the company's, not the client's.
AUDIT_CLEAR_FIELDS = frozenset(
    {
        "owner_id",
        "team_id",
        "lifecycle_stage",
        "organization",
        "role",
        "merged_from",
        "merged_into",
        "moved",
    }
)


def person_with_merged_ids(person_id: int) -> list[int]:
    """The person and everyone merged into them, however many merges deep."""
    ids = [person_id]
    frontier = [person_id]
    while frontier:
        frontier = [
            pk
            for pk in Person.objects.filter(merged_into_id__in=frontier).values_list(
                "pk", flat=True
            )
            if pk not in ids
        ]
        ids += frontier
    return ids


def erased_name(*, workspace_id: int, person_id: int) -> str:
    """The placeholder an erased person is named by, in the workspace's language."""
    language = (
        Workspace.objects.filter(pk=workspace_id).values_list("default_language", flat=True).first()
    )
    with translation.override(language or None):
        return _("Erased client #%(id)s") % {"id": person_id}


def _person_row(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "title": person.title,
        "lifecycle_stage": person.lifecycle_stage,
        "segment": person.segment,
        "preferred_channel": person.preferred_channel,
        "preferred_language": person.preferred_language,
        "owner": person.owner.display_name if person.owner else None,
        "team": person.team.name if person.team else None,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


def person_export(subject: str, record_id: int) -> PersonalDataSection | None:
    """The person's card: names, channels, organizations, consents, tags, lists; and the
    records merged into it, as they were kept."""
    if subject != PERSON:
        return None
    ids = person_with_merged_ids(record_id)
    people = {
        person.pk: person
        for person in Person.objects.filter(pk__in=ids).select_related("owner", "team")
    }
    if record_id not in people:
        return None
    emails: dict[int, list[str]] = {}
    for person_id, email in (
        EmailAddress.objects.filter(person_id__in=ids)
        .order_by("-is_primary", "pk")
        .values_list("person_id", "email")
    ):
        emails.setdefault(person_id, []).append(email)
    phones: dict[int, list[str]] = {}
    for person_id, number in (
        PhoneNumber.objects.filter(person_id__in=ids)
        .order_by("-is_primary", "pk")
        .values_list("person_id", "number")
    ):
        phones.setdefault(person_id, []).append(number)
    organizations: dict[int, list[dict[str, Any]]] = {}
    for link in Affiliation.objects.filter(person_id__in=ids).select_related("organization"):
        organizations.setdefault(link.person_id, []).append(
            {
                "organization": link.organization.name,
                "role": link.role,
                "job_title": link.job_title,
                "is_primary": link.is_primary,
            }
        )
    consents: dict[int, list[dict[str, Any]]] = {}
    for consent in Consent.objects.filter(person_id__in=ids).order_by("granted_at", "pk"):
        consents.setdefault(consent.person_id, []).append(
            {
                "purpose": consent.purpose,
                "channel": consent.channel,
                "source": consent.source,
                "granted_at": consent.granted_at,
                "withdrawn_at": consent.withdrawn_at,
            }
        )
    tags: dict[int, list[str]] = {}
    for person_id, name in Person.tags.through.objects.filter(person_id__in=ids).values_list(
        "person_id", "tag__name"
    ):
        tags.setdefault(person_id, []).append(name)
    lists: dict[int, list[str]] = {}
    for person_id, name in SavedList.members.through.objects.filter(person_id__in=ids).values_list(
        "person_id", "savedlist__name"
    ):
        lists.setdefault(person_id, []).append(name)
    rows = []
    for person_id in ids:
        person = people.get(person_id)
        if person is None:
            continue
        rows.append(
            {
                "record": "person" if person_id == record_id else "merged_duplicate",
                **_person_row(person),
                "emails": emails.get(person_id, []),
                "phones": phones.get(person_id, []),
                "organizations": organizations.get(person_id, []),
                "consents": consents.get(person_id, []),
                "tags": sorted(tags.get(person_id, [])),
                "lists": sorted(lists.get(person_id, [])),
            }
        )
    return PersonalDataSection(label=gettext_lazy("Client card"), rows=rows)


def person_erase(subject: str, record_id: int) -> None:
    """Pseudonymise the person and the people merged into them (see the module's doc)."""
    if subject != PERSON:
        return
    ids = person_with_merged_ids(record_id)
    people = list(Person.objects.filter(pk__in=ids).values_list("pk", "workspace_id"))
    if not people:
        return
    EmailAddress.objects.filter(person_id__in=ids).delete()
    PhoneNumber.objects.filter(person_id__in=ids).delete()
    Affiliation.objects.filter(person_id__in=ids).delete()
    Consent.objects.filter(person_id__in=ids).delete()
    Person.tags.through.objects.filter(person_id__in=ids).delete()
    SavedList.members.through.objects.filter(person_id__in=ids).delete()
    for person_id, workspace_id in people:
        name = erased_name(workspace_id=workspace_id, person_id=person_id)
        # An update, not a save: the search index's trigger follows `search_text`.
        Person.objects.filter(pk=person_id).update(
            first_name="",
            middle_name="",
            last_name=name,
            full_name=name,
            title="",
            segment="",
            preferred_channel="",
            preferred_language="",
            primary_email="",
            primary_phone="",
            search_text="",
            updated_at=timezone.now(),  # lists and API readers that follow changes see it
        )
    audit_personal_values_erase(
        workspace_id=people[0][1], subject_kind=PERSON, subject_ids=[pk for pk, _ws in people]
    )


def _person_count(subject: str, record_id: int) -> int:
    return 1 if subject == PERSON and Person.objects.filter(pk=record_id).exists() else 0


def personal_data_register() -> None:
    """The person record's export and erase, last (after the apps holding records about
    it), and which of its audit values are personal."""
    client_records.register(
        ClientRecordsHandler(
            key=PERSON,
            label=gettext_lazy("Client card"),
            count=_person_count,
            erase=person_erase,
            export=person_export,
            protects=False,
            order=900,
        )
    )
    personal_audit_kinds.register(PersonalAuditKind(key=PERSON, clear_fields=AUDIT_CLEAR_FIELDS))

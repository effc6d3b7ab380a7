"""Writes to the client dossier. Every write is one transaction and one audit event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.contacts.errors import InvalidContactData, MergeNotAllowed, PossibleDuplicates
from klient.contacts.events import person_deleting, person_merged
from klient.contacts.models import (
    Affiliation,
    Channel,
    Consent,
    EmailAddress,
    LifecycleStage,
    Organization,
    Person,
    PhoneNumber,
    SavedList,
    Tag,
)
from klient.contacts.normalize import (
    InvalidValue,
    email_normalize,
    full_name_join,
    organization_search_text_build,
    phone_to_e164,
    search_text_build,
)
from klient.contacts.search_refresh import people_of_organizations_refresh, people_refresh
from klient.contacts.selectors import organization_list, person_channel_matches, person_list
from klient.core.capabilities import require
from klient.core.errors import Conflict, NotFound
from klient.core.models import Team, User
from klient.core.registry import client_records_blocking
from klient.core.selectors import workspace_users
from klient.core.services import (
    actor_workspace_id,
    audit_record,
    model_apply_changes,
)

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "middle_name",
    "title",
    "lifecycle_stage",
    "segment",
    "preferred_channel",
    "preferred_language",
    "owner_id",
    "team_id",
)
ORGANIZATION_FIELDS = (
    "name",
    "legal_name",
    "tax_id",
    "website",
    "industry",
    "email",
    "phone",
    "address",
    "lifecycle_stage",
    "segment",
    "owner_id",
    "team_id",
)


def _region(actor: User) -> str:
    workspace = actor.workspace
    return workspace.default_region if workspace else "RU"


def emails_clean(values: Iterable[str]) -> list[str]:
    """Normalise and de-duplicate emails, keeping order; errors keyed by position."""
    cleaned: list[str] = []
    errors: dict[str, str] = {}
    for index, value in enumerate(values):
        if not (value or "").strip():
            continue
        try:
            email = email_normalize(value)
        except InvalidValue as exc:
            errors[f"emails[{index}]"] = str(exc)
            continue
        if email not in cleaned:
            cleaned.append(email)
    if errors:
        raise InvalidContactData(_("Some emails are invalid."), fields=errors)
    return cleaned


def phones_clean(values: Iterable[str], *, region: str) -> list[str]:
    cleaned: list[str] = []
    errors: dict[str, str] = {}
    for index, value in enumerate(values):
        if not (value or "").strip():
            continue
        try:
            phone = phone_to_e164(value, region=region)
        except InvalidValue as exc:
            errors[f"phones[{index}]"] = str(exc)
            continue
        if phone not in cleaned:
            cleaned.append(phone)
    if errors:
        raise InvalidContactData(_("Some phone numbers are invalid."), fields=errors)
    return cleaned


def channels_clean(
    *, emails: Iterable[str], phones: Iterable[str], region: str
) -> tuple[list[str], list[str]]:
    """Emails and phones cleaned together, so one error reports every bad value at once."""
    failures: list[InvalidContactData] = []
    clean_emails: list[str] = []
    clean_phones: list[str] = []
    try:
        clean_emails = emails_clean(emails)
    except InvalidContactData as exc:
        failures.append(exc)
    try:
        clean_phones = phones_clean(phones, region=region)
    except InvalidContactData as exc:
        failures.append(exc)
    if len(failures) == 1:
        raise failures[0]
    if failures:
        fields = {**failures[0].fields, **failures[1].fields}
        raise InvalidContactData(_("Some contact details are invalid."), fields=fields)
    return clean_emails, clean_phones


def _choice_check(field: str, value: Any, choices: Sequence[str]) -> None:
    if value not in ("", None) and value not in choices:
        raise InvalidContactData(fields={field: _("Unknown value “%(value)s”.") % {"value": value}})


def _validate_person(data: Mapping[str, Any]) -> None:
    if "lifecycle_stage" in data:
        _choice_check("lifecycle_stage", data["lifecycle_stage"], LifecycleStage.values)
    if "preferred_channel" in data:
        _choice_check("preferred_channel", data["preferred_channel"], Channel.values)


def _check_owner_team(actor: User, data: Mapping[str, Any]) -> None:
    """Owner and team must belong to the actor's workspace (no cross-workspace links)."""
    owner_id = data.get("owner_id")
    if owner_id and not workspace_users(user=actor).filter(pk=owner_id).exists():
        raise InvalidContactData(fields={"owner_id": _("Unknown user.")})
    team_id = data.get("team_id")
    if (
        team_id
        and not Team.objects.filter(pk=team_id, workspace_id=actor_workspace_id(actor)).exists()
    ):
        raise InvalidContactData(fields={"team_id": _("Unknown team.")})


def _default_team_id(user: User) -> int | None:
    return user.teams.values_list("pk", flat=True).order_by("pk").first()


def person_search_text_refresh(person: Person) -> None:
    # Primary first, then as added: without an order SQLite returns the unique index's
    # (alphabetical) order and primary_email would not be the primary email.
    emails = list(person.emails.order_by("-is_primary", "id").values_list("email", flat=True))
    phones = list(person.phones.order_by("-is_primary", "id").values_list("number", flat=True))
    # The order search_refresh rebuilds them in when an organization is renamed.
    organizations = list(
        person.affiliations.order_by("-is_primary", "id").values_list(
            "organization__name", flat=True
        )
    )
    person.full_name = full_name_join(
        first_name=person.first_name, last_name=person.last_name, middle_name=person.middle_name
    )
    person.primary_email = emails[0] if emails else ""
    person.primary_phone = phones[0] if phones else ""
    person.search_text = search_text_build(
        names=[person.full_name], emails=emails, phones=phones, organizations=organizations
    )
    Person.objects.filter(pk=person.pk).update(
        full_name=person.full_name,
        primary_email=person.primary_email,
        primary_phone=person.primary_phone,
        search_text=person.search_text,
    )


def _set_emails(person: Person, emails: list[str]) -> None:
    person.emails.exclude(email__in=emails).delete()
    existing = set(person.emails.values_list("email", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(
            workspace_id=person.workspace_id, person=person, email=email, is_primary=index == 0
        )
        for index, email in enumerate(emails)
        if email not in existing
    )


def _set_phones(person: Person, phones: list[str]) -> None:
    person.phones.exclude(number__in=phones).delete()
    existing = set(person.phones.values_list("number", flat=True))
    PhoneNumber.objects.bulk_create(
        PhoneNumber(
            workspace_id=person.workspace_id, person=person, number=phone, is_primary=index == 0
        )
        for index, phone in enumerate(phones)
        if phone not in existing
    )


def tags_resolve(*, actor: User, names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in {n.strip()[:60] for n in names if n and n.strip()}:
        tag, _created = Tag.objects.get_or_create(workspace_id=actor_workspace_id(actor), name=name)
        tags.append(tag)
    return tags


def _tags_replace(
    actor: User, record: Person | Organization, names: Iterable[str]
) -> tuple[list[str], list[str]] | None:
    """Give the record exactly these tags; (before, after) names when that changed anything."""
    before = sorted(record.tags.values_list("name", flat=True))
    tags = tags_resolve(actor=actor, names=names)
    after = sorted(tag.name for tag in tags)
    if after == before:
        return None
    record.tags.set(tags)
    return before, after


@transaction.atomic
def person_create(
    *,
    actor: User,
    first_name: str = "",
    last_name: str = "",
    middle_name: str = "",
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    organization_id: int | None = None,
    organization_role: str = Affiliation.Role.OTHER,
    tags: Sequence[str] = (),
    check_duplicates: bool = False,
    **fields: Any,
) -> Person:
    """A new person; with `check_duplicates`, refused with PossibleDuplicates while people
    the actor can see already have one of its emails or phones (the form asks first)."""
    require(actor, "contacts.write")
    if not (first_name.strip() or last_name.strip()):
        raise InvalidContactData(
            _("A person needs a first or last name."),
            fields={"last_name": _("This field is required.")},
        )
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise InvalidContactData(fields={name: _("Unknown field.") for name in unknown})
    _validate_person(fields)
    _check_owner_team(actor, fields)
    clean_emails, clean_phones = channels_clean(emails=emails, phones=phones, region=_region(actor))
    organization = None
    if organization_id is not None:
        # Visible to the actor, as affiliation_set asks: another team's organization reads
        # as unknown, so its name never comes back in the new person's payload.
        organization = (
            organization_list(user=actor).select_related(None).filter(pk=organization_id).first()
        )
        if organization is None:
            raise InvalidContactData(fields={"organization_id": _("Unknown organization.")})
        _choice_check("organization_role", organization_role, Affiliation.Role.values)
    # Asked only once the rest is valid: "save anyway" must then save.
    if check_duplicates and (
        matches := person_channel_matches(user=actor, emails=clean_emails, phones=clean_phones)
    ):
        raise PossibleDuplicates(matches=matches)
    fields.setdefault("owner_id", actor.pk)
    if "team_id" not in fields:
        fields["team_id"] = _default_team_id(actor)
    person = Person.objects.create(
        workspace_id=actor_workspace_id(actor),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        middle_name=middle_name.strip(),
        full_name=full_name_join(
            first_name=first_name, last_name=last_name, middle_name=middle_name
        ),
        **fields,
    )
    _set_emails(person, clean_emails)
    _set_phones(person, clean_phones)
    if organization is not None:
        Affiliation.objects.create(
            workspace_id=actor_workspace_id(actor),
            person=person,
            organization=organization,
            role=organization_role,
            is_primary=True,
        )
    if tags:
        person.tags.set(tags_resolve(actor=actor, names=tags))
    person_search_text_refresh(person)
    audit_record(
        workspace=actor_workspace_id(actor) or 0,
        actor=actor,
        action="person.create",
        instance=person,
        changes={
            "full_name": (None, person.full_name),
            "emails": (None, clean_emails),
            "phones": (None, clean_phones),
        },
    )
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, data: Mapping[str, Any]) -> Person:
    """Change the given fields; `emails`, `phones`, `tags` replace the whole set when present."""
    require(actor, "contacts.write")
    allowed = set(PERSON_FIELDS) | {"emails", "phones", "tags"}
    unknown = set(data) - allowed
    if unknown:
        raise InvalidContactData(fields={name: _("Unknown field.") for name in unknown})
    _validate_person(data)
    _check_owner_team(actor, data)
    changes = model_apply_changes(instance=person, data=data, fields=PERSON_FIELDS)
    if not (person.first_name.strip() or person.last_name.strip()):
        raise InvalidContactData(
            _("A person needs a first or last name."),
            fields={"last_name": _("This field is required.")},
        )
    if changes:
        person.save()
    if "emails" in data:
        before = list(person.emails.values_list("email", flat=True))
        after = emails_clean(data["emails"])
        if before != after:
            _set_emails(person, after)
            changes["emails"] = (before, after)
    if "phones" in data:
        before = list(person.phones.values_list("number", flat=True))
        after = phones_clean(data["phones"], region=_region(actor))
        if before != after:
            _set_phones(person, after)
            changes["phones"] = (before, after)
    if "tags" in data and (tag_change := _tags_replace(actor, person, data["tags"])):
        changes["tags"] = tag_change
    if changes:
        person_search_text_refresh(person)
        audit_record(
            workspace=person.workspace_id,
            actor=actor,
            action="person.update",
            instance=person,
            changes=changes,
        )
    return person


def _refuse_if_protected(subject: str, record_id: int) -> None:
    """Business records of other apps (deals, requests) are never cascaded away."""
    blocking = client_records_blocking(subject=subject, record_id=record_id)
    if blocking:
        held = ", ".join(f"{label}: {count}" for label, count in blocking)
        raise Conflict(
            _("It cannot be deleted while it has %(records)s.") % {"records": held},
            fields={"records": {str(label): count for label, count in blocking}},
        )


@transaction.atomic
def person_delete(*, actor: User, person: Person) -> None:
    require(actor, "contacts.delete")
    _refuse_if_protected("contacts.person", person.pk)
    audit_record(
        workspace=person.workspace_id,
        actor=actor,
        action="person.delete",
        instance=person,
        changes={"full_name": (person.full_name, None)},
    )
    person_deleting.send_on_commit(
        workspace_id=person.workspace_id, person_id=person.pk, actor_id=actor.pk
    )
    person.delete()


@transaction.atomic
def organization_create(
    *, actor: User, name: str, tags: Sequence[str] = (), **fields: Any
) -> Organization:
    require(actor, "contacts.write")
    if not name.strip():
        raise InvalidContactData(fields={"name": _("This field is required.")})
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise InvalidContactData(fields={key: _("Unknown field.") for key in unknown})
    _organization_normalize(actor, fields)
    _check_owner_team(actor, fields)
    fields.setdefault("owner_id", actor.pk)
    if "team_id" not in fields:
        fields["team_id"] = _default_team_id(actor)
    organization = Organization(workspace_id=actor_workspace_id(actor), name=name.strip(), **fields)
    organization.search_text = _organization_search_text(organization)
    organization.save()
    if tags:
        organization.tags.set(tags_resolve(actor=actor, names=tags))
    audit_record(
        workspace=organization.workspace_id,
        actor=actor,
        action="organization.create",
        instance=organization,
        changes={"name": (None, organization.name)},
    )
    return organization


def _organization_normalize(actor: User, fields: dict[str, Any]) -> None:
    if "lifecycle_stage" in fields:
        _choice_check("lifecycle_stage", fields["lifecycle_stage"], LifecycleStage.values)
    try:
        if fields.get("email"):
            fields["email"] = email_normalize(fields["email"])
    except InvalidValue as exc:
        raise InvalidContactData(fields={"email": str(exc)}) from exc
    try:
        if fields.get("phone"):
            fields["phone"] = phone_to_e164(fields["phone"], region=_region(actor))
    except InvalidValue as exc:
        raise InvalidContactData(fields={"phone": str(exc)}) from exc


def _organization_search_text(organization: Organization) -> str:
    return organization_search_text_build(
        name=organization.name,
        legal_name=organization.legal_name,
        tax_id=organization.tax_id,
        email=organization.email,
        phone=organization.phone,
    )


@transaction.atomic
def organization_update(
    *, actor: User, organization: Organization, data: Mapping[str, Any]
) -> Organization:
    require(actor, "contacts.write")
    unknown = set(data) - set(ORGANIZATION_FIELDS) - {"tags"}
    if unknown:
        raise InvalidContactData(fields={key: _("Unknown field.") for key in unknown})
    values = dict(data)
    _organization_normalize(actor, values)
    _check_owner_team(actor, values)
    if "name" in values and not str(values["name"]).strip():
        raise InvalidContactData(fields={"name": _("This field is required.")})
    changes = model_apply_changes(instance=organization, data=values, fields=ORGANIZATION_FIELDS)
    if "tags" in values and (tag_change := _tags_replace(actor, organization, values["tags"])):
        changes["tags"] = tag_change
    if changes:
        organization.search_text = _organization_search_text(organization)
        organization.save()
        if "name" in changes:
            people_of_organizations_refresh(organization_ids=[organization.pk])
        audit_record(
            workspace=organization.workspace_id,
            actor=actor,
            action="organization.update",
            instance=organization,
            changes=changes,
        )
    return organization


@transaction.atomic
def organization_delete(*, actor: User, organization: Organization) -> None:
    require(actor, "contacts.delete")
    _refuse_if_protected("contacts.organization", organization.pk)
    audit_record(
        workspace=organization.workspace_id,
        actor=actor,
        action="organization.delete",
        instance=organization,
        changes={"name": (organization.name, None)},
    )
    # Its links go with it, and its name must leave its people's search text too.
    people_of_organizations_refresh(
        organization_ids=[organization.pk], without_organization=organization.pk
    )
    organization.delete()


@transaction.atomic
def affiliation_set(
    *, actor: User, person: Person, organization: Organization, role: str, job_title: str = ""
) -> Affiliation:
    require(actor, "contacts.write")
    if role not in Affiliation.Role.values:
        raise InvalidContactData(fields={"role": _("Unknown value “%(value)s”.") % {"value": role}})
    if not organization_list(user=actor).filter(pk=organization.pk).exists():
        raise NotFound(_("Organization not found."))
    if not person_list(user=actor).filter(pk=person.pk).exists():
        raise NotFound(_("Person not found."))
    defaults = {"workspace_id": person.workspace_id, "role": role, "job_title": job_title}
    # A person's first organization is the primary one, as when created with one.
    is_first = not person.affiliations.filter(is_primary=True).exists()
    affiliation, created = Affiliation.objects.update_or_create(
        person=person,
        organization=organization,
        defaults=defaults,
        create_defaults={**defaults, "is_primary": is_first},
    )
    if created:
        people_refresh(person_ids=[person.pk])
    audit_record(
        workspace=person.workspace_id,
        actor=actor,
        action="affiliation.set",
        instance=person,
        changes={"organization": (None, organization.pk), "role": (None, role)},
    )
    return affiliation


@transaction.atomic
def affiliation_remove(*, actor: User, person: Person, organization: Organization) -> None:
    require(actor, "contacts.write")
    was_primary = person.affiliations.filter(organization=organization, is_primary=True).exists()
    deleted, _rows = Affiliation.objects.filter(person=person, organization=organization).delete()
    if was_primary:
        # The oldest remaining link takes over, so the person keeps a primary organization.
        successor = person.affiliations.order_by("id").first()
        if successor is not None:
            Affiliation.objects.filter(pk=successor.pk).update(is_primary=True)
    if deleted:
        people_refresh(person_ids=[person.pk])
        audit_record(
            workspace=person.workspace_id,
            actor=actor,
            action="affiliation.remove",
            instance=person,
            changes={"organization": (organization.pk, None)},
        )


@transaction.atomic
def consent_grant(
    *,
    actor: User,
    person: Person,
    purpose: str,
    channel: str,
    source: str = "",
    granted_at: datetime | None = None,
) -> Consent:
    require(actor, "contacts.write")
    _choice_check("channel", channel, Channel.values)
    if not purpose.strip():
        raise InvalidContactData(fields={"purpose": _("This field is required.")})
    consent = Consent.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        purpose=purpose.strip(),
        channel=channel,
        source=source,
        granted_at=granted_at or timezone.now(),
    )
    audit_record(
        workspace=person.workspace_id,
        actor=actor,
        action="consent.grant",
        instance=person,
        changes={"consent": (None, f"{purpose}/{channel}")},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    require(actor, "contacts.write")
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit_record(
            workspace=consent.workspace_id,
            actor=actor,
            action="consent.withdraw",
            instance=consent.person,
            changes={"consent": (f"{consent.purpose}/{consent.channel}", None)},
        )
    return consent


def _fill_empty(primary: Person, duplicate: Person) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for field in (
        "first_name",
        "last_name",
        "middle_name",
        "title",
        "segment",
        "preferred_channel",
        "preferred_language",
        "owner_id",
        "team_id",
    ):
        if not getattr(primary, field) and getattr(duplicate, field):
            changes[field] = (getattr(primary, field), getattr(duplicate, field))
            setattr(primary, field, getattr(duplicate, field))
    return changes


@transaction.atomic
def person_merge(*, actor: User, primary: Person, duplicate: Person) -> Person:
    """Fold `duplicate` into `primary`: every interaction, task, channel, link and consent moves.

    The duplicate row stays, marked `merged_into`, so old links can be followed.
    """
    require(actor, "contacts.merge")
    if primary.pk == duplicate.pk or primary.workspace_id != duplicate.workspace_id:
        raise MergeNotAllowed()
    if duplicate.merged_into_id is not None or primary.merged_into_id is not None:
        raise MergeNotAllowed(_("One of these people was already merged."))
    changes = _fill_empty(primary, duplicate)
    primary.save()
    emails = list(primary.emails.values_list("email", flat=True))
    emails += [e for e in duplicate.emails.values_list("email", flat=True) if e not in emails]
    phones = list(primary.phones.values_list("number", flat=True))
    phones += [p for p in duplicate.phones.values_list("number", flat=True) if p not in phones]
    duplicate.emails.all().delete()
    duplicate.phones.all().delete()
    _set_emails(primary, emails)
    _set_phones(primary, phones)
    linked = set(primary.affiliations.values_list("organization_id", flat=True))
    duplicate.affiliations.exclude(organization_id__in=linked).update(person=primary)
    duplicate.affiliations.all().delete()
    Consent.objects.filter(person=duplicate).update(person=primary)
    primary.tags.add(*duplicate.tags.all())
    for saved in SavedList.objects.filter(members=duplicate):
        saved.members.add(primary)
        saved.members.remove(duplicate)
    Person.objects.filter(pk=duplicate.pk).update(
        merged_into=primary, search_text="", updated_at=timezone.now()
    )
    # Apps holding the duplicate's records (timeline, tasks, deals...) move them in this
    # transaction and say how many: a merge never shows half-moved records.
    moved: dict[str, int] = {}
    for counts in person_merged.send_on_commit(
        workspace_id=primary.workspace_id,
        primary_id=primary.pk,
        duplicate_id=duplicate.pk,
        actor_id=actor.pk,
    ):
        if isinstance(counts, dict):
            moved.update(counts)
    person_search_text_refresh(primary)
    changes.update({"merged_from": (None, duplicate.pk), "moved": (None, moved)})
    audit_record(
        workspace=primary.workspace_id,
        actor=actor,
        action="person.merge",
        instance=primary,
        changes=changes,
    )
    audit_record(
        workspace=primary.workspace_id,
        actor=actor,
        action="person.merged_into",
        instance=duplicate,
        changes={"merged_into": (None, primary.pk)},
    )
    return primary

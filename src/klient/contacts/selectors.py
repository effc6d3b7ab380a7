"""Reads of the client dossier, scoped to the user's workspace and visibility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from klient.contacts.models import (
    Affiliation,
    Consent,
    EmailAddress,
    Organization,
    Person,
    PhoneNumber,
    Tag,
)
from klient.contacts.search import search_narrow
from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.prepared import PreparedQuery
from klient.core.registry import client_360_sections
from klient.core.selectors import scoped, visibility_q


@dataclass(frozen=True)
class ChannelMatch:
    """A person holding some of the emails and phones looked for, and which ones."""

    person: Person
    emails: list[str]
    phones: list[str]


# Filters a dynamic segment may store; the same keys the list view and API accept.
PERSON_FILTER_KEYS = (
    "q",
    "owner_id",
    "team_id",
    "tag",
    "lifecycle_stage",
    "segment",
    "organization_id",
    "preferred_channel",
)


def person_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """Visible, unmerged people, filtered; newest changes first unless a search ranks them."""
    rows = (
        scoped(Person, user=user)
        .filter(visibility_q(user), merged_into__isnull=True)
        .select_related("owner")
    )
    filters = filters or {}
    rows = search_narrow(rows, table="contacts_person", query=filters.get("q") or "")
    if filters.get("owner_id"):
        rows = rows.filter(owner_id=filters["owner_id"])
    if filters.get("team_id"):
        rows = rows.filter(team_id=filters["team_id"])
    if filters.get("lifecycle_stage"):
        rows = rows.filter(lifecycle_stage=filters["lifecycle_stage"])
    if filters.get("segment"):
        rows = rows.filter(segment=filters["segment"])
    if filters.get("preferred_channel"):
        rows = rows.filter(preferred_channel=filters["preferred_channel"])
    if filters.get("tag"):
        rows = rows.filter(tags__name=filters["tag"])
    if filters.get("organization_id"):
        rows = rows.filter(affiliations__organization_id=filters["organization_id"])
    return rows


def person_get(*, user: User, person_id: int) -> Person:
    """One visible person or NotFound (another workspace's id is simply not found)."""
    person = (
        scoped(Person, user=user)
        .filter(visibility_q(user), pk=person_id)
        .select_related("owner", "team")
        .first()
    )
    if person is None:
        raise NotFound(_("Person not found."))
    if person.merged_into_id is not None:
        raise NotFound(
            _("This person was merged into another record."),
            fields={"merged_into": str(person.merged_into_id)},
        )
    return person


def organization_list(
    *, user: User, filters: dict[str, Any] | None = None
) -> QuerySet[Organization]:
    rows = scoped(Organization, user=user).filter(visibility_q(user)).select_related("owner")
    filters = filters or {}
    rows = search_narrow(rows, table="contacts_organization", query=filters.get("q") or "")
    for key in ("owner_id", "team_id", "lifecycle_stage", "segment"):
        if filters.get(key):
            rows = rows.filter(**{key: filters[key]})
    if filters.get("tag"):
        rows = rows.filter(tags__name=filters["tag"])
    return rows


def organization_get(*, user: User, organization_id: int) -> Organization:
    organization = (
        scoped(Organization, user=user)
        .filter(visibility_q(user), pk=organization_id)
        .select_related("owner", "team")
        .first()
    )
    if organization is None:
        raise NotFound(_("Organization not found."))
    return organization


def person_emails(person: Person) -> list[EmailAddress]:
    return list(person.emails.order_by("-is_primary", "id"))


def person_phones(person: Person) -> list[PhoneNumber]:
    return list(person.phones.order_by("-is_primary", "id"))


def person_affiliations(person: Person) -> list[Affiliation]:
    return list(person.affiliations.select_related("organization").order_by("-is_primary", "id"))


def organization_people(*, user: User, organization: Organization) -> QuerySet[Affiliation]:
    """The organization's people the user may see (a colleague's private client stays hidden)."""
    if not user.is_active or user.workspace_id is None:
        return Affiliation.objects.none()
    # The rule checked on each joined person, not `person_id IN (visible people)`: for an
    # administrator that list is every person of the workspace (1.3 s at 1,000,000 people).
    return (
        Affiliation.objects.filter(
            visibility_q(user, owner_field="person__owner", team_field="person__team"),
            organization=organization,
            person__workspace_id=user.workspace_id,
            person__merged_into__isnull=True,
        )
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )


def person_consents(person: Person) -> list[Consent]:
    return list(person.consents.order_by("-granted_at"))


def _channel_holders(
    *, workspace_id: int | None, emails: Sequence[str], phones: Sequence[str]
) -> dict[int, tuple[list[str], list[str]]]:
    """Person id -> which of these stored-form emails and phones that person has.

    Through the (workspace, email|number) indexes: an OR over two outer joins made the
    database walk every person of the workspace (3.7 s per card at 300,000 people).
    """
    found: dict[int, tuple[list[str], list[str]]] = {}
    if workspace_id is None:
        return found
    for person_id, email in EmailAddress.objects.filter(
        workspace_id=workspace_id, email__in=list(emails)
    ).values_list("person_id", "email"):
        found.setdefault(person_id, ([], []))[0].append(email)
    for person_id, number in PhoneNumber.objects.filter(
        workspace_id=workspace_id, number__in=list(phones)
    ).values_list("person_id", "number"):
        found.setdefault(person_id, ([], []))[1].append(number)
    return found


def _visible_people(user: User) -> QuerySet[Person]:
    return scoped(Person, user=user).filter(visibility_q(user), merged_into__isnull=True)


def person_duplicates(*, user: User, person: Person) -> QuerySet[Person]:
    """People who look like the same human: a shared email or phone, or the same name
    in a shared organization."""
    sharing = set(
        _channel_holders(
            workspace_id=person.workspace_id,
            emails=list(person.emails.values_list("email", flat=True)),
            phones=list(person.phones.values_list("number", flat=True)),
        )
    )
    visible = _visible_people(user).exclude(pk=person.pk)
    # Names are compared in Python: SQLite's lower()/LIKE fold only ASCII, not Cyrillic.
    name = (person.first_name.casefold(), person.last_name.casefold())
    colleague_ids = Affiliation.objects.filter(
        organization_id__in=list(person.affiliations.values_list("organization_id", flat=True))
    ).values_list("person_id", flat=True)
    colleagues = visible.filter(pk__in=list(colleague_ids)).values_list(
        "pk", "first_name", "last_name"
    )
    same_name = [
        pk
        for pk, first, last in colleagues
        if person.last_name and (first.casefold(), last.casefold()) == name
    ]
    return visible.filter(pk__in=sharing.union(same_name))


def person_channel_matches(
    *, user: User, emails: Sequence[str], phones: Sequence[str], limit: int = 10
) -> list[ChannelMatch]:
    """Visible people who already have one of these emails or phones (in stored form:
    normalised, E.164), oldest first, each with what it shares. The lookup of the card's
    "possible duplicates"; people the user may not see are left out without a trace."""
    holders = _channel_holders(workspace_id=user.workspace_id, emails=emails, phones=phones)
    if not holders:
        return []
    people = _visible_people(user).filter(pk__in=list(holders)).order_by("created_at", "id")
    return [ChannelMatch(person, *holders[person.pk]) for person in people[:limit]]


PERSON_360_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "middle_name",
    "full_name",
    "title",
    "lifecycle_stage",
    "segment",
    "preferred_channel",
    "preferred_language",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
)
# The card's queries, compiled once per connection (see klient.core.prepared): compiling
# six querysets cost ~3 ms a card, running their SQL ~0.2 ms.
_CARD_PERSON = PreparedQuery(
    lambda p: Person.objects.filter(
        workspace_id=p["workspace_id"], pk=p["person_id"], merged_into__isnull=True
    ).values(*PERSON_360_FIELDS),
    workspace_id=int,
    person_id=int,
)
_CARD_EMAILS = PreparedQuery(
    lambda p: (
        EmailAddress.objects.filter(person_id=p["person_id"])
        .order_by("-is_primary", "id")
        .values_list("email", flat=True)
    ),
    person_id=int,
)
_CARD_PHONES = PreparedQuery(
    lambda p: (
        PhoneNumber.objects.filter(person_id=p["person_id"])
        .order_by("-is_primary", "id")
        .values_list("number", flat=True)
    ),
    person_id=int,
)
_CARD_ORGANIZATIONS = PreparedQuery(
    lambda p: (
        Affiliation.objects.filter(person_id=p["person_id"])
        .order_by("-is_primary", "id")
        .values("organization_id", "organization__name", "role", "job_title")
    ),
    person_id=int,
)


def person_360(*, user: User, person_id: int, timeline_limit: int = 20) -> dict[str, Any]:
    """Everything on a person's card as plain dicts: the hot read path of the API.

    Built from `.values()` rows, not model instances: this path is read far more than
    written, and instantiating models cost ~10x the queries themselves.
    """
    if user.sees_all and user.is_active and user.workspace_id is not None:
        person_rows = _CARD_PERSON.dicts(workspace_id=user.workspace_id, person_id=person_id)
    else:  # visibility by owner and team: its SQL varies with the user's teams
        person_rows = list(
            scoped(Person, user=user)
            .filter(visibility_q(user), pk=person_id, merged_into__isnull=True)
            .values(*PERSON_360_FIELDS)
        )
    if not person_rows:
        raise NotFound(_("Person not found."))
    data: dict[str, Any] = dict(person_rows[0])
    data["emails"] = _CARD_EMAILS.column(person_id=person_id)
    data["phones"] = _CARD_PHONES.column(person_id=person_id)
    data["organizations"] = _CARD_ORGANIZATIONS.dicts(person_id=person_id)
    # The rest comes from the apps above (the timeline and open tasks from activities,
    # later deals, requests, scores): each registered section answers for the person.
    for section in client_360_sections:
        data[section.key] = section.rows(user, person_id, timeline_limit)
    return data


def tag_names(*, user: User) -> list[str]:
    """Tag names of the workspace for filter menus; bounded."""
    return list(scoped(Tag, user=user).order_by("name").values_list("name", flat=True)[:300])


SEGMENT_MENU_LIMIT = 100


def segment_names(*, user: User) -> list[str]:
    """Segments in use on visible people, for filter menus; bounded.

    A DISTINCT over the people reads every one of them (1.5 s at 1,000,000 people, on every
    list page). Instead each step of a recursive query asks the (workspace, segment) index
    for the first visible person past the last segment found: one short walk a segment.
    """
    step = (
        person_list(user=user)
        .select_related(None)
        .filter(segment__gt=RawSQL("found.name", ()))
        .order_by("segment")
        .values("segment")[:1]
    )
    try:
        step_sql, step_params = step.query.sql_with_params()
    except EmptyResultSet:  # an inactive user, or one without a workspace
        return []
    # CAST: PostgreSQL wants one type for both terms of the recursion.
    sql = (
        "WITH RECURSIVE found(name, n) AS (SELECT CAST('' AS TEXT), 0 UNION ALL "
        f"SELECT CAST(({step_sql}) AS TEXT), n + 1 FROM found WHERE name IS NOT NULL AND n < %s) "
        "SELECT name FROM found WHERE n > 0 AND name IS NOT NULL ORDER BY n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*step_params, SEGMENT_MENU_LIMIT])
        return [name for (name,) in cursor.fetchall()]


def affiliation_get(*, person: Person, organization_id: int) -> Affiliation:
    """The person's link to one organization, or NotFound."""
    affiliation = (
        person.affiliations.filter(organization_id=organization_id)
        .select_related("organization")
        .first()
    )
    if affiliation is None:
        raise NotFound(_("This person is not linked to that organization."))
    return affiliation


def consent_get(*, user: User, consent_id: int) -> Consent:
    """A consent record of a person the user may see, or NotFound."""
    consent = (
        scoped(Consent, user=user)
        .filter(
            visibility_q(user, owner_field="person__owner", team_field="person__team"),
            pk=consent_id,
            person__merged_into__isnull=True,
        )
        .select_related("person")
        .first()
    )
    if consent is None:
        raise NotFound(_("Consent not found."))
    return consent


def clients_owned_counts(*, user: User, since: datetime) -> dict[str, int]:
    """How many visible people and organizations `user` owns, and how many of them were
    added from `since` (the home page): one query each."""
    counted = {"total": Count("id"), "new": Count("id", filter=Q(created_at__gte=since))}
    mine = {"owner_id": user.pk}
    people = person_list(user=user, filters=mine).aggregate(**counted)
    organizations = organization_list(user=user, filters=mine).aggregate(**counted)
    return {
        "people": people["total"],
        "organizations": organizations["total"],
        "new": people["new"] + organizations["new"],
    }

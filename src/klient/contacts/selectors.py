"""Reads of the client dossier, scoped to the user's workspace and visibility."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet
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
from klient.contacts.normalize import SEARCH_PART_SEPARATOR, search_terms
from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.prepared import PreparedQuery
from klient.core.registry import client_360_sections
from klient.core.selectors import scoped, visibility_q

M = TypeVar("M", Person, Organization)

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


def _fts_match(terms: list[str]) -> str:
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _search_alternatives(query: str) -> list[list[str]]:
    """The query's terms, plus a second reading of a phone number typed with a trunk prefix."""
    terms = search_terms(query)
    if not terms:
        return []
    alternatives = [terms]
    if len(terms) == 1 and terms[0].isdigit() and len(terms[0]) >= 4:
        if terms[0].startswith("8"):
            alternatives.append(["7" + terms[0][1:]])  # Russian trunk prefix: 8 916… is +7 916…
        elif terms[0].startswith("0"):
            # A national trunk 0 (Bulgaria 088…, UK 07…): stored E.164 digits have the
            # country code there instead, so match what follows the 0.
            alternatives.append([terms[0][1:]])
    return alternatives


def _word_prefix_q(term: str) -> Q:
    """A word of search_text starts with `term`: at the start, after a space, or after the
    separator before the organizations' names."""
    return (
        Q(search_text__startswith=term)
        | Q(search_text__contains=" " + term)
        | Q(search_text__contains=SEARCH_PART_SEPARATOR + term)
    )


def search_filter(table: str, query: str) -> Q | None:
    """A Q on `id` matching every term of the query as a substring of search_text.

    SQLite: the FTS5 trigram table (terms of 3+ characters), PostgreSQL: LIKE served by
    the pg_trgm GIN index. Terms shorter than 3 characters fall back to a prefix match.
    Returns None for an empty query.
    """
    alternatives = _search_alternatives(query)
    if not alternatives:
        return None
    result = Q(pk__in=[])
    for alternative in alternatives:
        long_terms = [t for t in alternative if len(t) >= 3]
        short_terms = [t for t in alternative if len(t) < 3]
        q = Q()
        if long_terms:
            if connection.vendor == "sqlite":
                q &= Q(
                    id__in=RawSQL(
                        f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s",
                        [_fts_match(long_terms)],
                    )
                )
            else:
                for term in long_terms:
                    q &= Q(search_text__contains=term)
        for term in short_terms:
            q &= _word_prefix_q(term)
        result |= q
    return result


def search_narrow(rows: QuerySet[M], *, table: str, query: str) -> QuerySet[M]:
    """`rows` (people or organizations) narrowed to those matching the search query.

    Same matches as `search_filter`; on SQLite it JOINs the FTS5 index (the models'
    `search_row`), so a sliced query streams its first rows from the index and stops
    instead of collecting every match first: ~1 ms rather than tens of ms for a common
    name fragment on 1M people.
    """
    joined = _index_join(query)
    if joined is None:
        found = search_filter(table, query)
        return rows.filter(found) if found is not None else rows
    match, short_terms = joined
    rows = rows.filter(search_row__search_text__match=match)
    for term in short_terms:
        rows = rows.filter(_word_prefix_q(term))
    return rows


def _index_join(query: str) -> tuple[str, list[str]] | None:
    """(FTS5 MATCH expression, short terms) when `search_narrow` JOINs the index for this
    query, else None (PostgreSQL, an empty query, or short terms it cannot combine)."""
    alternatives = _search_alternatives(query)
    if not alternatives or connection.vendor != "sqlite":
        return None
    short_terms = [t for alternative in alternatives for t in alternative if len(t) < 3]
    groups = [[t for t in alternative if len(t) >= 3] for alternative in alternatives]
    if not all(groups) or (short_terms and len(groups) > 1):
        return None
    match = (
        _fts_match(groups[0])
        if len(groups) == 1
        else " OR ".join(f"({_fts_match(group)})" for group in groups)
    )
    return match, short_terms


def search_order_field(*, query: str) -> str:
    """The column to page search results by, newest record first: the joined index's rowid
    (it equals the record's id), which SQLite walks in order and stops after a page, or the
    id itself. Ordering matches by last change instead sorts every one of them."""
    return "search_row" if _index_join(query) is not None else "id"


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


def person_duplicates(*, user: User, person: Person) -> QuerySet[Person]:
    """People who look like the same human: a shared email or phone, or the same name
    in a shared organization."""
    # Candidates come from the person's own emails and phones through the
    # (workspace, email|number) indexes: an OR over two outer joins made the database walk
    # every person of the workspace (3.7 s per card at 300,000 people).
    emails = list(person.emails.values_list("email", flat=True))
    phones = list(person.phones.values_list("number", flat=True))
    sharing = set(
        EmailAddress.objects.filter(workspace_id=person.workspace_id, email__in=emails).values_list(
            "person_id", flat=True
        )
    ) | set(
        PhoneNumber.objects.filter(workspace_id=person.workspace_id, number__in=phones).values_list(
            "person_id", flat=True
        )
    )
    visible = (
        scoped(Person, user=user)
        .filter(visibility_q(user), merged_into__isnull=True)
        .exclude(pk=person.pk)
    )
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

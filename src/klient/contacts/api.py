"""REST endpoints of the client dossier: organizations, people, duplicates, search, client 360,
a person's organizations and consents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from klient.contacts.models import Affiliation
from klient.contacts.search import search_order_field
from klient.contacts.selectors import (
    affiliation_get,
    consent_get,
    organization_get,
    organization_list,
    person_360,
    person_consents,
    person_duplicates,
    person_get,
    person_list,
)
from klient.contacts.services import (
    affiliation_remove,
    affiliation_set,
    consent_grant,
    consent_withdraw,
    organization_create,
    organization_delete,
    organization_update,
    person_create,
    person_delete,
    person_merge,
    person_update,
)
from klient.core.api_support import (
    ERROR_CODES,
    ErrorOut,
    Id,
    InSchema,
    Limit,
    PatchSchema,
    api_user,
    json_response,
    omittable,
    reference_get,
)
from klient.core.pagination import paginate_desc, paginate_id_desc

router = Router(tags=["contacts"])

SEARCH_LIMIT = 20


# --- schemas ---------------------------------------------------------------------------


class OrganizationFields(InSchema):
    legal_name: str = omittable(max_length=255)
    tax_id: str = omittable(max_length=32)
    website: str = omittable(max_length=255)
    industry: str = omittable(max_length=120)
    email: str = omittable(max_length=254)
    phone: str = omittable(max_length=40)
    address: str = omittable(max_length=2000)
    lifecycle_stage: str = omittable(max_length=16)
    segment: str = omittable(max_length=60)
    owner_id: Id | None = None
    team_id: Id | None = None
    tags: list[Annotated[str, Field(max_length=60)]] = omittable(max_length=50)


class OrganizationIn(OrganizationFields):
    name: str = Field(..., min_length=1, max_length=255)


class OrganizationPatch(OrganizationFields, PatchSchema):
    name: str = omittable(min_length=1, max_length=255)


class OrganizationOut(Schema):
    id: int
    name: str
    legal_name: str
    tax_id: str
    website: str
    industry: str
    email: str
    phone: str
    address: str
    lifecycle_stage: str
    segment: str
    owner_id: int | None
    team_id: int | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())


class OrganizationPageOut(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


class OrganizationFilters(InSchema):
    q: str = Field("", max_length=200)
    owner_id: Id | None = None
    team_id: Id | None = None
    tag: str = Field("", max_length=60)
    lifecycle_stage: str = Field("", max_length=16)
    segment: str = Field("", max_length=60)


class PersonFields(InSchema):
    first_name: str = omittable(max_length=120)
    last_name: str = omittable(max_length=120)
    middle_name: str = omittable(max_length=120)
    title: str = omittable(max_length=200)
    lifecycle_stage: str = omittable(max_length=16)
    segment: str = omittable(max_length=60)
    preferred_channel: str = omittable(max_length=16)
    preferred_language: str = omittable(max_length=8)
    owner_id: Id | None = None
    team_id: Id | None = None
    emails: list[Annotated[str, Field(max_length=254)]] = omittable(max_length=20)
    phones: list[Annotated[str, Field(max_length=40)]] = omittable(max_length=20)
    tags: list[Annotated[str, Field(max_length=60)]] = omittable(max_length=50)


class PersonIn(PersonFields):
    organization_id: Id | None = None
    organization_role: str = omittable(max_length=20)


class PersonPatch(PersonFields, PatchSchema):
    pass


class AffiliationOut(Schema):
    organization_id: int
    name: str = Field(..., alias="organization.name")
    role: str
    job_title: str
    is_primary: bool


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    middle_name: str
    full_name: str
    title: str
    lifecycle_stage: str
    segment: str
    preferred_channel: str
    preferred_language: str
    owner_id: int | None
    team_id: int | None
    emails: list[str]
    phones: list[str]
    organization_id: int | None
    organizations: list[AffiliationOut]
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    # Sorted here rather than in SQL so a prefetched page and a single record read alike.
    @staticmethod
    def resolve_emails(obj: Any) -> list[str]:
        return [row.email for row in sorted(obj.emails.all(), key=_primary_first)]

    @staticmethod
    def resolve_phones(obj: Any) -> list[str]:
        return [row.number for row in sorted(obj.phones.all(), key=_primary_first)]

    @staticmethod
    def resolve_organizations(obj: Any) -> list[Any]:
        return sorted(obj.affiliations.all(), key=_primary_first)

    @staticmethod
    def resolve_organization_id(obj: Any) -> int | None:
        primary = [row for row in obj.affiliations.all() if row.is_primary]
        return min(primary, key=_primary_first).organization_id if primary else None

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())


def _primary_first(row: Any) -> tuple[bool, int]:
    return (not row.is_primary, row.pk)


class PersonPageOut(Schema):
    items: list[PersonOut]
    next_cursor: str | None


class PersonFilters(InSchema):
    q: str = Field("", max_length=200)
    owner_id: Id | None = None
    team_id: Id | None = None
    tag: str = Field("", max_length=60)
    lifecycle_stage: str = Field("", max_length=16)
    segment: str = Field("", max_length=60)
    organization_id: Id | None = None
    preferred_channel: str = Field("", max_length=16)


class MergeIn(InSchema):
    duplicate_id: Id


class SearchIn(InSchema):
    q: str = Field(..., min_length=1, max_length=200)


class PersonBriefOut(Schema):
    id: int
    full_name: str
    primary_email: str
    primary_phone: str
    lifecycle_stage: str


class OrganizationBriefOut(Schema):
    id: int
    name: str
    lifecycle_stage: str


class SearchOut(Schema):
    people: list[PersonBriefOut]
    organizations: list[OrganizationBriefOut]


PERSON_PREFETCH = ("emails", "phones", "tags", "affiliations__organization")


# --- organizations ---------------------------------------------------------------------


@router.get("/organizations", response={200: OrganizationPageOut, ERROR_CODES: ErrorOut})
def organization_index(
    request: HttpRequest,
    filters: Query[OrganizationFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    """Newest organization first."""
    rows = organization_list(user=api_user(request), filters=filters.model_dump())
    # With `q`, by the search index's rowid (the same id), which SQLite walks in order.
    field = search_order_field(query=filters.q) if filters.q else "id"
    return paginate_id_desc(rows.prefetch_related("tags"), cursor=cursor, limit=limit, field=field)


@router.post("/organizations", response={201: OrganizationOut, ERROR_CODES: ErrorOut})
def organization_add(request: HttpRequest, payload: OrganizationIn) -> Any:
    fields = payload.model_dump(exclude_unset=True)
    return Status(201, organization_create(actor=api_user(request), **fields))


@router.get(
    "/organizations/{organization_id}", response={200: OrganizationOut, ERROR_CODES: ErrorOut}
)
def organization_detail(request: HttpRequest, organization_id: Id) -> Any:
    return organization_get(user=api_user(request), organization_id=organization_id)


@router.patch(
    "/organizations/{organization_id}", response={200: OrganizationOut, ERROR_CODES: ErrorOut}
)
def organization_change(
    request: HttpRequest, organization_id: Id, payload: OrganizationPatch
) -> Any:
    user = api_user(request)
    organization = organization_get(user=user, organization_id=organization_id)
    return organization_update(actor=user, organization=organization, data=payload.changes())


@router.delete("/organizations/{organization_id}", response={204: None, ERROR_CODES: ErrorOut})
def organization_remove(request: HttpRequest, organization_id: Id) -> Any:
    user = api_user(request)
    organization_delete(
        actor=user, organization=organization_get(user=user, organization_id=organization_id)
    )
    return Status(204, None)


# --- people ----------------------------------------------------------------------------


@router.get("/people", response={200: PersonPageOut, ERROR_CODES: ErrorOut})
def person_index(
    request: HttpRequest,
    filters: Query[PersonFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    """Newest change first; with `q`, newest person first: the order the search index
    hands its matches in, so a page does not sort every match."""
    rows = person_list(user=api_user(request), filters=filters.model_dump())
    rows = rows.prefetch_related(*PERSON_PREFETCH)
    if filters.q:
        field = search_order_field(query=filters.q)
        return paginate_id_desc(rows, cursor=cursor, limit=limit, field=field)
    return paginate_desc(rows, field="updated_at", cursor=cursor, limit=limit)


@router.post("/people", response={201: PersonOut, ERROR_CODES: ErrorOut})
def person_add(request: HttpRequest, payload: PersonIn, check_duplicates: bool = False) -> Any:
    """With `?check_duplicates=true`, nothing is created while people you can see already
    have one of its emails or phones: a 409 `possible_duplicates` whose
    `fields.duplicate_ids` lists them ("12,40", oldest first). Send again without it to
    create anyway."""
    fields = payload.model_dump(exclude_unset=True)
    person = person_create(actor=api_user(request), check_duplicates=check_duplicates, **fields)
    return Status(201, person)


@router.get("/people/{person_id}", response={200: PersonOut, ERROR_CODES: ErrorOut})
def person_detail(request: HttpRequest, person_id: Id) -> Any:
    return person_get(user=api_user(request), person_id=person_id)


@router.get("/people/{person_id}/360", response={200: dict[str, Any], ERROR_CODES: ErrorOut})
def person_360_detail(request: HttpRequest, person_id: Id) -> HttpResponse:
    """The client card in one call: the hot read path, serialised without response schemas."""
    return json_response(person_360(user=api_user(request), person_id=person_id))


@router.patch("/people/{person_id}", response={200: PersonOut, ERROR_CODES: ErrorOut})
def person_change(request: HttpRequest, person_id: Id, payload: PersonPatch) -> Any:
    user = api_user(request)
    person = person_get(user=user, person_id=person_id)
    return person_update(actor=user, person=person, data=payload.changes())


@router.delete("/people/{person_id}", response={204: None, ERROR_CODES: ErrorOut})
def person_remove(request: HttpRequest, person_id: Id) -> Any:
    user = api_user(request)
    person_delete(actor=user, person=person_get(user=user, person_id=person_id))
    return Status(204, None)


@router.get(
    "/people/{person_id}/duplicates", response={200: list[PersonOut], ERROR_CODES: ErrorOut}
)
def person_duplicate_index(request: HttpRequest, person_id: Id) -> Any:
    user = api_user(request)
    person = person_get(user=user, person_id=person_id)
    rows = person_duplicates(user=user, person=person).prefetch_related(*PERSON_PREFETCH)
    return rows.order_by("id")[:50]


@router.post("/people/{person_id}/merge", response={200: PersonOut, ERROR_CODES: ErrorOut})
def person_merge_into(request: HttpRequest, person_id: Id, payload: MergeIn) -> Any:
    """Fold `duplicate_id` into this person; the duplicate's history moves here."""
    user = api_user(request)
    primary = person_get(user=user, person_id=person_id)
    duplicate = reference_get(
        "duplicate_id", lambda: person_get(user=user, person_id=payload.duplicate_id)
    )
    return person_merge(actor=user, primary=primary, duplicate=duplicate)


# --- search ----------------------------------------------------------------------------


@router.get("/search", response={200: SearchOut, ERROR_CODES: ErrorOut})
def search(request: HttpRequest, query: Query[SearchIn]) -> dict[str, Any]:
    """People and organizations matching every term of `q`, at most 20 of each."""
    user = api_user(request)
    people = person_list(user=user, filters={"q": query.q})
    organizations = organization_list(user=user, filters={"q": query.q})
    return {
        "people": people.order_by("full_name", "id")[:SEARCH_LIMIT],
        "organizations": organizations.order_by("name", "id")[:SEARCH_LIMIT],
    }


# --- a person's organizations and consents ---------------------------------------------


class AffiliationIn(InSchema):
    organization_id: Id
    role: str = Field(Affiliation.Role.OTHER, max_length=20)
    job_title: str = Field("", max_length=200)


class ConsentIn(InSchema):
    purpose: str = Field(..., min_length=1, max_length=60)
    channel: str = Field(..., max_length=16)
    source: str = Field("", max_length=120)


class ConsentOut(Schema):
    id: int
    person_id: int
    purpose: str
    channel: str
    source: str
    granted_at: datetime
    withdrawn_at: datetime | None
    is_active: bool


@router.post(
    "/people/{person_id}/organizations", response={200: AffiliationOut, ERROR_CODES: ErrorOut}
)
def person_organization_set(request: HttpRequest, person_id: Id, payload: AffiliationIn) -> Any:
    """Link the person to an organization, or change the role and title of the link."""
    user = api_user(request)
    person = person_get(user=user, person_id=person_id)
    organization = reference_get(
        "organization_id",
        lambda: organization_get(user=user, organization_id=payload.organization_id),
    )
    return affiliation_set(
        actor=user,
        person=person,
        organization=organization,
        role=payload.role,
        job_title=payload.job_title,
    )


@router.delete(
    "/people/{person_id}/organizations/{organization_id}",
    response={204: None, ERROR_CODES: ErrorOut},
)
def person_organization_remove(request: HttpRequest, person_id: Id, organization_id: Id) -> Any:
    user = api_user(request)
    person = person_get(user=user, person_id=person_id)
    affiliation = affiliation_get(person=person, organization_id=organization_id)
    affiliation_remove(actor=user, person=person, organization=affiliation.organization)
    return Status(204, None)


@router.get("/people/{person_id}/consents", response={200: list[ConsentOut], ERROR_CODES: ErrorOut})
def person_consent_index(request: HttpRequest, person_id: Id) -> Any:
    """Every consent of the person, newest first; withdrawn ones stay, with their date."""
    return person_consents(person_get(user=api_user(request), person_id=person_id))


@router.post("/people/{person_id}/consents", response={201: ConsentOut, ERROR_CODES: ErrorOut})
def person_consent_add(request: HttpRequest, person_id: Id, payload: ConsentIn) -> Any:
    user = api_user(request)
    person = person_get(user=user, person_id=person_id)
    return Status(201, consent_grant(actor=user, person=person, **payload.model_dump()))


@router.post("/consents/{consent_id}/withdraw", response={200: ConsentOut, ERROR_CODES: ErrorOut})
def consent_withdraw_one(request: HttpRequest, consent_id: Id) -> Any:
    """Withdraw a consent; withdrawing again keeps the first date."""
    user = api_user(request)
    return consent_withdraw(actor=user, consent=consent_get(user=user, consent_id=consent_id))

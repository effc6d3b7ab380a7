"""What the client dossier registers with the platform (klient.core.registry)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.contacts import selectors
from klient.contacts.audit_words import register as audit_words_register
from klient.contacts.capabilities import capabilities_register
from klient.contacts.demo import demo_contacts_create
from klient.contacts.home import my_clients_context
from klient.contacts.list_plug import list_entries_register
from klient.contacts.models import Organization, Person
from klient.contacts.personal_data import personal_data_register
from klient.contacts.pickers import (
    organizations_named,
    organizations_pick,
    people_named,
    people_pick,
)
from klient.core.models import Role, User
from klient.core.registry import (
    DemoStep,
    HomeWidget,
    NavItem,
    PickerSource,
    RecordKind,
    RecordRef,
    SearchHit,
    SearchSource,
    demo_steps,
    home_widgets,
    nav_items,
    picker_sources,
    record_kinds,
    search_sources,
)
from klient.core.selectors import visibility_q

PERSON = "contacts.person"
ORGANIZATION = "contacts.organization"


def _person_url(person_id: int) -> str:
    return reverse("contacts:person_detail", kwargs={"person_id": person_id})


def _organization_url(organization_id: int) -> str:
    return reverse("contacts:organization_detail", kwargs={"organization_id": organization_id})


def people_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = Person.objects.filter(pk__in=list(ids)).values_list("pk", "full_name")
    return {pk: RecordRef(PERSON, pk, name, _person_url(pk)) for pk, name in rows}


def organizations_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = Organization.objects.filter(pk__in=list(ids)).values_list("pk", "name")
    return {pk: RecordRef(ORGANIZATION, pk, name, _organization_url(pk)) for pk, name in rows}


def _person_resolve(user: User, person_id: int) -> Model:
    return selectors.person_get(user=user, person_id=person_id)


def _organization_resolve(user: User, organization_id: int) -> Model:
    return selectors.organization_get(user=user, organization_id=organization_id)


def _people_visible(user: User, ids: Sequence[int]) -> set[int]:
    rows = selectors.person_list(user=user).filter(pk__in=list(ids)).values_list("pk", flat=True)
    return set(rows)


def _organizations_visible(user: User, ids: Sequence[int]) -> set[int]:
    rows = selectors.organization_list(user=user).filter(pk__in=list(ids))
    return set(rows.values_list("pk", flat=True))


def _owned_visibility(user: User, path: str) -> Q:
    """People and organizations share the owner/team rule (core.selectors.visibility_q)."""
    return visibility_q(user, owner_field=f"{path}owner", team_field=f"{path}team")


def _people_search(user: User, query: str, limit: int) -> list[SearchHit]:
    rows = (
        selectors.person_list(user=user, filters={"q": query})
        .select_related(None)
        .order_by("full_name", "id")
        .values_list("pk", "full_name", "primary_email")[:limit]
    )
    return [SearchHit(PERSON, pk, name, _person_url(pk), email) for pk, name, email in rows]


def _organizations_search(user: User, query: str, limit: int) -> list[SearchHit]:
    rows = (
        selectors.organization_list(user=user, filters={"q": query})
        .select_related(None)
        .order_by("name", "id")
        .values_list("pk", "name")[:limit]
    )
    return [SearchHit(ORGANIZATION, pk, name, _organization_url(pk)) for pk, name in rows]


def plug() -> None:
    capabilities_register()
    nav_items.register(
        NavItem(
            key="contacts.clients",
            label=_("Clients"),
            url=lambda user: reverse("contacts:client_list"),
            icon="i-clients",
            section="contacts",
            order=10,
        )
    )
    nav_items.register(
        NavItem(
            key="contacts.lists",
            label=_("Lists"),
            url=lambda user: reverse("lists:index"),
            icon="i-tag",
            section="lists",
            order=30,
        )
    )
    record_kinds.register(
        RecordKind(
            key=PERSON,
            label=_("Person"),
            model=Person,
            describe=people_describe,
            resolve=_person_resolve,
            visible_ids=_people_visible,
            visibility=_owned_visibility,
            order=10,
        )
    )
    record_kinds.register(
        RecordKind(
            key=ORGANIZATION,
            label=_("Organization"),
            model=Organization,
            describe=organizations_describe,
            resolve=_organization_resolve,
            visible_ids=_organizations_visible,
            visibility=_owned_visibility,
            order=20,
        )
    )
    search_sources.register(
        SearchSource(key=PERSON, label=_("People"), search=_people_search, order=10)
    )
    search_sources.register(
        SearchSource(
            key=ORGANIZATION, label=_("Organizations"), search=_organizations_search, order=20
        )
    )
    picker_sources.register(
        PickerSource(
            key=PERSON, label=_("Person"), search=people_pick, named=people_named, order=10
        )
    )
    picker_sources.register(
        PickerSource(
            key=ORGANIZATION,
            label=_("Organization"),
            search=organizations_pick,
            named=organizations_named,
            order=20,
        )
    )
    demo_steps.register(DemoStep(key="contacts", run=demo_contacts_create, order=20))
    # Readers own no clients: the count would always be nought.
    home_widgets.register(
        HomeWidget(
            key="contacts.my_clients",
            template="contacts/_home_clients.html",
            context=my_clients_context,
            order=20,
            roles=frozenset({Role.ADMIN, Role.MANAGER, Role.AGENT}),
        )
    )
    audit_words_register()  # how the dossier's audit events read (core.audit_words)
    list_entries_register()  # the people list's columns, filters, bulk actions
    personal_data_register()  # the person record's export and erasure (docs/personal-data.md)

"""The people list's own columns, filters and bulk actions (klient.contacts.list_registry),
registered from contacts/plug.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.contacts import bulk_services
from klient.contacts.list_registry import (
    BulkAction,
    BulkResult,
    ListColumn,
    ListFilter,
    bulk_actions,
    list_columns,
    list_filters,
)
from klient.contacts.models import Affiliation, Person
from klient.contacts.selectors import organization_list
from klient.core.models import User
from klient.core.params import param_required_id

ORGANIZATION_MATCH_LIMIT = 50


def _with_primary_organization(user: User, rows: QuerySet[Any]) -> QuerySet[Any]:
    primary = Prefetch(
        "affiliations",
        to_attr="primary_affiliations",
        queryset=Affiliation.objects.filter(is_primary=True).select_related("organization"),
    )
    return rows.prefetch_related(primary)


def _with_tags(user: User, rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.prefetch_related("tags")


def _primary_organization(row: Person) -> str:
    return ", ".join(a.organization.name for a in getattr(row, "primary_affiliations", []))


def _owner_name(row: Person) -> str:
    return row.owner.display_name if row.owner else ""


def _tag_names(row: Person) -> str:
    return ", ".join(tag.name for tag in row.tags.all())


def _columns() -> list[ListColumn]:
    cells = "contacts/list_cells"
    return [
        ListColumn(
            "name",
            gettext_lazy("Person"),
            # person_ws_name_id_idx (workspace, last_name, first_name, id)
            order_by=("last_name", "first_name", "id"),
            template=f"{cells}/_name.html",
            value=lambda row: row.full_name,
            width=32,
            order=10,
        ),
        ListColumn(
            "organization",
            gettext_lazy("Organization"),
            template=f"{cells}/_organization.html",
            value=_primary_organization,
            annotate=_with_primary_organization,
            width=28,
            order=20,
        ),
        ListColumn(
            "email",
            gettext_lazy("Email"),
            template=f"{cells}/_email.html",
            value=lambda row: row.primary_email,
            width=30,
            order=30,
        ),
        ListColumn(
            "phone",
            gettext_lazy("Phone"),
            template=f"{cells}/_phone.html",
            value=lambda row: row.primary_phone,
            width=18,
            order=40,
        ),
        ListColumn(
            "stage",
            gettext_lazy("Stage"),
            template=f"{cells}/_stage.html",
            value=lambda row: str(row.get_lifecycle_stage_display()),
            width=14,
            order=50,
        ),
        ListColumn(
            "owner",
            gettext_lazy("Owner"),
            template=f"{cells}/_owner.html",
            value=_owner_name,
            width=22,
            order=60,
        ),
        ListColumn(
            "tags",
            gettext_lazy("Tags"),
            template=f"{cells}/_tags.html",
            value=_tag_names,
            annotate=_with_tags,
            width=24,
            order=70,
        ),
        ListColumn(
            "created",
            gettext_lazy("Added"),
            order_by=("created_at", "id"),  # person_ws_created_id_idx
            value=lambda row: row.created_at,
            default_visible=False,
            width=18,
            order=200,
        ),
        ListColumn(
            "updated",
            gettext_lazy("Updated"),
            order_by=("updated_at", "id"),  # person_ws_updated_id_idx
            value=lambda row: row.updated_at,
            width=18,
            order=210,
        ),
    ]


def _organization_filter(user: User, rows: QuerySet[Person], value: Any) -> QuerySet[Person]:
    """People linked to a visible organization whose name, tax id, email or phone matches:
    the organizations come from their search index (bounded), then each person is checked
    on the (person, organization) unique index -- never a scan of the people."""
    organizations = organization_list(user=user, filters={"q": str(value)}).select_related(None)
    ids = list(organizations.order_by().values_list("pk", flat=True)[:ORGANIZATION_MATCH_LIMIT])
    if not ids:
        return rows.none()
    linked = Affiliation.objects.filter(person_id=OuterRef("pk"), organization_id__in=ids)
    return rows.filter(Exists(linked))


def _filters() -> list[ListFilter]:
    return [
        ListFilter(
            "organization",
            gettext_lazy("Organization"),
            field=lambda: forms.CharField(required=False, max_length=120),
            apply=_organization_filter,
            order=10,
        ),
    ]


def _ids_done(message: str, count: int) -> BulkResult:
    return BulkResult(message % {"count": count})


def _assign_owner(actor: User, ids: Sequence[int], params: Mapping[str, str]) -> BulkResult:
    owner_id = param_required_id(params, "owner")
    count = bulk_services.people_assign_owner(actor=actor, person_ids=ids, owner_id=owner_id)
    return _ids_done(_("Owner changed: %(count)s."), count)


def _tag_add(actor: User, ids: Sequence[int], params: Mapping[str, str]) -> BulkResult:
    count = bulk_services.people_tag_add(actor=actor, person_ids=ids, tag=params.get("tag", ""))
    return _ids_done(_("Tag added: %(count)s."), count)


def _tag_remove(actor: User, ids: Sequence[int], params: Mapping[str, str]) -> BulkResult:
    count = bulk_services.people_tag_remove(actor=actor, person_ids=ids, tag=params.get("tag", ""))
    return _ids_done(_("Tag removed: %(count)s."), count)


def _list_add(actor: User, ids: Sequence[int], params: Mapping[str, str]) -> BulkResult:
    saved_list_id = param_required_id(params, "saved_list")
    count = bulk_services.people_add_to_list(
        actor=actor, person_ids=ids, saved_list_id=saved_list_id
    )
    return _ids_done(_("Added to the list: %(count)s."), count)


def _delete(actor: User, ids: Sequence[int], params: Mapping[str, str]) -> BulkResult:
    count = bulk_services.people_delete(actor=actor, person_ids=ids)
    return _ids_done(_("Deleted: %(count)s."), count)


def _actions() -> list[BulkAction]:
    return [
        BulkAction(
            "assign_owner",
            gettext_lazy("Assign owner"),
            "contacts.write",
            _assign_owner,
            input="owner",
            order=10,
        ),
        BulkAction(
            "tag_add", gettext_lazy("Add tag"), "contacts.write", _tag_add, input="tag", order=20
        ),
        BulkAction(
            "tag_remove",
            gettext_lazy("Remove tag"),
            "contacts.write",
            _tag_remove,
            input="tag",
            order=30,
        ),
        BulkAction(
            "list_add",
            gettext_lazy("Add to list"),
            "contacts.lists",
            _list_add,
            input="list",
            order=40,
        ),
        BulkAction(
            "delete",
            gettext_lazy("Delete"),
            "contacts.delete",
            _delete,
            confirm=True,
            order=900,
        ),
    ]


def list_entries_register() -> None:
    for column in _columns():
        list_columns.register(column)
    for list_filter in _filters():
        list_filters.register(list_filter)
    for action in _actions():
        bulk_actions.register(action)

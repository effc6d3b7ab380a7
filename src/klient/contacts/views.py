"""Client pages: the list with live search, new/edit forms, and the person and organization cards.

Thin: parse with a form, call a service or selector, render. Every page issues a
fixed number of queries whatever the number of rows (tests/ui/test_query_counts.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from klient.contacts import selectors, services
from klient.contacts.errors import PossibleDuplicates
from klient.contacts.forms import ClientFilterForm, OrganizationForm, PersonForm
from klient.contacts.list_table_views import people_list_page
from klient.contacts.merge_selectors import person_merge_pair, person_merged_survivor_id
from klient.contacts.models import Affiliation, Organization, Person
from klient.contacts.search import search_order_field
from klient.contacts.selectors import ChannelMatch
from klient.core.errors import Conflict, NotFound, ValidationFailed
from klient.core.models import Role, User
from klient.core.params import param_id, param_required_id
from klient.core.pickers import pickers_fill
from klient.core.registry import card_panels_for
from klient.core.selectors import audit_list, workspace_users
from klient.core.views import AuthedRequest, form_add_error, is_htmx, klient_view, list_page

AUDIT_LIMIT = 50
DUPLICATE_LIMIT = 5


def _owners(user: User) -> list[User]:
    return list(workspace_users(user=user))


# The list --------------------------------------------------------------------------------------


def _list_rows(user: User, tab: str, filters: dict[str, Any]) -> QuerySet[Any]:
    if tab == "organizations":
        return selectors.organization_list(user=user, filters=filters).prefetch_related("tags")
    primary = Prefetch(
        "affiliations",
        to_attr="primary_affiliations",
        queryset=Affiliation.objects.filter(is_primary=True).select_related("organization"),
    )
    return selectors.person_list(user=user, filters=filters).prefetch_related("tags", primary)


def _client_list(request: AuthedRequest, *, tab: str) -> HttpResponse:
    user = request.user
    owners = _owners(user)
    form = ClientFilterForm(
        request.GET,
        owners=owners,
        tags=selectors.tag_names(user=user),
        segments=selectors.segment_names(user=user),
    )
    filters = form.selector_filters()
    rows = _list_rows(user, tab, filters)
    url = reverse(
        "contacts:organization_list" if tab == "organizations" else "contacts:client_list"
    )
    # A search lists its matches newest first, in the order the search index walks them.
    query = filters.get("q") or ""
    id_field = search_order_field(query=query) if query else None
    context = {
        "tab": tab,
        "form": form,
        "filters": filters,
        "list_url": url,
        **list_page(request, rows, url=url, id_field=id_field),
    }
    if is_htmx(request) and request.htmx.target == "results":
        return render(request, "contacts/_client_results.html", context)
    return render(request, "contacts/client_list.html", context)


@klient_view
def client_list(request: AuthedRequest) -> HttpResponse:
    return people_list_page(request)  # columns, sort, pages, bulk actions: list_table_views


@klient_view
def organization_list(request: AuthedRequest) -> HttpResponse:
    return _client_list(request, tab="organizations")


# Person ----------------------------------------------------------------------------------------


@klient_view(write=True)
def person_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    initial = {"owner": user.pk, "organization": request.GET.get("organization")}
    form = PersonForm(
        request.POST or None, owners=_owners(user), with_organization=True, initial=initial
    )
    pickers_fill(form, user=user)  # the organization: the one chosen, type-ahead for others
    duplicates: list[ChannelMatch] = []
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=user,
                organization_id=form.cleaned_data["organization"],
                organization_role=form.cleaned_data["organization_role"] or Affiliation.Role.OTHER,
                check_duplicates=not form.cleaned_data["confirm_duplicates"],
                **form.person_fields(),
            )
        except PossibleDuplicates as warning:
            duplicates = warning.matches
        except (ValidationFailed, Conflict) as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person.full_name})
            return redirect("contacts:person_detail", person_id=person.pk)
    status = 422 if form.errors else 409 if duplicates else 200
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "person": None, "duplicates": duplicates},
        status=status,
    )


@klient_view(write=True)
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    user = request.user
    person = selectors.person_get(user=user, person_id=person_id)
    initial = {
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "last_name": person.last_name,
        "title": person.title,
        "emails": "\n".join(e.email for e in selectors.person_emails(person)),
        "phones": "\n".join(p.number for p in selectors.person_phones(person)),
        "lifecycle_stage": person.lifecycle_stage,
        "segment": person.segment,
        "preferred_channel": person.preferred_channel,
        "preferred_language": person.preferred_language,
        "owner": person.owner_id,
        "tags": ", ".join(sorted(t.name for t in person.tags.all())),
    }
    form = PersonForm(request.POST or None, owners=_owners(user), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=user, person=person, data=form.person_fields())
        except (ValidationFailed, Conflict) as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("contacts:person_detail", person_id=person.pk)
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "person": person},
        status=422 if form.errors else 200,
    )


def _card_common(
    request: AuthedRequest,
    *,
    person: Person | None = None,
    organization: Organization | None = None,
) -> dict[str, Any]:
    """What both cards share: the panels other apps register (the timeline, tasks, later
    deals and requests), tags, and the audit history for admins."""
    user = request.user
    record = person or organization
    assert record is not None
    subject = "contacts.person" if person is not None else "contacts.organization"
    panels = card_panels_for(user=user, subject=subject, record=record)
    context: dict[str, Any] = {
        "record": record,
        "panels_main": [panel for panel in panels if panel["column"] == "main"],
        "panels_side": [panel for panel in panels if panel["column"] == "side"],
        "tags": list(record.tags.all()),
    }
    if user.role == Role.ADMIN:
        context["audit_events"] = list(
            audit_list(user=user, object_type=record._meta.label_lower, object_id=record.pk)[
                :AUDIT_LIMIT
            ]
        )
    return context


@klient_view
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    user = request.user
    try:
        person = selectors.person_get(user=user, person_id=person_id)
    except NotFound:
        # A merged person's old link (bookmarks, emails, other apps) leads to the survivor.
        survivor_id = person_merged_survivor_id(user=user, person_id=person_id)
        if survivor_id is None:
            raise
        return redirect("contacts:person_detail", person_id=survivor_id)
    context = _card_common(request, person=person)
    context.update(
        {
            "person": person,
            "emails": selectors.person_emails(person),
            "phones": selectors.person_phones(person),
            "affiliations": selectors.person_affiliations(person),
            "consents": selectors.person_consents(person),
            "duplicates": list(
                selectors.person_duplicates(user=user, person=person).select_related("owner")[
                    :DUPLICATE_LIMIT
                ]
            ),
            "language_names": dict(settings.LANGUAGES),
        }
    )
    return render(request, "contacts/person_detail.html", context)


@klient_view(write=True)
@require_http_methods(["GET", "POST"])
def person_merge(request: AuthedRequest, person_id: int) -> HttpResponse:
    """GET: the two people side by side, the one kept first (`keep` swaps them). POST: fold a
    duplicate (duplicate_id) into this person; the card then shows both histories."""
    user = request.user
    if request.method == "GET":
        kept, merged = person_merge_pair(
            user=user,
            person_id=person_id,
            other_id=param_required_id(request.GET, "duplicate_id"),
            keep_id=param_id(request.GET, "keep"),
        )
        context = {"kept": kept, "merged": merged, "sides": [kept, merged]}
        return render(request, "contacts/person_merge.html", context)
    primary = selectors.person_get(user=user, person_id=person_id)
    duplicate = selectors.person_get(
        user=user, person_id=param_required_id(request.POST, "duplicate_id")
    )
    services.person_merge(actor=user, primary=primary, duplicate=duplicate)
    messages.success(
        request,
        _("%(duplicate)s was merged into %(primary)s.")
        % {"duplicate": duplicate.full_name, "primary": primary.full_name},
    )
    return redirect("contacts:person_detail", person_id=primary.pk)


# Organization ----------------------------------------------------------------------------------


def _organization_initial(organization: Organization) -> dict[str, Any]:
    initial: dict[str, Any] = {
        key: getattr(organization, key)
        for key in (
            "name",
            "legal_name",
            "tax_id",
            "industry",
            "website",
            "email",
            "phone",
            "address",
            "lifecycle_stage",
            "segment",
        )
    }
    initial["owner"] = organization.owner_id
    initial["tags"] = ", ".join(sorted(t.name for t in organization.tags.all()))
    return initial


@klient_view(write=True)
def organization_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = OrganizationForm(request.POST or None, owners=_owners(user), initial={"owner": user.pk})
    if request.method == "POST" and form.is_valid():
        fields = form.organization_fields()
        try:
            organization = services.organization_create(actor=user, **fields)
        except (ValidationFailed, Conflict) as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": organization.name})
            return redirect("contacts:organization_detail", organization_id=organization.pk)
    return render(
        request,
        "contacts/organization_form.html",
        {"form": form, "organization": None},
        status=422 if form.errors else 200,
    )


@klient_view(write=True)
def organization_edit(request: AuthedRequest, organization_id: int) -> HttpResponse:
    user = request.user
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    form = OrganizationForm(
        request.POST or None, owners=_owners(user), initial=_organization_initial(organization)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                actor=user, organization=organization, data=form.organization_fields()
            )
        except (ValidationFailed, Conflict) as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("contacts:organization_detail", organization_id=organization.pk)
    return render(
        request,
        "contacts/organization_form.html",
        {"form": form, "organization": organization},
        status=422 if form.errors else 200,
    )


@klient_view
def organization_detail(request: AuthedRequest, organization_id: int) -> HttpResponse:
    user = request.user
    organization = selectors.organization_get(user=user, organization_id=organization_id)
    context = _card_common(request, organization=organization)
    context.update(
        {
            "organization": organization,
            "affiliations": list(
                selectors.organization_people(user=user, organization=organization)[:100]
            ),
        }
    )
    return render(request, "contacts/organization_detail.html", context)

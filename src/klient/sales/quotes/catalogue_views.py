"""The catalogue pages (products and services) and the company's details on quotes."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.core.capabilities import can, require
from klient.core.errors import NotFound, ValidationFailed
from klient.core.views import AuthedRequest, form_add_error, klient_view
from klient.money.amounts import decimal_format
from klient.sales.quotes import catalogue, profile
from klient.sales.quotes.forms import CompanyProfileForm, ProductForm
from klient.sales.quotes.selectors import company_profile_get, product_get, product_list


@klient_view
def product_index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    query = request.GET.get("q", "")[:200]
    archived = request.GET.get("archived") == "1"
    products = list(product_list(user=user, include_archived=archived, query=query)[:500])
    context = {
        "products": products,
        "q": query,
        "archived": archived,
        "can_manage": can(user, "catalogue.manage"),
        "can_edit_company": can(user, "workspace.manage"),
    }
    return render(request, "sales/quotes/product_list.html", context)


def _product_page(
    request: AuthedRequest, form: ProductForm, product_id: int | None
) -> HttpResponse:
    status = 422 if form.errors else 200
    context = {"form": form, "product_id": product_id}
    return render(request, "sales/quotes/product_form.html", context, status=status)


@klient_view(write=True)
def product_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require(user, "catalogue.manage")
    workspace = user.workspace
    initial = {
        "currency": workspace.default_currency if workspace else "RUB",
        "vat_rate": decimal_format(Decimal(20), language=request.LANGUAGE_CODE),
        "kind": "product",
    }
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if values is not None:
            try:
                product = catalogue.product_create(actor=user, **values)
            except ValidationFailed as error:
                form_add_error(form, error)
            else:
                messages.success(request, _("“%(name)s” added.") % {"name": product.name})
                return redirect("sales:product_list")
    return _product_page(request, form, None)


@klient_view(write=True)
def product_edit(request: AuthedRequest, product_id: int) -> HttpResponse:
    user = request.user
    require(user, "catalogue.manage")
    product = product_get(user=user, product_id=product_id)
    initial = {
        "kind": product.kind,
        "name": product.name,
        "sku": product.sku,
        "unit": product.unit,
        "price": decimal_format(product.price.normalize(), language=request.LANGUAGE_CODE),
        "currency": product.currency,
        "vat_rate": decimal_format(product.vat_rate.normalize(), language=request.LANGUAGE_CODE),
        "description": product.description,
    }
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if values is not None:
            try:
                catalogue.product_update(actor=user, product_id=product.pk, data=values)
            except ValidationFailed as error:
                form_add_error(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("sales:product_list")
    return _product_page(request, form, product.pk)


@require_POST
@klient_view(write=True)
def product_archive(request: AuthedRequest, product_id: int) -> HttpResponse:
    archived = request.POST.get("archived", "1") == "1"
    product = catalogue.product_archive(
        actor=request.user, product_id=product_id, archived=archived
    )
    text = _("“%(name)s” archived.") if archived else _("“%(name)s” restored.")
    messages.success(request, text % {"name": product.name})
    return redirect("sales:product_list")


@klient_view
def company_profile_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require(user, "workspace.manage")
    current = company_profile_get(workspace_id=int(user.workspace_id or 0))
    fields = [name for name in CompanyProfileForm.base_fields if name not in ("logo", "logo_clear")]
    initial = {name: getattr(current, name) for name in fields}
    form = CompanyProfileForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                # Details and logo together: a refused logo saves nothing.
                with transaction.atomic():
                    profile.company_profile_update(actor=user, data=form.profile_data())
                    upload = form.cleaned_data.get("logo")
                    if upload:
                        if upload.size > profile.LOGO_MAX_BYTES:
                            raise ValidationFailed(
                                fields={"logo": _("The logo is larger than 2 MB.")}
                            )
                        profile.company_logo_set(actor=user, content=upload.read())
                    elif form.cleaned_data.get("logo_clear"):
                        profile.company_logo_clear(actor=user)
            except ValidationFailed as error:
                form_add_error(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("sales:company_profile")
        status = 422
    context = {"form": form, "profile": current, "has_logo": bool(profile.logo_file(current))}
    return render(request, "sales/quotes/company_profile.html", context, status=status)


@klient_view
def company_logo(request: AuthedRequest) -> HttpResponse:
    """The workspace's logo, for the settings page's preview (any colleague may see it:
    it is printed on every quote)."""
    current = company_profile_get(workspace_id=int(request.user.workspace_id or 0))
    path = profile.logo_file(current)
    if path is None:
        raise NotFound(_("No logo yet."))
    content_type = "image/png" if path.suffix == ".png" else "image/jpeg"
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""The administrator's money page: default currency, exchange rates by hand or from a file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.core.errors import KlientError, NotFound
from klient.core.models import Workspace
from klient.core.pagination import paginate_desc
from klient.core.services import require_admin
from klient.core.views import AuthedRequest, form_add_error, klient_view
from klient.money import selectors, services
from klient.money.amounts import decimal_parse
from klient.money.currencies import currency_choices
from klient.money.errors import RatesFileInvalid
from klient.money.rates_csv import MAX_BYTES

RATES_PER_PAGE = 50


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=gettext_lazy("Default currency"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices(language=get_language())  # type: ignore[attr-defined]


class RateForm(forms.Form):
    valid_on = forms.DateField(
        label=gettext_lazy("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    quote = forms.ChoiceField(label=gettext_lazy("Currency"))
    rate = forms.CharField(
        label=gettext_lazy("Rate"),
        max_length=40,
        help_text=gettext_lazy("What 1 unit of the currency is worth in the base currency."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    base = forms.ChoiceField(label=gettext_lazy("Base currency"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = currency_choices(language=get_language())
        self.fields["quote"].choices = choices  # type: ignore[attr-defined]
        self.fields["base"].choices = choices  # type: ignore[attr-defined]


class RatesFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV)"))


def _workspace(request: AuthedRequest) -> Workspace:
    require_admin(request.user)
    workspace = request.user.workspace
    if workspace is None:
        raise NotFound(_("Workspace not found."))
    return workspace


def _page(
    request: AuthedRequest,
    *,
    currency_form: CurrencyForm | None = None,
    rate_form: RateForm | None = None,
    file_form: RatesFileForm | None = None,
    file_errors: list[tuple[int, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = _workspace(request)
    page = paginate_desc(
        selectors.rate_list(user=request.user),
        field="valid_on",
        cursor=request.GET.get("cursor") or None,
        limit=RATES_PER_PAGE,
    )
    context = {
        "workspace": workspace,
        "currency_form": currency_form
        or CurrencyForm(initial={"currency": workspace.default_currency}),
        "rate_form": rate_form
        or RateForm(initial={"base": workspace.default_currency, "valid_on": timezone.localdate()}),
        "file_form": file_form or RatesFileForm(),
        "file_errors": file_errors or [],
        "page": page,
    }
    return render(request, "money/settings.html", context, status=status)


@klient_view
def money_settings(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@klient_view(write=True)
@require_POST
def money_currency_set(request: AuthedRequest) -> HttpResponse:
    _workspace(request)
    form = CurrencyForm(request.POST)
    if form.is_valid():
        try:
            services.workspace_currency_set(
                actor=request.user, currency=form.cleaned_data["currency"]
            )
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Default currency saved."))
            return redirect("money:settings")
    return _page(request, currency_form=form, status=422)


@klient_view(write=True)
@require_POST
def money_rate_add(request: AuthedRequest) -> HttpResponse:
    _workspace(request)
    form = RateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rate_set(
                actor=request.user,
                quote=data["quote"],
                base=data["base"],
                valid_on=data["valid_on"],
                rate=decimal_parse(data["rate"], language=get_language(), field="rate"),
            )
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Rate saved."))
            return redirect("money:settings")
    return _page(request, rate_form=form, status=422)


@klient_view(write=True)
@require_POST
def money_rates_import(request: AuthedRequest) -> HttpResponse:
    _workspace(request)
    form = RatesFileForm(request.POST, request.FILES)
    rows: list[tuple[int, str]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_BYTES:
                raise RatesFileInvalid([(0, _("The file is larger than 5 MB."))])
            stored = services.rates_import_csv(
                actor=request.user, content=upload.read(), filename=upload.name or ""
            )
        except RatesFileInvalid as error:
            form.add_error("file", str(error.message))
            rows = error.rows
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request,
                _("Rates imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
                % {
                    "created": stored.created,
                    "updated": stored.updated,
                    "unchanged": stored.unchanged,
                },
            )
            return redirect("money:settings")
    return _page(request, file_form=form, file_errors=rows, status=422)


@klient_view(write=True)
@require_POST
def money_rate_delete(request: AuthedRequest, rate_id: int) -> HttpResponse:
    services.rate_delete(actor=request.user, rate_id=rate_id)
    messages.success(request, _("Rate deleted."))
    return redirect("money:settings")

"""The quote pages: make a quote on a deal, change a draft (details and lines), the
quote itself (lines, totals, versions, send, the manager's accept or decline, new
version, delete a draft) and its PDF; and the deal page's quotes panel."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.core.capabilities import can
from klient.core.errors import Conflict, KlientError, PermissionDenied, ValidationFailed
from klient.core.models import Role, User, Workspace
from klient.core.params import param_ids
from klient.core.views import AuthedRequest, klient_view
from klient.sales.models import Deal
from klient.sales.quote_models import Quote
from klient.sales.quotes import sending, services
from klient.sales.quotes.forms import LineForm, LineFormSet, QuoteForm, line_initial
from klient.sales.quotes.line_services import LineIn, lines_of
from klient.sales.quotes.selectors import (
    company_profile_get,
    product_list,
    quote_get,
    quote_lines,
    quote_list,
    quote_versions,
)
from klient.sales.quotes.views_support import pdf_response, quote_pdf_for_download
from klient.sales.selectors import deal_contacts, deal_get

LINE_ERROR = re.compile(r"lines\[(\d+)\]\.(\w+)")


def may_quote(user: User, deal: Deal) -> bool:
    """The services' rule, to hide what they would refuse."""
    if not can(user, "quote.write"):
        return False
    return user.role != Role.AGENT or deal.owner_id == user.pk


def deal_quotes_context(user: User, deal: Deal) -> dict[str, Any]:
    """For the deal page's quotes panel (`sales/quotes/_deal_quotes.html`): the deal's
    current quotes and whether this user may make one. Two queries."""
    return {
        "deal": deal,
        "quotes": list(quote_list(user=user, deal_id=deal.pk, current_only=True)[:20]),
        "can_quote": may_quote(user, deal),
    }


def _people(deal: Deal) -> list[tuple[int, str]]:
    return [
        (link.person_id, link.person.full_name or f"#{link.person_id}")
        for link in deal_contacts(deal=deal)
    ]


def _products(user: User) -> list[tuple[int, str]]:
    return [
        (product.pk, f"{product.name} · {product.currency}")
        for product in product_list(user=user)[:500]
    ]


def _lines_formset(request: AuthedRequest, initial: list[dict[str, Any]], user: User) -> Any:
    """The lines' formset: the submitted rows (plus more empty ones when asked), or the
    initial rows plus a few empty ones."""
    products = _products(user)
    if request.method == "POST":
        data = request.POST.copy()
        if "more" in request.POST:
            total = int(data.get("form-TOTAL_FORMS") or 0)
            data["form-TOTAL_FORMS"] = str(min(total + 5, 500))
        return LineFormSet(data, form_kwargs={"products": products})
    rows = [*initial, *({} for _row in range(3))]
    return LineFormSet(initial=rows, form_kwargs={"products": products})


def _formset_lines(formset: Any) -> tuple[list[LineIn], list[int]] | None:
    """The filled rows as lines, with each line's row number; None when a row has an
    error of its own (a number that does not read as one)."""
    if not formset.is_valid():
        return None
    lines: list[LineIn] = []
    rows: list[int] = []
    for index, form in enumerate(formset.forms):
        line = form.line()
        if line is not None:
            lines.append(line)
            rows.append(index)
    if any(form.errors for form in formset.forms):
        return None
    return lines, rows


def _error_place(form: QuoteForm, formset: Any, rows: list[int], error: KlientError) -> None:
    """The service's errors beside their fields: `lines[i].x` on the i-th filled row."""
    form.add_error(None, str(error.message))
    for key, detail in error.fields.items():
        match = LINE_ERROR.fullmatch(key)
        if match is not None and int(match.group(1)) < len(rows):
            row: LineForm = formset.forms[rows[int(match.group(1))]]
            name = match.group(2).removesuffix("_id")
            row.add_error(name if name in row.fields else None, str(detail))
        elif key in form.fields or key.removesuffix("_id") in form.fields:
            form.add_error(key.removesuffix("_id"), str(detail))


def _form_page(
    request: AuthedRequest, *, deal: Deal, quote: Quote | None, form: QuoteForm, formset: Any
) -> HttpResponse:
    has_errors = bool(form.errors) or any(row.errors for row in formset.forms)
    status = 422 if request.method == "POST" and has_errors else 200
    context = {"deal": deal, "quote": quote, "form": form, "formset": formset}
    return render(request, "sales/quotes/quote_form.html", context, status=status)


def _submitted(
    request: AuthedRequest, form: QuoteForm, formset: Any
) -> tuple[list[LineIn], list[int]] | None:
    if request.method != "POST" or "more" in request.POST:
        return None
    form_ok = form.is_valid()
    lines = _formset_lines(formset)
    return lines if form_ok and lines is not None else None


@klient_view(write=True)
def quote_create(request: AuthedRequest, deal_id: int) -> HttpResponse:
    user = request.user
    deal = deal_get(user=user, deal_id=deal_id)
    services.quote_write_check(user, deal)
    contacts = deal_contacts(deal=deal)
    people = _people(deal)
    workspace = Workspace.objects.get(pk=deal.workspace_id)
    language = contacts[0].person.preferred_language if contacts else ""
    profile = company_profile_get(workspace_id=deal.workspace_id)
    initial = {
        "language": language
        if language in dict(settings.LANGUAGES)
        else workspace.default_language,
        "person": people[0][0] if people else None,
        "currency": deal.currency or workspace.default_currency,
        "valid_until": timezone.localdate() + timedelta(days=profile.quote_valid_days or 30),
    }
    form = QuoteForm(
        request.POST if request.method == "POST" else None,
        people=people,
        editing=False,
        initial=initial,
    )
    formset = _lines_formset(request, [], user)
    submitted = _submitted(request, form, formset)
    if submitted is not None:
        lines, rows = submitted
        data = form.cleaned_data
        try:
            quote = services.quote_create(
                actor=user,
                deal_id=deal.pk,
                lines=lines,
                currency=data["currency"],
                language=data["language"],
                person_id=data["person"],
                valid_until=data["valid_until"],
                notes=data["notes"],
            )
        except (ValidationFailed, Conflict) as error:
            _error_place(form, formset, rows, error)
        else:
            messages.success(request, _("Quote %(number)s created.") % {"number": quote.number})
            return redirect("sales:quote_detail", quote_id=quote.pk)
    return _form_page(request, deal=deal, quote=None, form=form, formset=formset)


@klient_view(write=True)
def quote_edit(request: AuthedRequest, quote_id: int) -> HttpResponse:
    user = request.user
    quote = quote_get(user=user, quote_id=quote_id)
    services.quote_write_check(user, quote.deal)
    if not quote.is_draft:
        messages.error(
            request, _("This quote is no longer a draft: make a new version to change it.")
        )
        return redirect("sales:quote_detail", quote_id=quote.pk)
    initial = {
        "language": quote.language,
        "person": quote.person_id,
        "valid_until": quote.valid_until,
        "notes": quote.notes,
    }
    form = QuoteForm(
        request.POST if request.method == "POST" else None,
        people=_people(quote.deal),
        editing=True,
        initial=initial,
    )
    formset = _lines_formset(request, [line_initial(line) for line in lines_of(quote)], user)
    submitted = _submitted(request, form, formset)
    if submitted is not None:
        lines, rows = submitted
        data = form.cleaned_data
        try:
            with transaction.atomic():  # details and lines together: a bad line saves nothing
                services.quote_update(
                    actor=user,
                    quote_id=quote.pk,
                    data={
                        "language": data["language"],
                        "person_id": data["person"],
                        "valid_until": data["valid_until"],
                        "notes": data["notes"],
                    },
                )
                services.quote_lines_set(actor=user, quote_id=quote.pk, lines=lines)
        except (ValidationFailed, Conflict) as error:
            _error_place(form, formset, rows, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:quote_detail", quote_id=quote.pk)
    return _form_page(request, deal=quote.deal, quote=quote, form=form, formset=formset)


def quote_page(request: AuthedRequest, quote: Quote, *, status: int = 200) -> HttpResponse:
    user = request.user
    deal = quote.deal
    writable = may_quote(user, deal)
    recipients = [link.person for link in deal_contacts(deal=deal) if link.person.primary_email]
    context = {
        "quote": quote,
        "deal": deal,
        "lines": quote_lines(quote=quote),
        "versions": quote_versions(quote=quote),
        "can_write": writable,
        "can_send": writable and quote.status in (Quote.Status.DRAFT, Quote.Status.SENT),
        "can_decide": writable and quote.status in (Quote.Status.DRAFT, Quote.Status.SENT),
        "can_version": writable and quote.status in (Quote.Status.SENT, Quote.Status.DECLINED),
        "recipients": recipients,
    }
    return render(request, "sales/quotes/quote_detail.html", context, status=status)


@klient_view
def quote_detail(request: AuthedRequest, quote_id: int) -> HttpResponse:
    return quote_page(request, quote_get(user=request.user, quote_id=quote_id))


@klient_view
def quote_pdf(request: AuthedRequest, quote_id: int) -> HttpResponse:
    quote = quote_get(user=request.user, quote_id=quote_id)
    return pdf_response(*quote_pdf_for_download(quote))


def _done(
    request: AuthedRequest, quote_id: int, error: KlientError | None, text: str
) -> HttpResponse:
    if error is not None:
        messages.error(request, str(error.message))
        for detail in error.fields.values():
            messages.error(request, str(detail))
    else:
        messages.success(request, text)
    return redirect("sales:quote_detail", quote_id=quote_id)


@require_POST
@klient_view(write=True)
def quote_send(request: AuthedRequest, quote_id: int) -> HttpResponse:
    try:
        chosen = param_ids(request.POST.getlist("person"), "person")
        sent = sending.quote_send(
            actor=request.user,
            quote_id=quote_id,
            person_ids=chosen or None,
            message=request.POST.get("message", ""),
        )
    except (ValidationFailed, Conflict, PermissionDenied) as error:
        return _done(request, quote_id, error, "")
    addresses = ", ".join(message.address for message in sent.messages)
    return _done(
        request, quote_id, None, _("The quote is on its way to %(to)s.") % {"to": addresses}
    )


@require_POST
@klient_view(write=True)
def quote_decide(request: AuthedRequest, quote_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    try:
        services.quote_decide(
            actor=request.user,
            quote_id=quote_id,
            decision=decision,
            note=request.POST.get("note", ""),
        )
    except (ValidationFailed, Conflict) as error:
        return _done(request, quote_id, error, "")
    text = _("Marked as accepted.") if decision == "accepted" else _("Marked as declined.")
    return _done(request, quote_id, None, text)


@require_POST
@klient_view(write=True)
def quote_version(request: AuthedRequest, quote_id: int) -> HttpResponse:
    try:
        quote = services.quote_version_new(actor=request.user, quote_id=quote_id)
    except (ValidationFailed, Conflict) as error:
        return _done(request, quote_id, error, "")
    messages.success(
        request,
        _("Version %(version)s made: change it, then send it.") % {"version": quote.version},
    )
    return redirect("sales:quote_edit", quote_id=quote.pk)


@require_POST
@klient_view(write=True)
def quote_delete(request: AuthedRequest, quote_id: int) -> HttpResponse:
    quote = quote_get(user=request.user, quote_id=quote_id)
    try:
        services.quote_delete(actor=request.user, quote_id=quote_id)
    except (ValidationFailed, Conflict) as error:
        return _done(request, quote_id, error, "")
    messages.success(request, _("Draft deleted."))
    return redirect("sales:deal_detail", deal_id=quote.deal_id)

"""What quotes register with the platform, called from `sales/plug.py`: capabilities,
the number sequence (`КП-2026-00042`), the deal's timeline entries for quotes and the
audit log's wording."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from klient.activities.kinds import InteractionKind, interaction_kinds
from klient.core.audit_words import AuditField, AuditSubject, audit_words_register
from klient.core.capabilities import LEADS, WRITERS, Capability, capabilities
from klient.core.numbering import SequenceSpec, number_sequences
from klient.core.registry import RecordRef
from klient.sales.quote_models import Product, Quote

QUOTE = "sales.quote"


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the quotes' URLs not mounted (a test's URLconf)
        return ""


def _quotes_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = Quote.objects.filter(pk__in=list(ids)).values_list("pk", "number", "version")
    return {
        pk: RecordRef(
            QUOTE,
            pk,
            f"{number} v{version}" if version > 1 else number,
            _url("sales:quote_detail", pk),
        )
        for pk, number, version in rows
    }


def _products_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = Product.objects.filter(pk__in=list(ids)).values_list("pk", "name")
    return {
        pk: RecordRef("sales.product", pk, name, _url("sales:product_edit", pk))
        for pk, name in rows
    }


def quotes_plug() -> None:
    for capability in (
        Capability(
            "quote.write",
            _("Make, send and record the answer to quotes (agents: on their own deals)"),
            WRITERS,
            330,
        ),
        Capability(
            "catalogue.manage", _("Keep the catalogue of products and services"), LEADS, 340
        ),
    ):
        capabilities.register(capability)
    number_sequences.register(SequenceSpec(key="sales.quote", prefix="КП", width=5))
    for key, label in (
        ("sales.quote_sent", _("Quote sent")),
        ("sales.quote_accepted", _("Quote accepted")),
        ("sales.quote_declined", _("Quote declined")),
    ):
        interaction_kinds.register(
            InteractionKind(key=key, label=label, icon="i-deal", system=True, order=310)
        )
    _audit_words()


def _audit_words() -> None:
    audit_words_register(
        subject=AuditSubject(
            key=QUOTE,
            label=_("Quote"),
            describe=_quotes_describe,
            fields={
                "lines": AuditField(_("lines")),
                "gross_total": AuditField(_("total with VAT")),
                "person_id": AuditField(_("addressee")),
                "recipients": AuditField(_("recipients")),
                "deal": AuditField(_("deal"), value="sales.deal"),
            },
        ),
        actions=[
            ("quote.create", _("Quote created"), _("%(actor)s created quote %(record)s")),
            (
                "quote.update",
                _("Quote changed"),
                _("%(actor)s changed %(fields)s of quote %(record)s"),
            ),
            (
                "quote.version",
                _("Quote version made"),
                _("%(actor)s made a new version of quote %(record)s"),
            ),
            ("quote.send", _("Quote sent"), _("%(actor)s sent quote %(record)s")),
            (
                "quote.accept",
                _("Quote accepted"),
                _("%(actor)s recorded that quote %(record)s was accepted"),
            ),
            (
                "quote.decline",
                _("Quote declined"),
                _("%(actor)s recorded that quote %(record)s was declined"),
            ),
            (
                "quote.client_accept",
                _("Quote accepted by the client"),
                _("The client accepted quote %(record)s"),
            ),
            (
                "quote.client_decline",
                _("Quote declined by the client"),
                _("The client declined quote %(record)s"),
            ),
            ("quote.delete", _("Quote deleted"), _("%(actor)s deleted quote %(record)s")),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="sales.product", label=_("Catalogue item"), describe=_products_describe
        ),
        actions=[
            (
                "product.create",
                _("Catalogue item added"),
                _("%(actor)s added catalogue item %(record)s"),
            ),
            (
                "product.update",
                _("Catalogue item changed"),
                _("%(actor)s changed %(fields)s of catalogue item %(record)s"),
            ),
            (
                "product.archive",
                _("Catalogue item archived"),
                _("%(actor)s archived catalogue item %(record)s"),
            ),
            (
                "product.restore",
                _("Catalogue item restored"),
                _("%(actor)s restored catalogue item %(record)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(key="sales.salescompanyprofile", label=_("Company details")),
        actions=[
            (
                "company_profile.update",
                _("Company details changed"),
                _("%(actor)s changed %(fields)s of the company details on quotes"),
            ),
            (
                "company_profile.logo",
                _("Company logo changed"),
                _("%(actor)s changed the company logo on quotes"),
            ),
        ],
    )

"""What money registers with the platform (klient.core.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.audit_words import AuditField, AuditSubject, audit_words_register
from klient.core.registry import DemoContext, DemoStep, demo_steps
from klient.money.demo import demo_rates_create


def _demo(context: DemoContext) -> None:
    demo_rates_create(context.workspace)


def plug() -> None:
    demo_steps.register(DemoStep(key="money", run=_demo, order=10))
    _audit_log_words()


def _audit_log_words() -> None:
    """How rate changes read on the audit log (klient.core.audit_words); the workspace
    currency is a `workspace.update`, worded by core."""
    audit_words_register(
        subject=AuditSubject(
            key="money.exchangerate",
            label=_("Exchange rate"),
            fields={
                "pair": AuditField(_("currency pair")),
                "file": AuditField(_("file")),
                "created": AuditField(_("created")),
                "updated": AuditField(_("updated")),
            },
        ),
        actions=[
            (
                "exchange_rate.create",
                _("Exchange rate added"),
                _("%(actor)s added the rate %(pair)s = %(rate)s from %(valid_on)s"),
            ),
            (
                "exchange_rate.update",
                _("Exchange rate changed"),
                _("%(actor)s changed %(fields)s of exchange rate %(record)s"),
            ),
            (
                "exchange_rate.delete",
                _("Exchange rate deleted"),
                _("%(actor)s deleted the rate %(pair)s from %(valid_on)s"),
            ),
            (
                "exchange_rate.import",
                _("Exchange rates imported"),
                _(
                    "%(actor)s imported exchange rates from “%(file)s”: added: %(created)s, "
                    "changed: %(updated)s"
                ),
            ),
        ],
    )

"""Refusals of the catalogue and quotes: typed 4xx in the API, messages on the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from klient.core.errors import Conflict


class QuoteNotDraft(Conflict):
    """Only a draft's lines and details change; a sent quote gets a new version."""

    code = "quote_not_draft"
    default_message = _("This quote is no longer a draft: make a new version to change it.")


class QuoteNotCurrent(Conflict):
    code = "quote_superseded"
    default_message = _("This version was replaced by a newer one.")


class QuoteAlreadyDecided(Conflict):
    code = "quote_decided"
    default_message = _("This quote has already been accepted or declined.")


class QuoteNotSent(Conflict):
    code = "quote_not_sent"
    default_message = _("This quote has not been sent to the client.")


class QuoteEmpty(Conflict):
    code = "quote_empty"
    default_message = _("Add at least one line before sending the quote.")


class QuoteExpired(Conflict):
    code = "quote_expired"
    default_message = _("The quote's validity date has passed: set a new one first.")


class NoRecipient(Conflict):
    code = "quote_no_recipient"
    default_message = _("None of the deal's contact people has an email address.")

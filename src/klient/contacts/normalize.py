"""Pure normalisation of names, emails and phones; no ORM, shared by services and importers."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"\d+")
_PHONE_QUERY = re.compile(r"^[\d\s()+\-.]+$")


class InvalidValue(ValueError):
    """A value that cannot be normalised; the message is for the user."""


def phone_to_e164(raw: str, *, region: str = "RU") -> str:
    """'+7 (916) 123-45-67', '8 916 123 45 67' -> '+79161234567'; invalid numbers raise."""
    text = (raw or "").strip()
    if not text:
        raise InvalidValue(_("Phone number is empty."))
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(_("“%(value)s” is not a phone number.") % {"value": text}) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidValue(_("“%(value)s” is not a valid phone number.") % {"value": text})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_normalize(raw: str) -> str:
    email = (raw or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidValue(
            _("“%(value)s” is not a valid email address.") % {"value": email}
        ) from exc
    local, _sep, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


def full_name_join(*, first_name: str, last_name: str, middle_name: str = "") -> str:
    """Display name: first [middle] last, as people write it on a card."""
    return " ".join(part.strip() for part in (first_name, middle_name, last_name) if part.strip())


def search_text_build(*, names: list[str], emails: list[str], phones: list[str]) -> str:
    """What search matches on: lower-cased names and emails, phone digits without '+'."""
    parts = [name.lower() for name in names if name]
    parts += [email.lower() for email in emails if email]
    parts += ["".join(_DIGITS.findall(phone)) for phone in phones if phone]
    return " ".join(part for part in parts if part)


def search_terms(query: str) -> list[str]:
    """Split a search box query into lower-cased terms; a phone-like query becomes its digits.

    '+7 (916) 123' -> ['7916123'];  'Кузн  Иван' -> ['кузн', 'иван'].
    A Russian trunk prefix '8 916…' is read as '7916…' too: both terms are tried by the caller.
    """
    text = " ".join((query or "").split())
    if not text:
        return []
    if _PHONE_QUERY.match(text) and sum(ch.isdigit() for ch in text) >= 3:
        return ["".join(_DIGITS.findall(text))]
    return [term.lower() for term in text.split(" ") if term]

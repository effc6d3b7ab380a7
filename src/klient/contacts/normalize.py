"""Pure normalisation of names, emails and phones; no ORM, shared by services and importers."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from klient.contacts.phone_parse import is_valid, parse_digits

_DIGITS = re.compile(r"\d+")
_PHONE_QUERY = re.compile(r"^[\d\s()+\-.]+$")
# A phone as people type it: an optional leading '+', then digits with spaces, dashes,
# dots and brackets between them. phonenumbers reads the separators as punctuation
# only, so such a string parses as its bare digits, which `parse_digits` reads fast.
_PLAIN_PHONE = re.compile(r"\+?[0-9 \-.()]{3,40}")
_PHONE_SEPARATORS = str.maketrans("", "", " -.()")
# The plain ASCII addresses Django's EmailValidator accepts (its dot-atom local part and
# hostname rules). Anything else -- quoted local parts, IDN domains, IP literals -- is
# left to the validator itself, so the verdict is always Django's; this only skips its
# slower path for the common case.
_PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.IGNORECASE,
)


class InvalidValue(ValueError):
    """A value that cannot be normalised; the message is for the user."""


def phone_to_e164(raw: str, *, region: str = "RU") -> str:
    """'+7 (916) 123-45-67', '8 916 123 45 67' -> '+79161234567'; invalid numbers raise."""
    text = (raw or "").strip()
    if not text:
        raise InvalidValue(_("Phone number is empty."))
    parsed = None
    if _PLAIN_PHONE.fullmatch(text):
        parsed = parse_digits(text.translate(_PHONE_SEPARATORS), region)
    if parsed is None:
        try:
            parsed = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as exc:
            raise InvalidValue(_("“%(value)s” is not a phone number.") % {"value": text}) from exc
    if not is_valid(parsed):
        raise InvalidValue(_("“%(value)s” is not a valid phone number.") % {"value": text})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_normalize(raw: str) -> str:
    email = (raw or "").strip()
    try:
        if not (email.isascii() and len(email) <= 320 and _PLAIN_EMAIL.fullmatch(email)):
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

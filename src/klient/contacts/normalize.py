"""Pure normalisation of names, emails and phones; no ORM, shared by services and importers."""

from __future__ import annotations

import re
from collections.abc import Sequence

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


# Between a record's own words and the words it borrows in search_text: a person's
# organizations' names, and an organization's words after its name. SQL splits there to
# rewrite the borrowed part when an organization is renamed (contacts.search_refresh);
# `search_fold` turns every other whitespace into a space, so no part holds one.
SEARCH_PART_SEPARATOR = "\n"


def search_fold(text: str) -> str:
    """How search compares text: lower-cased, «ё» read as «е» (people type «федор» for
    «Фёдор» and the other way round), runs of whitespace as one space."""
    return " ".join(text.lower().replace("ё", "е").split())


def search_text_build(
    *,
    names: Sequence[str],
    emails: Sequence[str],
    phones: Sequence[str],
    organizations: Sequence[str] = (),
) -> str:
    """What search matches on: folded names and emails, phone digits without '+', then
    the folded names of the person's organizations (primary first) after the separator."""
    parts = [search_fold(name) for name in names if name]
    parts += [search_fold(email) for email in emails if email]
    parts += ["".join(_DIGITS.findall(phone)) for phone in phones if phone]
    own = " ".join(part for part in parts if part)
    borrowed = " ".join(name for name in map(search_fold, organizations) if name)
    return own + SEARCH_PART_SEPARATOR + borrowed if borrowed else own


def organization_search_text_build(
    *, name: str, legal_name: str = "", tax_id: str = "", email: str = "", phone: str = ""
) -> str:
    """An organization's search text: its folded name first, alone before the separator,
    so SQL can copy it into its people's search text."""
    rest = search_text_build(names=[legal_name, tax_id], emails=[email], phones=[phone])
    folded = search_fold(name)
    return folded + SEARCH_PART_SEPARATOR + rest if rest else folded


def search_terms(query: str) -> list[str]:
    """Split a search box query into folded terms; a phone-like query becomes its digits.

    '+7 (916) 123' -> ['7916123'];  'Кузн  Фёдор' -> ['кузн', 'федор'].
    A Russian trunk prefix '8 916…' is read as '7916…' too: both terms are tried by the caller.
    """
    text = " ".join((query or "").split())
    if not text:
        return []
    if _PHONE_QUERY.match(text) and sum(ch.isdigit() for ch in text) >= 3:
        return ["".join(_DIGITS.findall(text))]
    return search_fold(text).split(" ")

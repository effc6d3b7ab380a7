"""One source row -> one clean record or the list of what is wrong with it.

Pure: no database (owners are looked up in a dict the caller loads once). Values are
normalised with `klient.contacts.normalize`, the same functions the contacts
services use, so an imported person is indistinguishable from one typed in.
Messages are in the active language: the caller runs this under the user's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klient.activities.kinds import interaction_kinds
from klient.activities.models import Interaction
from klient.contacts.models import Channel, LifecycleStage, Organization, Person
from klient.contacts.normalize import (
    InvalidValue,
    email_normalize,
    full_name_join,
    phone_to_e164,
    search_text_build,
)
from klient.importexport.exporters import is_formula_like

RowError = tuple[str, str, str]  # column, value, reason
# A valid record's problems that did not stop it (a phone that was left out), as RowErrors
# under this key; the engine takes them off and reports them as warnings.
WARNINGS = "warnings"
_NONE: list[tuple[str, str]] = []
_EMAIL_SPLIT = re.compile(r"[,;\s]+")
_PHONE_SPLIT = re.compile(r"[,;]+")
_TAG_SPLIT = re.compile(r"[,;]+")
_CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")

# Other products' names for our choices (HubSpot lifecycle stages, activity types).
EXTRA_CHOICES: dict[str, dict[str, str]] = {
    "lifecycle_stage": {
        "marketingqualifiedlead": "prospect",
        "marketing qualified lead": "prospect",
        "mql": "prospect",
        "salesqualifiedlead": "prospect",
        "sales qualified lead": "prospect",
        "sql": "prospect",
        "opportunity": "prospect",
        "evangelist": "customer",
        "клиент": "customer",
        "партнёр": "partner",
        "потенциальный клиент": "prospect",
    },
    "kind": {
        "звонок": "call",
        "обаждане": "call",
        "phone call": "call",
        "письмо": "email",
        "e-mail": "email",
        "имейл": "email",
        "встреча": "meeting",
        "среща": "meeting",
        "заметка": "note",
        "примечание": "note",
        "бележка": "note",
        "чат": "chat",
    },
    "preferred_language": {
        "russian": "ru",
        "русский": "ru",
        "руски": "ru",
        "bulgarian": "bg",
        "болгарский": "bg",
        "български": "bg",
        "english": "en",
        "английский": "en",
        "английски": "en",
    },
}


def unescape_cell(value: str) -> str:
    """Undo the apostrophe our exports put before a formula ('=1 -> =1), by the same rule."""
    if value[:1] == "'" and is_formula_like(value):
        return value[1:]
    return value


def choice_index(name: str, choices: list[tuple[str, Any]]) -> dict[str, str]:
    """Lower-cased code, label in every language, and known synonyms -> code."""
    index: dict[str, str] = {}
    for code, label in choices:
        index[code.lower()] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                index.setdefault(str(label).lower(), code)
    for synonym, code in EXTRA_CHOICES.get(name, {}).items():
        index.setdefault(synonym, code)
    return index


def _max_lengths(model: Any, names: tuple[str, ...]) -> dict[str, int]:
    return {name: model._meta.get_field(name).max_length for name in names}


def split_full_name(full: str) -> tuple[str, str, str]:
    """'Иванов Иван Иванович' -> (first, last, middle) = ('Иван', 'Иванов', 'Иванович');
    'Jane Mary Doe' -> ('Jane', 'Doe', 'Mary'); 'Jane Doe' -> ('Jane', 'Doe', '')."""
    parts = full.split()
    if not parts:
        return "", "", ""
    if len(parts) == 1:
        return parts[0], "", ""
    if (
        len(parts) == 3
        and _CYRILLIC.search(full)
        and parts[2].lower().endswith(("вич", "вна", "ич", "чна", "ична", "ов", "ова", "ев", "ева"))
    ):
        return parts[1], parts[0], parts[2]  # Russian order: Фамилия Имя Отчество
    return parts[0], parts[-1], " ".join(parts[1:-1])


def person_derive(person: dict[str, Any]) -> None:
    """The stored, computed columns, exactly as person_search_text_refresh sets them.

    Done by the parser for new rows (it runs in parallel with the writer), and again by
    the writer for a person a duplicate row changed."""
    person["full_name"] = full_name_join(
        first_name=person["first_name"],
        last_name=person["last_name"],
        middle_name=person["middle_name"],
    )
    emails, phones = person["emails"], person["phones"]
    person["primary_email"] = emails[0] if emails else ""
    person["primary_phone"] = phones[0] if phones else ""
    # A parsed row names one organization; a person a duplicate row changed has the
    # list, in the order contacts.search_refresh rebuilds it (primary first, then as linked).
    organizations = person.get("organizations")
    if organizations is None:
        organizations = [person["organization"]] if person.get("organization") else []
    person["search_text"] = search_text_build(
        names=[person["full_name"]], emails=emails, phones=phones, organizations=organizations
    )


class RowParser:
    """Turns aligned cell lists into records of one kind."""

    kind = ""

    def __init__(
        self,
        *,
        headers: list[str],
        mapping: list[str],
        region: str,
        owners: Mapping[str, int] | None = None,
        unescape: bool = True,
    ) -> None:
        self.headers = headers
        # Only CSV needs it: our XLSX exports keep values exact (text cells).
        self.unescape = unescape
        self.region = region
        self.owners = {key.lower(): value for key, value in (owners or {}).items()}
        self.columns: dict[str, list[int]] = {}
        for index, field in enumerate(mapping):
            if field and index < len(headers):
                self.columns.setdefault(field, []).append(index)
        self.mapped = [
            (index, field, headers[index])
            for index, field in enumerate(mapping)
            if field and index < len(headers)
        ]
        self.current: dict[str, list[tuple[str, str]]] = {}

    def _collect(self, values: list[str]) -> None:
        """Gather the row's non-empty cells by field once; the helpers read from here."""
        found: dict[str, list[tuple[str, str]]] = {}
        unescape = self.unescape
        for index, field, header in self.mapped:
            value = values[index]
            if value:
                if unescape and value[0] == "'":
                    value = unescape_cell(value)
                if field in found:
                    found[field].append((header, value))
                else:
                    found[field] = [(header, value)]
        self.current = found

    def _cells(self, values: list[str], field: str) -> list[tuple[str, str]]:
        """Non-empty (header, value) pairs of the columns mapped to a field."""
        return self.current.get(field, _NONE)

    def _one(self, values: list[str], field: str) -> tuple[str, str]:
        cells = self._cells(values, field)
        return cells[0] if cells else (self._header(field), "")

    def _header(self, field: str) -> str:
        indexes = self.columns.get(field)
        return self.headers[indexes[0]] if indexes else ""

    def _text(
        self,
        record: dict[str, Any],
        errors: list[RowError],
        values: list[str],
        field: str,
        limit: int,
    ) -> None:
        column, value = self._one(values, field)
        if len(value) > limit:
            errors.append(
                (column, value, _("Longer than %(limit)s characters.") % {"limit": limit})
            )
        record[field] = value

    def _choice(
        self,
        record: dict[str, Any],
        errors: list[RowError],
        values: list[str],
        field: str,
        index: dict[str, str],
    ) -> None:
        column, value = self._one(values, field)
        if not value:
            return
        code = index.get(value.lower())
        if code is None:
            errors.append((column, value, _("Unknown value “%(value)s”.") % {"value": value}))
        else:
            record[field] = code

    def _emails(self, errors: list[RowError], values: list[str], field: str) -> list[str]:
        emails: list[str] = []
        for column, cell in self._cells(values, field):
            for raw in _EMAIL_SPLIT.split(cell):
                if not raw:
                    continue
                try:
                    email = email_normalize(raw)
                except InvalidValue as exc:
                    errors.append((column, raw, str(exc)))
                    continue
                if email not in emails:
                    emails.append(email)
        return emails

    def _phones(self, errors: list[RowError], values: list[str], field: str) -> list[str]:
        """The field's valid phones in E.164; each invalid one is a problem in `errors`."""
        phones: list[str] = []
        for column, cell in self._cells(values, field):
            for raw in _PHONE_SPLIT.split(cell):
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    phone = phone_to_e164(raw, region=self.region)
                except InvalidValue as exc:
                    errors.append((column, raw, str(exc)))
                    continue
                if phone not in phones:
                    phones.append(phone)
        return phones

    def _tags(self, values: list[str], field: str = "tags") -> list[str]:
        tags: list[str] = []
        for _column, cell in self._cells(values, field):
            for tag in _TAG_SPLIT.split(cell):
                tag = tag.strip()[:60]
                if tag and tag not in tags:
                    tags.append(tag)
        return tags

    def _owner(self, record: dict[str, Any], errors: list[RowError], values: list[str]) -> None:
        column, value = self._one(values, "owner")
        if not value:
            return
        owner_id = self.owners.get(value.lower())
        if owner_id is None:
            errors.append(
                (column, value, _("No user “%(value)s” in this workspace.") % {"value": value})
            )
        else:
            record["owner_id"] = owner_id

    def _phones_or_warnings(
        self, warnings: list[RowError], values: list[str], field: str
    ) -> list[str]:
        """As `_phones`, but the problems go to `warnings`: a record keeps its row without a
        phone that cannot be read. A peer CRM's placeholder '+1 555 0100' must not cost
        the person, their email and their new company."""
        return self._phones(warnings, values, field)

    @staticmethod
    def _finish(
        record: dict[str, Any], errors: list[RowError], warnings: list[RowError]
    ) -> tuple[dict[str, Any] | None, list[RowError]]:
        """A row with errors is not imported, and its unreadable phones are among its
        errors; otherwise the record is imported without them and carries them as warnings."""
        if errors:
            return None, errors + warnings
        if warnings:
            record[WARNINGS] = [
                (column, value, _("%(problem)s Imported without it.") % {"problem": problem})
                for column, value, problem in warnings
            ]
        return record, errors

    def parse(self, values: list[str]) -> tuple[dict[str, Any] | None, list[RowError]]:
        raise NotImplementedError


class PersonRowParser(RowParser):
    kind = "people"
    TEXT = ("first_name", "last_name", "middle_name", "title", "segment")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = _max_lengths(Person, self.TEXT)
        self.stages = choice_index("lifecycle_stage", LifecycleStage.choices)
        self.channels = choice_index("preferred_channel", Channel.choices)
        self.languages = choice_index(
            "preferred_language", [(code, name) for code, name in settings.LANGUAGES]
        )

    def parse(self, values: list[str]) -> tuple[dict[str, Any] | None, list[RowError]]:
        self._collect(values)
        errors: list[RowError] = []
        record: dict[str, Any] = {}
        for field in self.TEXT:
            self._text(record, errors, values, field, self.limits[field])
        if not (record["first_name"] or record["last_name"]):
            _column, full = self._one(values, "full_name")
            first, last, middle = split_full_name(full)
            record["first_name"], record["last_name"] = first[:120], last[:120]
            record["middle_name"] = record["middle_name"] or middle[:120]
        if not (record["first_name"] or record["last_name"]):
            column = (
                self._header("last_name") or self._header("first_name") or self._header("full_name")
            )
            errors.append((column, "", _("A person needs a first or last name.")))
        record["emails"] = self._emails(errors, values, "email")
        warnings: list[RowError] = []
        record["phones"] = self._phones_or_warnings(warnings, values, "phone")
        column, organization = self._one(values, "organization")
        if len(organization) > 255:
            errors.append(
                (column, organization, _("Longer than %(limit)s characters.") % {"limit": 255})
            )
        record["organization"] = organization
        record["tags"] = self._tags(values)
        self._choice(record, errors, values, "lifecycle_stage", self.stages)
        self._choice(record, errors, values, "preferred_channel", self.channels)
        self._language(record, errors, values)
        self._owner(record, errors, values)
        if not errors:
            person_derive(record)
        return self._finish(record, errors, warnings)

    def _language(self, record: dict[str, Any], errors: list[RowError], values: list[str]) -> None:
        column, value = self._one(values, "preferred_language")
        if not value:
            return
        code = self.languages.get(value.lower())
        if code is None and _LANGUAGE_CODE.match(value.lower()):
            code = value.lower()
        if code is None:
            errors.append((column, value, _("Unknown value “%(value)s”.") % {"value": value}))
        else:
            record["preferred_language"] = code


class OrganizationRowParser(RowParser):
    kind = "organizations"
    TEXT = ("name", "legal_name", "tax_id", "website", "industry", "address", "segment")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = _max_lengths(Organization, tuple(f for f in self.TEXT if f != "address"))
        self.limits["address"] = 10_000
        self.stages = choice_index("lifecycle_stage", LifecycleStage.choices)

    def parse(self, values: list[str]) -> tuple[dict[str, Any] | None, list[RowError]]:
        self._collect(values)
        errors: list[RowError] = []
        record: dict[str, Any] = {}
        for field in self.TEXT:
            self._text(record, errors, values, field, self.limits[field])
        record["tax_id"] = record["tax_id"].replace(" ", "")
        if not record["name"]:
            errors.append((self._header("name"), "", _("An organization needs a name.")))
        emails = self._emails(errors, values, "email")
        warnings: list[RowError] = []
        phones = self._phones_or_warnings(warnings, values, "phone")
        record["email"] = emails[0] if emails else ""
        record["phone"] = phones[0] if phones else ""
        record["tags"] = self._tags(values)
        self._choice(record, errors, values, "lifecycle_stage", self.stages)
        self._owner(record, errors, values)
        return self._finish(record, errors, warnings)


DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%y",
)


def parse_datetime_cell(value: str) -> datetime | None:
    """ISO 8601 first, then day.month.year (ru/bg) and month/day/year (US exports)."""
    text = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def parse_duration_cell(value: str) -> int | None:
    """'90' seconds, '1:30' minutes:seconds, '01:02:03' hours:minutes:seconds."""
    parts = value.strip().split(":")
    if not all(part.isdigit() for part in parts) or len(parts) > 3:
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


class InteractionRowParser(RowParser):
    kind = "interactions"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        writable = [kind for kind in interaction_kinds if not kind.system]
        self.kinds = choice_index("kind", [(kind.key, kind.label) for kind in writable])
        self.directions = choice_index("direction", Interaction.Direction.choices)

    def parse(self, values: list[str]) -> tuple[dict[str, Any] | None, list[RowError]]:
        self._collect(values)
        errors: list[RowError] = []
        record: dict[str, Any] = {"direction": Interaction.Direction.INTERNAL}
        self._choice(record, errors, values, "kind", self.kinds)
        if "kind" not in record and not errors:
            errors.append((self._header("kind"), "", _("This field is required.")))
        self._choice(record, errors, values, "direction", self.directions)
        self._text(record, errors, values, "channel", 32)
        self._text(record, errors, values, "subject", 300)
        record["body"] = self._one(values, "body")[1]
        column, when = self._one(values, "occurred_at")
        record["occurred_at"] = parse_datetime_cell(when) if when else None
        if record["occurred_at"] is None:
            reason = (
                _("Not a date: use YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM.")
                if when
                else _("This field is required.")
            )
            errors.append((column or self._header("occurred_at"), when, reason))
        column, duration = self._one(values, "duration_seconds")
        record["duration_seconds"] = parse_duration_cell(duration) if duration else None
        if duration and record["duration_seconds"] is None:
            errors.append((column, duration, _("Not a duration: use seconds or HH:MM:SS.")))
        emails = self._emails(errors, values, "person_email")
        phones = self._phones(errors, values, "person_phone")
        record["person_email"] = emails[0] if emails else ""
        record["person_phone"] = phones[0] if phones else ""
        record["organization"] = self._one(values, "organization")[1]
        named = record["person_email"] or record["person_phone"] or record["organization"]
        if not named and not errors:
            errors.append(("", "", _("Name a person (email or phone) or an organization.")))
        return (None if errors else record), errors

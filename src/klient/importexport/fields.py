"""What a column can be imported into: the built-in kinds' fields (registered in kinds.py),
the guess of a file's mapping from headers in ru/bg/en, and built-in presets.

Pure: no database. The guess compares a normalised header (lower case, ё as е,
letters and digits only) with the synonyms below and with each field's own label in
every interface language, so a file exported by Klient in any language maps itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from klient.importexport.registry import TargetField, import_kind_get, import_kinds

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def header_key(header: str) -> str:
    """'Рабочий e-mail' -> 'рабочийemail'; 'First Name' -> 'firstname'."""
    return _NON_WORD.sub("", (header or "").lower().replace("ё", "е"))


PEOPLE: tuple[TargetField, ...] = (
    TargetField(
        "first_name",
        _("First name"),
        (
            "first name",
            "firstname",
            "given name",
            "name first",
            "имя",
            "име",
            "собствено име",
            "first",
            "contact first name",
        ),
    ),
    TargetField(
        "last_name",
        _("Last name"),
        (
            "last name",
            "lastname",
            "surname",
            "family name",
            "фамилия",
            "презиме и фамилия",
            "last",
            "contact last name",
        ),
    ),
    TargetField(
        "middle_name",
        _("Middle name"),
        (
            "middle name",
            "middlename",
            "second name",
            "patronymic",
            "отчество",
            "бащино име",
            "презиме",
        ),
    ),
    TargetField(
        "full_name",
        _("Full name"),
        (
            "full name",
            "fullname",
            "name",
            "contact name",
            "contact",
            "фио",
            "ф и о",
            "полное имя",
            "наименование",
            "контакт",
            "имя контакта",
            "пълно име",
            "име и фамилия",
            "три имена",
        ),
    ),
    TargetField(
        "title",
        _("Job title"),
        ("job title", "title", "position", "jobtitle", "должность", "длъжност", "позиция"),
    ),
    TargetField(
        "email",
        _("Email"),
        (
            "email",
            "e-mail",
            "email address",
            "mail",
            "work email",
            "personal email",
            "other email",
            "home e-mail",
            "work e-mail",
            "private e-mail",
            "электронная почта",
            "почта",
            "эл почта",
            "рабочий email",
            "личный email",
            "другой email",
            "рабочий e-mail",
            "частный e-mail",
            "другой e-mail",
            "имейл",
            "електронна поща",
            "e-mail адрес",
        ),
        multi=True,
    ),
    TargetField(
        "phone",
        _("Phone"),
        (
            "phone",
            "phone number",
            "telephone",
            "mobile",
            "mobile phone",
            "mobile phone number",
            "work phone",
            "home phone",
            "other phone",
            "телефон",
            "тел",
            "мобильный",
            "мобильный телефон",
            "рабочий телефон",
            "рабочий прямой телефон",
            "домашний телефон",
            "другой телефон",
            "номер телефона",
            "мобилен",
            "мобилен телефон",
            "служебен телефон",
        ),
        multi=True,
    ),
    TargetField(
        "organization",
        _("Organization"),
        (
            "organization",
            "organisation",
            "company",
            "company name",
            "account",
            "account name",
            "компания",
            "организация",
            "фирма",
            "название компании",
            "компания контакта",
            "организация контакта",
        ),
    ),
    TargetField(
        "tags",
        _("Tags"),
        ("tags", "tag", "labels", "теги", "метки", "тагове", "етикети", "categories"),
        multi=True,
    ),
    TargetField(
        "lifecycle_stage",
        _("Lifecycle stage"),
        ("lifecycle stage", "lifecycle", "stage", "стадия", "этап", "жизненный цикл", "етап"),
    ),
    TargetField("segment", _("Segment"), ("segment", "сегмент", "тип контакта", "contact type")),
    TargetField(
        "preferred_channel",
        _("Preferred channel"),
        ("preferred channel", "channel", "канал", "предпочтительный канал", "предпочитан канал"),
    ),
    TargetField(
        "preferred_language",
        _("Preferred language"),
        ("preferred language", "language", "язык", "език"),
    ),
    TargetField(
        "owner",
        _("Owner"),
        (
            "owner",
            "contact owner",
            "responsible",
            "assigned to",
            "ответственный",
            "владелец",
            "отговорник",
            "собственик",
        ),
    ),
)

ORGANIZATIONS: tuple[TargetField, ...] = (
    TargetField(
        "name",
        _("Name"),
        (
            "name",
            "company",
            "company name",
            "organization",
            "organisation",
            "название",
            "наименование",
            "компания",
            "организация",
            "название компании",
            "име",
            "фирма",
        ),
    ),
    TargetField(
        "legal_name",
        _("Legal name"),
        ("legal name", "юридическое название", "полное наименование", "юридическо име"),
    ),
    TargetField(
        "tax_id",
        _("Tax ID"),
        ("tax id", "taxid", "vat", "vat number", "инн", "еик", "булстат", "идн", "ддс номер"),
    ),
    TargetField(
        "website",
        _("Website"),
        (
            "website",
            "web site",
            "site",
            "url",
            "company domain name",
            "domain",
            "сайт",
            "веб сайт",
            "уебсайт",
            "web",
        ),
    ),
    TargetField(
        "industry",
        _("Industry"),
        ("industry", "отрасль", "сфера деятельности", "индустрия", "отрасъл", "бранш"),
    ),
    TargetField(
        "email",
        _("Email"),
        (
            "email",
            "e-mail",
            "mail",
            "work email",
            "рабочий email",
            "рабочий e-mail",
            "электронная почта",
            "почта",
            "имейл",
            "електронна поща",
        ),
    ),
    TargetField(
        "phone",
        _("Phone"),
        ("phone", "phone number", "telephone", "work phone", "телефон", "рабочий телефон", "тел"),
    ),
    TargetField(
        "address", _("Address"), ("address", "адрес", "street address", "фактический адрес")
    ),
    TargetField("tags", _("Tags"), ("tags", "теги", "метки", "тагове", "етикети"), multi=True),
    TargetField(
        "lifecycle_stage",
        _("Lifecycle stage"),
        ("lifecycle stage", "lifecycle", "stage", "стадия", "этап", "етап"),
    ),
    TargetField(
        "segment", _("Segment"), ("segment", "сегмент", "тип компании", "company type", "type")
    ),
    TargetField(
        "owner",
        _("Owner"),
        ("owner", "company owner", "responsible", "ответственный", "отговорник"),
    ),
)

INTERACTIONS: tuple[TargetField, ...] = (
    TargetField(
        "kind", _("Kind"), ("kind", "type", "activity type", "тип", "вид", "тип активности")
    ),
    TargetField("direction", _("Direction"), ("direction", "направление", "посока")),
    TargetField("channel", _("Channel"), ("channel", "канал")),
    TargetField(
        "occurred_at",
        _("When"),
        (
            "when",
            "date",
            "datetime",
            "occurred at",
            "activity date",
            "created",
            "create date",
            "дата",
            "дата и время",
            "когда",
            "кога",
            "дата на активност",
        ),
    ),
    TargetField(
        "duration_seconds",
        _("Duration, s"),
        (
            "duration",
            "duration s",
            "duration seconds",
            "длительность",
            "продолжительность",
            "продължителност",
        ),
    ),
    TargetField("subject", _("Subject"), ("subject", "тема", "заголовок", "title", "заглавие")),
    TargetField(
        "body",
        _("Text"),
        (
            "text",
            "body",
            "note",
            "notes",
            "description",
            "comment",
            "текст",
            "описание",
            "примечание",
            "комментарий",
            "бележка",
            "коментар",
        ),
    ),
    TargetField(
        "person_email",
        _("Person email"),
        (
            "person email",
            "contact email",
            "email",
            "e-mail",
            "email контакта",
            "почта контакта",
            "имейл на контакт",
        ),
    ),
    TargetField(
        "person_phone",
        _("Person phone"),
        (
            "person phone",
            "contact phone",
            "phone",
            "телефон",
            "телефон контакта",
            "телефон на контакт",
        ),
    ),
    TargetField(
        "organization",
        _("Organization"),
        ("organization", "company", "компания", "организация", "фирма"),
    ),
)


def fields_for(kind: str) -> tuple[TargetField, ...]:
    """The fields of a registered import kind (ValidationFailed on `kind` for another)."""
    return import_kind_get(kind).fields


def field_choices(kind: str) -> list[tuple[str, str]]:
    return [(field.key, str(field.label)) for field in fields_for(kind)]


def _synonym_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for field in fields_for(kind):
        index.setdefault(header_key(field.key), field.key)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                index.setdefault(header_key(str(field.label)), field.key)
        for synonym in field.synonyms:
            index.setdefault(header_key(synonym), field.key)
    return index


def _guess_one(key: str, index: dict[str, str], keys: set[str]) -> str:
    if key in index:
        return index[key]
    # Numbered or qualified variants: "Email 2", "Телефон (рабочий)", "Mobile Phone Number 1".
    stripped = key.rstrip("0123456789")
    if stripped in index:
        return index[stripped]
    # A record's own email and phone fields (people, organizations) take any header that
    # names one ("Email (home)"); a kind whose emails find someone else ("person_email")
    # does not, as a stray "manager email" column would then pick the wrong person.
    if "email" in keys and any(word in key for word in ("email", "почта", "имейл", "поща")):
        return "email"
    if "phone" in keys and any(word in key for word in ("phone", "телефон", "mobile", "мобил")):
        return "phone"
    return ""


def mapping_guess(*, kind: str, headers: list[str]) -> list[str]:
    """One field key per header ("" = not imported). A single-value field is used once."""
    index = _synonym_index(kind)
    keys = {field.key for field in fields_for(kind)}
    multi = {field.key for field in fields_for(kind) if field.multi}
    taken: set[str] = set()
    result: list[str] = []
    for header in headers:
        field = _guess_one(header_key(header), index, keys)
        if field and field not in multi and field in taken:
            field = ""
        if field:
            taken.add(field)
        result.append(field)
    return result


def mapping_from_preset(*, headers: list[str], preset: Mapping[str, str], kind: str) -> list[str]:
    """Apply a saved {header: field} mapping; headers it does not name are not imported."""
    valid = {field.key for field in fields_for(kind)}
    by_key = {header_key(header): field for header, field in preset.items() if field in valid}
    return [by_key.get(header_key(header), "") for header in headers]


# Built-in presets: the column names of each product's contact export, as its
# documentation and its export files name them (Russian interface for amoCRM and
# Bitrix24, English for HubSpot).
PEOPLE_PRESETS: dict[str, dict[str, str]] = {
    "amoCRM": {
        "Полное имя": "full_name",
        "Имя": "first_name",
        "Фамилия": "last_name",
        "Компания": "organization",
        "Ответственный": "owner",
        "Теги": "tags",
        "Должность": "title",
        "Рабочий телефон": "phone",
        "Рабочий прямой телефон": "phone",
        "Мобильный телефон": "phone",
        "Домашний телефон": "phone",
        "Другой телефон": "phone",
        "Рабочий email": "email",
        "Личный email": "email",
        "Другой email": "email",
    },
    "Bitrix24": {
        "Имя": "first_name",
        "Фамилия": "last_name",
        "Отчество": "middle_name",
        "Должность": "title",
        "Компания": "organization",
        "Ответственный": "owner",
        "Тип контакта": "segment",
        "Рабочий телефон": "phone",
        "Мобильный телефон": "phone",
        "Домашний телефон": "phone",
        "Другой телефон": "phone",
        "Рабочий e-mail": "email",
        "Частный e-mail": "email",
        "Другой e-mail": "email",
        # The English interface's export.
        "First name": "first_name",
        "Last name": "last_name",
        "Second name": "middle_name",
        "Position": "title",
        "Company": "organization",
        "Responsible person": "owner",
        "Work phone": "phone",
        "Mobile phone": "phone",
        "Work e-mail": "email",
        "Home e-mail": "email",
    },
    "HubSpot": {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone Number": "phone",
        "Mobile Phone Number": "phone",
        "Company Name": "organization",
        "Job Title": "title",
        "Lifecycle Stage": "lifecycle_stage",
        "Contact owner": "owner",
        "Preferred language": "preferred_language",
    },
}


def builtin_preset(*, kind: str, name: str) -> Mapping[str, str] | None:
    """A built-in mapping preset of a kind ({file header: field key}), or None."""
    return import_kinds.get(kind).presets.get(name) if kind in import_kinds else None

"""Demo clients in Russian, Bulgarian and English, made through the services."""

from __future__ import annotations

import random

import phonenumbers

from klient.contacts.models import Affiliation
from klient.contacts.services import consent_grant, organization_create, person_create
from klient.core.registry import DemoContext

RU_FIRST = [
    "Иван",
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Михаил",
    "Ольга",
    "Анна",
    "Мария",
    "Елена",
    "Наталья",
    "Татьяна",
    "Павел",
    "Екатерина",
    "Юлия",
    "Никита",
]
RU_LAST_M = [
    "Кузнецов",
    "Иванов",
    "Смирнов",
    "Попов",
    "Волков",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Петров",
    "Фёдоров",
    "Орлов",
    "Зайцев",
]
BG_FIRST = [
    "Георги",
    "Иван",
    "Димитър",
    "Николай",
    "Петър",
    "Мария",
    "Елена",
    "Десислава",
    "Йордан",
    "Стефка",
    "Цветелина",
    "Христо",
    "Радостина",
    "Калоян",
]
BG_LAST_M = [
    "Иванов",
    "Георгиев",
    "Димитров",
    "Петров",
    "Николов",
    "Христов",
    "Стоянов",
    "Тодоров",
    "Илиев",
    "Ангелов",
    "Маринов",
    "Колев",
]
EN_FIRST = [
    "James",
    "Emily",
    "Oliver",
    "Sophie",
    "Jack",
    "Charlotte",
    "Harry",
    "Amelia",
    "George",
    "Grace",
    "Thomas",
    "Lucy",
]
EN_LAST = [
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Walker",
    "Wright",
    "Hughes",
    "Green",
    "Hall",
]
RU_ORG = [
    "Логистик",
    "ТрансЛайн",
    "СеверСтрой",
    "Ромашка",
    "ВекторСофт",
    "Альфа-Груз",
    "МедТех",
    "ЭкоПродукт",
    "Гранит",
    "Полярис",
    "Кедр",
    "Меридиан",
]
BG_ORG = [
    "Транспорт",
    "Балкан Логистик",
    "Витоша Софт",
    "Родопа Трейд",
    "Стара Планина",
    "Черно Море Карго",
    "Тракия Агро",
    "Пирин Дизайн",
]
EN_ORG = [
    "Northwind",
    "Blue Harbor",
    "Greenfield",
    "Atlas Freight",
    "Brightline Studio",
    "Oakridge Supplies",
    "Summit Analytics",
]
SEGMENTS = ["SMB", "Mid-market", "Enterprise"]
INDUSTRIES = ["logistics", "retail", "software", "construction", "design", "healthcare"]


def _feminine(last: str, language: str) -> str:
    if language == "ru":
        return last + "а" if last.endswith(("ов", "ев", "ин", "ёв")) else last
    if language == "bg":
        return last + "а" if last.endswith(("ов", "ев")) else last
    return last


def _name(rng: random.Random, language: str) -> tuple[str, str]:
    if language == "en":
        return rng.choice(EN_FIRST), rng.choice(EN_LAST)
    firsts, lasts = (RU_FIRST, RU_LAST_M) if language == "ru" else (BG_FIRST, BG_LAST_M)
    first = rng.choice(firsts)
    female = first.endswith(("а", "я")) and first not in ("Никита",)
    last = rng.choice(lasts)
    return first, _feminine(last, language) if female else last


def _phone(rng: random.Random, language: str) -> str:
    """A valid mobile number in the client's country, written the way people write it."""
    while True:
        candidate = _phone_candidate(rng, language)
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            return candidate


def _phone_candidate(rng: random.Random, language: str) -> str:
    if language == "ru":
        code, head = rng.randint(10, 99), rng.randint(100, 999)
        return f"+7 (9{code}) {head}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    if language == "bg":
        return f"+359 88 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    return f"+44 79{rng.randint(11, 99)} {rng.randint(100000, 999999)}"


def _latin(text: str) -> str:
    table = str.maketrans(
        {
            "а": "a",
            "б": "b",
            "в": "v",
            "г": "g",
            "д": "d",
            "е": "e",
            "ё": "e",
            "ж": "zh",
            "з": "z",
            "и": "i",
            "й": "y",
            "к": "k",
            "л": "l",
            "м": "m",
            "н": "n",
            "о": "o",
            "п": "p",
            "р": "r",
            "с": "s",
            "т": "t",
            "у": "u",
            "ф": "f",
            "х": "h",
            "ц": "ts",
            "ч": "ch",
            "ш": "sh",
            "щ": "sht",
            "ъ": "a",
            "ы": "y",
            "ь": "",
            "э": "e",
            "ю": "yu",
            "я": "ya",
            " ": "",
            "-": "",
        }
    )
    return text.lower().translate(table)


def _domain(organization_name: str) -> str:
    """'ООО «Альфа-Груз 29»' -> 'alfagruz': the first word of the name that is not a legal form."""
    words = [w.strip("«»") for w in organization_name.split()]
    name = next((w for w in words if w not in ("ООО", "ЕООД", "Ltd") and not w.isdigit()), "mail")
    return "".join(ch for ch in _latin(name) if ch.isalnum())[:16] or "mail"


def demo_contacts_create(context: DemoContext) -> None:
    """Organizations and their people (with emails, phones, consents): the clients every
    other app's demo data builds on, left in `made["contacts.people"]` as (language, person)."""
    rng, writers, sees = context.rng, context.writers, context.sees
    organizations, people = context.sizes["organizations"], context.sizes["people"]
    orgs = []
    for index in range(organizations):
        language = ("ru", "bg", "ru", "en")[index % 4]
        pool = {"ru": RU_ORG, "bg": BG_ORG, "en": EN_ORG}[language]
        prefix = {"ru": "ООО", "bg": "ЕООД", "en": "Ltd"}[language]
        base = f"{rng.choice(pool)} {index + 1}"
        name = f"{prefix} «{base}»" if language == "ru" else f"{base} {prefix}"
        owner = rng.choice(writers)
        orgs.append(
            (
                language,
                organization_create(
                    actor=owner,
                    name=name,
                    tax_id=str(rng.randint(10**9, 10**10 - 1)),
                    industry=rng.choice(INDUSTRIES),
                    segment=rng.choice(SEGMENTS),
                    lifecycle_stage=rng.choice(["lead", "prospect", "customer", "customer"]),
                    website=f"https://{_latin(base)}.example",
                ),
            )
        )
    persons = []
    roles = Affiliation.Role.values
    for index in range(people):
        language, org = orgs[index % len(orgs)]
        first, last = _name(rng, language)
        # Whoever adds a person to an organization must see it, as in the UI.
        owner = rng.choice([user for user in writers if sees(user, org)])
        person = person_create(
            actor=owner,
            first_name=first,
            last_name=last,
            emails=[f"{_latin(first)}.{_latin(last)}{index}@{_domain(org.name)}.example"],
            phones=[_phone(rng, language)],
            organization_id=org.pk,
            organization_role=rng.choice(roles),
            lifecycle_stage=org.lifecycle_stage,
            segment=org.segment,
            preferred_language=language,
            preferred_channel=rng.choice(["email", "phone", "messenger"]),
            title=rng.choice(["Директор", "Менеджер по закупкам", "Бухгалтер", "CEO", "Логист"]),
        )
        if rng.random() < 0.6:
            consent_grant(
                actor=owner,
                person=person,
                purpose="marketing",
                channel="email",
                source="web form",
            )
        persons.append((language, person))
    context.made["contacts.organizations"] = orgs
    context.made["contacts.people"] = persons

"""Deterministic generated clients: ru/bg/en names, emails, phones in mixed formats.

Everything comes from one `random.Random(seed)`, so the same seed gives the same
rows on every machine. Phones are generated valid (RU/BG mobile, UK mobile) and
kept both as E.164 (what the product stores) and as a person would type them
(what the search benchmark queries with).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


RU_MALE = _words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Василий Виктор Владимир "
    "Дмитрий Евгений Егор Иван Игорь Илья Кирилл Константин Максим Михаил Никита "
    "Николай Олег Павел Пётр Роман Сергей Станислав Тимофей Фёдор Юрий Ярослав"
)
RU_FEMALE = _words(
    "Александра Алина Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья "
    "Евгения Екатерина Елена Елизавета Ирина Ксения Лариса Любовь Людмила Марина "
    "Мария Наталья Нина Ольга Полина Светлана Софья Татьяна Юлия Яна"
)
# Masculine surnames; the feminine form is derived (Иванов -> Иванова, Толстой -> Толстая).
RU_LAST = _words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров "
    "Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев "
    "Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев "
    "Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв "
    "Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов "
    "Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров "
    "Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов "
    "Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов "
    "Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов "
    "Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев "
    "Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков "
    "Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов "
    "Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов "
    "Анисимов Ерёмин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров "
    "Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов "
    "Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков "
    "Сафонов Плотников Демин Хохлов Жданов Толстой Островский Чайковский"
)
BG_MALE = _words(
    "Георги Иван Димитър Петър Николай Христо Стефан Тодор Йордан Васил Атанас "
    "Красимир Стоян Пламен Калоян Мартин Борислав Валентин Венцислав Людмил Росен "
    "Цветан Огнян Бойко Благой Симеон Асен Веселин Любомир Здравко"
)
BG_FEMALE = _words(
    "Мария Елена Йорданка Иванка Десислава Гергана Цветелина Радостина Снежана "
    "Виолета Милена Надежда Теодора Ралица Биляна Петя Мариана Красимира Николина "
    "Стефка Вероника Боряна Диляна Зорница Калина Росица Силвия Ваня Невена Яна"
)
BG_LAST = _words(
    "Иванов Георгиев Димитров Петров Николов Христов Стоянов Тодоров Илиев Василев "
    "Атанасов Петков Ангелов Колев Йорданов Маринов Стефанов Попов Михайлов Кръстев "
    "Костов Димов Павлов Костадинов Генчев Маринчев Цветков Янков Алексиев Бонев "
    "Райчев Гочев Лазаров Младенов Тончев Желязков Русев Станчев Пеев Влахов "
    "Дочев Начев Славов Кирилов Богданов Найденов Радев Вълчев Събев Чакъров"
)
EN_MALE = _words(
    "James John Robert Michael William David Richard Joseph Thomas Charles Daniel "
    "Matthew Anthony Mark Steven Paul Andrew Joshua Kevin Brian George Edward Oliver "
    "Harry Jack Samuel Henry Peter Alexander Lewis"
)
EN_FEMALE = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy "
    "Lisa Margaret Emily Michelle Amanda Laura Rebecca Sophie Olivia Emma Charlotte "
    "Amelia Grace Chloe Lucy Hannah Eleanor Alice Victoria"
)
EN_LAST = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas "
    "Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young "
    "Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts "
    "Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook "
    "Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Cox Ward Richardson Watson "
    "Brooks Wood Bennett Gray Hughes Price Sanders Myers Long Foster"
)

# Patronymics (ru): the irregular ones spelled out; the rest take -ович / -овна.
_RU_PATRONYMIC = {
    "Алексей": "Алексеев",
    "Андрей": "Андреев",
    "Николай": "Николаев",
    "Сергей": "Сергеев",
    "Тимофей": "Тимофеев",
    "Василий": "Васильев",
    "Дмитрий": "Дмитриев",
    "Евгений": "Евгеньев",
    "Юрий": "Юрьев",
    "Игорь": "Игорев",
    "Михаил": "Михайлов",
    "Павел": "Павлов",
    "Пётр": "Петров",
}

# Cyrillic to Latin for email addresses; ъ as "a" is how Bulgarians write it (Петър: petar).
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch a y - e yu ya"),
        strict=True,
    )
)
_TRANSLIT["ь"] = ""

FREE_MAIL = {
    "ru": ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "rambler.ru"),
    "bg": ("abv.bg", "gmail.com", "mail.bg", "dir.bg", "yahoo.com"),
    "en": ("gmail.com", "outlook.com", "yahoo.co.uk", "icloud.com", "proton.me"),
}
ORG_WORDS = {
    "ru": (
        "Северный",
        "Восток",
        "Транс",
        "Логистик",
        "Сибирь",
        "Волга",
        "Балтика",
        "Урал",
        "Меридиан",
        "Гранит",
        "Альфа",
        "Вектор",
        "Прогресс",
        "Технологии",
        "Сервис",
        "Грузовой",
        "Экспресс",
        "Терминал",
        "Порт",
        "Строй",
        "Агро",
        "Медиа",
        "Софт",
    ),
    "bg": (
        "Балкан",
        "Тракия",
        "Родопи",
        "Дунав",
        "Черноморие",
        "Пирин",
        "Рила",
        "Транс",
        "Логистик",
        "Експрес",
        "Софтуер",
        "Строй",
        "Агро",
        "Медия",
        "Консулт",
        "Сервиз",
    ),
    "en": (
        "Northwind",
        "Harbour",
        "Atlas",
        "Summit",
        "Bridge",
        "Pioneer",
        "Crown",
        "Freight",
        "Logistics",
        "Systems",
        "Partners",
        "Digital",
        "Supply",
        "Global",
        "Design",
        "Studio",
        "Works",
        "Trading",
    ),
}
ORG_FORMS = {
    "ru": ("ООО", "АО", "ПАО", "ИП"),
    "bg": ("ЕООД", "ООД", "АД", "ЕТ"),
    "en": ("Ltd", "LLC", "Inc", "plc"),
}
TITLES = {
    "ru": (
        "Директор",
        "Менеджер по закупкам",
        "Главный бухгалтер",
        "Логист",
        "Инженер",
        "Руководитель отдела",
        "Специалист",
    ),
    "bg": (
        "Управител",
        "Мениджър продажби",
        "Счетоводител",
        "Логистик",
        "Инженер",
        "Ръководител отдел",
        "Специалист",
    ),
    "en": (
        "Director",
        "Procurement manager",
        "Finance lead",
        "Logistics coordinator",
        "Engineer",
        "Head of operations",
        "Specialist",
    ),
}
SUBJECTS = {
    "ru": (
        "Звонок по заявке",
        "Коммерческое предложение",
        "Согласование условий",
        "Вопрос по доставке",
        "Встреча в офисе",
        "Счёт на оплату",
        "Жалоба на сроки",
    ),
    "bg": (
        "Обаждане по заявка",
        "Търговско предложение",
        "Договаряне на условия",
        "Въпрос за доставка",
        "Среща в офиса",
        "Фактура",
        "Оплакване за срокове",
    ),
    "en": (
        "Call about the request",
        "Commercial proposal",
        "Terms agreed",
        "Delivery question",
        "Meeting at the office",
        "Invoice",
        "Late delivery",
    ),
}
BODIES = {
    "ru": "Клиент уточнил сроки, договорились созвониться после получения документов.",
    "bg": "Клиентът уточни сроковете, ще се чуем след получаване на документите.",
    "en": "The client confirmed the dates; we will call back once the papers arrive.",
}
KINDS = ("call", "email", "meeting", "chat", "sms", "note", "portal", "survey_answer")
DIRECTIONS = ("inbound", "outbound", "internal")
ROLES = ("decision_maker", "procurement", "finance", "technical", "end_user", "other")
STAGES = ("subscriber", "lead", "prospect", "customer", "partner", "churned")
CHANNELS = ("email", "phone", "sms", "messenger", "portal", "meeting", "")
SEGMENTS = ("SMB", "Enterprise", "Retail", "Logistics", "Public sector", "")
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 6 * 365 * 24 * 3600


@dataclass(slots=True)
class GenPerson:
    language: str
    first_name: str
    last_name: str
    middle_name: str
    title: str
    emails: list[str]
    phones: list[str]  # E.164
    phones_typed: list[str]  # as a person writes them: "+7 (916) 123-45-67", "8 916 123 45 67"
    organizations: list[tuple[int, str]]  # (organization index, role), first is primary
    lifecycle_stage: str
    segment: str
    preferred_channel: str
    created_at: datetime
    owner_index: int = 0
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class GenOrganization:
    language: str
    name: str
    legal_name: str
    tax_id: str
    website: str
    email: str
    phone: str
    industry: str
    created_at: datetime


def translit(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def _feminine(last: str) -> str:
    if last.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return last + "а"
    if last.endswith("ий"):
        return last[:-2] + "ая"
    if last.endswith("ой"):
        return last[:-2] + "ая"
    return last


def _ru_patronymic(father: str, *, female: bool) -> str:
    if father == "Илья":
        return "Ильинична" if female else "Ильич"
    if father == "Никита":
        return "Никитична" if female else "Никитич"
    stem = _RU_PATRONYMIC.get(father, father + "ов")
    return (
        stem[:-2] + ("евна" if female else "евич")
        if stem.endswith("ев")
        else stem + ("на" if female else "ич")
    )


def _bg_father_name(father: str, *, female: bool) -> str:
    if father.endswith("о"):
        stem = father + "в"
    elif father.endswith("и"):
        stem = father + "ев"
    elif father.endswith("й"):
        stem = father[:-1] + "ев"
    elif father.endswith("ър"):
        stem = father[:-2] + "ров"
    elif father.endswith("л"):
        stem = father + "ев"
    else:
        stem = father + "ов"
    return stem + "а" if female else stem


class DataGen:
    """A stream of organizations, people and interactions from one seed."""

    def __init__(self, *, seed: int = 42, organizations: int = 1) -> None:
        self.random = random.Random(seed)
        self.organizations = max(1, organizations)
        self._email_serial = 0

    # -- people -----------------------------------------------------------------------------
    def _language(self) -> str:
        roll = self.random.random()
        return "ru" if roll < 0.55 else "bg" if roll < 0.8 else "en"

    def _names(self, language: str) -> tuple[str, str, str, bool]:
        rnd = self.random
        female = rnd.random() < 0.5
        if language == "ru":
            first = rnd.choice(RU_FEMALE if female else RU_MALE)
            last = rnd.choice(RU_LAST)
            middle = _ru_patronymic(rnd.choice(RU_MALE), female=female)
        elif language == "bg":
            first = rnd.choice(BG_FEMALE if female else BG_MALE)
            last = rnd.choice(BG_LAST)
            middle = (
                _bg_father_name(rnd.choice(BG_MALE), female=female) if rnd.random() < 0.6 else ""
            )
        else:
            first = rnd.choice(EN_FEMALE if female else EN_MALE)
            last = rnd.choice(EN_LAST)
            middle = ""
        if female and language != "en":
            last = _feminine(last)
        return first, last, middle, female

    def _email(self, language: str, first: str, last: str, org: GenOrganization | None) -> str:
        rnd = self.random
        f, l_ = translit(first), translit(last)
        self._email_serial += 1
        shape = rnd.randrange(5)
        local = (f"{f}.{l_}", f"{f[0]}.{l_}", f"{l_}{f[0]}", f"{f}{l_}", f"{f}_{l_}")[shape]
        # A serial keeps addresses unique, as they are in life, without a set of 1M strings.
        local = f"{local}{self._email_serial % 997}" if rnd.random() < 0.7 else local
        if org is not None and rnd.random() < 0.5:
            domain = org.website
        else:
            domain = rnd.choice(FREE_MAIL[language])
        return f"{local}@{domain}"

    def _phone(self, language: str) -> tuple[str, str]:
        """(E.164, typed) for a valid mobile number of the person's country."""
        rnd = self.random
        if language == "ru":
            code = rnd.choice(("916", "903", "905", "909", "915", "926", "977", "985", "999"))
            rest = f"{rnd.randrange(10_000_000):07d}"
            e164 = f"+7{code}{rest}"
            typed = rnd.choice(
                (
                    f"+7 ({code}) {rest[:3]}-{rest[3:5]}-{rest[5:]}",
                    f"8 {code} {rest[:3]} {rest[3:5]} {rest[5:]}",
                    f"8({code}){rest}",
                    f"+7{code}{rest}",
                    f"+7 {code} {rest[:3]} {rest[3:]}",
                )
            )
        elif language == "bg":
            code = rnd.choice(("87", "88", "89", "98"))
            rest = f"{rnd.randrange(10_000_000):07d}"
            e164 = f"+359{code}{rest}"
            typed = rnd.choice(
                (
                    f"+359 {code} {rest[:3]} {rest[3:]}",
                    f"0{code} {rest[:3]} {rest[3:]}",
                    f"0{code}{rest}",
                    f"+359{code}{rest}",
                )
            )
        else:
            rest = f"{rnd.randrange(100_000_000):08d}"
            e164 = f"+447{rnd.choice('45789')}{rest}"
            typed = rnd.choice(
                (
                    f"+44 {e164[3:7]} {e164[7:]}",
                    f"0{e164[3:7]} {e164[7:]}",
                    e164,
                )
            )
        return e164, typed

    def person(self, orgs: list[GenOrganization] | None = None) -> GenPerson:
        rnd = self.random
        language = self._language()
        first, last, middle, _female = self._names(language)
        org_links: list[tuple[int, str]] = []
        if rnd.random() < 0.85:
            org_links.append((rnd.randrange(self.organizations), rnd.choice(ROLES)))
            if rnd.random() < 0.15:
                other = rnd.randrange(self.organizations)
                if other != org_links[0][0]:
                    org_links.append((other, rnd.choice(ROLES)))
        org = orgs[org_links[0][0] % len(orgs)] if orgs and org_links else None
        emails = [self._email(language, first, last, org)]
        if rnd.random() < 0.35:
            emails.append(self._email(language, first, last, None))
        phones, typed = [], []
        for _ in range(1 if rnd.random() < 0.7 else 2):
            e164, shown = self._phone(language)
            if e164 not in phones:
                phones.append(e164)
                typed.append(shown)
        return GenPerson(
            language=language,
            first_name=first,
            last_name=last,
            middle_name=middle,
            title=rnd.choice(TITLES[language]),
            emails=emails,
            phones=phones,
            phones_typed=typed,
            organizations=org_links,
            lifecycle_stage=rnd.choice(STAGES),
            segment=rnd.choice(SEGMENTS),
            preferred_channel=rnd.choice(CHANNELS),
            created_at=EPOCH + timedelta(seconds=rnd.randrange(SPAN_SECONDS)),
        )

    def people(self, count: int, orgs: list[GenOrganization] | None = None) -> Iterator[GenPerson]:
        for _ in range(count):
            yield self.person(orgs)

    # -- organizations ------------------------------------------------------------------------
    def organization(self, index: int) -> GenOrganization:
        rnd = self.random
        language = self._language()
        words = ORG_WORDS[language]
        core = (
            rnd.choice(words) + rnd.choice(words).lower()
            if rnd.random() < 0.4
            else f"{rnd.choice(words)} {rnd.choice(words)}"
        )
        form = rnd.choice(ORG_FORMS[language])
        quoted = f"{form} «{core}»" if language != "en" else f"{core} {form}"
        slug = translit(core).replace(" ", "-")
        tld = {"ru": "ru", "bg": "bg", "en": "co.uk"}[language]
        website = f"{slug}{index}.{tld}"
        e164, _typed = self._phone(language)
        return GenOrganization(
            language=language,
            name=core,
            legal_name=quoted,
            tax_id=f"{rnd.randrange(10**9, 10**10)}",
            website=website,
            email=f"info@{website}",
            phone=e164,
            industry=rnd.choice(("logistics", "retail", "manufacturing", "it", "services")),
            created_at=EPOCH + timedelta(seconds=rnd.randrange(SPAN_SECONDS)),
        )

    # -- interactions -------------------------------------------------------------------------
    def interaction(self, *, language: str) -> tuple[str, str, str, datetime, int | None, str, str]:
        """(kind, direction, channel, occurred_at, duration_seconds, subject, body)."""
        rnd = self.random
        kind = rnd.choice(KINDS)
        direction = "internal" if kind == "note" else rnd.choice(DIRECTIONS[:2])
        duration = rnd.randrange(30, 3600) if kind in ("call", "meeting") else None
        body = BODIES[language] if rnd.random() < 0.5 else ""
        return (
            kind,
            direction,
            kind if kind != "note" else "",
            EPOCH + timedelta(seconds=rnd.randrange(SPAN_SECONDS)),
            duration,
            rnd.choice(SUBJECTS[language]),
            body,
        )

"""Column mapping: guessed from ru/bg/en headers, presets (built-in and saved), checks."""

from __future__ import annotations

import pytest

from klient.contacts.models import Person
from klient.core.errors import NotFound
from klient.importexport.errors import MappingInvalid
from klient.importexport.fields import mapping_guess
from klient.importexport.models import ImportJob, ImportPreset
from klient.importexport.selectors import preset_names
from klient.importexport.services import (
    import_start,
    import_upload,
    mapping_clean,
    mapping_for_preset,
)
from tests.importexport.conftest import csv_bytes


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Фамилия", "Имя", "Отчество", "E-mail", "Телефон", "Компания", "Должность"],
            ["last_name", "first_name", "middle_name", "email", "phone", "organization", "title"],
        ),
        (
            ["Презиме и фамилия", "Име", "Имейл", "Мобилен телефон", "Фирма", "Длъжност"],
            ["last_name", "first_name", "email", "phone", "organization", "title"],
        ),
        (
            [
                "First Name",
                "Last Name",
                "Email Address",
                "Mobile Phone Number",
                "Company Name",
                "Job Title",
                "Record ID",
            ],
            ["first_name", "last_name", "email", "phone", "organization", "title", ""],
        ),
        (
            [
                "ФИО",
                "Рабочий телефон",
                "Мобильный телефон",
                "Личный email",
                "Теги",
                "Ответственный",
            ],
            ["full_name", "phone", "phone", "email", "tags", "owner"],
        ),
        (["Email 2", "Телефон (рабочий)", "Примечание"], ["email", "phone", ""]),
    ],
)
def test_mapping_is_guessed_from_ru_bg_en_headers(headers, expected):
    assert mapping_guess(kind="people", headers=headers) == expected


def test_a_single_value_field_is_guessed_once():
    assert mapping_guess(kind="people", headers=["Имя", "First name", "Email", "E-mail"]) == [
        "first_name",
        "",
        "email",
        "email",
    ]


def test_organization_and_interaction_headers():
    assert mapping_guess(kind="organizations", headers=["Название", "ИНН", "Сайт", "Адрес"]) == [
        "name",
        "tax_id",
        "website",
        "address",
    ]
    assert mapping_guess(
        kind="interactions", headers=["Тип", "Дата", "Тема", "Email контакта", "Комментарий"]
    ) == ["kind", "occurred_at", "subject", "person_email", "body"]


def test_mapping_checks_required_fields_and_duplicates():
    with pytest.raises(MappingInvalid) as error:
        mapping_clean(kind="people", headers=["A", "B"], mapping=["email", "phone"])
    assert error.value.fields == {
        "first_name": "Map a column to First name / Last name / Full name."
    }
    with pytest.raises(MappingInvalid) as error:
        mapping_clean(kind="people", headers=["A", "B"], mapping=["last_name", "last_name"])
    assert error.value.fields == {"B": "“Last name” is already taken by another column."}
    with pytest.raises(MappingInvalid) as error:
        mapping_clean(kind="people", headers=["A"], mapping=["password"])
    assert "A" in error.value.fields
    assert mapping_clean(
        kind="people", headers=["A", "B", "C"], mapping={"a": "last_name", "C": "email"}
    ) == ["last_name", "", "email"]


# Sample exports written from each product's documented contact columns.
AMOCRM = [
    [
        "ID",
        "Полное имя",
        "Компания",
        "Ответственный",
        "Теги",
        "Рабочий телефон",
        "Мобильный телефон",
        "Рабочий email",
        "Личный email",
        "Должность",
        "Дата создания",
    ],
    [
        "101",
        "Смирнова Анна Петровна",
        "ООО «Вектор»",
        "",
        "vip",
        "+7 495 123-45-67",
        "8 916 765-43-21",
        "anna@vector.ru",
        "anna@mail.ru",
        "Директор",
        "01.02.2024",
    ],
]
BITRIX24 = [
    [
        "ID",
        "Обращение",
        "Имя",
        "Отчество",
        "Фамилия",
        "Должность",
        "Компания",
        "Рабочий телефон",
        "Мобильный телефон",
        "Рабочий e-mail",
        "Частный e-mail",
        "Ответственный",
        "Тип контакта",
        "Источник",
    ],
    [
        "7",
        "г-н",
        "Пётр",
        "Иванович",
        "Сидоров",
        "Логист",
        "АО Балтика",
        "+7 812 000-11-22",
        "",
        "petr@baltika.ru",
        "",
        "",
        "Клиенты",
        "Звонок",
    ],
]
HUBSPOT = [
    [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Mobile Phone Number",
        "Company Name",
        "Job Title",
        "Lifecycle Stage",
        "Contact owner",
        "Create Date",
        "Last Activity Date",
    ],
    [
        "5101",
        "Jane",
        "Doe",
        "jane@acme.co.uk",
        "+44 20 7946 0958",
        "+44 7911 123456",
        "Acme Ltd",
        "CFO",
        "Sales Qualified Lead",
        "",
        "2024-03-01 10:00",
        "",
    ],
]


@pytest.mark.parametrize(
    ("preset", "rows", "expected"),
    [
        (
            "amoCRM",
            AMOCRM,
            (
                "Анна",
                "Смирнова",
                "Петровна",
                "Директор",
                ["anna@vector.ru", "anna@mail.ru"],
                ["+74951234567", "+79167654321"],
                "ООО «Вектор»",
                "lead",
                "",
                ["vip"],
            ),
        ),
        (
            "Bitrix24",
            BITRIX24,
            (
                "Пётр",
                "Сидоров",
                "Иванович",
                "Логист",
                ["petr@baltika.ru"],
                ["+78120001122"],
                "АО Балтика",
                "lead",
                "Клиенты",
                [],
            ),
        ),
        (
            "HubSpot",
            HUBSPOT,
            (
                "Jane",
                "Doe",
                "",
                "CFO",
                ["jane@acme.co.uk"],
                ["+442079460958", "+447911123456"],
                "Acme Ltd",
                "prospect",
                "",
                [],
            ),
        ),
    ],
)
def test_builtin_presets_import_each_products_export(
    admin, write_file, run_import, preset, rows, expected
):
    job = run_import(admin, write_file(f"{preset}.csv", rows, delimiter=";"), mapping_name=preset)
    assert (job.status, job.created_count, job.invalid_count) == ("done", 1, 0)
    person = Person.objects.get()
    emails = list(person.emails.order_by("id").values_list("email", flat=True))
    phones = list(person.phones.order_by("id").values_list("number", flat=True))
    organization = person.affiliations.get().organization.name
    tags = list(person.tags.values_list("name", flat=True))
    assert (
        person.first_name,
        person.last_name,
        person.middle_name,
        person.title,
        emails,
        phones,
        organization,
        person.lifecycle_stage,
        person.segment,
        tags,
    ) == expected


def test_saved_preset_is_offered_and_applied(admin, db):
    content = csv_bytes([["Col A", "Col B"], ["Иванов", "a@b.ru"]])
    job = import_upload(actor=admin, file_name="x.csv", content=[content], kind="people")
    assert job.mapping == ["", ""]
    import_start(
        actor=admin, job=job, mapping=["last_name", "email"], save_preset_as="My CRM", enqueue=False
    )
    assert ImportPreset.objects.get().mapping == {"Col A": "last_name", "Col B": "email"}
    assert preset_names(user=admin, kind="people") == ["amoCRM", "Bitrix24", "HubSpot", "My CRM"]

    second = import_upload(actor=admin, file_name="y.csv", content=[content], kind="people")
    assert mapping_for_preset(actor=admin, job=second, name="My CRM") == ["last_name", "email"]
    with pytest.raises(NotFound):
        mapping_for_preset(actor=admin, job=second, name="Nope")


def test_start_refuses_a_second_start(admin, db):
    content = csv_bytes([["Фамилия"], ["Иванов"]])
    job = import_upload(actor=admin, file_name="x.csv", content=[content], kind="people")
    import_start(actor=admin, job=job, enqueue=False)
    assert ImportJob.objects.get().status == "queued"
    with pytest.raises(Exception) as error:
        import_start(actor=admin, job=job, enqueue=False)
    assert error.value.as_dict()["code"] == "import_not_ready"

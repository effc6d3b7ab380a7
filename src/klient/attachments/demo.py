"""Demo files: a small contract PDF and a meeting note on a few demo clients, and a
price list on a few organizations, made in code (no binary fixtures)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from klient.attachments.services import attachment_add
from klient.core.registry import DemoContext

PEOPLE_WITH_FILES = 6
ORGANIZATIONS_WITH_FILES = 3

NOTES = {
    "ru": "Заметки со встречи\n\n- Обсудили объёмы на следующий квартал\n- Ждут КП до пятницы\n",
    "bg": (
        "Бележки от срещата\n\n- Обсъдихме обемите за следващото тримесечие\n"
        "- Чакат оферта до петък\n"
    ),
    "en": "Meeting notes\n\n- Discussed next quarter's volumes\n- They expect a quote by Friday\n",
}
NOTE_NAMES = {
    "ru": "заметки со встречи.txt",
    "bg": "бележки от срещата.txt",
    "en": "meeting notes.txt",
}


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` (ASCII) in Helvetica: the smallest valid file, with
    a correct cross-reference table."""
    text = "BT /F1 14 Tf 72 760 Td 18 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    )
    content = text.encode("ascii", "replace") + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def demo_attachments_create(context: DemoContext) -> None:
    rng, writers, sees = context.rng, context.writers, context.sees
    persons = context.made.get("contacts.people", [])
    for index, (language, person) in enumerate(persons[:PEOPLE_WITH_FILES]):
        author = rng.choice([user for user in writers if sees(user, person)])
        contract = pdf_bytes(
            [
                f"Delivery contract No. {context.now.year}-{index + 17:03d}",
                "Sea freight, FCL 40'HC, Shanghai - St. Petersburg",
                "Terms: 30 days after delivery",
            ]
        )
        attachment_add(
            actor=author,
            owner=("contacts.person", person.pk),
            upload=SimpleUploadedFile(f"contract-{index + 17:03d}.pdf", contract),
            description="Signed copy" if language == "en" else "",
        )
        if index % 2 == 0:
            attachment_add(
                actor=author,
                owner=("contacts.person", person.pk),
                upload=SimpleUploadedFile(NOTE_NAMES[language], NOTES[language].encode()),
            )
    organizations = context.made.get("contacts.organizations", [])
    for _language, organization in organizations[:ORGANIZATIONS_WITH_FILES]:
        author = rng.choice([user for user in writers if sees(user, organization)])
        prices = "Route;Container;Price, USD\nShanghai - St. Petersburg;40'HC;4200\n"
        attachment_add(
            actor=author,
            owner=("contacts.organization", organization.pk),
            upload=SimpleUploadedFile("price list.csv", prices.encode()),
        )

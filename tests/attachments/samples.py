"""Small files made in code for the attachments tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from klient.attachments.demo import pdf_bytes

PDF = pdf_bytes(["Delivery contract No. 17"])


def pdf_upload(name: str = "contract.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    # The client's content type is a lie on purpose: the stored type comes from the bytes.
    return SimpleUploadedFile(name, content, content_type="text/html")


def text_upload(name: str = "notes.txt", text: str = "Заметки\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def stored_files(folder: Path) -> list[Path]:
    """Every file under the files folder, staging included."""
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []

"""What a file is, read from its bytes, and whether it may be attached. No ORM, no Django
settings: pure logic tested without a database.

The client's content type is never trusted: the type is sniffed from the content (magic
numbers, the entries of a ZIP container, a text check), and the file's extension must
agree with it. Anything a browser could run or render as a page (HTML, SVG, XML,
scripts, executables) is refused, whatever it is called.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

HEAD_BYTES = 64 * 1024  # how much of a file the text check reads

PDF = "application/pdf"
PNG, JPEG, GIF, WEBP = "image/png", "image/jpeg", "image/gif", "image/webp"
TIFF, BMP, HEIC = "image/tiff", "image/bmp", "image/heic"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
DOC, XLS, PPT = "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"
MSG = "application/vnd.ms-outlook"
RTF = "application/rtf"
ZIP, SEVEN_ZIP, RAR = "application/zip", "application/x-7z-compressed", "application/vnd.rar"
TEXT, CSV, TSV, EML = "text/plain", "text/csv", "text/tab-separated-values", "message/rfc822"
# Sniffed but never stored as such: an OLE2 container is a .doc, .xls, .ppt or .msg by its
# extension; anything unrecognised is refused.
OLE = "application/x-ole-storage"
UNKNOWN = "application/octet-stream"

# The allowlist: each type with the extensions it may carry.
ALLOWED: dict[str, frozenset[str]] = {
    PDF: frozenset({".pdf"}),
    PNG: frozenset({".png"}),
    JPEG: frozenset({".jpg", ".jpeg", ".jpe", ".jfif"}),
    GIF: frozenset({".gif"}),
    WEBP: frozenset({".webp"}),
    TIFF: frozenset({".tif", ".tiff"}),
    BMP: frozenset({".bmp"}),
    HEIC: frozenset({".heic", ".heif"}),
    DOCX: frozenset({".docx"}),
    XLSX: frozenset({".xlsx"}),
    PPTX: frozenset({".pptx"}),
    ODT: frozenset({".odt"}),
    ODS: frozenset({".ods"}),
    ODP: frozenset({".odp"}),
    DOC: frozenset({".doc"}),
    XLS: frozenset({".xls"}),
    PPT: frozenset({".ppt"}),
    MSG: frozenset({".msg"}),
    RTF: frozenset({".rtf"}),
    ZIP: frozenset({".zip"}),
    SEVEN_ZIP: frozenset({".7z"}),
    RAR: frozenset({".rar"}),
    TEXT: frozenset({".txt", ".text", ".log", ".md"}),
    CSV: frozenset({".csv"}),
    TSV: frozenset({".tsv", ".tab"}),
    EML: frozenset({".eml"}),
}
EXTENSIONS: frozenset[str] = frozenset().union(*ALLOWED.values())
IMAGES = frozenset({PNG, JPEG, GIF, WEBP, TIFF, BMP, HEIC})
_TEXT_TYPES = (TEXT, CSV, TSV, EML)
_OLE_TYPES = {".doc": DOC, ".xls": XLS, ".ppt": PPT, ".msg": MSG}

# Text that a browser would treat as a page or a picture with scripts in it.
_MARKUP_STARTS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<!--",
    b"<meta",
    b"<xml",
    b"<a ",
    b"<div",
    b"<img",
    b"<style",
)
_NAME_FORBIDDEN = set('<>:"/\\|?*')
NAME_MAX = 200


@dataclass(frozen=True)
class Verdict:
    """A file's sniffed type, or why it is refused (`reason`: "type", "empty")."""

    content_type: str
    reason: str = ""

    @property
    def is_allowed(self) -> bool:
        return not self.reason


def file_name_clean(name: str | None) -> str:
    """A name safe to store and to send back in Content-Disposition: the last path part
    only, NFC, no control or format characters (no right-to-left override hiding an
    ".exe"), none of the characters Windows refuses, no leading dots, at most NAME_MAX
    characters with the extension kept; "file" when nothing is left."""
    raw = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    raw = unicodedata.normalize("NFC", raw)
    kept = []
    for char in raw:
        if unicodedata.category(char).startswith("C"):
            continue
        kept.append("_" if char in _NAME_FORBIDDEN else char)
    cleaned = " ".join("".join(kept).split()).lstrip(". ").rstrip(". ")
    if not cleaned:
        return "file"
    if len(cleaned) > NAME_MAX:
        suffix = extension_of(cleaned)
        suffix = suffix if len(suffix) <= 16 else ""
        cleaned = cleaned[: NAME_MAX - len(suffix)].rstrip(". ") + suffix
    return cleaned


def extension_of(name: str) -> str:
    return PurePath(name).suffix.lower()


def extension_allowed(name: str) -> bool:
    return extension_of(name) in EXTENSIONS


def _zip_type(path: Path) -> str:
    """OOXML, OpenDocument or a plain ZIP, from the container's entries (the central
    directory only: nothing is decompressed but the tiny `mimetype` entry)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    declared = archive.read("mimetype").decode("ascii", "replace").strip()
                    if declared in (ODT, ODS, ODP):
                        return declared
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
                if "ppt/presentation.xml" in names:
                    return PPTX
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return UNKNOWN
    return ZIP


def _text_type(head: bytes) -> str | None:
    """text/plain when the start of the file reads as text (UTF-8, UTF-16 with its mark,
    or a single-byte code page such as cp1251) and is not markup; else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        text = head[2 : len(head) - (len(head) % 2)].decode(codec, "replace")
        if text.count("\ufffd") > 2:  # a cut surrogate pair at the end at most
            return None
        sample = text.encode("utf-8")
    else:
        # UTF-8 or a single-byte code page (cp1251): any byte above 0x7F is text in one of
        # them, so what tells text from binary is the absence of NULs and control bytes.
        sample = head.removeprefix(b"\xef\xbb\xbf")
        if b"\x00" in sample:
            return None
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    if controls > max(2, len(sample) // 200):
        return None
    if sample.lstrip().lower().startswith(_MARKUP_STARTS):
        return None
    return TEXT


def sniff(path: Path) -> str:
    """The file's type from its bytes: one of the ALLOWED types, OLE, or UNKNOWN (which
    covers executables, scripts, HTML, SVG, media and anything not recognised)."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        return BMP
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif"):
        return HEIC
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVEN_ZIP
    if head.startswith((b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")):
        return RAR
    if head.startswith(b"{\\rtf"):
        return RTF
    is_dos_program = head.startswith(b"MZ") and b"\x00" in head[:64]
    if (
        is_dos_program
        or head.startswith((b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe"))
        or head[:4]
        in (
            b"\xfe\xed\xfa\xce",
            b"\xfe\xed\xfa\xcf",
            b"\xce\xfa\xed\xfe",
            b"\xcf\xfa\xed\xfe",
        )
    ):
        return UNKNOWN  # programs and scripts, even when called .txt
    return _text_type(head) or UNKNOWN


def verdict(path: Path, name: str, size: int) -> Verdict:
    """Whether a stored upload may be kept under `name`, and the type it is kept as.

    The extension must be on the allowlist and agree with the sniffed type: a text file
    is kept as the text type its extension names (.csv -> text/csv), an OLE2 file as the
    Office type of its extension; an image may carry another image's extension (phones
    save PNGs as .jpg), and is kept as what it is."""
    if size == 0:
        return Verdict(UNKNOWN, "empty")
    extension = extension_of(name)
    if extension not in EXTENSIONS:
        return Verdict(UNKNOWN, "type")
    sniffed = sniff(path)
    if sniffed == OLE:
        sniffed = _OLE_TYPES.get(extension, UNKNOWN)
    elif sniffed == TEXT:
        sniffed = next((kind for kind in _TEXT_TYPES if extension in ALLOWED[kind]), UNKNOWN)
    if sniffed not in ALLOWED:
        return Verdict(sniffed, "type")
    if extension in ALLOWED[sniffed]:
        return Verdict(sniffed)
    if sniffed in IMAGES and any(extension in ALLOWED[image] for image in IMAGES):
        return Verdict(sniffed)
    return Verdict(sniffed, "type")

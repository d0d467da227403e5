"""What a file is, judged by its bytes: magic numbers, the parts inside a zip, the first characters of text.

`sniff_content` never parses a whole document; it looks at the head of the data and, for zips, at the
central directory (whose declared sizes also reveal zip bombs).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Final

from ingest.readers.encoding import bom_encoding

# Kinds that are not text. "pdf", "docx" and "xlsx" have readers; the others are refused.
PDF, DOCX, XLSX, TEXT = "pdf", "docx", "xlsx", "text"
BROKEN_ZIP, ZIP_BOMB = "broken_zip", "zip_bomb"

KIND_LABELS: Final[dict[str, str]] = {
    PDF: "PDF 文档",
    DOCX: "Word 文档（.docx）",
    XLSX: "Excel 表格（.xlsx）",
    "pptx": "PowerPoint 演示文稿",
    "opendocument": "OpenDocument 文档（.odt/.ods）",
    "zip": "ZIP 压缩包",
    BROKEN_ZIP: "已损坏的压缩文件（Office 文档也是压缩格式）",
    ZIP_BOMB: "解压后体积异常巨大的压缩文件",
    "ole2": "旧版 Office 文档（.doc/.xls/.ppt）或设有打开密码的 Office 文档",
    "image": "图片",
    "archive": "压缩包",
    "executable": "可执行程序",
    "rtf": "RTF 文档",
    "media": "音视频文件",
}

MAX_UNZIPPED_BYTES = 512 * 1024 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"\x7fELF", "executable"),
    (b"\x1f\x8b", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"Rar!\x1a\x07", "archive"),
    (b"\xfd7zXZ\x00", "archive"),
    (b"{\\rtf", "rtf"),
    (b"OggS", "media"),
    (b"fLaC", "media"),
)
_HTML_START = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|h[1-6]|article|section|!--)[\s>/]", re.IGNORECASE
)
_HTML_DOCUMENT = re.compile(r"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_HEAD = 8192


def sniff_content(data: bytes) -> str:
    """The kind of `data`: pdf, docx, xlsx, text, or one of the refused kinds in KIND_LABELS."""
    head = data[:_HEAD]
    if _is_pdf(data):
        return PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_kind(data)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"MZ") and b"\x00" in head[:64]:
        return "executable"
    if head[:4] == b"RIFF" and head[8:12] in {b"WEBP", b"WAVE", b"AVI "}:
        return "image" if head[8:12] == b"WEBP" else "media"
    if head[4:8] == b"ftyp":
        return "media"
    return TEXT


def _is_pdf(data: bytes) -> bool:
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return True
    # The spec lets junk precede the header; then ask for the end marker too, so a text that merely
    # mentions "%PDF-" stays text.
    return b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return BROKEN_ZIP
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        return ZIP_BOMB
    names = {info.filename for info in infos}
    if "mimetype" in names and any(name == "content.xml" for name in names):
        return "opendocument"
    if "[Content_Types].xml" not in names:
        return "zip"
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    if any(name.startswith("ppt/") for name in names):
        return "pptx"
    return "zip"


def sniff_text_format(data: bytes) -> str:
    """For text without a usable extension: json, jsonl, html or txt, from its first characters."""
    head = _text_head(data).lstrip()
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        lines = [line for line in head.split("\n") if line.strip()]
        if len(lines) > 1 and lines[0].rstrip().endswith("}") and lines[1].lstrip().startswith("{"):
            return "jsonl"
        return "json"
    if _HTML_START.match(head) or _HTML_DOCUMENT.search(head[:1024]):
        return "html"
    return "txt"


def is_html_document(data: bytes) -> bool:
    """True when text starts as a whole HTML page (<!DOCTYPE html> or <html>), not just any tag."""
    return _HTML_DOCUMENT.match(_text_head(data).lstrip()) is not None


def _text_head(data: bytes) -> str:
    head = data[:_HEAD]
    encoding = bom_encoding(head) or "utf-8"
    return head.decode(encoding, errors="ignore").removeprefix("\ufeff")

"""Entry point for reading one file: pick the reader by content first and extension second.

    read_path(path, max_bytes=...)          a file on disk (size checked with stat before any read)
    read_bytes(data, name, max_bytes=...)   an upload; `name` is reduced to a safe base name first

A file whose content contradicts its extension (a zip named .pdf, binary data named .txt) is refused
with a message saying what it really is. Every refusal is an IngestError subclass with a Chinese detail
that names the file.
"""

from __future__ import annotations

import importlib
import logging
import re
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Final

from ingest.errors import FileTooLarge, IngestError, ParseError, UnsafeFileName, UnsupportedFormat
from ingest.readers.base import RawDocument
from ingest.readers.problems import empty_file
from ingest.readers.sniff import (
    BROKEN_ZIP,
    DOCX,
    KIND_LABELS,
    PDF,
    TEXT,
    XLSX,
    ZIP_BOMB,
    is_html_document,
    sniff_content,
    sniff_text_format,
)

logger = logging.getLogger(__name__)

Reader = Callable[[bytes, str], RawDocument]

EXTENSION_FORMATS: Final[dict[str, str]] = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".xlsx": "xlsx",
}
SUPPORTED_EXTENSIONS: Final[tuple[str, ...]] = tuple(EXTENSION_FORMATS)
SUPPORTED_FORMATS_ZH: Final[str] = (
    "支持的格式：Markdown（.md、.markdown）、纯文本（.txt）、Word（.docx）、PDF（.pdf）、"
    "网页（.html、.htm）、JSON（.json、.jsonl）、表格（.csv、.xlsx）"
)

# Format -> (module, function). Readers are imported on first use: openpyxl, python-docx and pypdf
# together take over half a second to import, which the API should not pay at start-up.
READERS: Final[dict[str, tuple[str, str]]] = {
    "md": ("ingest.readers.text", "read_markdown"),
    "txt": ("ingest.readers.text", "read_text"),
    "docx": ("ingest.readers.docx", "read_docx"),
    "pdf": ("ingest.readers.pdf", "read_pdf"),
    "html": ("ingest.readers.html", "read_html"),
    "json": ("ingest.readers.records", "read_json"),
    "jsonl": ("ingest.readers.records", "read_jsonl"),
    "csv": ("ingest.readers.tables", "read_csv"),
    "xlsx": ("ingest.readers.tables", "read_xlsx"),
}
_BINARY_FORMATS = frozenset({PDF, DOCX, XLSX})

# Advice for formats people commonly try; shown before the list of supported formats.
_HINTS: Final[dict[str, str]] = {
    ".doc": "旧版 Word 格式，请用 Word 或 WPS 另存为 .docx 后再导入",
    ".wps": "WPS 文字格式，请另存为 .docx 后再导入",
    ".xls": "旧版 Excel 格式，请另存为 .xlsx 后再导入",
    ".et": "WPS 表格格式，请另存为 .xlsx 后再导入",
    ".xlsm": "含宏的 Excel 格式，请另存为 .xlsx 后再导入",
    ".rtf": "RTF 格式，请另存为 .docx 后再导入",
    ".odt": "OpenDocument 格式，请另存为 .docx 后再导入",
    ".ods": "OpenDocument 表格，请另存为 .xlsx 后再导入",
    ".ofd": "OFD 版式文件，请先转换为 PDF 后再导入",
    ".ppt": "演示文稿不能导入",
    ".pptx": "演示文稿不能导入",
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp"), "图片需先进行文字识别（OCR）"),
    **dict.fromkeys((".zip", ".rar", ".7z", ".gz", ".tar"), "压缩包请先解压，再逐个导入其中的文件"),
}

# Characters removed from upload names: control characters (NUL included) and bidi overrides that
# could make "txt.exe" display as "exe.txt".
_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAME_FORBIDDEN = re.compile(r'[<>:"|?*]')  # not allowed in Windows file names
_DRIVE = re.compile(r"^[A-Za-z]:")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)
_MAX_NAME_BYTES = 255


def read_path(path: Path, *, max_bytes: int) -> RawDocument:
    """Read a file from disk. The size is checked (stat) before anything is read."""
    _check_limit_arg(max_bytes)
    source = _NAME_CONTROLS.sub("", path.name) or str(path)
    fmt = _format_from_extension(source)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            msg = f"{source}：这是一个文件夹，不是文件"
            raise IngestError(msg, source=source)
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            msg = f"{source}：不是普通文件，无法导入"
            raise IngestError(msg, source=source)
        _check_size(info.st_size, max_bytes, source)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _os_error(exc, path, source) from exc
    _check_size(len(data), max_bytes, source)  # the file grew after stat
    return _read(data, source, fmt)


def read_bytes(data: bytes, name: str, *, max_bytes: int) -> RawDocument:
    """Read uploaded bytes; `name` is the client's file name and is reduced with safe_file_name()."""
    _check_limit_arg(max_bytes)
    source = safe_file_name(name)
    fmt = _format_from_extension(source)
    _check_size(len(data), max_bytes, source)
    return _read(data, source, fmt)


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file, safe to show and to store.

    Directories (POSIX or Windows, "..", absolute paths, drive letters) are dropped, control characters
    (NUL included) and bidi overrides removed, characters Windows forbids replaced by "_", leading and
    trailing dots and spaces stripped, and the result kept under 255 UTF-8 bytes with its extension.
    Raises UnsafeFileName when nothing usable remains.
    """
    cleaned = _NAME_CONTROLS.sub("", unicodedata.normalize("NFC", name)).replace("\\", "/")
    parts = [part for part in cleaned.split("/") if part.strip(" .")]
    base = _DRIVE.sub("", parts[-1]) if parts else ""
    base = _NAME_FORBIDDEN.sub("_", base).strip(" .")
    if not base:
        shown = _NAME_CONTROLS.sub("?", name)[:100]
        msg = f"文件名“{shown}”不可用：去掉路径和非法字符后为空，请重命名后再上传"
        raise UnsafeFileName(msg, name=shown)
    stem, suffix = _split_suffix(base)
    if stem.upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    room = _MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")  # cut on a character boundary
    return stem + suffix


def detect_format(data: bytes, name: str) -> str:
    """The reader format ("md", "pdf", ...) that read_bytes would use, without reading the document."""
    source = safe_file_name(name)
    return _choose_format(data, source, _format_from_extension(source))


def _read(data: bytes, source: str, ext_format: str | None) -> RawDocument:
    if not data:
        raise empty_file(source, "文件为空（0 字节）")
    fmt = _choose_format(data, source, ext_format)
    logger.debug("reading %s as %s", source, fmt)
    return get_reader(fmt)(data, source)


def get_reader(fmt: str) -> Reader:
    """The reader function for a format name ("md", "pdf", ...)."""
    module, function = READERS[fmt]
    reader: Reader = getattr(importlib.import_module(module), function)
    return reader


def _choose_format(data: bytes, source: str, ext_format: str | None) -> str:
    kind = sniff_content(data)
    if kind in _BINARY_FORMATS:
        if ext_format in (None, kind):
            return kind
        raise _mismatch(source, kind)
    if kind == ZIP_BOMB:
        raise ParseError(source, "压缩内容解压后体积异常巨大（疑似压缩炸弹），已拒绝导入")
    if kind == BROKEN_ZIP and ext_format in (DOCX, XLSX):
        raise ParseError(source, f"{KIND_LABELS[ext_format]}已损坏（压缩结构不完整），无法读取")
    if kind == "ole2" and ext_format in (DOCX, XLSX):
        detail = "文件设有打开密码或实为旧版 Office 格式，请取消密码并另存为 .docx 或 .xlsx 后再导入"
        raise ParseError(source, detail)
    if kind != TEXT:
        if ext_format is None:
            msg = f"{source}：文件内容是{KIND_LABELS[kind]}，无法导入。{SUPPORTED_FORMATS_ZH}"
            raise UnsupportedFormat(msg, source=source)
        raise _mismatch(source, kind)
    if ext_format in _BINARY_FORMATS:
        label = KIND_LABELS[ext_format]
        raise ParseError(source, f"文件内容不是有效的{label}（可能已损坏，或扩展名与实际格式不符）")
    if ext_format is None:
        return sniff_text_format(data)
    if ext_format == "txt" and is_html_document(data):
        return "html"
    return ext_format


def _mismatch(source: str, kind: str) -> ParseError:
    suffix = PurePath(source).suffix
    detail = f"文件内容是{KIND_LABELS[kind]}，与扩展名“{suffix}”不符，请确认文件后重新导入"
    return ParseError(source, detail, detected=kind)


def _format_from_extension(source: str) -> str | None:
    """The format named by the extension; None without one; UnsupportedFormat for any other."""
    suffix = PurePath(source).suffix.lower()
    if not suffix:
        return None
    fmt = EXTENSION_FORMATS.get(suffix)
    if fmt is None:
        hint = _HINTS.get(suffix)
        reason = f"不支持“{suffix}”格式（{hint}）" if hint else f"不支持“{suffix}”格式"
        msg = f"{source}：{reason}。{SUPPORTED_FORMATS_ZH}"
        raise UnsupportedFormat(msg, source=source, extension=suffix)
    return fmt


def _os_error(exc: OSError, path: Path, source: str) -> IngestError:
    if isinstance(exc, FileNotFoundError):
        return IngestError(f"{source}：文件不存在", source=source)
    if isinstance(exc, PermissionError):
        return IngestError(f"{source}：没有读取该文件的权限", source=source)
    logger.warning("cannot read %s: %r", path, exc)
    return IngestError(f"{source}：无法读取文件（系统错误 {exc.errno}）", source=source)


def _check_size(size: int, max_bytes: int, source: str) -> None:
    if size > max_bytes:
        msg = f"{source}：文件大小 {_human_size(size)} 超过上限 {_human_size(max_bytes)}"
        raise FileTooLarge(msg, source=source, size=size, max_bytes=max_bytes)


def _check_limit_arg(max_bytes: int) -> None:
    if max_bytes <= 0:
        msg = f"max_bytes must be > 0, got {max_bytes}"
        raise ValueError(msg)


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _split_suffix(base: str) -> tuple[str, str]:
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or len(suffix) > 16:
        return base, ""
    return stem, f".{suffix}"

"""Plain text and Markdown (.txt, .md, .markdown): decode, normalise line endings, refuse blank files."""

from __future__ import annotations

from ingest.readers.base import RawDocument
from ingest.readers.encoding import decode_text, normalize_newlines
from ingest.readers.problems import empty_file


def read_text(data: bytes, source: str, *, fmt: str = "txt") -> RawDocument:
    """Read a text file; `fmt` is "txt" or "md" and is only recorded."""
    decoded = decode_text(data, source)
    text = normalize_newlines(decoded.text)
    if text.startswith("\ufeff"):  # a second BOM left behind by a careless converter
        text = text[1:]
    if not text.strip():
        raise empty_file(source, "文件只有空白字符，没有可导入的内容")
    return RawDocument(source=source, format=fmt, text=text, encoding=decoded.encoding)


def read_markdown(data: bytes, source: str) -> RawDocument:
    return read_text(data, source, fmt="md")

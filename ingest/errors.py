"""Errors raised while reading and parsing source files. Messages are Chinese and name the file."""

from __future__ import annotations

from kb.errors import KBError


class IngestError(KBError):
    code, title = "ingest_error", "导入失败"


class UnsupportedFormat(IngestError):
    code, title = "unsupported_format", "不支持的文件格式"


class FileTooLarge(IngestError):
    code, title = "file_too_large", "文件过大"


class EmptyFile(IngestError):
    code, title = "empty_file", "文件为空"


class ParseError(IngestError):
    code, title = "parse_error", "文件无法解析"

    def __init__(self, source: str, detail: str, **context: object) -> None:
        super().__init__(f"{source}：{detail}", source=source, **context)
        self.source = source


class NoTextLayer(ParseError):
    code, title = "no_text_layer", "PDF 无文字层"


class UnsafeFileName(IngestError):
    code, title = "unsafe_file_name", "文件名不安全"

"""Errors of the DOCX/PDF export."""

from __future__ import annotations

from kb.errors import ConfigError, KBError


class ExportFontMissing(ConfigError):
    code, title = "export_font_missing", "缺少中文字体"


class InvalidExportFormat(KBError):
    code, title = "invalid_export_format", "导出格式无效"

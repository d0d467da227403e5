"""Builders for the errors readers raise whose message is not a plain ParseError(source, detail)."""

from __future__ import annotations

from ingest.errors import EmptyFile


def empty_file(source: str, detail: str) -> EmptyFile:
    """EmptyFile whose detail names the file: "<source>：<detail>"."""
    return EmptyFile(f"{source}：{detail}", source=source)

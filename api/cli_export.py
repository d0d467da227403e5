"""`kb export entry|collection`: write a DOCX or PDF file of an entry (any version) or a training collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, NoReturn

import typer
from rich.console import Console

from kb.config import load_settings
from kb.errors import KBError
from kb.export.service import ExportFile, export_collection, export_entry
from kb.logging import configure_logging
from kb.records import RecordStore
from kb.training.service import CollectionService

export_app = typer.Typer(help="导出条目或培训专题（DOCX/PDF）", no_args_is_help=True)
console = Console(stderr=True)

CLI_USER = "local"

FormatOption = Annotated[Literal["docx", "pdf"], typer.Option("--format", "-f", help="docx 或 pdf")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="输出文件或目录（默认：当前目录，文件名取标题）")]


def _records() -> RecordStore:
    try:
        settings = load_settings()
    except KBError as exc:
        _fail(exc)
    configure_logging(settings.log_level if settings.log_level != "INFO" else "WARNING", json_lines=settings.log_json)
    records = RecordStore(settings.record_url)
    records.init_schema()
    return records


def _write(file: ExportFile, out: Path | None) -> Path:
    target = out or Path.cwd()
    if target.is_dir():
        target = target / file.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(file.data)
    return target


def _fail(exc: KBError) -> NoReturn:
    console.print(f"[red]错误[/red]（{exc.code}）：{exc.detail}")
    raise typer.Exit(2)


@export_app.command("entry")
def export_entry_command(
    entry_id: Annotated[str, typer.Argument(help="条目编号（id，见检索结果或 /api/entries）")],
    fmt: FormatOption = "pdf",
    version: Annotated[int | None, typer.Option("--version", "-v", min=1, help="历史版本号（默认现行版本）")] = None,
    out: OutOption = None,
    user: Annotated[str, typer.Option("--user", help="记入审计的操作人")] = CLI_USER,
) -> None:
    """导出一个条目（可指定版本）。"""
    records = _records()
    try:
        file = export_entry(records, entry_id, fmt, version=version, user_id=user)
    except KBError as exc:
        _fail(exc)
    finally:
        records.close()
    console.print(f"已导出：{_write(file, out)}")


@export_app.command("collection")
def export_collection_command(
    collection_id: Annotated[str, typer.Argument(help="专题编号")],
    fmt: FormatOption = "pdf",
    out: OutOption = None,
    user: Annotated[str, typer.Option("--user", help="以此用户身份读取专题（本人或共享专题）")] = CLI_USER,
) -> None:
    """导出整个培训专题（封面、目录、各案例及教学要点、讨论题）。"""
    records = _records()
    try:
        service = CollectionService(records)
        service.init_schema()
        file = export_collection(service, collection_id, fmt, user_id=user)
    except KBError as exc:
        _fail(exc)
    finally:
        records.close()
    console.print(f"已导出：{_write(file, out)}")

"""The `kb` command: init, ingest, search, serve, stats, reindex, index status, bench, dev es-start|es-stop."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli_eval import eval_app
from api.cli_export import export_app
from api.cli_users import user_app
from kb.config import Settings, load_settings
from kb.errors import KBError
from kb.logging import configure_logging

app = typer.Typer(help="检察案例指导知识库 — case-guidance knowledge base", no_args_is_help=True, add_completion=False)
index_app = typer.Typer(help="索引状态与重试", no_args_is_help=True)
dev_app = typer.Typer(help="开发与测试辅助（Elasticsearch 测试服务器）", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(dev_app, name="dev")
app.add_typer(eval_app, name="eval")
app.add_typer(export_app, name="export")
app.add_typer(user_app, name="user")

console = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)

STATUS_ZH = {"created": "新增", "updated": "更新", "unchanged": "未变", "failed": "失败"}


def demo_corpus_dir() -> Path:
    return Path(str(resources.files("kb.data").joinpath("demo")))


def _settings() -> Settings:
    try:
        settings = load_settings()
    except KBError as exc:
        _fail(exc)
    configure_logging(settings.log_level if settings.log_level != "INFO" else "WARNING", json_lines=settings.log_json)
    return settings


def _open_kb(settings: Settings) -> Any:
    from kb.service import KnowledgeBase

    return KnowledgeBase(settings)


def _fail(exc: KBError) -> NoReturn:
    console.print(f"[red]错误[/red]（{exc.code}）：{exc.detail}", soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def init(
    demo: Annotated[bool, typer.Option("--demo", help="同时导入内置示例语料（示例案例、指引、权力清单）")] = False,
) -> None:
    """创建数据目录与数据库（可重复执行）。"""
    settings = _settings()
    try:
        kb = _open_kb(settings)
    except KBError as exc:
        _fail(exc)
    console.print(f"数据目录：{settings.home.resolve()}（记录库 {settings.record_url}）")
    if demo:
        demo_dir = demo_corpus_dir()
        _seed_demo_embeddings(settings, demo_dir)
        sources = [demo_dir / "cases", demo_dir / "guidelines", demo_dir / "power_list", demo_dir / "laws"]
        report = _ingest_with_progress(kb, sources)
        _print_report(report, as_json=False)
        _print_demo_accounts(settings)
        if not report.ok:
            raise typer.Exit(1)
    kb.close()


def _print_demo_accounts(settings: Settings) -> None:
    """Demo accounts (one per role), created once; their passwords are shown this once and kept in a 0600 file."""
    from api.cli_users import create_demo_accounts

    path = create_demo_accounts(settings)
    if path is None:
        return
    console.print(f"已创建示例账号（密码只显示这一次，另存于 {path}，仅本机用户可读）：")
    for line in path.read_text(encoding="utf-8").splitlines()[2:]:
        console.print("  " + line.replace("\t", "  "))


def _seed_demo_embeddings(settings: Settings, demo_dir: Path) -> None:
    """The demo corpus ships its e5-small vectors (a cache made by `kb init --demo`), so the first start is quick."""
    bundled = demo_dir / "embeddings.sqlite3"
    if not bundled.is_file():
        return
    from kb.embedders.cache import EmbeddingCache

    with EmbeddingCache(settings.cache_path) as cache:
        added = cache.import_from(bundled)
    if added:
        console.print(f"已载入示例语料的向量缓存：{added} 条")


def _ingest_with_progress(kb: Any, paths: list[Path], *, publish: bool = True, kind: str | None = None) -> Any:
    from ingest.pipeline import expand_paths, ingest_paths

    files = list(expand_paths(paths))
    with Progress(
        TextColumn("[bold]导入[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(files))

        def on_file(report: Any) -> None:
            progress.update(task, advance=1, description=report.name[:40])

        return ingest_paths(kb, files, on_file=on_file, publish=publish, kind=kind)


def _print_report(report: Any, *, as_json: bool) -> None:
    if as_json:
        out.print_json(
            json.dumps(
                {"ok": report.ok, "summary": report.summary(), "files": [f.to_dict() for f in report.files]},
                ensure_ascii=False,
            )
        )
        return
    table = Table(title="导入结果", show_lines=False)
    for column in ("文件", "结果", "条目", "说明"):
        table.add_column(column)
    for f in report.files:
        note = f.error.detail if f.error else "、".join((e.number or e.title)[:24] for e in f.entries[:3])
        if len(f.entries) > 3:
            note += f" 等 {len(f.entries)} 条"
        style = "red" if f.status == "failed" else None
        table.add_row(f.name, STATUS_ZH[f.status], str(len(f.entries)), note, style=style)
    console.print(table)
    for warning in (w for f in report.files for w in f.warnings):
        console.print(f"[yellow]提示[/yellow]：{warning['detail']}")
    s = report.summary()
    console.print(
        f"共 {len(report.files)} 个文件：新增 {s['created']}，更新 {s['updated']}，未变 {s['unchanged']}，失败 {s['failed']}；"
        f"条目 {s['entries']} 条"
    )


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="文件或文件夹（.md .txt .docx .pdf .html .json .jsonl .csv .xlsx）")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出每个文件的结果")] = False,
    draft: Annotated[
        bool, typer.Option("--draft", help="存为草稿，经审核发布后才能被检索（默认：已发布材料直接发布）")
    ] = False,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="文本文件按此类型导入：law（法律法规、司法解释，逐条建立索引）或 guideline（办案指引）；默认自动识别",
        ),
    ] = None,
) -> None:
    """导入文件：解析为结构化条目，写入记录库并建立索引。任何文件失败时退出码非零。"""
    from ingest.parsers.law import KIND_CHOICES

    if kind is not None and kind not in KIND_CHOICES:
        msg = f"--kind 只能是 {'、'.join(KIND_CHOICES)}"
        raise typer.BadParameter(msg)
    settings = _settings()
    try:
        kb = _open_kb(settings)
        report = _ingest_with_progress(kb, paths, publish=not draft, kind=kind)
    except KBError as exc:
        _fail(exc)
    _print_report(report, as_json=as_json)
    kb.close()
    if not report.files:
        console.print("[yellow]没有找到可导入的文件[/yellow]")
        raise typer.Exit(1)
    if not report.ok:
        raise typer.Exit(1)


def _parse_filters(values: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for item in values:
        if "=" not in item:
            msg = f"筛选条件应为 字段=值，收到：{item}"
            raise typer.BadParameter(msg)
        key, value = item.split("=", 1)
        filters.setdefault(key.strip(), []).append(value.strip())
    return filters


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="关键词或案情描述；'-' 从标准输入读取")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=100)] = 10,
    filters: Annotated[
        list[str] | None, typer.Option("--filter", "-f", help="字段=值，可重复，例如 line=刑事检察")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="每行一个 JSON 结果")] = False,
    infer: Annotated[
        bool, typer.Option("--infer/--no-infer", help="未写明罪名的案情是否按类案推断罪名优先排列")
    ] = True,
) -> None:
    """检索：每条结果给出编号、标题、分数、最匹配段落与命中原因。"""
    from kb.search_request import SearchRequest

    settings = _settings()
    text = sys.stdin.read() if query == "-" else query
    try:
        kb = _open_kb(settings)
        request = SearchRequest(query=text, filters=_parse_filters(filters or []), page_size=top_k, infer_charges=infer)
        result = kb.search(request)
    except KBError as exc:
        _fail(exc)
    if not as_json:
        if inferred := result.analysis.get("inferred_charges") or []:
            named = "、".join(f"{item['charge']}（{round(item['share'] * 100)}%）" for item in inferred)
            out.print(
                f"未指明罪名：按相似案例推断为 {named}，同罪名案例在前（--no-infer 仅按案情相似度排列）", style="dim"
            )
        for note in result.analysis.get("inferred_notes") or []:
            out.print(f"依案情校正：{note}。", style="dim")
    for hit in result.hits:
        m = hit.meta
        row = {
            "id": hit.entry_id,
            "kind": m.get("kind"),
            "title": m.get("title"),
            "number": m.get("number"),
            "case_type": m.get("case_type"),
            "line": m.get("line"),
            "score": round(hit.score, 6),
            "passage": hit.passage,
            "highlights": hit.highlights,
            "reasons": [r.label for r in hit.reasons],
        }
        if as_json:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            out.print(
                f"[bold]{m.get('number') or ''} {m.get('title')}[/bold]  [dim]{m.get('case_type') or ''} {m.get('line') or ''} 分数 {hit.score:.4f}[/dim]"
            )
            if hit.reasons:
                out.print("  " + "　".join(r.label for r in hit.reasons), style="green")
            out.print("  " + _mark(hit.passage, hit.highlights))
    if not as_json:
        console.print(f"共 {result.total} 条，用时 {result.took_ms:.0f} ms")
    kb.close()


def _mark(passage: str, spans: list[tuple[int, int]]) -> str:
    from rich.markup import escape

    pieces, last = [], 0
    for start, end in spans:
        pieces.append(escape(passage[last:start]))
        pieces.append(f"[reverse]{escape(passage[start:end])}[/reverse]")
        last = end
    pieces.append(escape(passage[last:]))
    return "".join(pieces).replace("\n", " ")


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """库内条目、版本、索引块数量。"""
    settings = _settings()
    try:
        kb = _open_kb(settings)
        data = kb.stats()
    except KBError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        from kb.models import KIND_LABELS as kinds

        for kind, count in data["entries_by_kind"].items():
            out.print(f"{kinds.get(kind, kind)}：{count}")
        out.print(f"检察类别：{data['by_line']}")
        out.print(f"案例类型：{data['by_case_type']}")
        out.print(f"版本：{data['versions']}　索引块：{data['chunks']}　待索引：{data['pending_index']}")
        out.print(f"索引后端：{data['store']}　向量模型：{data['embedder'] or '未启用'}")
    kb.close()


@app.command()
def reindex() -> None:
    """从记录库重建检索索引（更换向量模型或索引结构后使用）。"""
    settings = _settings()
    try:
        kb = _open_kb(settings)
        total = kb.records.counts()["entries_by_kind"]
        with Progress(
            TextColumn("[bold]重建索引[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            task = progress.add_task("", total=sum(total.values()))
            report = kb.reindex(progress=lambda n: progress.update(task, advance=n))
    except KBError as exc:
        _fail(exc)
    console.print(f"已索引 {report.indexed} 个条目，{report.chunks} 个索引块，用时 {report.total_seconds:.1f} s")
    kb.close()
    if report.failed:
        console.print(f"[red]{report.failed} 个条目未能索引：{report.error}（已留在待索引队列）[/red]")
        raise typer.Exit(1)


@index_app.command("status")
def index_status() -> None:
    """待写入索引的条目（索引服务不可用时积压在此）。"""
    settings = _settings()
    kb = _open_kb(settings)
    pending = kb.records.pending(limit=20)
    out.print(f"待索引：{kb.records.pending_count()}")
    for item in pending:
        out.print(f"  {item.entry_id} 第{item.version}版 {item.op} 尝试 {item.attempts} 次")
    problem = kb.index_problem()
    if problem is not None:
        console.print(f"[red]{problem}[/red]")
    kb.close()
    if problem is not None:
        raise typer.Exit(1)


@index_app.command("retry")
def index_retry() -> None:
    """重试待索引队列。"""
    settings = _settings()
    kb = _open_kb(settings)
    report = kb.index_pending()
    out.print(f"已索引 {report.indexed}，删除 {report.deleted}，失败 {report.failed}")
    kb.close()
    if report.failed:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="端口")] = None,
) -> None:
    """启动 API 与网页界面。"""
    import uvicorn

    from api.main import create_app

    settings = _settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    application = create_app(settings)
    console.print(f"检察案例指导知识库：http://{host or settings.host}:{port or settings.port}/  （API 文档 /docs）")
    uvicorn.run(application, host=host or settings.host, port=port or settings.port, log_level="warning")


@dev_app.command("es-start")
def es_start(home: Annotated[Path, typer.Option(help="服务器数据目录")] = Path("var/es")) -> None:
    """启动本机 Elasticsearch 测试服务器（Maven Central 的 integ-test-zip），打印其地址。"""
    from api.devtools import es_server

    sys.stdout.write(es_server.start(home=home) + "\n")


@dev_app.command("es-stop")
def es_stop(home: Annotated[Path, typer.Option(help="服务器数据目录")] = Path("var/es")) -> None:
    """停止测试服务器。"""
    from api.devtools import es_server

    es_server.stop(home=home)


@app.command()
def bench(
    chunks: Annotated[str, typer.Option(help="规模（逗号分隔的块数）")] = "10000,100000",
    embedder: Annotated[str | None, typer.Option(help="向量模型（默认取 KB_EMBEDDER）")] = None,
    ingest_files: Annotated[int, typer.Option(help="导入吞吐测试所用文件数（0 跳过）")] = 20,
    repeats: Annotated[int, typer.Option(min=1, help="每条查询重复次数")] = 3,
    out_dir: Annotated[Path, typer.Option(help="原始结果目录")] = Path("bench-results"),
    store: Annotated[
        str, typer.Option(help="sqlite；或 elasticsearch：另外与内置索引并排测写入吞吐与检索延迟（连接取 KB_ES__URL）")
    ] = "sqlite",
) -> None:
    """性能基准：导入吞吐、混合检索 p50/p95（1 万与 10 万块）、内存、API 就绪时间。"""
    if store not in ("sqlite", "elasticsearch"):
        msg = f"--store 只能是 sqlite 或 elasticsearch，收到 {store!r}"
        raise typer.BadParameter(msg)
    from api.bench import run_bench

    settings = _settings()
    sizes = [int(x) for x in chunks.split(",") if x.strip()]
    report = run_bench(
        sizes=sizes,
        embedder=embedder or settings.embedder,
        ingest_limit=ingest_files,
        repeats=repeats,
        out_dir=out_dir,
        say=lambda line: console.print(line),
        store=store,
        es=settings.es,
    )
    summary = {"ingest": report.ingest, "query": report.query, "ready": report.ready}
    if report.side_by_side:
        summary["side_by_side"] = report.side_by_side
    sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    app()

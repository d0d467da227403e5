"""`kb eval lecard`: retrieval quality on LeCaRD (read by path, indexed through the normal ingest path)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from kb.errors import KBError

eval_app = typer.Typer(help="检索质量评测（公开基准数据集，按路径读取）", no_args_is_help=True)
console = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int], Callable[[int], None]] | None]:
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:

        def factory(label: str, total: int) -> Callable[[int], None]:
            task = bar.add_task(label, total=total)
            return lambda n: bar.advance(task, n)

        yield factory


@contextmanager
def _evaluation(show_progress: bool) -> Iterator[Callable[[str, int], Callable[[int], None]] | None]:
    """Progress bars (when shown) for an evaluation run; a KBError ends the command with its Chinese message."""
    try:
        with _progress(show_progress) as factory:
            yield factory
    except KBError as exc:
        console.print(f"[red]错误[/red]（{exc.code}）：{exc.detail}")
        raise typer.Exit(2) from exc


def _default_summary(result: dict[str, Any], protocol: str, config: str) -> dict[str, Any]:
    scores = result["results"][protocol]["auto"][config]
    return {
        "dataset": "lecard",
        "protocol": protocol,
        "setting": "auto",
        "config": config,
        "metrics": {subset: {**v["ours"], "upstream": v["upstream"], "n": v["n"]} for subset, v in scores.items()},
        "index": result["index"],
        "eval_seconds": result["eval_seconds"],
    }


def _table(result: dict[str, Any]) -> None:
    for protocol, by_setting in result["results"].items():
        table = Table(title=f"LeCaRD · {protocol}（ours：分级 nDCG、golden 标签 P/MAP；up：上游脚本口径）")
        for col in ("设置", "配置", "子集", "nDCG@10", "nDCG@30", "P@5", "MAP", "up nDCG@30", "up P@5", "up MAP"):
            table.add_column(col)
        if protocol == "full":
            table.add_column("R@100")
        for setting, by_config in by_setting.items():
            for config, by_subset in by_config.items():
                for subset, s in by_subset.items():
                    o, u = s["ours"], s["upstream"]
                    cells = [setting, config, f"{subset}({s['n']})"]
                    cells += [f"{o[m]:.3f}" for m in ("ndcg@10", "ndcg@30", "p@5", "map")]
                    cells += [f"{u[m]:.3f}" for m in ("ndcg@30", "p@5", "map")]
                    if protocol == "full":
                        cells.append(f"{o['recall@100']:.3f}")
                    table.add_row(*cells)
        out.print(table)


@eval_app.command("lecard")
def lecard(
    data: Annotated[Path, typer.Option(help="LeCaRD 数据目录（只读，按路径读取）")] = Path("../shared/data/lecard"),
    protocol: Annotated[
        str, typer.Option(help="rerank（重排每个查询的 100 个候选）| full（全库检索）| all")
    ] = "rerank",
    setting: Annotated[str, typer.Option(help="auto（自动识别要素）| charge（给定罪名筛选）| all")] = "all",
    config: Annotated[
        str, typer.Option(help="逗号分隔：bm25, dense, hybrid, hybrid+elements 及 docs/evaluation.md 中的对照配置")
    ] = "bm25,dense,hybrid,hybrid+elements",
    queries: Annotated[int | None, typer.Option(min=1, help="只评测前 N 个查询（快速试跑）")] = None,
    embedder: Annotated[
        str,
        typer.Option(
            help="向量模型（评测索引按模型分目录）；use-m3 首次导入约 30 分钟（空闲双核），e5-small 约需数小时"
        ),
    ] = "use-m3",
    home: Annotated[Path, typer.Option(help="评测索引缓存目录（已忽略于 git）")] = Path("var/eval/lecard"),
    dense_chunks: Annotated[int, typer.Option(min=1, help="每个案例向量化的基本案情块数")] = 2,
    store: Annotated[
        str, typer.Option(help="sqlite（内置）| elasticsearch（连接取 KB_ES__URL，评测索引另建一份）")
    ] = "sqlite",
    max_terms: Annotated[
        int | None, typer.Option(min=1, help="长查询保留的检索词数（默认取产品查询分析的设置）")
    ] = None,
    keep_names: Annotated[
        bool, typer.Option("--keep-names", help="长查询的检索词保留人名、地名（对照：产品默认去掉）")
    ] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="写出 JSON、Markdown 与 PNG 图表的目录")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="只输出默认配置指标的一个 JSON 对象")] = False,
    no_build: Annotated[bool, typer.Option("--no-build", help="不导入，直接用已有索引")] = False,
    build_only: Annotated[bool, typer.Option("--build-only", help="只导入（可中断、可续跑），不评测")] = False,
    ready_only: Annotated[
        bool, typer.Option("--ready-only", help="只评测候选池已完整导入的查询（导入未完成时）")
    ] = False,
) -> None:
    """LeCaRD：重排与全库检索两种协议，自动与给定罪名两种设置，多种检索配置。"""
    from api.evaluation.corpus import STORES
    from api.evaluation.harness import LecardRun, run_lecard
    from api.evaluation.report import write_results
    from api.evaluation.runner import CONFIG_CHOICES, DEFAULT_CONFIG, PROTOCOLS, SETTINGS, EvalOptions, product_config

    protocols = PROTOCOLS if protocol == "all" else (protocol,)
    settings_ = SETTINGS if setting == "all" else (setting,)
    for value, allowed, name in ((protocols, PROTOCOLS, "--protocol"), (settings_, SETTINGS, "--setting")):
        if any(v not in allowed for v in value):
            msg = f"{name} 只能是 {'、'.join(allowed)} 或 all"
            raise typer.BadParameter(msg)
    if store not in STORES:
        msg = f"--store 只能是 {'、'.join(STORES)}"
        raise typer.BadParameter(msg)
    names = [c.strip() for c in config.split(",") if c.strip()]
    unknown = [n for n in names if n not in CONFIG_CHOICES]
    if unknown:
        msg = f"未知配置：{'、'.join(unknown)}；可选：{'、'.join(CONFIG_CHOICES)}"
        raise typer.BadParameter(msg)
    if as_json and "auto" not in settings_:
        settings_ = ("auto", *settings_)
    if as_json and DEFAULT_CONFIG not in names:
        names.append(DEFAULT_CONFIG)
    run = LecardRun(
        data=data,
        home=home,
        embedder=embedder,
        protocols=protocols,
        settings=settings_,
        configs=tuple(product_config(embedder) if n == DEFAULT_CONFIG else CONFIG_CHOICES[n] for n in names),
        queries=queries,
        dense_chunks=dense_chunks,
        build=not no_build,
        build_only=build_only,
        ready_only=ready_only,
        options=EvalOptions(max_terms=max_terms, drop_names=False if keep_names else None),
        store=store,
    )
    with _evaluation(sys.stderr.isatty() or not as_json) as factory:
        result = run_lecard(run, progress=factory)
    command = [
        f"kb eval lecard --data {data} --protocol {protocol} --setting {setting} --config {','.join(names)}",
        f"--embedder {embedder} --dense-chunks {dense_chunks}",
        f"--store {store}" if store != "sqlite" else "",
        f"--queries {queries}" if queries else "",
        f"--max-terms {max_terms}" if max_terms else "",
        "--keep-names" if keep_names else "",
        "--ready-only" if ready_only else "",
    ]
    result["command"] = " ".join(part for part in command if part)
    if build_only:
        sys.stdout.write(json.dumps(result["index"], ensure_ascii=False) + "\n")
        return
    if out_dir is not None:
        for path in write_results(result, out_dir):
            console.print(f"已写出 {path}")
    if as_json:
        summary = {p: _default_summary(result, p, DEFAULT_CONFIG) for p in protocols}
        payload = summary[protocols[0]] if len(protocols) == 1 else summary
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        _table(result)


def _elements_table(result: dict[str, Any]) -> None:
    from api.evaluation.elements import ELEMENT_TYPES, TYPE_LABELS

    table = Table(title=f"法律要素抽取 · {result['n_cases']} 个人工标注案例（微平均）")
    for col in ("要素", "标注数", "Precision", "Recall", "F1", "TP", "FP", "FN"):
        table.add_column(col)
    for kind in ELEMENT_TYPES:
        m = result["metrics"][kind]
        cells = [f"{m[k]:.3f}" for k in ("precision", "recall", "f1")] + [str(m[k]) for k in ("tp", "fp", "fn")]
        table.add_row(TYPE_LABELS[kind], str(result["n_labels"][kind]), *cells)
    out.print(table)
    errors = Table(title="逐案错误（漏 = 标注有而未抽出，多 = 抽出而未标注）")
    for col in ("案例", "要素", "漏", "多"):
        errors.add_column(col)
    for case in result["cases"]:
        for kind in ELEMENT_TYPES:
            missed, spurious = case["missed"].get(kind, []), case["spurious"].get(kind, [])
            if missed or spurious:
                errors.add_row(case["id"], TYPE_LABELS[kind], "、".join(missed), "、".join(spurious))
    out.print(errors)
    out.print(f"匹配规则：{result['matching']}")


@eval_app.command("elements")
def elements(
    labels: Annotated[
        Path | None, typer.Option(help="人工标注样本（JSON Lines）；默认 api/evaluation/labels/elements.jsonl")
    ] = None,
    demo_dir: Annotated[Path | None, typer.Option(help="示例案例目录；默认 kb/data/demo/cases")] = None,
    spp_dir: Annotated[Path, typer.Option(help="最高检指导性案例目录（只读，按路径读取）")] = Path(
        "../shared/data/cn-guiding-cases/raw/spp_guiding"
    ),
    out_dir: Annotated[Path | None, typer.Option("--out", help="写出 elements.json 与 elements.md 的目录")] = Path(
        "bench-results/eval"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="只输出一个 JSON 对象（各要素的 P/R/F1）")] = False,
) -> None:
    """法律要素（罪名/案由、处理结果、决定因素、引用条文）抽取的精确率与召回率，基于人工标注样本。"""
    from api.evaluation.elements import DEMO_DIR, LABELS_PATH, run_elements, write_report

    with _evaluation(False):
        result = run_elements(labels or LABELS_PATH, demo_dir or DEMO_DIR, spp_dir)
    parts = ["kb eval elements", f"--labels {labels}" if labels else "", f"--spp-dir {spp_dir}"]
    result["command"] = " ".join(p for p in parts if p)
    if out_dir is not None:
        for path in write_report(result, out_dir):
            console.print(f"已写出 {path}")
    if as_json:
        summary = {"dataset": "elements", "n_cases": result["n_cases"], "metrics": result["metrics"]}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    else:
        _elements_table(result)


@eval_app.command("similarity")
def similarity_calibration(
    data: Annotated[Path, typer.Option(help="LeCaRD 数据目录（只读，按路径读取）")] = Path("../shared/data/lecard"),
    home: Annotated[Path, typer.Option(help="已建好的 LeCaRD 评测索引目录")] = Path("var/eval/lecard/use-m3-facts2"),
    target: Annotated[float, typer.Option(min=0.3, max=1.0, help="阈值以上相似对中相关（标注 2–3）的比例")] = 0.6,
    out_dir: Annotated[Path | None, typer.Option("--out", help="写出 similarity.json 与 similarity.md 的目录")] = Path(
        "bench-results/eval"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="只输出一个 JSON 对象")] = False,
) -> None:
    """类案比对相似度的阈值校准：在 LeCaRD 的分级标注上求“高度相似”的相似度阈值（分歧提示用）。"""
    from api.evaluation.similarity import calibrate, write_report

    if not (home / "kb.sqlite3").is_file():
        console.print(f"[red]错误[/red]：{home} 中没有评测索引，请先运行 kb eval lecard --build-only")
        raise typer.Exit(2)
    with _evaluation(not as_json) as factory:
        result = calibrate(data, home, target=target, progress=factory("比对查询", 107) if factory else None)
    if out_dir is not None:
        for path in write_report(result, out_dir):
            console.print(f"已写出 {path}")
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    out.print(f"阈值：{result['threshold']}（{result['pairs']} 对，相关比例 {result['base_rate']:.3f}）")
    for row in result["table"][::5]:
        out.print(f"  ≥ {row['threshold']:.2f}：{row['pairs']} 对，相关 {row['precision']:.3f}")


def _emit(
    result: dict[str, Any],
    out_dir: Path | None,
    as_json: bool,
    *,
    write_report: Callable[[dict[str, Any], Path], list[Path]],
    per_case: str,
    table: Callable[[dict[str, Any]], None],
) -> None:
    """An ingesting evaluation's output (kb eval provisions / guiding): the report files when asked for, then one JSON
    object without the per-case list (`per_case`), or the table."""
    if out_dir is not None:
        for path in write_report(result, out_dir):
            console.print(f"已写出 {path}")
    if as_json:
        summary = {k: v for k, v in result.items() if k != per_case}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    else:
        table(result)


def _build_note(result: dict[str, Any]) -> str:
    """How the evaluation's index was built and how long the evaluation took (kb eval provisions / guiding)."""
    build = result["index"]["build"]
    note = "沿用已建索引" if build["skipped"] else f"导入用时 {build['seconds']:.0f} 秒"
    return f"{note}；评测用时 {result['eval_seconds']} 秒"


def _provisions_table(result: dict[str, Any]) -> None:
    c = result["citations"]
    table = Table(
        title=(
            f"条文关联 · {result['cases_evaluated']} 个指导性案例（相关规定 {c['citations']} 处引用，"
            f"{result['resolved_share']:.1%} 能对应到已导入条文）"
        )
    )
    for col in ("排序方式", "子集", "案例数", "Recall@5", "Recall@10", "MRR"):
        table.add_column(col)
    weights = result["settings"]["product"]["weights"]
    labels = {
        "direct": "直接检索条文",
        "direct_cited": "直接检索（仅被引条文）",
        "similar_cases": "类案投票",
        "similar_cases_k10_rank": "类案投票（10 案，按名次）",
        "charge_articles": "罪名对应条文",
        "fusion_previous": "上一版融合",
        "fusion_no_charges": "融合（不含罪名条文）",
        "fusion_tuned": "融合（奇数号上重新选定）",
        "fusion": (
            f"融合（产品默认：直接检索 {weights['direct']}、类案 {weights['similar']}、罪名条文 {weights['charges']}）"
        ),
    }
    for ranker, subsets in result["metrics"].items():
        for name, m in subsets.items():
            cells = [f"{m[k]:.3f}" for k in ("recall@5", "recall@10", "mrr")]
            table.add_row(labels.get(ranker, ranker), name, str(m["n"]), *cells)
    out.print(table)
    out.print(f"{_build_note(result)}；索引：{result['index']['entries_by_kind']}")


@eval_app.command("provisions")
def provisions(
    laws: Annotated[Path, typer.Option(help="法律法规目录（lawrefbook-laws，只读，按路径读取）")] = Path(
        "../shared/data/lawrefbook-laws"
    ),
    cases: Annotated[Path, typer.Option(help="指导性案例目录（cn-guiding-cases，读取 raw/spp_guiding）")] = Path(
        "../shared/data/cn-guiding-cases"
    ),
    folders: Annotated[
        str | None, typer.Option(help="逗号分隔的法律法规子目录；默认为指导性案例所引法律所在的各目录")
    ] = None,
    embedder: Annotated[
        str, typer.Option(help="向量模型；默认 use-m3（e5-small 在双核上导入全部条文需一个多小时）")
    ] = "use-m3",
    home: Annotated[Path, typer.Option(help="评测索引缓存目录（已忽略于 git）")] = Path("var/eval/provisions"),
    limit: Annotated[int | None, typer.Option(min=1, help="只评测前 N 个案例（快速试跑）")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="写出 provisions.json 与 provisions.md 的目录")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="只输出一个 JSON 对象（各排序方式的指标）")] = False,
) -> None:
    """条文关联评测：以指导性案例的基本案情（隐去引用）为查询，看能否找回其相关规定所引的法律条文。"""
    from api.evaluation.provisions import DEFAULT_LAW_FOLDERS, ProvisionRun, run_provisions, write_report

    chosen = tuple(f.strip() for f in folders.split(",") if f.strip()) if folders else DEFAULT_LAW_FOLDERS
    run = ProvisionRun(laws=laws, cases=cases, home=home, embedder=embedder, folders=chosen, limit=limit)
    with _evaluation(sys.stderr.isatty() or not as_json) as factory:
        result = run_provisions(run, progress=factory)
    parts = [
        f"kb eval provisions --laws {laws} --cases {cases} --embedder {embedder}",
        f"--folders {','.join(chosen)}" if folders else "",
        f"--limit {limit}" if limit else "",
    ]
    result["command"] = " ".join(p for p in parts if p)
    _emit(result, out_dir, as_json, write_report=write_report, per_case="cases", table=_provisions_table)


def _guiding_table(result: dict[str, Any]) -> None:
    from api.evaluation.guiding import METRICS

    table = Table(
        title=(
            f"指导性案例检索 · {result['cases_evaluated']} 个检察院指导性案例（以基本案情检索；"
            f"相关 = 共有关键词的其他检例；干扰项 {result['entries'] - result['spp_entries']} 个法院案例）"
        )
    )
    for col in ("配置", "子集", "案例数", "nDCG@10", "P@5", "MRR", "Recall@20", "法院案例占前10"):
        table.add_column(col)
    labels = {
        "bm25": "BM25",
        "dense": "向量",
        "hybrid": "混合（RRF）",
        "product@no-vote": "产品（不推断罪名）",
        "product": "产品默认",
    }
    for name, subsets in result["metrics"].items():
        for subset, m in subsets.items():
            table.add_row(labels.get(name, name), subset, str(m["n"]), *(f"{m[k]:.3f}" for k in METRICS))
    out.print(table)
    related = Table(title="同一排序、按关键词相关（一个关键词包含另一个，如 核准追诉 与 不予核准追诉）计的相关案例")
    for col in ("配置", "案例数", "nDCG@10", "P@5", "MRR", "Recall@20", "法院案例占前10"):
        related.add_column(col)
    for name, subsets in result["metrics_related"].items():
        m = subsets["all"]
        related.add_row(labels.get(name, name), str(m["n"]), *(f"{m[k]:.3f}" for k in METRICS))
    out.print(related)
    out.print(f"{_build_note(result)}；索引 {result['index']['chunks']} 块")


@eval_app.command("guiding")
def guiding(
    data: Annotated[Path, typer.Option(help="指导性案例目录（cn-guiding-cases，只读，按路径读取）")] = Path(
        "../shared/data/cn-guiding-cases"
    ),
    embedder: Annotated[str, typer.Option(help="向量模型；默认 use-m3（e5-small 导入公报案例约 45 分钟）")] = (
        "use-m3"
    ),
    home: Annotated[Path, typer.Option(help="评测索引缓存目录（已忽略于 git）")] = Path("var/eval/guiding"),
    limit: Annotated[int | None, typer.Option(min=1, help="只评测前 N 个案例（快速试跑）")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="写出 guiding.json 与 guiding.md 的目录")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="只输出一个 JSON 对象（各配置的指标）")] = False,
) -> None:
    """指导性案例检索评测：以检例的基本案情为查询，看能否在法院案例干扰下找回关键词相同的其他检例。"""
    from api.evaluation.guiding import GuidingRun, run_guiding, write_report

    run = GuidingRun(data=data, home=home, embedder=embedder, limit=limit)
    with _evaluation(sys.stderr.isatty() or not as_json) as factory:
        result = run_guiding(run, progress=factory)
    parts = [f"kb eval guiding --data {data} --embedder {embedder}", f"--limit {limit}" if limit else ""]
    result["command"] = " ".join(p for p in parts if p)
    _emit(result, out_dir, as_json, write_report=write_report, per_case="rows", table=_guiding_table)

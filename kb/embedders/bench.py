"""Embedder speed on this machine: passages/s at 200 and 400 Chinese characters, and query latency.

    python -m kb.embedders.bench                       # e5-small and use-m3, built-in sample text
    python -m kb.embedders.bench --specs hash,e5-small --repeats 7 --corpus path/to/cases

Each figure is the median over `--repeats` runs after one warm-up run; a passage run embeds `--batch` distinct
passages in one call (as the indexer does), a query run embeds one query. The text is cut from `--corpus` (.md and
.txt files, whitespace removed) or, without it, from a short sample written for this benchmark. The 1-minute load
average is printed too: on a busy machine the numbers mean little.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.embedders.base import Embedder
from kb.embedders.factory import build_embedder

# Written for this benchmark (no real case): realistic vocabulary and punctuation, about 0.7 e5 tokens a character.
_SAMPLE = (
    "经审查查明，犯罪嫌疑人王某某于某年三月至五月间，利用其担任某物流公司仓库管理员的职务便利，多次将仓库内保管的"
    "电子产品私自带出并低价变卖，涉案金额共计人民币八万余元。案发后，王某某主动向公安机关投案，如实供述了自己的罪行，"
    "并在家属帮助下退赔了全部损失，取得了被害单位的谅解。检察机关审查认为，王某某的行为已构成职务侵占罪，但其具有自首"
    "情节，认罪认罚，且已退赃退赔，犯罪情节较轻。经听取被害单位、辩护人意见并召开公开听证会，检察机关依法作出相对不起诉"
    "决定，同时向该公司制发检察建议，督促其完善仓储管理和内部监督制度。该公司收到检察建议后，修订了出入库登记办法，增设"
    "了视频监控和定期盘点机制，并将整改情况书面回复检察机关。本案的指导意义在于：办理企业内部人员侵占案件，应当综合考虑"
    "犯罪数额、退赔情况和被害单位意见，依法适用认罪认罚从宽制度，做到宽严相济；同时通过检察建议推动企业堵塞管理漏洞，"
    "实现办案政治效果、法律效果和社会效果的统一。"
)
SHORT_QUERY = "职务侵占 自首 相对不起诉"


@dataclass
class Row:
    spec: str
    what: str
    value: float
    unit: str
    cpu_ms: float  # CPU time of this process (all threads) per passage or query: less sensitive to a busy machine


def load_text(corpus: Path | None) -> str:
    if corpus is None:
        return _SAMPLE
    parts = [
        "".join(path.read_text(encoding="utf-8", errors="replace").split())
        for path in sorted(corpus.rglob("*"))
        if path.suffix in (".md", ".txt") and path.is_file()
    ]
    text = "".join(parts)
    if len(text) < 10_000:
        msg = f"{corpus}: need at least 10,000 characters of text, found {len(text)}"
        raise SystemExit(msg)
    return text


def cut(text: str, length: int, count: int, offset: int) -> list[str]:
    """`count` consecutive slices of `length` characters from `offset` on, wrapping around `text`."""
    offset %= len(text)
    long_enough = text * ((offset + length * count) // len(text) + 1)
    return [long_enough[offset + i * length : offset + (i + 1) * length] for i in range(count)]


def median_seconds(run: Callable[[int], None], repeats: int) -> tuple[float, float]:
    """Median wall-clock seconds and median process CPU seconds of `run`, after one warm-up call."""
    run(-1)
    wall, cpu = [], []
    for attempt in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run(attempt)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def bench(embedder: Embedder, text: str, *, repeats: int, batch: int) -> list[Row]:
    rows: list[Row] = []
    embedder.warm_up()
    for length in (200, 400):

        def passages(attempt: int, length: int = length) -> None:
            embedder.embed_passages(cut(text, length, batch, offset=(attempt + 1) * 7919))

        seconds, cpu = median_seconds(passages, repeats)
        what = f"passages/s @ {length} chars (batch {batch})"
        rows.append(Row(embedder.name, what, batch / seconds, "/s", cpu / batch * 1000))
    long_query = cut(text, 3000, 1, offset=0)[0]
    for label, query in (("short query", SHORT_QUERY), ("3,000-char query", long_query)):

        def one_query(_attempt: int, query: str = query) -> None:
            embedder.embed_queries([query])

        seconds, cpu = median_seconds(one_query, repeats)
        rows.append(Row(embedder.name, f"{label} latency", seconds * 1000, "ms", cpu * 1000))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", default="e5-small,use-m3", help="comma-separated embedder specs")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32, help="passages per call")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of .md/.txt files to cut passages from")
    args = parser.parse_args(argv)
    text = load_text(args.corpus)
    rows: list[Row] = []
    for spec in (s.strip() for s in args.specs.split(",") if s.strip()):
        embedder = build_embedder(spec)
        if embedder is None:
            continue
        rows.extend(bench(embedder, text, repeats=args.repeats, batch=args.batch))
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out = sys.stdout
    out.write(f"cores {os.cpu_count()}, load average {load1:.2f}, median of {args.repeats} runs\n\n")
    out.write("| embedder | measure | median | CPU ms per item |\n|---|---|---:|---:|\n")
    for row in rows:
        out.write(f"| {row.spec} | {row.what} | {row.value:,.1f} {row.unit} | {row.cpu_ms:,.1f} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

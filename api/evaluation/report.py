"""Evaluation results as a JSON file, a markdown table and a PNG chart (matplotlib, optional)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

CHART_CONFIGS = ("bm25", "dense", "hybrid", "hybrid+elements@v0", "hybrid+elements")
OURS = ("ndcg@10", "ndcg@20", "ndcg@30", "p@5", "p@10", "map")
PUBLISHED = {  # LeCaRD README / paper, re-rank protocol, upstream script
    "BM25 (published)": {
        "ndcg@10": 0.731,
        "ndcg@20": 0.797,
        "ndcg@30": 0.888,
        "p@5": 0.406,
        "p@10": 0.381,
        "map": 0.484,
    },
    "LMIR (published)": {
        "ndcg@10": 0.769,
        "ndcg@20": 0.818,
        "ndcg@30": 0.900,
        "p@5": 0.436,
        "p@10": 0.406,
        "map": 0.495,
    },
    "BERT fine-tuned (published, test split)": {
        "ndcg@10": 0.774,
        "ndcg@20": 0.821,
        "ndcg@30": 0.899,
        "p@5": 0.470,
        "p@10": 0.430,
        "map": 0.568,
    },
}


# Issue 5's bars, fully automatic: the re-rank protocol's upstream-script figures and full retrieval's Recall@100.
BARS = {
    ("rerank", "upstream"): {"ndcg@10": 0.85, "ndcg@30": 0.92, "p@5": 0.55, "map": 0.65},
    ("full", "ours"): {"recall@100": 0.90},
}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per protocol × setting × configuration × subset × metric family."""
    out = []
    for protocol, by_setting in result["results"].items():
        for setting, by_config in by_setting.items():
            for config, by_subset in by_config.items():
                for subset, scores in by_subset.items():
                    for family in ("ours", "upstream"):
                        out.append({
                            "protocol": protocol,
                            "setting": setting,
                            "config": config,
                            "subset": subset,
                            "family": family,
                            "n": scores["n"],
                            **scores[family],
                        })
    return out


def _table_row(setting: str, config: str, subset: str, values: dict[str, float], cols: list[str]) -> str:
    cells = " | ".join(f"{values[c]:.3f}" if c in values else "–" for c in cols)
    return f"| {setting} | {config} | {subset} | {cells} |"


def reference_rows(result: dict[str, Any], protocol: str, family: str, cols: list[str]) -> list[str]:
    """The rows that put ours in context: the published rankings scored by the same code, a perfect order of the
    pools (re-rank only), the published figures (upstream only) and the bars."""
    out = []
    if protocol == "rerank":
        for name, by_subset in result.get("baselines", {}).items():
            for subset, scores in by_subset.items():
                label = f"{name}_top100 (published ranking, scored here)"
                out.append(_table_row("reference", label, f"{subset} ({scores['n']})", scores[family], cols))
        for subset, scores in result.get("perfect", {}).items():
            out.append(_table_row("reference", "perfect order", f"{subset} ({scores['n']})", scores[family], cols))
        if family == "upstream":
            for name, figures in PUBLISHED.items():
                out.append(_table_row("reference", name, "as published", figures, cols))
    bar = BARS.get((protocol, family))
    if bar:
        out.append(_table_row("bar", "fully automatic", "all", bar, cols))
    return out


def markdown(result: dict[str, Any]) -> str:
    lines = []
    for protocol, by_setting in result["results"].items():
        extra = ["recall@100"] if protocol == "full" else []
        for family in ("ours", "upstream"):
            cols = [*OURS, *(extra if family == "ours" else [])]
            lines.append(f"\n**{protocol} · {family}**\n")
            lines.append("| setting | config | subset | " + " | ".join(cols) + " |")
            lines.append("|---|---|---|" + "---|" * len(cols))
            for setting, by_config in by_setting.items():
                for config, by_subset in by_config.items():
                    for subset, scores in by_subset.items():
                        values = {c: scores[family].get(c, 0.0) for c in cols}
                        lines.append(_table_row(setting, config, f"{subset} ({scores['n']})", values, cols))
            lines.extend(reference_rows(result, protocol, family, cols))
    return "\n".join(lines) + "\n"


def chart(result: dict[str, Any], path: Path, *, subset: str = "all") -> bool:
    """Bar chart of nDCG@10/30, P@5 and MAP (upstream figures, re-rank protocol) per configuration and setting."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is an optional extra
        logger.warning("matplotlib is not installed: no chart")
        return False
    protocol = "rerank" if "rerank" in result["results"] else next(iter(result["results"]))
    metrics = ("ndcg@10", "ndcg@30", "p@5", "map")
    labels: list[str] = []
    series: dict[str, list[float]] = {m: [] for m in metrics}
    for setting, by_config in result["results"][protocol].items():
        for config, by_subset in by_config.items():
            if config not in CHART_CONFIGS:
                continue
            labels.append(f"{config}\n({setting})")
            for m in metrics:
                series[m].append(by_subset[subset]["upstream"][m])
    for name, scores in PUBLISHED.items():
        labels.append(name.replace(" (", "\n("))
        for m in metrics:
            series[m].append(scores[m])
    fig, ax = plt.subplots(figsize=(max(8, len(labels) * 0.9), 5.5))
    width = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        xs = [x + i * width for x in range(len(labels))]
        ax.bar(xs, series[m], width, label=m)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(labels))])
    ax.set_xticklabels(labels, fontsize=7, rotation=35, ha="right")
    ax.set_ylim(0, 1)
    first = next(iter(next(iter(result["results"][protocol].values())).values()))
    ax.set_title(f"LeCaRD {protocol}, {subset} queries (n={first[subset]['n']}), upstream-script figures")
    ax.legend(fontsize=8, ncol=len(metrics))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_results(result: dict[str, Any], out_dir: Path, *, stem: str = "lecard") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    written.append(json_path)
    md_path = out_dir / f"{stem}.md"
    md_path.write_text(markdown(result), encoding="utf-8")
    written.append(md_path)
    png = out_dir / f"{stem}.png"
    if chart(result, png):
        written.append(png)
    return written

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.evaluation.lecard import COMMON_COUNT, DatasetError, iter_candidates, load_lecard


def test_load_reads_queries_labels_and_pools(lecard_dir: Path) -> None:
    ds = load_lecard(lecard_dir)
    assert [q.qid for q in ds.queries] == ["11", "22"]
    assert ds.queries[1].charges == ["危险驾驶罪"]
    assert ds.labels["11"] == {"1": 3, "4": 2, "3": 0}
    assert ds.golden["22"] == ["2"]
    assert ds.pools["11"] == ["1", "4", "3", "2"]
    assert {q.subset for q in ds.queries} == {"common"}


def test_subsets_follow_the_label_file_order(tmp_path: Path) -> None:
    root = tmp_path / "many"
    (root / "query").mkdir(parents=True)
    (root / "label").mkdir()
    (root / "prediction").mkdir()
    ids = [str(1000 - i) for i in range(COMMON_COUNT + 3)]
    lines = [json.dumps({"ridx": int(i), "q": "案情", "crime": []}) for i in reversed(ids)]
    (root / "query" / "query.json").write_text("\n".join(lines), encoding="utf-8")
    (root / "label" / "label_top30_dict.json").write_text(json.dumps({i: {} for i in ids}), encoding="utf-8")
    (root / "label" / "golden_labels.json").write_text("{}", encoding="utf-8")
    (root / "prediction" / "combined_top100.json").write_text("{}", encoding="utf-8")
    ds = load_lecard(root)
    controversial = {q.qid for q in ds.subset("controversial")}
    assert controversial == set(ids[COMMON_COUNT:])
    assert len(ds.subset("common")) == COMMON_COUNT
    assert len(ds.subset("all")) == COMMON_COUNT + 3


def test_candidates_are_streamed_once_per_pid_without_the_query_folder(lecard_dir: Path) -> None:
    records = list(iter_candidates(lecard_dir / "candidates" / "candidates_noqw.jsonl.gz"))
    assert [r["pid"] for r in records] == ["1", "3", "4", "2"]
    assert all("qid" not in r for r in records)
    assert records[0]["ajName"] == "张某盗窃一案"


def test_missing_files_raise_a_dataset_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as err:
        load_lecard(tmp_path / "nowhere")
    assert "nowhere" in err.value.detail
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError) as err2:
        load_lecard(tmp_path / "empty")
    assert "label_top30_dict.json" in err2.value.detail

"""A tiny dataset in the LeCaRD layout, written by the tests (invented texts, nothing copied)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

THEFT = {
    "ajName": "张某盗窃一案",
    "ajjbqk": "经审理查明，2019年3月，被告人张某趁被害人不备，在超市内秘密窃取手机一部，价值人民币三千元。",
    "cpfxgc": "本院认为，被告人张某以非法占有为目的，秘密窃取他人财物，数额较大，其行为已构成盗窃罪。",
    "pjjg": "被告人张某犯盗窃罪，判处有期徒刑六个月，并处罚金人民币二千元。",
}
DRUNK = {
    "ajName": "李某危险驾驶一案",
    "ajjbqk": "经审理查明，2020年5月，被告人李某酒后驾驶小型轿车在城市道路上行驶，经检验血液中乙醇含量为一百八十毫克。",
    "cpfxgc": "本院认为，被告人李某在道路上醉酒驾驶机动车，其行为已构成危险驾驶罪。",
    "pjjg": "被告人李某犯危险驾驶罪，判处拘役三个月，并处罚金人民币五千元。",
}
FRAUD = {
    "ajName": "王某诈骗一案",
    "ajjbqk": "经审理查明，被告人王某冒充银行工作人员拨打电话，骗取被害人转账人民币五万元。",
    "cpfxgc": "本院认为，被告人王某以非法占有为目的，虚构事实骗取他人财物，数额巨大，其行为已构成诈骗罪。",
    "pjjg": "被告人王某犯诈骗罪，判处有期徒刑三年，并处罚金人民币三万元。",
}
THEFT2 = {
    "ajName": "赵某盗窃一案",
    "ajjbqk": "经审理查明，被告人赵某多次在商场内秘密窃取他人手机及现金，共计价值人民币五千元。",
    "cpfxgc": "本院认为，被告人赵某多次盗窃他人财物，其行为已构成盗窃罪。",
    "pjjg": "被告人赵某犯盗窃罪，判处有期徒刑八个月。",
}


def write_lecard(root: Path) -> Path:
    """The tiny dataset in `root` (the tests in tests/es evaluate it on Elasticsearch too)."""
    (root / "query").mkdir(parents=True)
    (root / "label").mkdir()
    (root / "prediction").mkdir()
    (root / "candidates").mkdir()
    queries = [
        {"ridx": 11, "q": "被告人在超市内趁人不备秘密窃取他人手机，价值三千元，被当场抓获。", "crime": ["盗窃罪"]},
        {"ridx": 22, "q": "被告人酒后驾驶轿车在道路上行驶，血液中乙醇含量超过八十毫克。", "crime": ["危险驾驶罪"]},
    ]
    (root / "query" / "query.json").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in queries) + "\n", encoding="utf-8"
    )
    labels = {"11": {"1": 3, "4": 2, "3": 0}, "22": {"2": 3, "1": 0}}
    (root / "label" / "label_top30_dict.json").write_text(json.dumps(labels), encoding="utf-8")
    (root / "label" / "golden_labels.json").write_text(json.dumps({"11": [1], "22": [2]}), encoding="utf-8")
    pools = {"11": [1, 4, 3, 2], "22": [2, 1, 3]}
    (root / "prediction" / "combined_top100.json").write_text(json.dumps(pools), encoding="utf-8")
    records = [
        {"qid": "11", "pid": "1", **THEFT},
        {"qid": "11", "pid": "3", **FRAUD},
        {"qid": "11", "pid": "4", **THEFT2},
        {"qid": "22", "pid": "1", **THEFT},  # the same judgment under a second query
        {"qid": "22", "pid": "2", **DRUNK},
    ]
    with gzip.open(root / "candidates" / "candidates_noqw.jsonl.gz", "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return root


@pytest.fixture
def lecard_dir(tmp_path: Path) -> Path:
    return write_lecard(tmp_path / "lecard")

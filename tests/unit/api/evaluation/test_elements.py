"""`kb eval elements`: the metrics on a hand-made sample, the labels file checks, and the command on a few cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.evaluation.elements import (
    DEMO_DIR,
    LABELS_PATH,
    LabelledCase,
    LabelsError,
    canonical,
    compare,
    load_labels,
    markdown,
    prf,
    provision_key,
    run_elements,
    score,
)

# An invented guiding case in the published layout (nothing copied from real cases).
INVENTED_CASE = """# 检例第9001号 钱某盗窃案

【关键词】
盗窃　不起诉

【要旨】
盗窃数额较大但情节轻微的，可以依法不起诉。

【基本案情】
钱某，男，作案时十七周岁。钱某在超市窃取商品，价值二千元，数额较大。到案后如实供述，并退赔了全部损失。

【检察机关履职过程】
检察机关审查认为，钱某的行为构成盗窃罪，但犯罪情节轻微，依法作出不起诉决定。

【相关规定】
《中华人民共和国刑法》第二百六十四条
《中华人民共和国刑事诉讼法》第一百七十七条第二款
"""


def _case(cid: str = "x", **labels: list[str]) -> LabelledCase:
    kinds = ("charges", "outcomes", "factors", "provisions")
    return LabelledCase(cid, "demo", "x.md", None, "刑事检察", {k: tuple(labels.get(k, [])) for k in kinds})


def _line(**row: object) -> str:
    base: dict[str, object] = {"id": "a", "source": "demo", "file": "criminal-004.md", "number": "示例刑-004"}
    return json.dumps({**base, **row}, ensure_ascii=False)


def test_prf_and_micro_average_on_a_hand_made_sample() -> None:
    assert prf(3, 1, 2) == pytest.approx({"precision": 0.75, "recall": 0.6, "f1": 2 * 0.75 * 0.6 / 1.35})
    assert prf(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    one = compare(
        _case("one", charges=["盗窃罪"], outcomes=["不起诉"], factors=["自首", "初犯"]),
        {"charges": ["盗窃罪", "诈骗罪"], "outcomes": ["不起诉", "相对不起诉"], "factors": ["自首"], "provisions": []},
    )
    two = compare(
        _case("two", outcomes=["起诉"], provisions=["《刑法》第二百六十四条", "《刑法》第一百三十三条之一"]),
        {
            "charges": [],
            "outcomes": ["起诉", "抗诉"],
            "factors": [],
            "provisions": ["《刑法》第二百六十四条", "《刑法》第一百三十三条", "《保障农民工工资支付条例》"],
        },
    )
    assert one.missed == {"factors": ["初犯"]} and one.spurious == {"charges": ["诈骗罪"]}
    assert two.missed == {"provisions": ["《刑法》第133条之一"]}
    assert two.spurious == {"outcomes": ["抗诉"], "provisions": ["《刑法》第133条"]}
    scored = score([one, two])
    m = scored["metrics"]
    assert (m["charges"]["tp"], m["charges"]["fp"], m["charges"]["fn"]) == (1, 1, 0)
    assert (
        m["outcomes"]["precision"] == pytest.approx(2 / 3) and m["outcomes"]["recall"] == 1.0
    )  # 相对不起诉 not scored
    assert m["factors"]["precision"] == 1.0 and m["factors"]["recall"] == 0.5
    assert (m["provisions"]["tp"], m["provisions"]["fp"], m["provisions"]["fn"]) == (1, 1, 1)  # whole law ignored
    assert scored["subsets"]["line:刑事检察"]["n"] == 2
    assert scored["by_value"]["factors"]["初犯"]["fn"] == 1
    assert scored["by_value"]["outcomes"]["抗诉"]["fp"] == 1


def test_provisions_compare_by_law_and_article_only() -> None:
    assert provision_key("《中华人民共和国刑法》第133条之一第二款") == "《刑法》第133条之一"
    assert provision_key("《刑事诉讼法》第一百七十七条第二款") == provision_key("《刑事诉讼法》第一百七十七条")
    with pytest.raises(ValueError):
        provision_key("《人民检察院审查案件听证工作规定》")
    assert canonical("provisions", ["《刑法》第二百六十四条", "《某某规定》"]) == {"《刑法》第264条"}
    assert canonical("outcomes", ["不起诉", "存疑不起诉"]) == {"不起诉"}


def test_labels_file_errors_are_clear_and_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(LabelsError, match="标注文件不存在"):
        load_labels(tmp_path / "none.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_line() + "\n{not json\n", encoding="utf-8")
    with pytest.raises(LabelsError, match=r"bad\.jsonl 第 2 行 不是有效的 JSON"):
        load_labels(bad)
    for row, message in (
        ({"id": ""}, "缺少字段 id"),
        ({"source": "web"}, "source 只能是"),
        ({"file": "../x.md"}, "不能含路径"),
        ({"outcomes": ["判决有罪"]}, "词表外的标签：判决有罪"),
        ({"factors": "自首"}, "factors 必须是"),
        ({"provisions": ["刑法"]}, "无法解析的条文标注"),
    ):
        bad.write_text(_line(**row) + "\n", encoding="utf-8")
        with pytest.raises(LabelsError, match=message):
            load_labels(bad)
    bad.write_text(_line() + "\n" + _line() + "\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="重复的 id"):
        load_labels(bad)
    bad.write_text("\n", encoding="utf-8")
    with pytest.raises(LabelsError, match="没有案例"):
        load_labels(bad)


def test_missing_case_file_is_reported_before_any_work(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text(_line(id="spp/x", source="spp", file="检例第0号.md") + "\n", encoding="utf-8")
    with pytest.raises(LabelsError, match=r"找不到案例文件 .*检例第0号\.md"):
        run_elements(labels, DEMO_DIR, tmp_path / "spp")


def test_shipped_sample_is_valid_and_large_enough() -> None:
    cases = load_labels(LABELS_PATH)
    assert len(cases) >= 60
    spp = [c for c in cases if c.source == "spp"]
    assert len(spp) >= 30
    assert {c.line for c in spp} == {"刑事检察", "民事检察", "行政检察", "公益诉讼检察"}
    demo_files = {p.name for p in DEMO_DIR.glob("*.md")}
    assert demo_files <= {c.file for c in cases if c.source == "demo"}


def _sample(tmp_path: Path) -> tuple[Path, Path]:
    spp = tmp_path / "spp"
    spp.mkdir()
    (spp / "检例第9001号__钱某盗窃案.md").write_text(INVENTED_CASE, encoding="utf-8")
    rows = [
        _line(
            id="demo/criminal-004",
            charges=["危险驾驶罪"],
            outcomes=["不起诉"],
            factors=["初犯", "坦白", "认罪认罚", "情节轻微"],
            provisions=["《刑法》第一百三十三条之一"],
        ),
        _line(
            id="spp/9001",
            source="spp",
            file="检例第9001号__钱某盗窃案.md",
            number="检例第9001号",
            charges=["盗窃罪"],
            outcomes=["不起诉"],
            factors=["未成年", "数额较大", "坦白", "赔偿谅解", "情节轻微", "自首"],
            provisions=["《刑法》第二百六十四条", "《刑事诉讼法》第一百七十七条"],
        ),
    ]
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return labels, spp


def test_command_writes_reports_and_prints_json(tmp_path: Path) -> None:
    labels, spp = _sample(tmp_path)
    out = tmp_path / "out"
    args = ["eval", "elements", "--labels", str(labels), "--spp-dir", str(spp), "--out", str(out), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stdout
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["n_cases"] == 2
    factors = payload["metrics"]["factors"]
    assert factors["fn"] == 1 and factors["tp"] == 9  # 自首 labelled in the invented case but not stated
    assert payload["metrics"]["charges"]["f1"] == 1.0
    report = json.loads((out / "elements.json").read_text(encoding="utf-8"))
    errors = {case["id"]: case for case in report["cases"]}
    assert errors["spp/9001"]["missed"] == {"factors": ["自首"]} and errors["spp/9001"]["spurious"] == {}
    assert errors["demo/criminal-004"]["missed"] == {}
    assert "《刑法》第37条" in errors["demo/criminal-004"]["spurious"]["provisions"]  # only one article labelled here
    table = (out / "elements.md").read_text(encoding="utf-8")
    assert "| 决定因素 (factors) | 10 |" in table and "spp/9001" in table and "匹配规则" in table


def test_command_reports_a_bad_labels_file(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text("{oops\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "elements", "--labels", str(labels), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "labels_invalid" in result.output and "不是有效的 JSON" in result.output
    assert not (tmp_path / "o").exists()


def test_markdown_marks_groups_without_any_label_or_prediction() -> None:
    results = [compare(_case("only", charges=["盗窃罪"]), {"charges": ["盗窃罪"]})]
    report = {
        **score(results),
        "n_cases": 1,
        "sources": {"demo": 1},
        "matching": "规则",
        "n_labels": {"charges": 1, "outcomes": 0, "factors": 0, "provisions": 0},
        "cases": [],
    }
    text = markdown(report)
    assert "| line:刑事检察 | 1 | 1.000/1.000/1.000 | — | — | — |" in text

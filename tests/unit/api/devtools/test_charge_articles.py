"""api.devtools.charge_articles: the 罪名 -> 刑法 article table built from the official charge lists."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from api.devtools.charge_articles import (
    FORMER,
    articles_of,
    build,
    cancelled,
    clean_name,
    compare,
    main,
    names_of,
    parse_opinion,
    parse_supplement,
    render,
)

LAWS = Path(__file__).resolve().parents[5] / "shared" / "data" / "lawrefbook-laws"
TABLE = Path(__file__).resolve().parents[4] / "kb" / "data" / "charge_articles.tsv"


def test_article_cells_become_headings_without_the_amending_act() -> None:
    assert articles_of("第114条、第115条第1款（《修正案（三）》第1、2条）") == ["第一百一十四条", "第一百一十五条"]
    assert articles_of("第一百三十三条之二 （《刑法修正案（十一）》第二条）") == ["第一百三十三条之二"]
    assert articles_of("《决定》第1条") == []
    assert articles_of("") == []


def test_names_are_split_cleaned_and_cancellations_read() -> None:
    assert names_of("甲罪；乙丙罪") == ["甲罪", "乙丙罪"]
    assert names_of("甲乙罪 丙丁罪（取消戊罪罪名）") == ["甲乙罪", "丙丁罪"]
    assert names_of("为境外窃取、刺探 商业秘密罪") == ["为境外窃取、刺探商业秘密罪"]
    assert names_of("滥用职权罪、玩忽职守罪") == ["滥用职权罪", "玩忽职守罪"]
    # 犯罪、 inside one name is no boundary
    assert names_of("拒绝提供间谍犯罪、恐怖主义犯罪证据罪") == ["拒绝提供间谍犯罪、恐怖主义犯罪证据罪"]
    assert names_of("取消某罪罪名") == []
    assert cancelled("新罪（取消旧甲罪和旧乙罪罪名）") == ["旧甲罪", "旧乙罪"]
    assert cancelled("取消某罪罪名") == ["某罪"]
    assert cancelled("新罪（取消刑法原第155条第3项旧罪罪名）") == ["旧罪"]
    unified = unicodedata.normalize("NFKC", "\uf9b4")
    assert unified != "\uf9b4" and clean_name("\uf9b4罪") == unified + "罪"  # a compatibility ideograph
    assert clean_name("剌探罪") == "刺探罪"


def test_lists_are_applied_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "司法解释"
    folder.mkdir()
    (folder / "最高人民检察院关于适用刑法分则规定的犯罪的罪名的意见(1997-12-25).md").write_text(
        "1\uff0e甲罪（第1条） 2\uff0e乙罪（第2条第1款） 3\uff0e丙罪（第3条）\n", encoding="utf-8"
    )
    (folder / "最高人民法院、最高人民检察院关于执行《刑法》确定罪名的补充规定(2002-03-15).md").write_text(
        "| 刑法条文 |罪名 |\n|---|---|\n| 第2条 （《修正案》第1条） |新乙罪（取消乙罪罪名） |\n"
        "| |丁罪 |\n"
        "将《中华人民共和国刑法》第3条（《修正案》第2条）的罪名由“丙罪”修改为“新丙罪”。\n",
        encoding="utf-8",
    )
    table = build(tmp_path)
    assert table["甲罪"][0] == ["第一条"]
    assert table["新乙罪"][0] == ["第二条"] and table["丁罪"][0] == ["第二条"]  # an empty cell continues the row
    assert table["新丙罪"][0] == ["第三条"]
    assert "乙罪" not in table and table["乙罪" + FORMER][1].endswith("取消")
    text = render(table)
    lines = [line.split("\t") for line in text.splitlines() if not line.startswith("#")]
    assert [row[0] for row in lines] == ["甲罪", "新乙罪", "丁罪", "新丙罪", "乙罪", "丙罪"]
    assert compare(["甲罪", "新乙罪"], ["甲罪", "戊罪"]) == (["戊罪"], ["新乙罪"])


def test_parsers_ignore_prose_and_headers() -> None:
    assert parse_opinion("## 第一章 某罪\n\n为保证正确执法，提出意见：\n") == []
    rows, gone, renames = parse_supplement("| 刑法条文 |罪名 |\n|---|---|\n说明文字。\n")
    assert (rows, gone, renames) == ([], [], [])


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "司法解释").mkdir()
    with pytest.raises(SystemExit, match="没有罪名规定文件"):
        build(tmp_path)


@pytest.mark.skipif(not (LAWS / "司法解释").is_dir(), reason="the laws collection is not on this machine")
def test_the_committed_table_is_what_the_script_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "charge_articles.tsv"
    assert main([str(LAWS), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == TABLE.read_text(encoding="utf-8")
    assert "charges.txt 有而现行罪名表没有" in capsys.readouterr().out

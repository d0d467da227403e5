from __future__ import annotations

import pytest

from ingest.parsers.common import (
    classify_heading,
    clean_title,
    split_front_matter,
    split_keywords,
    split_meta_lines,
)


def test_fenced_front_matter() -> None:
    meta, rest = split_front_matter("---\n案例类型：警示案例\n示例: 是\n未知键：值\n---\n# 标题\n正文")
    assert meta == {"案例类型": "警示案例", "示例": "是"}
    assert rest == "# 标题\n正文"


def test_bare_front_matter_ends_at_the_first_other_line() -> None:
    meta, rest = split_front_matter("\n检察类别：刑事检察\n地区：某省\n# 标题\n发布机关：不算")
    assert meta == {"检察类别": "刑事检察", "地区": "某省"}
    assert rest.startswith("# 标题")


def test_no_front_matter() -> None:
    assert split_front_matter("# 标题\n正文") == ({}, "# 标题\n正文")


def test_meta_lines_anywhere_in_a_preamble() -> None:
    meta, rest = split_meta_lines("# 标题\n编号：示例刑-001\n说明文字：不是已知键\n示例：是")
    assert meta == {"编号": "示例刑-001", "示例": "是"}
    assert rest == "# 标题\n说明文字：不是已知键"


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("关键词", "keywords"),
        ("【要旨】", "gist"),
        ("裁判摘要", "gist"),
        ("基本案情", "facts"),
        ("检察机关履职过程", "process"),
        ("诉讼过程和结果", "process"),
        ("核准追诉案件办理过程", "process"),
        ("支持提起变更抚养权诉讼", "process"),
        ("建议再审理由", "process"),
        ("检察听证情况", "process"),
        ("发现线索和调查核实", "process"),
        ("终审结果", "result"),
        ("指导意义", "significance"),
        ("典型意义", "significance"),
        ("相关规定", "provisions"),
        ("相关法条", "provisions"),
        ("错误类型", "warning"),
        ("责任后果", "warning"),
    ],
)
def test_classify_heading(heading: str, key: str) -> None:
    assert classify_heading(heading) == key


@pytest.mark.parametrize("heading", ["", "案例一", "百家湖·枫情国度", "2014"])
def test_unknown_headings(heading: str) -> None:
    assert classify_heading(heading) is None


def test_split_keywords() -> None:
    assert split_keywords("知识产权保护\u3000侵犯著作权罪 信息网络传播\n实质性相似\u2002分层/分类；掩饰、隐瞒") == [
        "知识产权保护",
        "侵犯著作权罪",
        "信息网络传播",
        "实质性相似",
        "分层",
        "分类",
        "掩饰、隐瞒",
    ]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("### （检例第193号）梁某等十五人侵犯著作权案 ", "梁某等十五人侵犯著作权案"),
        ("检例第213号_尹某某等人诈骗立案监督案", "尹某某等人诈骗立案监督案"),
        ("## 案例二：钱某帮信案", "钱某帮信案"),
        ("**【某某案】**", "某某案"),
    ],
)
def test_clean_title(line: str, title: str) -> None:
    assert clean_title(line) == title

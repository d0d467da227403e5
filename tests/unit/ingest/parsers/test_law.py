"""Laws as LAW entries: detection (title, 类型 line, explicit kind), articles incl. 之一, amendments, bad input."""

from __future__ import annotations

import time

import pytest

from ingest.errors import ParseError
from ingest.parsers import parse_document
from ingest.parsers.dispatch import detect_layout
from ingest.parsers.law import is_law, looks_like_law_title, requested_kind
from ingest.readers.base import RawDocument
from ingest.router import read_bytes
from kb.models import Entry, EntryKind

LAW = """# 中华人民共和国示例法

2024年1月1日 第一次会议通过

<!-- INFO END -->

## 第一编 总则

### 第一章 一般规定

第一条 为了演示条文解析，制定本法。

第二条 本法适用于示例。

第二条之一 新增的一条（示例）。

### 第二章 附则

第三条 本法自公布之日起施行。
"""


def _raw(text: str, source: str = "示例法.md") -> RawDocument:
    return RawDocument(source=source, format="md", text=text)


@pytest.mark.parametrize(
    "title",
    [
        "中华人民共和国刑法",
        "刑法",
        "中华人民共和国民法典",
        "刑法修正案（十一）",
        "中华人民共和国刑法修正案（十二）",
        "工伤保险条例",
        "最高人民法院、最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释",
        "最高人民法院 最高人民检察院关于办理操纵证券、期货市场刑事案件适用法律若干问题的解释",
        "关于审理非法行医刑事案件具体应用法律若干问题的解释",
        "人民检察院刑事诉讼规则",
        "人民检察院民事诉讼监督规则（试行）",
        "全国人民代表大会常务委员会关于维护互联网安全的决定",
    ],
)
def test_law_titles_are_detected(title: str) -> None:
    assert looks_like_law_title(title)
    assert looks_like_law_title(f"# {title}")


@pytest.mark.parametrize(
    "title",
    [
        "人民检察院办理认罪认罚案件工作指引",
        "关于适用认罪认罚从宽制度的指导意见",
        "刑事检察不起诉案件办理指引（示例）",
        "人民检察院提起公益诉讼试点工作实施办法",
        "最高人民检察院关于适用刑法分则规定的犯罪的罪名的意见",
        "张某盗窃案",
        "某公司违法",
        "王某非法",
        "",
    ],
)
def test_guideline_and_case_titles_are_not_laws(title: str) -> None:
    assert not looks_like_law_title(title)


def test_a_law_becomes_one_law_entry_with_one_section_per_article() -> None:
    assert detect_layout(_raw(LAW)) == "law"
    [entry] = parse_document(_raw(LAW, "示例法(2024-01-01).md"))
    assert entry.kind == EntryKind.LAW and entry.title == "中华人民共和国示例法"
    articles = [s for s in entry.sections if s.key == "article"]
    assert [s.heading for s in articles] == ["第一条", "第二条", "第二条之一", "第三条"]
    assert articles[2].path == ["第一编 总则", "第一章 一般规定"] and articles[2].text == "新增的一条（示例）。"
    assert articles[3].path == ["第一编 总则", "第二章 附则"]
    assert entry.publish_date == "2024-01-01"  # the version's date from the file name
    assert entry.natural_key == "law|示例法"  # 中华人民共和国 dropped: 《示例法》 is the same law


def test_later_version_of_a_law_has_the_same_entry_id() -> None:
    [old] = parse_document(_raw(LAW, "示例法(2020-01-01).md"))
    [new] = parse_document(_raw(LAW.replace("施行。", "施行（修正）。"), "示例法(2024-01-01).md"))
    assert old.entry_id == new.entry_id and old.content_hash() != new.content_hash()


def test_type_line_and_explicit_kind_decide() -> None:
    guideline = "# 某某工作规则\n类型：法律法规\n\n第一条 一。\n第二条 二。\n第三条 三。\n"
    assert requested_kind(guideline) == "law" and is_law(guideline)
    assert parse_document(_raw(guideline))[0].kind == EntryKind.LAW
    kept = LAW.replace("# 中华人民共和国示例法\n", "# 中华人民共和国示例法\n类型：办案指引\n")
    assert parse_document(_raw(kept))[0].kind == EntryKind.GUIDELINE
    assert parse_document(_raw(LAW), kind="guideline")[0].kind == EntryKind.GUIDELINE
    plain = "某某规定\n第一条 一。\n第二条 二。\n第三条 三。\n"
    assert parse_document(_raw(plain))[0].kind == EntryKind.GUIDELINE
    assert parse_document(_raw(plain), kind="law")[0].kind == EntryKind.LAW


def test_spp_guidelines_stay_guidelines() -> None:
    text = "# 人民检察院办理某类案件工作指引\n\n第一条 一。\n第二条 二。\n第三条 三。\n"
    assert parse_document(_raw(text))[0].kind == EntryKind.GUIDELINE


def test_an_amendment_has_its_items_as_sections() -> None:
    text = (
        "# 中华人民共和国刑法修正案（示例）\n\n2024年1月1日 通过\n\n为了演示，对刑法作如下修改：\n\n"
        "一、在刑法第一百三十三条之一中增加一项（示例）。\n\n“第一百三十三条之一 新的文字（示例）。”\n\n"
        "二、将刑法第二百六十四条修改为（示例）。\n\n三、本修正案自公布之日起施行。\n"
    )
    [entry] = parse_document(_raw(text))
    assert entry.kind == EntryKind.LAW
    assert [s.heading for s in entry.sections if s.key == "article"] == ["一、", "二、", "三、"]


def test_a_law_without_articles_keeps_its_text_as_one_section() -> None:
    text = "中华人民共和国某某问题的解释（示例）\n\n只有一段答复文字，没有任何条文（示例）。\n"
    [entry] = parse_document(_raw(text), kind="law")
    assert entry.kind == EntryKind.LAW and [(s.key, s.heading) for s in entry.sections] == [("body", "正文")]


@pytest.mark.parametrize("text", ["", "\n\n", "。。。，，，\n——"])
def test_an_empty_law_file_is_refused_with_a_chinese_message(text: str) -> None:
    with pytest.raises(ParseError) as err:
        parse_document(_raw(text), kind="law")
    assert "没有可用的文字内容" in err.value.detail and "示例法.md" in err.value.detail


def test_a_gbk_law_file_is_read_and_parsed() -> None:
    raw = read_bytes(LAW.encode("gbk"), "示例法.txt", max_bytes=10**6)
    [entry] = parse_document(raw)
    assert entry.kind == EntryKind.LAW and len([s for s in entry.sections if s.key == "article"]) == 4


def test_a_huge_law_parses_quickly() -> None:
    from kb.elements.numbers import int_to_chinese

    body = "\n".join(f"第{int_to_chinese(n)}条 第{n}条的内容（示例），规定某一事项。" for n in range(1, 5001))
    started = time.perf_counter()
    [entry] = parse_document(_raw(f"# 中华人民共和国长法\n\n## 第一章 总则\n\n{body}\n"))
    assert time.perf_counter() - started < 20
    assert isinstance(entry, Entry) and len(entry.sections) == 5000
    assert entry.sections[-1].heading == "第五千条"

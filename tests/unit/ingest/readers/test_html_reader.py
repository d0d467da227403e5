from __future__ import annotations

import time

import pytest

from ingest.errors import EmptyFile, ParseError
from ingest.readers.html import read_html

HOSTILE = """<!DOCTYPE html>
<html><head><title>页面标题</title>
<meta charset="utf-8">
<script>document.write("脚本内容")</script>
<style>body { color: red } /* 样式内容 */</style>
</head>
<body onload="alert('onload属性')">
<noscript>请启用脚本</noscript>
<template><p>模板内容</p></template>
<iframe src="https://evil.example/">框架内容</iframe>
<h1 onclick="steal()">胡某某抢劫案</h1>
<p onmouseover="x()">【关键词】 未成年人&nbsp;抢劫 &amp; 附条件不起诉 &lt;要旨&gt; &#20013;&#x6587;</p>
<!-- 注释内容 -->
<div hidden>隐藏内容</div>
<img src=x onerror="alert('onerror属性')">
<svg><text>矢量图文字</text></svg>
<p>第二段</p>
</body></html>"""


def test_scripts_styles_and_handlers_never_reach_the_text() -> None:
    doc = read_html(HOSTILE.encode(), "页面.html")
    assert doc.format == "html"
    assert doc.text == "胡某某抢劫案\n【关键词】 未成年人\xa0抢劫 & 附条件不起诉 <要旨> 中文\n第二段"
    for hidden in (
        "脚本",
        "样式",
        "onload",
        "onclick",
        "onerror",
        "alert",
        "steal",
        "请启用",
        "模板",
        "框架",
        "注释",
        "隐藏",
        "矢量图",
        "页面标题",
    ):
        assert hidden not in doc.text


def test_blocks_are_lines_and_inline_elements_are_not() -> None:
    html = "<div><p>第一段<b>加粗</b><a href='#'>链接</a></p><ul><li>甲</li><li>乙</li></ul>尾<br>换行</div>"
    assert read_html(html.encode(), "a.html").text == "第一段加粗链接\n甲\n乙\n尾\n换行"


def test_nbsp_only_paragraphs_are_blank() -> None:
    assert read_html("<p>甲</p><p>&nbsp;</p><p>\u3000</p><p>乙&nbsp;丙</p>".encode(), "a.html").text == "甲\n乙\xa0丙"


def test_table_cells_are_tab_separated_rows() -> None:
    html = "<table><tr><th>事项</th><th>主体</th></tr><tr><td>不起诉</td><td>检察长</td></tr></table>"
    assert read_html(html.encode(), "a.html").text == "事项\t主体\n不起诉\t检察长"


def test_whitespace_collapses_and_cjk_line_breaks_vanish() -> None:
    html = "<p>被告人\n  张某，   male\n  adult</p><pre>  保留\n  格式</pre>"
    assert read_html(html.encode(), "a.html").text == "被告人张某， male adult\n保留\n格式"


@pytest.mark.parametrize(
    "meta", ['<meta charset="gb2312">', '<meta http-equiv="Content-Type" content="text/html; charset=GBK">']
)
def test_charset_from_meta(meta: str) -> None:
    data = f"<html><head>{meta}</head><body><p>检察机关依法履职</p></body></html>".encode("gbk")
    doc = read_html(data, "a.htm")
    assert doc.text == "检察机关依法履职"
    assert doc.encoding == "gb18030"


def test_charset_detected_from_bytes_without_meta() -> None:
    doc = read_html("<p>检察机关依法履职</p>".encode("gbk"), "a.htm")
    assert doc.text == "检察机关依法履职"
    assert doc.encoding == "gbk"


def test_wrong_meta_charset_falls_back_to_detection() -> None:
    doc = read_html('<meta charset="gbk"><p>中文内容</p>'.encode(), "a.html")
    assert doc.text == "中文内容"
    assert doc.encoding == "utf-8"


def test_page_without_visible_text_is_empty() -> None:
    with pytest.raises(EmptyFile, match=r"空\.html"):
        read_html(b"<html><head><title>t</title></head><body><script>x()</script> </body></html>", "空.html")


@pytest.mark.parametrize(
    "page",
    [
        "<div>" * 30_000 + "正文" + "</div>" * 30_000,  # 2 s in lexbor, 50 s at 100 000
        "<b>" * 20_000 + "正文" + "<div></div>" * 20_000,
        "".join(f"<p><font color={i}>正文" for i in range(20_000)),  # exhausts memory in lexbor
        "<!--" * 50_000 + "-->正文",  # quadratic in Python 3.11's html.parser
        '<a "' * 50_000 + ">正文",
    ],
)
def test_hostile_markup_is_read_in_linear_time(page: str) -> None:
    started = time.perf_counter()
    doc = read_html(page.encode(), "a.html")
    assert "正文" in doc.text
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "page", ["<a " * 100_000, "<div title='" * 100_000, "<!--" * 100_000, "<script>" + "</scrip" * 100_000]
)
def test_unterminated_constructs_end_the_text_quickly(page: str) -> None:
    started = time.perf_counter()
    assert read_html(("正文<br>" + page).encode(), "a.html").text == "正文"
    assert time.perf_counter() - started < 1


def test_too_many_tags_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ingest.readers.html.MAX_TAGS", 100)
    with pytest.raises(ParseError, match="网页标签超过"):
        read_html(b"<p>x" * 101, "a.html")


def test_sloppy_but_shallow_html_is_accepted() -> None:
    paragraphs = "".join(f"<p><font color=red>第{i}段<li>项目" for i in range(2000))
    script = "<script>" + "'<div>'+" * 1000 + "''</script>"
    doc = read_html(f"<html><body>{script}{paragraphs}</body></html>".encode(), "a.html")
    assert doc.text.startswith("第0段")
    assert "第1999段" in doc.text


def test_binary_named_html_is_refused() -> None:
    with pytest.raises(ParseError, match="不是文本文件"):
        read_html(bytes(range(256)) * 10, "a.html")

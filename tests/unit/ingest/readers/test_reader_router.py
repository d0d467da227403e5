from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.errors import (
    EmptyFile,
    FileTooLarge,
    IngestError,
    NoTextLayer,
    ParseError,
    UnsafeFileName,
    UnsupportedFormat,
)
from ingest.readers import sniff
from ingest.router import SUPPORTED_EXTENSIONS, detect_format, read_bytes, read_path, safe_file_name

MB = 1024 * 1024
LIMIT = 50 * MB
Builder = Callable[..., bytes]


@pytest.fixture(scope="module")
def samples(make_docx: Builder, make_xlsx: Builder, make_pdf: Builder) -> dict[str, bytes]:
    """One good file per supported extension."""
    case = {"title": "胡某某抢劫案", "number": "检例第103号"}
    return {
        ".md": "# 胡某某抢劫案\n\n【要旨】\n正文".encode(),
        ".markdown": "# 标题\n正文".encode(),
        ".txt": "胡某某抢劫案\n正文".encode("gbk"),
        ".docx": make_docx(["胡某某抢劫案", "正文"]),
        ".pdf": make_pdf(["Case 103", "Guidance"]),
        ".html": "<h1>胡某某抢劫案</h1><p>正文</p>".encode(),
        ".htm": "<p>正文</p>".encode("gbk"),
        ".json": json.dumps([case], ensure_ascii=False).encode(),
        ".jsonl": (json.dumps(case, ensure_ascii=False) + "\n" + json.dumps(case, ensure_ascii=False)).encode(),
        ".csv": "事项,主体\n不起诉,检察长\n".encode("gbk"),
        ".xlsx": make_xlsx({"表": [["事项", "主体"], ["不起诉", "检察长"]]}),
    }


EXPECTED_FORMAT = {".markdown": "md", ".htm": "html"}


def test_every_supported_extension_has_a_sample(samples: dict[str, bytes]) -> None:
    assert set(samples) == set(SUPPORTED_EXTENSIONS)


@pytest.mark.parametrize("ext", SUPPORTED_EXTENSIONS)
def test_read_bytes_reads_every_supported_format(samples: dict[str, bytes], ext: str) -> None:
    doc = read_bytes(samples[ext], f"样例{ext}", max_bytes=LIMIT)
    assert doc.source == f"样例{ext}"
    assert doc.format == EXPECTED_FORMAT.get(ext, ext[1:])
    assert doc.text or doc.tables or doc.records


@pytest.mark.parametrize("ext", SUPPORTED_EXTENSIONS)
def test_read_path_reads_every_supported_format(samples: dict[str, bytes], ext: str, tmp_path: Path) -> None:
    path = tmp_path / f"样例{ext}"
    path.write_bytes(samples[ext])
    assert read_path(path, max_bytes=LIMIT) == read_bytes(samples[ext], path.name, max_bytes=LIMIT)


def test_extension_case_does_not_matter(samples: dict[str, bytes]) -> None:
    assert read_bytes(samples[".docx"], "案例.DOCX", max_bytes=LIMIT).format == "docx"


@pytest.mark.parametrize(
    ("ext", "fmt"), [(".docx", "docx"), (".xlsx", "xlsx"), (".pdf", "pdf"), (".json", "json"), (".jsonl", "jsonl"),
                     (".html", "html"), (".md", "txt")],
)  # fmt: skip
def test_without_extension_the_content_decides(samples: dict[str, bytes], ext: str, fmt: str) -> None:
    assert detect_format(samples[ext], "upload") == fmt
    assert read_bytes(samples[ext], "upload", max_bytes=LIMIT).format == fmt


def test_a_whole_html_page_named_txt_is_read_as_html() -> None:
    page = "<!DOCTYPE html><html><body><script>x()</script><p>正文</p></body></html>".encode()
    doc = read_bytes(page, "a.txt", max_bytes=LIMIT)
    assert (doc.format, doc.text) == ("html", "正文")


def test_markup_inside_a_txt_stays_text() -> None:
    doc = read_bytes("说明：<p> 是段落标签".encode(), "a.txt", max_bytes=LIMIT)
    assert (doc.format, doc.text) == ("txt", "说明：<p> 是段落标签")


# --- empty and too large -------------------------------------------------------------------------


@pytest.mark.parametrize("ext", SUPPORTED_EXTENSIONS)
def test_zero_bytes_is_empty(ext: str, tmp_path: Path) -> None:
    with pytest.raises(EmptyFile, match="0 字节") as info:
        read_bytes(b"", f"空{ext}", max_bytes=LIMIT)
    assert info.value.detail.startswith(f"空{ext}：")
    path = tmp_path / f"空{ext}"
    path.touch()
    with pytest.raises(EmptyFile):
        read_path(path, max_bytes=LIMIT)


@pytest.mark.parametrize("ext", [".txt", ".md", ".csv", ".json", ".jsonl", ".html"])
def test_whitespace_only_text_is_empty(ext: str) -> None:
    with pytest.raises(EmptyFile):
        read_bytes(" \r\n\t\n　".encode(), f"空白{ext}", max_bytes=LIMIT)


def test_bytes_over_the_limit(samples: dict[str, bytes]) -> None:
    with pytest.raises(FileTooLarge) as info:
        read_bytes(samples[".docx"], "大.docx", max_bytes=1000)
    assert "超过上限 1000 字节" in info.value.detail
    assert info.value.context["max_bytes"] == 1000


def test_path_over_the_limit_is_refused_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "巨大.txt"
    with path.open("wb") as handle:
        handle.truncate(60 * MB)  # sparse: no disk used
    monkeypatch.setattr(Path, "open", _must_not_be_called)
    started = time.perf_counter()
    with pytest.raises(FileTooLarge, match=r"巨大\.txt：文件大小 60\.0 MB 超过上限 50\.0 MB"):
        read_path(path, max_bytes=LIMIT)
    assert time.perf_counter() - started < 2


def test_file_that_grows_past_the_limit_after_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 10)
    real_stat = Path.stat

    def small_stat(self: Path, **kwargs: bool) -> os.stat_result:
        result = real_stat(self, **kwargs)
        path.write_bytes(b"x" * 200)
        return result

    monkeypatch.setattr(Path, "stat", small_stat)
    with pytest.raises(FileTooLarge):
        read_path(path, max_bytes=100)


def _must_not_be_called(*args: object, **kwargs: object) -> None:
    msg = "the file must not be opened"
    raise AssertionError(msg)


@pytest.mark.parametrize("limit", [0, -1])
def test_limit_must_be_positive(limit: int, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        read_bytes(b"x", "a.txt", max_bytes=limit)
    with pytest.raises(ValueError, match="max_bytes"):
        read_path(tmp_path / "a.txt", max_bytes=limit)


# --- paths that are not readable files -----------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"没有\.txt：文件不存在"):
        read_path(tmp_path / "没有.txt", max_bytes=LIMIT)


def test_directory_path(tmp_path: Path) -> None:
    folder = tmp_path / "目录.md"
    folder.mkdir()
    with pytest.raises(IngestError, match="文件夹"):
        read_path(folder, max_bytes=LIMIT)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "管道.txt"
    os.mkfifo(fifo)
    with pytest.raises(IngestError, match="不是普通文件"):
        read_path(fifo, max_bytes=LIMIT)


# --- unsupported formats and content that contradicts the extension ------------------------------


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("程序.exe", None),
        ("案例.doc", "另存为 .docx"),
        ("表.xls", "另存为 .xlsx"),
        ("扫描.jpg", "OCR"),
        ("包.zip", "解压"),
    ],
)
def test_unsupported_extension_lists_the_supported_formats(name: str, hint: str | None) -> None:
    with pytest.raises(UnsupportedFormat) as info:
        read_bytes(b"MZ\x90\x00\x03\x00\x00\x00", name, max_bytes=LIMIT)
    detail = info.value.detail
    assert detail.startswith(f"{name}：不支持")
    assert "支持的格式：" in detail
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in detail
    if hint:
        assert hint in detail


def test_unsupported_content_without_extension() -> None:
    with pytest.raises(UnsupportedFormat, match="图片"):
        read_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100), "upload", max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("sample", "name", "what"),
    [
        (".docx", "案例.pdf", "Word 文档"),
        (".xlsx", "清单.docx", "Excel 表格"),
        (".pdf", "案例.docx", "PDF 文档"),
        (".pdf", "案例.txt", "PDF 文档"),
        (".docx", "案例.md", "Word 文档"),
        (".xlsx", "清单.csv", "Excel 表格"),
    ],
)
def test_content_that_contradicts_the_extension(samples: dict[str, bytes], sample: str, name: str, what: str) -> None:
    with pytest.raises(ParseError, match="与扩展名") as info:
        read_bytes(samples[sample], name, max_bytes=LIMIT)
    assert what in info.value.detail
    assert info.value.source == name


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "图片"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "可执行程序"),
        (b"PK\x03\x04" + bytes(range(256)) * 4, "已损坏的压缩文件"),
    ],
)
def test_binary_named_txt_says_what_it_is(data: bytes, what: str) -> None:
    with pytest.raises(ParseError, match=what):
        read_bytes(data, "文本.txt", max_bytes=LIMIT)


@pytest.mark.parametrize("name", ["文本.txt", "文本.md", "表.csv", "数据.json", "数据.jsonl", "页.html"])
def test_random_binary_named_as_text_is_refused(name: str) -> None:
    data = bytes(range(256)) * 40
    with pytest.raises(ParseError, match="不是文本文件"):
        read_bytes(data, name, max_bytes=LIMIT)


@pytest.mark.parametrize("name", ["坏.pdf", "坏.docx", "坏.xlsx"])
def test_random_bytes_named_as_binary_formats(name: str) -> None:
    with pytest.raises(ParseError, match="文件内容不是有效的") as info:
        read_bytes(os.urandom(4096), name, max_bytes=LIMIT)
    assert info.value.source == name


@pytest.mark.parametrize("ext", [".docx", ".xlsx"])
def test_truncated_office_zip(samples: dict[str, bytes], ext: str) -> None:
    data = samples[ext]
    with pytest.raises(ParseError, match="已损坏"):
        read_bytes(data[: len(data) // 2], f"截断{ext}", max_bytes=LIMIT)


def test_encrypted_office_file_is_explained() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    with pytest.raises(ParseError, match="密码"):
        read_bytes(ole, "加密.docx", max_bytes=LIMIT)


def test_zip_bomb_is_refused(samples: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sniff, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(ParseError, match="压缩炸弹"):
        read_bytes(samples[".docx"], "炸弹.docx", max_bytes=LIMIT)


def test_plain_zip_named_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ParseError, match="ZIP 压缩包"):
        read_bytes(buffer.getvalue(), "案例.docx", max_bytes=LIMIT)


def test_text_mentioning_pdf_header_stays_text() -> None:
    doc = read_bytes("PDF 文件以 %PDF-1.7 开头".encode(), "说明.txt", max_bytes=LIMIT)
    assert doc.format == "txt"


def test_scanned_pdf_names_the_file(scanned_pdf: bytes) -> None:
    with pytest.raises(NoTextLayer) as info:
        read_bytes(scanned_pdf, "扫描件.pdf", max_bytes=LIMIT)
    assert info.value.detail == "扫描件.pdf：PDF 没有可提取的文字层（可能是扫描件），请先进行文字识别（OCR）后再导入"


def test_chinese_pdf_through_the_router(cjk_pdf: bytes) -> None:
    doc = read_bytes(cjk_pdf, "案例.pdf", max_bytes=LIMIT)
    assert "被告人张某犯盗窃罪。" in doc.text


def test_deeply_nested_json_through_the_router() -> None:
    with pytest.raises(ParseError, match="嵌套"):
        read_bytes(b"[" * 100_000, "深.json", max_bytes=LIMIT)


# --- upload names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("案例.docx", "案例.docx"),
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\张三\\案例.pdf", "案例.pdf"),
        ("C:案例.txt", "案例.txt"),
        ("a/b/../案例.md", "案例.md"),
        ("案例.md/..", "案例.md"),
        ("evil.txt\x00.pdf", "evil.txt.pdf"),
        ("evil\x00", "evil"),
        ("\u202etxt.exe", "txt.exe"),
        ("a<b>:c|d?e*.txt", "a_b__c_d_e_.txt"),
        ("  .hidden.md. ", "hidden.md"),
        ("con.txt", "_con.txt"),
        ("NUL", "_NUL"),
        ("e\u0301.txt", "\u00e9.txt"),  # NFC
    ],
)
def test_safe_file_name(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


@pytest.mark.parametrize("name", ["", " ", ".", "..", "../..", "/", "\\", "..\\..\\", "\x00", "\x00/\x00", "...", "C:"])
def test_unusable_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeFileName, match="文件名"):
        safe_file_name(name)


def test_long_names_are_cut_keeping_the_extension() -> None:
    safe = safe_file_name("长" * 200 + ".docx")
    assert safe == "长" * 83 + ".docx"  # 83 x 3 bytes + 5 <= 255
    started = time.perf_counter()
    assert len(safe_file_name("x" * 1_000_000 + ".pdf").encode()) == 255
    assert time.perf_counter() - started < 0.5


def test_read_bytes_uses_the_safe_name_as_source() -> None:
    doc = read_bytes("正文".encode(), "../../../tmp/案例.md", max_bytes=LIMIT)
    assert doc.source == "案例.md"
    assert doc.format == "md"


def test_read_bytes_with_a_hostile_name_is_refused() -> None:
    with pytest.raises(UnsafeFileName):
        read_bytes(b"x", "../..", max_bytes=LIMIT)

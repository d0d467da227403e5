"""PDF through pypdf's text layer. Scanned PDFs (no text layer) are refused with a request to OCR them first.

Pages are joined by "\n". A page number alone on one of the first or last two lines of a page
("3", "- 3 -", "第 3 页", "第3页 共10页", "3/10", "Page 3") is dropped.
"""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader

from ingest.errors import NoTextLayer, ParseError
from ingest.readers.base import RawDocument
from ingest.readers.encoding import normalize_newlines
from ingest.readers.problems import empty_file

logger = logging.getLogger(__name__)

MAX_PAGES = 10_000
NO_TEXT_LAYER = "PDF 没有可提取的文字层（可能是扫描件），请先进行文字识别（OCR）后再导入"

_NUM = r"(?:\d{1,4}|[一二三四五六七八九十百〇零]{1,6})"
_PAGE_NUMBER = re.compile(
    rf"""^\s*(?:
        [-\u2013\u2014－·•\s]*\d{{1,4}}[-\u2013\u2014－·•\s]*                      # 3, - 3 -, — 3 —
      | 第\s*{_NUM}\s*页(?:\s*[,，/、]?\s*共\s*{_NUM}\s*页)?    # 第3页, 第 3 页 共 10 页
      | 共\s*{_NUM}\s*页\s*第\s*{_NUM}\s*页                    # 共10页 第3页
      | \d{{1,4}}\s*/\s*\d{{1,4}}                             # 3/10
      | (?:page|p\.)\s*\d{{1,4}}(?:\s*(?:of|/)\s*\d{{1,4}})?  # Page 3 of 10
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_EDGE_LINES = 2


def read_pdf(data: bytes, source: str) -> RawDocument:
    try:
        reader = PdfReader(io.BytesIO(data))
        _unlock(reader, source)
        pages = list(reader.pages)
    except ParseError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, but damaged files also give value/key/recursion errors
        logger.info("%s: pdf unreadable: %r", source, exc)
        raise ParseError(source, "PDF 文件已损坏或格式不正确，无法读取") from exc
    if not pages:
        raise empty_file(source, "PDF 中没有任何页面")
    if len(pages) > MAX_PAGES:
        raise ParseError(source, f"PDF 共 {len(pages)} 页，超过 {MAX_PAGES} 页的上限，请拆分后再导入")

    texts: list[str] = []
    failed = 0
    for number, page in enumerate(pages, start=1):
        try:
            raw = page.extract_text()
        except Exception as exc:  # one bad content stream should not lose the other pages
            logger.warning("%s: text of page %d unreadable: %r", source, number, exc)
            failed += 1
            continue
        text = _strip_page_numbers(normalize_newlines(raw))
        if text:
            texts.append(text)
    if failed == len(pages):
        raise ParseError(source, "PDF 页面内容已损坏，无法提取文字")
    if not texts:
        raise NoTextLayer(source, NO_TEXT_LAYER)
    return RawDocument(source=source, format="pdf", text="\n".join(texts))


def _unlock(reader: PdfReader, source: str) -> None:
    """Open PDFs that are only owner-protected (empty user password); refuse the rest."""
    if not reader.is_encrypted:
        return
    try:
        unlocked = bool(reader.decrypt(""))
    except Exception as exc:  # unsupported algorithm, or the AES backend is not installed
        logger.info("%s: cannot decrypt: %r", source, exc)
        unlocked = False
    if not unlocked:
        raise ParseError(source, "PDF 已加密（需要密码），请先解除密码保护后再导入")


def _strip_page_numbers(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    edge = set(range(min(_EDGE_LINES, len(lines)))) | set(range(max(len(lines) - _EDGE_LINES, 0), len(lines)))
    kept = [line for i, line in enumerate(lines) if i not in edge or not _PAGE_NUMBER.match(line)]
    return "\n".join(kept).strip("\n")

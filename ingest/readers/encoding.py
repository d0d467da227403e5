"""Turning the bytes of a text-like file into str: BOMs, UTF-8, GBK/GB18030, then charset-normalizer.

Chinese files are mostly UTF-8 or GBK, so those are tried strictly before any statistical guess.
Binary content (NUL bytes, many control characters) is refused instead of being decoded into garbage.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import NamedTuple

from charset_normalizer import from_bytes

from ingest.errors import ParseError

logger = logging.getLogger(__name__)

NOT_TEXT = "不是文本文件（含有二进制内容），请确认文件格式后再导入"

# Order matters: the UTF-32 LE BOM starts with the UTF-16 LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 controls except \t \n \v \f \r, DEL, and C1 controls (what Latin-1 guesses of binary data produce).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_SAMPLE = 65536
_MAX_CONTROL_RATIO = 0.02
_NEWLINES = re.compile(r"\r\n?")


class Decoded(NamedTuple):
    text: str
    encoding: str


def bom_encoding(data: bytes) -> str | None:
    """The codec named by a byte-order mark at the start of `data`, if any."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def decode_text(data: bytes, source: str, *, declared: str | None = None) -> Decoded:
    """Decode `data`: BOM, strict UTF-8, `declared` (a charset the file names itself, e.g. HTML meta),
    GBK, GB18030, then charset-normalizer's best guess.

    Raises ParseError for binary content or bytes no encoding explains.
    """
    bom = bom_encoding(data)
    if bom is not None:
        try:
            return Decoded(_check_text(data.decode(bom), source), bom)
        except UnicodeDecodeError as exc:
            detail = f"文件以 {bom.upper()} 字节序标记开头，但内容无法按该编码解码"
            raise ParseError(source, detail) from exc
    if b"\x00" in data:
        raise ParseError(source, NOT_TEXT)
    try:  # valid UTF-8 with non-ASCII bytes is UTF-8, whatever a stale <meta> says
        return Decoded(_check_text(data.decode("utf-8"), source), "utf-8")
    except UnicodeDecodeError:
        pass
    if declared is not None:
        try:
            return Decoded(_check_text(data.decode(declared), source), declared)
        except (UnicodeDecodeError, LookupError):
            logger.info("%s: declared charset %s does not fit, detecting", source, declared)
    for encoding in ("gbk", "gb18030"):
        try:
            return Decoded(_check_text(data.decode(encoding), source), encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise ParseError(source, "无法识别文件的文字编码，请另存为 UTF-8 编码后再导入")
    logger.info("%s: encoding guessed as %s", source, best.encoding)
    return Decoded(_check_text(str(best), source), best.encoding)


def _check_text(text: str, source: str) -> str:
    sample = text[:_CONTROL_SAMPLE]
    if sample and len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise ParseError(source, NOT_TEXT)
    return text


def normalize_newlines(text: str) -> str:
    """\r\n and lone \r become \n; nothing else changes (no NFKC: parsers normalise)."""
    return _NEWLINES.sub("\n", text)

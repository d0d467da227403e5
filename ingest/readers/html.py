"""HTML pages: visible text only, one line per block element, read by a small linear tokenizer.

Why not a DOM: HTML tree building is open to cheap attacks. Measured here with selectolax/lexbor,
100 000 nested <div>s take 50 s, and 20 000 "<p><font color=N>x" fragments (500 KB) exhaust memory
through formatting-element reconstruction; the stdlib HTMLParser of Python 3.11.7 is quadratic on
unterminated comments and tags. Extracting text needs no tree, so this reader walks the tokens once:
every step either consumes input or stops, so time is linear and memory is the size of the text.

Dropped: <script>, <style>, <noscript>, <template>, <iframe>, <svg>, <math>, <object>, form controls,
<title> and everything in an element marked `hidden` or `display:none`; attributes (on* handlers
included) and comments are never text. Entities are decoded. Whitespace collapses as a browser would,
and a line break between two CJK characters in the source vanishes instead of becoming a space.
Table cells are separated by a tab.
"""

from __future__ import annotations

import html
import re

from ingest.errors import ParseError
from ingest.readers.base import RawDocument
from ingest.readers.encoding import bom_encoding, decode_text, normalize_newlines
from ingest.readers.problems import empty_file

MAX_TAGS = 2_000_000

# Raw-text elements: their content is not markup and ends only at the matching end tag.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"})
# Containers whose whole content is dropped.
_DROP = frozenset({
    "template", "svg", "math", "object", "applet", "canvas", "audio", "video", "select", "button", "datalist",
})  # fmt: skip
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
})  # fmt: skip
_CELLS = frozenset({"td", "th"})
_PRE = frozenset({"pre", "listing"})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "basefont", "bgsound", "frame", "keygen",
})  # fmt: skip
# Elements closed implicitly by their siblings; a `hidden` on them is not honoured (its end is unknown).
_IMPLIED_END = frozenset({"p", "li", "dt", "dd", "td", "th", "tr", "option", "optgroup", "html", "head", "body"})

# One token per match: text, a comment opener, a tag, a bogus-comment opener or a lone "<". In a tag,
# quoted values may hold ">" and a stray quote outside a value is an ordinary character; possessive
# quantifiers make the tag alternative fail only when no ">" follows at all (the file ends in a tag).
_TOKEN = re.compile(
    r"""(?P<text>[^<]+)
      | (?P<comment><!--)
      | <(?P<close>/?)(?P<name>[a-zA-Z][^\s/>]*)
        (?P<attrs>(?:[^>"'=]++|=\s*+(?:"[^"]*+"|'[^']*+'|[^\s>"']*+)|["'=])*+)>
      | (?P<bogus><[/!?])
      | <""",
    re.VERBOSE,
)
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
_HIDDEN = re.compile(r"(?:^|\s)hidden(?=[\s=/>]|$)", re.IGNORECASE)
_DISPLAY_NONE = re.compile(r"""style\s*=\s*["']?[^"'>]*display\s*:\s*none""", re.IGNORECASE)
_RAW_END = {name: re.compile(rf"</{name}(?=[\s/>]|$)", re.IGNORECASE) for name in _RAW_TEXT}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
# Labels that browsers read with a wider codec than the label names.
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "big5": "big5hkscs", "utf8": "utf-8",
}  # fmt: skip

_SPACE_RUN = re.compile(r"[ \t\n\f]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def read_html(data: bytes, source: str) -> RawDocument:
    decoded = decode_text(data, source, declared=_declared_charset(data))
    if decoded.text.count("<") > MAX_TAGS:  # ~3 us a tag: bound the time a hostile page can take
        raise ParseError(source, f"网页标签超过 {MAX_TAGS // 10000} 万个，请拆分后再导入")
    lines = extract_lines(normalize_newlines(decoded.text))
    if not lines:
        raise empty_file(source, "网页中没有可提取的文字")
    return RawDocument(source=source, format="html", text="\n".join(lines), encoding=decoded.encoding)


def _declared_charset(data: bytes) -> str | None:
    if bom_encoding(data) is not None:
        return None
    match = _META_CHARSET.search(data[:4096])
    if match is None:
        return None
    label = match.group(1).decode("ascii").lower()
    if label.startswith("utf-16"):  # an ASCII-readable page cannot really be UTF-16
        return None
    return _CHARSET_ALIASES.get(label, label)


class _Lines:
    """Collects text into lines; a block boundary ends the current line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._parts: list[str] = []

    def text(self, chunk: str, *, pre: bool) -> None:
        if not pre:
            chunk = _collapse(chunk)
            if chunk.startswith(" ") and (not self._parts or self._parts[-1].endswith((" ", "\t"))):
                chunk = chunk[1:]
        if chunk:
            self._parts.append(chunk)

    def cell(self) -> None:
        if self._parts:
            self._parts.append("\t")

    def end_line(self) -> None:
        if not self._parts:
            return
        for piece in "".join(self._parts).split("\n"):
            piece = piece.strip()  # also &nbsp; and U+3000: "<p>&nbsp;</p>" is a blank line
            if piece:
                self.lines.append(piece)
        self._parts.clear()


def extract_lines(text: str) -> list[str]:
    """The visible lines of an HTML document (already decoded, newlines normalised)."""
    out = _Lines()
    skipping: list[str] = []  # open dropped/hidden elements; text is ignored while any is open
    pre = 0
    pos, end = 0, len(text)
    while pos < end:
        token = _TOKEN.match(text, pos)
        if token is None:  # cannot happen: the last alternative matches any "<"
            break
        pos = token.end()
        kind = token.lastgroup
        if kind == "text":
            if not skipping:
                out.text(html.unescape(token.group()), pre=pre > 0)
        elif kind in ("comment", "bogus"):
            close = text.find("-->" if kind == "comment" else ">", pos)
            if close < 0:
                break  # an unterminated comment runs to the end of the file
            pos = close + (3 if kind == "comment" else 1)
        elif kind == "attrs":
            name = token.group("name").lower()
            if token.group("close"):
                if skipping:
                    _pop_through(skipping, name)
                else:
                    pre = _end_tag(out, name, pre)
            elif name in _RAW_TEXT:
                raw_end = _RAW_END[name].search(text, pos)
                if raw_end is None:
                    break
                close = text.find(">", raw_end.end())
                pos = end if close < 0 else close + 1
            elif name in _DROP or (name not in _VOID and name not in _IMPLIED_END and _is_hidden(token["attrs"])):
                skipping.append(name)
            elif not skipping:
                pre = _start_tag(out, name, pre)
        elif pos < end and text[pos].isascii() and text[pos].isalpha():
            break  # "<" + letter but no tag matched: the file ends inside a tag
        elif not skipping:
            out.text("<", pre=pre > 0)  # a literal "<", as in "a < b"
    out.end_line()
    return out.lines


def _pop_through(stack: list[str], name: str) -> None:
    """Close `name` and everything opened inside it; an end tag nothing matches is ignored."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] == name:
            del stack[index:]
            return


def _start_tag(out: _Lines, name: str, pre: int) -> int:
    if name in _CELLS:
        out.cell()
    elif name in _BLOCK:
        out.end_line()
    if name in _PRE:
        pre += 1
    return pre


def _end_tag(out: _Lines, name: str, pre: int) -> int:
    if name in _BLOCK or name == "br":
        out.end_line()
    if name in _PRE:
        pre = max(pre - 1, 0)
    return pre


def _is_hidden(attrs: str) -> bool:
    if not attrs.strip():
        return False
    return _HIDDEN.search(_QUOTED.sub('""', attrs)) is not None or _DISPLAY_NONE.search(attrs) is not None


def _collapse(text: str) -> str:
    """HTML whitespace collapsing; a run with a line break between two CJK characters vanishes."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.start(), match.end()
        if (
            "\n" in match.group()
            and start > 0
            and end < len(text)
            and _CJK.match(text[start - 1])
            and _CJK.match(text[end])
        ):
            return ""
        return " "

    return _SPACE_RUN.sub(replace, text)

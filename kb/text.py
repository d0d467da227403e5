"""The one analyzer for indexing and queries: NFKC normalisation, sentence splitting and jieba segmentation.

Charge names are found first with an Aho-Corasick automaton (jieba's dictionary cannot hold names with 、 such
as 掩饰、隐瞒犯罪所得罪) and emitted as one token plus their parts, so "盗窃" still matches "盗窃罪".
The rest is cut by jieba in search mode with the project's legal dictionary.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

logger = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\n)")
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
_SPACE = re.compile(r"[ \t\u00a0\u3000]+")

STOPWORDS = frozenset([
    "的",
    "了",
    "和",
    "与",
    "及",
    "或",
    "在",
    "是",
    "为",
    "对",
    "于",
    "以",
    "将",
    "把",
    "被",
    "由",
    "从",
    "向",
    "并",
    "而",
    "且",
    "之",
    "其",
    "该",
    "此",
    "这",
    "那",
    "有",
    "无",
    "也",
    "都",
    "又",
    "就",
    "但",
    "则",
    "等",
    "等等",
    "中",
    "上",
    "下",
    "内",
    "后",
    "前",
    "时",
    "个",
    "一",
    "一个",
    "我",
    "你",
    "他",
    "她",
    "它",
    "我们",
    "他们",
    "其中",
    "以及",
    "因此",
    "所以",
    "因为",
    "如果",
    "可以",
    "应当",
    "进行",
    "通过",
    "没有",
    "已经",
    "不",
    "人",
    "某",
    "某某",
    "年",
    "月",
    "日",
    "号",
    "元",
    "万元",
    "余",
    "许",
    "约",
    "至",
    "即",
    "并且",
    "或者",
    "以上",
    "以下",
    "之后",
    "之前",
    "经",
    "因",
    "即将",
    "仍",
    "还",
    "所",
    "着",
    "过",
    "得",
    "地",
])

_lock = threading.Lock()


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), unify spaces, drop control characters."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _SPACE.sub(" ", text)


_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}


def clean(text: str) -> str:
    """Light clean-up for stored, displayed text: unified line breaks, half-width letters and digits, no control
    characters, NBSP as a space. Unlike `normalize`, Chinese punctuation (，。：) is kept as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").translate(_FULLWIDTH_ALNUM)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


_TO_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_ASCII_PUNCT = re.compile(r"[,:;!?()]")


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def restore_cjk_punctuation(text: str) -> str:
    """Undo NFKC's full-width → ASCII punctuation where it stands next to Chinese text (for display).

    `normalize` is right for matching, but "某日,张某(男)" reads badly; digits keep ASCII ("1,200").
    """

    def swap(match: re.Match[str]) -> str:
        i = match.start()
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        ch = match.group()
        if ch == "," and before.isdigit() and after.isdigit():
            return ch
        if (before and _is_cjk(before)) or (after and _is_cjk(after)):
            return _TO_FULL_WIDTH[ch]
        return ch

    return _pair_brackets(_ASCII_PUNCT.sub(swap, text))


def _pair_brackets(text: str) -> str:
    """A closing parenthesis takes the width of the one it closes: "（示例A1)" → "（示例A1）" (and the reverse)."""
    if "(" not in text and "（" not in text:
        return text
    out = list(text)
    opened: list[str] = []
    for i, ch in enumerate(out):
        if ch in "(（":
            opened.append(ch)
        elif ch in ")）" and opened:
            out[i] = "）" if opened.pop() == "（" else ")"
    return "".join(out)


def split_sentences(text: str) -> list[str]:
    """Split after 。！？； (and their ASCII forms, which NFKC produces) and at line breaks."""
    parts = (p.strip() for p in _SENTENCE_END.split(text))
    return [p for p in parts if p]


def _data_lines(name: str) -> Iterator[str]:
    with resources.files("kb.data").joinpath(name).open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


@lru_cache(maxsize=1)
def charge_names() -> tuple[str, ...]:
    return tuple(_data_lines("charges.txt"))


@lru_cache(maxsize=1)
def charge_aliases() -> dict[str, str]:
    """Short or former charge names mapped to the official name."""
    pairs = (line.split("\t") for line in _data_lines("charge_aliases.tsv"))
    return {normalize(alias): normalize(name) for alias, name in pairs}


@lru_cache(maxsize=1)
def legal_terms() -> tuple[str, ...]:
    return tuple(line.split()[0] for line in _data_lines("legal_terms.txt"))


@lru_cache(maxsize=1)
def _charge_automaton() -> object:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for name in charge_names():
        automaton.add_word(normalize(name), (len(normalize(name)), normalize(name)))
    for alias, name in charge_aliases().items():
        automaton.add_word(alias, (len(alias), name))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def _tokenizer() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for term in legal_terms():
        tok.add_word(term, freq=20000)
    for name in charge_names():
        if "、" not in name:
            tok.add_word(name, freq=100000)
            stem = name.removesuffix("罪")
            if len(stem) >= 2:
                tok.add_word(stem, freq=50000)
    return tok


def segmenter() -> object:
    """The project's jieba tokenizer with the legal dictionary, for tools built on jieba (the name tagger)."""
    return _tokenizer()


def warm_up() -> None:
    """Load the dictionary now rather than on the first query."""
    with _lock:
        _tokenizer()
        _charge_automaton()


def find_charges(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping charge names in `text`, longest first: (start, end, official name)."""
    automaton = _charge_automaton()
    found: list[tuple[int, int, str]] = []
    for end, (length, name) in automaton.iter(text):  # type: ignore[attr-defined]
        found.append((end - length + 1, end + 1, name))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    result: list[tuple[int, int, str]] = []
    last_end = -1
    for start, end, name in found:
        if start >= last_end:
            result.append((start, end, name))
            last_end = end
    return result


def _keep(token: str) -> bool:
    return bool(token.strip()) and bool(_TOKEN_OK.search(token)) and token not in STOPWORDS


def _cut(tok: object, text: str) -> Iterator[str]:
    for token in tok.cut_for_search(text, HMM=True):  # type: ignore[attr-defined]
        token = token.strip().lower()
        if _keep(token):
            yield token


def charge_token(name: str) -> str:
    """The single index token for a charge name (、 and brackets removed)."""
    return re.sub(r"[、（）()\s]", "", name)


def tokenize(text: str) -> list[str]:
    """Segment text into index/query tokens. Input is normalised first; output has no punctuation."""
    text = normalize(text)
    tok = _tokenizer()
    tokens: list[str] = []
    pos = 0
    for start, end, name in find_charges(text):
        tokens.extend(_cut(tok, text[pos:start]))
        tokens.append(charge_token(name))
        tokens.extend(t for t in _cut(tok, name) if t != charge_token(name))
        pos = end
    tokens.extend(_cut(tok, text[pos:]))
    return tokens


def segment(text: str) -> str:
    """Tokens joined by spaces: the form stored in FTS5 (unicode61) and in Elasticsearch (whitespace analyzer)."""
    return " ".join(tokenize(text))

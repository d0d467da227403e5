"""Person and place names in a text (被告人莫某某, 长沙市, 花沟镇), found by jieba's part-of-speech tagger.

A pasted fact description names its defendant, victims, streets and towns again and again. Those words are rare in
the library, so a term selection by tf·idf would keep them first, yet they say nothing about how the case should be
handled: two drink-driving cases are alike whatever the driver's name or city. The query normaliser therefore
leaves the tokens of these names out of a long query's search terms (see `QueryNormalizer`).

The tagger shares the project's jieba dictionary (`kb.text`), so legal terms and charge names, which that
dictionary adds without a tag, are never tagged as names; legal terms are also excluded explicitly, since the
tagger sometimes calls a common word a name.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from kb import text as kb_text
from kb.long_lived import freeze_long_lived

__all__ = [
    "BACKGROUND_DELAY_S",
    "NAME_TAGS",
    "SCAN_CHARS",
    "is_inside_name",
    "name_words",
    "warm_up",
    "warm_up_in_background",
]

NAME_TAGS = ("nr", "ns")  # jieba: nr person (nrfg, nrt …), ns place (nsf …)
SCAN_CHARS = 4000  # the tagger reads this much (~0.3 s on the 2-core target); parties are named early and often
BACKGROUND_DELAY_S = 5.0

_lock = threading.Lock()  # guards the one tagger below
_tagger_instance: object | None = None


def _tagger() -> object:
    """The tagger, built once; a caller that arrives while another thread builds it waits for that one."""
    global _tagger_instance
    with _lock:
        if _tagger_instance is None:
            import jieba.posseg

            _tagger_instance = jieba.posseg.POSTokenizer(kb_text.segmenter())
            freeze_long_lived()
        return _tagger_instance


@lru_cache(maxsize=1)
def _legal_terms() -> frozenset[str]:
    return frozenset(kb_text.legal_terms())


def name_words(text: str, scan_chars: int = SCAN_CHARS) -> set[str]:
    """Words of two or more characters the tagger reads as person or place names, legal terms excepted.

    Only the first `scan_chars` characters are tagged: the tagger's model for unknown words (names are mostly
    unknown words) costs about 70 microseconds a character, and a fact text names its parties and places early and
    often."""
    tagger = _tagger()
    legal = _legal_terms()
    words: set[str] = set()
    for pair in tagger.cut(kb_text.normalize(text)[:scan_chars]):  # type: ignore[attr-defined]
        word = pair.word.strip().lower()
        if len(word) >= 2 and pair.flag[:2] in NAME_TAGS and word not in legal:
            words.add(word)
    return words


def is_inside_name(token: str, names: set[str]) -> bool:
    """True when `token` is one of `names` or part of one (沙市 in 长沙市), and not a legal term."""
    return token not in _legal_terms() and any(token in name for name in names)


def warm_up() -> None:
    """Load the tagger now rather than on the first long query: about 1.5 s (its model and word-tag table)."""
    name_words("预热")


def warm_up_in_background(delay: float = BACKGROUND_DELAY_S) -> threading.Thread:
    """Load the tagger in a daemon thread `delay` seconds from now, once the server is answering.

    Loading holds the GIL for up to half a second at a time (jieba unpickles its tagging model), so loading it right
    at start-up delayed the first healthy answer (use-m3, 100k chunks: median 2.67 s → 3.87 s over five starts;
    the bar is 3 s). Later, it can delay one request by about that much. A long query that comes first loads the
    tagger itself, or waits for the thread if it has begun."""
    timer = threading.Timer(delay, warm_up)
    timer.name = "kb-name-tagger"
    timer.daemon = True
    timer.start()
    return timer

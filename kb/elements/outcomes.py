"""处理结果 (how the procuratorate disposed of a case) from a fixed vocabulary.

All phrases are matched in one left-to-right pass of a single regular expression whose alternatives are sorted
longest first, so a longer phrase always wins over the phrases it contains: 附条件不起诉 never also yields 不起诉 or
起诉, 不批准逮捕 never yields 批准逮捕, 提起公益诉讼 never yields 起诉. Phrases that contain an outcome word without
being an outcome (审查起诉, 提请批准逮捕, 起诉书) are in the table as blockers mapped to nothing. A phrase preceded in
the same clause by a negation or a question (未, 不再, 无需, 是否 …) is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["OUTCOMES", "OUTCOME_VALUES", "Outcome", "extract_outcomes", "find_outcomes"]


@dataclass(frozen=True)
class Outcome:
    value: str  # one of OUTCOME_VALUES
    subtype: str | None  # e.g. 存疑不起诉, 诉前检察建议
    start: int
    end: int


# value -> {subtype or "" : phrases}. "" holds phrases that give the value without a subtype.
# Phrases are plain text except those starting with "re:" (a regular expression).
OUTCOMES: dict[str, dict[str, tuple[str, ...]]] = {
    "不批捕": {
        "": ("不批准逮捕", "不予批准逮捕", "不批捕", "不予逮捕", "作出不逮捕决定", "决定不逮捕", "不捕"),
    },
    "批准逮捕": {
        "": ("批准逮捕", "批捕", "决定逮捕", "逮捕决定"),
    },
    "附条件不起诉": {
        "": ("附条件不起诉",),
    },
    "不起诉": {
        "": ("不起诉", "不予起诉"),
        "相对不起诉": ("相对不起诉", "酌定不起诉", "情节轻微不起诉"),
        "存疑不起诉": ("存疑不起诉", "证据不足不起诉"),
        "法定不起诉": ("法定不起诉", "绝对不起诉"),
    },
    "起诉": {
        "": (
            "提起公诉",
            "依法起诉",
            "决定起诉",
            "起诉决定",
            "公诉至",
            r"re:罪(?:向[^，,。；;\n]{2,30}?)?起诉",
        ),
    },
    "抗诉": {
        "": ("抗诉", "提请抗诉", "提出抗诉", "支持抗诉"),
    },
    "检察建议": {
        "": ("检察建议",),
        "诉前检察建议": ("诉前检察建议",),
        "再审检察建议": ("再审检察建议",),
        "社会治理检察建议": ("社会治理检察建议", "类案检察建议"),
        "纠正违法检察建议": ("纠正违法检察建议",),
    },
    "提起公益诉讼": {
        "": (
            "提起公益诉讼",
            "提起民事公益诉讼",
            "提起行政公益诉讼",
            "提起附带民事公益诉讼",
            "提起刑事附带民事公益诉讼",
            r"re:(?:向[^，,。；;\n]{2,30}?)?提起[^，,。；;\n]{0,8}?公益诉讼",
        ),
    },
    "支持起诉": {
        "": ("支持起诉", "支持提起诉讼", r"re:支持[^，,。；;\n]{1,12}?(?:提起|向人民法院提起)[^，,。；;\n]{0,8}?诉讼"),
    },
    "监督立案": {
        "": ("监督立案", "通知立案", "通知公安机关立案", "要求公安机关立案", r"re:通知[^，,。；;\n]{1,15}?立案侦查"),
    },
    "监督撤案": {
        "": ("监督撤案", "通知撤案", "通知撤销案件", r"re:通知[^，,。；;\n]{1,15}?撤销案件"),
    },
    "纠正违法": {
        "": (
            "纠正违法通知书",
            "纠正违法意见",
            "纠正意见",
            "监督纠正",
            r"re:(?:发出|制发|提出|送达|发送)[^，,。；;\n]{0,6}?纠正(?:违法)?(?:通知|意见)",
        ),
    },
    "核准追诉": {
        "": ("核准追诉",),
    },
    "不核准追诉": {
        "": ("不核准追诉", "不予核准追诉"),
    },
    "和解": {
        "": ("刑事和解", "达成和解", "和解协议", "促成和解"),
    },
    "司法救助": {
        "": ("司法救助", "国家司法救助"),
    },
}

# Phrases that contain an outcome word but are not a disposition; matched and dropped.
_BLOCKERS: tuple[str, ...] = (
    "审查起诉",
    "移送起诉",
    "起诉书",
    "起诉意见",
    "起诉状",
    "起诉条件",
    "起诉标准",
    "提请批准逮捕",
    "提请逮捕",
    "报请批准逮捕",
    "报请逮捕",
    "逮捕必要性",
    "不服不批准逮捕",
    "撤销不起诉",
    "撤回起诉",
    "撤回抗诉",
    "不抗诉",
    "不支持抗诉",
    "抗诉期",
    "审查批捕",
    "批捕部门",
    "批捕环节",
    "批捕阶段",
    "纠正违法行为",
    "批准逮捕条件",
    "批捕过程",
    "期满不起诉",
    "逾期不起诉",
    "又不起诉",
    "也不起诉",
    "支持检察机关",
    "核准追诉案件",
    r"re:(?:提请|报请|呈请)[^，,。；;\n]{1,20}?(?:批准逮捕|逮捕)",
    r"re:(?:层报|报请|提请|报)[^，,。；;\n]{0,20}?核准追诉",
)

OUTCOME_VALUES: tuple[str, ...] = tuple(OUTCOMES)

# Within the same clause, these before a phrase mean it did not happen (or is only discussed).
_NEGATED_BEFORE = re.compile(
    r"(?:未(?!成年)|没有|不再|无需|无须|不需要?|不必|不宜|不应|不能|能否|是否|拟|不得|并非|而非|可以|可依法|应当|应该|应予|应依法)"
    r"[^，,。；;：:\n]{0,6}$"
)
_CLAUSE_BREAK = re.compile(r"[，。；;：:,!?！？\n]")


Target = tuple[str, str | None] | None  # (value, subtype), or None for a blocker


@lru_cache(maxsize=1)
def _matchers() -> tuple[object, list[tuple[re.Pattern[str], Target]]]:
    """An Aho-Corasick automaton over the plain phrases, and the few regular-expression phrases."""
    import ahocorasick

    entries: list[tuple[str, Target]] = [(phrase, None) for phrase in _BLOCKERS]
    for value, groups in OUTCOMES.items():
        for subtype, phrases in groups.items():
            entries += [(phrase, (value, subtype or None)) for phrase in phrases]
    automaton = ahocorasick.Automaton()
    patterns: list[tuple[re.Pattern[str], Target]] = []
    seen: set[str] = set()
    for phrase, target in entries:
        if phrase in seen:
            continue
        seen.add(phrase)
        if phrase.startswith("re:"):
            patterns.append((re.compile(phrase[3:]), target))
        else:
            automaton.add_word(phrase, (len(phrase), target))
    automaton.make_automaton()
    return automaton, patterns


def _negated(text: str, start: int) -> bool:
    window = text[max(0, start - 12) : start]
    clause = _CLAUSE_BREAK.split(window)[-1]
    return bool(_NEGATED_BEFORE.search(clause))


def find_outcomes(text: str, *, negation: bool = True) -> list[Outcome]:
    """Every outcome phrase in `text` with its position; blockers and (if `negation`) negated phrases dropped.

    Matches are taken leftmost-longest without overlaps, blockers included, so a blocker hides what it contains.
    """
    if not text:
        return []
    automaton, patterns = _matchers()
    candidates: list[tuple[int, int, Target]] = []
    for end, (length, target) in automaton.iter(text):  # type: ignore[attr-defined]
        candidates.append((end - length + 1, end + 1, target))
    for pattern, target in patterns:
        candidates += [(m.start(), m.end(), target) for m in pattern.finditer(text)]
    candidates.sort(key=lambda c: (c[0], c[2] is not None, -(c[1] - c[0])))
    found: list[Outcome] = []
    last_end = 0
    for start, end, target in candidates:
        if start < last_end:
            continue
        last_end = end
        if target is None or (negation and _negated(text, start)):
            continue
        found.append(Outcome(target[0], target[1], start, end))
    return found


def extract_outcomes(text: str, *, with_subtypes: bool = False, negation: bool = True) -> list[str]:
    """Outcome values in order of first appearance (不批捕, 不起诉, 检察建议 …), without duplicates.

    With `with_subtypes`, a subtype follows its value when one is stated: ["不起诉", "存疑不起诉"].
    With `negation=False` the negation check is skipped (for queries such as "不起诉 是否 …").
    """
    out: dict[str, None] = {}
    for outcome in find_outcomes(text, negation=negation):
        out.setdefault(outcome.value, None)
        if with_subtypes and outcome.subtype:
            out.setdefault(outcome.subtype, None)
    return list(out)

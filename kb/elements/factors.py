"""Key decision factors (量刑/处理情节) of a case from a fixed vocabulary: 认罪认罚, 自首, 坦白, 立功, 赔偿谅解 …

Every factor has a few phrasings, plain or regular expressions, compiled once into one alternation per factor and
matched left to right. A phrase is skipped when the same clause before it negates or questions it (不构成自首,
没有自首情节, 是否属于立功, 未取得谅解) or when the text right after it denies it (自首不能成立). Phrases that look like
a factor but are not one (未成年被害人, 情节严重程度) are blockers: matched first and dropped. Some phrasings carry
their own negation (无前科 gives 初犯) so they are written as whole phrases.

Only what a case states about the suspect or defendant counts; `extract_case_factors` therefore reads the narrative
sections (基本案情, 履职过程, 处理结果 …) and leaves out 要旨 and 指导意义, which speak in general terms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

__all__ = ["FACTORS", "FACTOR_SECTIONS", "FACTOR_VALUES", "extract_case_factors", "extract_factors"]

_C = r"[^，,。；;：:\n]"  # any character inside one clause

# Canonical label -> phrasings. "re:" starts a regular expression.
FACTORS: dict[str, tuple[str, ...]] = {
    "认罪认罚": (
        "认罪认罚",
        "认罪认罚具结书",
        rf"re:签署{_C}{{0,6}}具结书",
        rf"re:自愿认罪{_C}{{0,4}}认罚",
    ),
    "自首": ("自首", "投案自首", "自动投案", "主动投案", "视为自动投案", "投案"),
    "坦白": ("坦白", rf"re:如实供述(?!{_C}{{0,12}}(?:自首|投案))"),
    "立功": (
        "立功",
        "重大立功",
        "立功表现",
        "检举揭发",
        rf"re:揭发{_C}{{0,8}}(?:犯罪|罪行)",
        r"re:协助(?:公安机关|侦查机关|警方|民警)?(?:抓捕|抓获)",
    ),
    "赔偿谅解": (
        "谅解书",
        rf"re:(?:取得|获得|得到|征得|求得|达成){_C}{{0,10}}谅解",
        rf"re:(?:表示|出具|给予){_C}{{0,4}}谅解",
        "积极赔偿",
        "赔偿被害人",
        "赔偿了被害人",
        rf"re:(?:向|对)被害{_C}{{0,12}}赔偿",
        r"re:(?:已|全额|足额)赔偿",
        "退赃",
        "退赔",
        "退缴",
        "积极退还",
        rf"re:退还{_C}{{0,8}}(?:赃款|赃物|违法所得|被骗)",
    ),
    "未成年": (
        "未成年犯罪嫌疑人",
        "未成年被告人",
        "涉罪未成年人",
        "未成年罪犯",
        "未成年犯",
        rf"re:(?:作案|犯罪|案发|行为)时{_C}{{0,6}}(?:未|不)满(?:十八|18)周岁",
        r"re:已满(?:十[四五六七]|1[4-7])周岁(?:不满|未满)(?:十八|18)周岁",
        r"re:(?:作案|犯罪|案发)时(?:年仅|系|刚满|已满)?(?:十[四五六七]|1[4-7])周岁",
        rf"re:系(?:在校)?未成年(?:人|学生)?(?!{_C}{{0,2}}(?:保护|检察|案件|司法))",
    ),
    "初犯": (
        "初犯",
        "偶犯",
        "初次犯罪",
        "无前科",
        "无犯罪前科",
        "没有前科",
        "无违法犯罪记录",
        "无违法犯罪前科",
        r"re:(?:无|没有|未有)(?:任何)?(?:违法|犯罪|违法犯罪)(?:记录|前科|经历)",
    ),
    "累犯": ("累犯",),
    "主犯": ("re:主犯(?!罪)", "首要分子", "起主要作用"),
    "从犯": ("re:从犯(?!罪)", "胁从犯", "起次要作用", "起辅助作用", "次要作用", "辅助作用"),
    "犯罪未遂": ("犯罪未遂", "系未遂", "属于未遂", "属未遂", "未遂犯"),
    "犯罪中止": ("犯罪中止", "中止犯", "属于中止", "系中止"),
    "数额较大": ("数额较大",),
    "数额巨大": ("数额巨大",),
    "数额特别巨大": ("数额特别巨大",),
    "情节轻微": ("情节轻微", "犯罪情节轻微", "情节显著轻微"),
    "情节严重": ("情节严重",),
    "情节特别严重": ("情节特别严重",),
    "造成严重后果": (
        "后果严重",
        "后果特别严重",
        rf"re:造成{_C}{{0,12}}(?:严重|特别严重|重大)(?:的)?后果",
        rf"re:(?:致|造成){_C}{{0,6}}(?:死亡|重伤)",
        rf"re:(?:抢救|医治|救治)无效{_C}{{0,12}}死亡",
    ),
    "正当防卫": ("正当防卫", "特殊防卫", "无限防卫"),
    "防卫过当": ("防卫过当",),
}

FACTOR_VALUES: tuple[str, ...] = tuple(FACTORS)

# Look-alikes that are not a factor of the suspect (matched first, give nothing).
_BLOCKERS: tuple[str, ...] = (
    "未成年被害人",
    "未成年人保护",
    "未成年人检察",
    "未成年人刑事案件",
    "未成年人案件",
    "未成年犯管教所",
    "情节严重程度",
    "立功奖励",
    "立功受奖",
    "立功减刑",
    "正当防卫制度",
    "正当防卫的认定",
    "正当防卫条款",
    "防卫过当的认定",
    "自首制度",
    "自首的认定",
    "认罪认罚从宽制度",
    "认罪认罚制度",
    "认罪认罚工作",
    "认罪认罚案件",
    "退赔责任",
    r"re:被害(?:人|者)?[^，,。；;\n]{0,6}系未成年",
    r"re:被害(?:人|者)?[^，,。；;\n]{0,8}(?:作案|犯罪|案发|行为)时[^，,。；;\n]{0,6}(?:未|不)满(?:十八|18)周岁",
)

# Before a phrase in the same clause: it did not happen or is only asked about.
_NEGATED_BEFORE = re.compile(
    r"(?:(?:未(?!成年|遂)|没有|不(?:构成|属于|具有|具备|符合|认定|能认定|应认定|是|能|再|要求|以|需)|拒不|否认|并非|而非|尚未|"
    r"能否|是否|有无|不予认定|排除|缺乏)[^，,。；;：:\n]{0,8}|(?:无|非)(?:任何|法定|酌定)?)$"
)
# Right after a phrase: denied.
_NEGATED_AFTER = re.compile(r"[^，,。；;\n]{0,6}?(?:不能成立|不成立|不能认定|不予认定|不构成|不应认定|存在疑问)")
_CLAUSE_BREAK = re.compile(r"[，。；;：:,!?！？\n]")
_SENTENCE_BREAK = re.compile(r"[。；;!?！？\n]")
# 如实供述 after surrendering is part of 自首, not a separate 坦白: skip it when its sentence mentions 投案/自首.
_CONFESSION_IN_SURRENDER = re.compile(r"投案|自首")

# The narrative sections a factor is read from; 要旨 and 指导意义 speak in general terms.
FACTOR_SECTIONS: tuple[str, ...] = ("facts", "process", "result", "reasoning", "body", "warning")

_Target = str | None


def _alternative(phrase: str) -> str:
    return phrase[3:] if phrase.startswith("re:") else re.escape(phrase)


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, _Target]]:
    """One regular expression with a named group per factor (and one for blockers); longer phrases first."""
    groups: list[str] = []
    names: dict[str, _Target] = {"b0": None}
    blockers = sorted(_BLOCKERS, key=lambda p: -len(_alternative(p)))
    groups.append(f"(?P<b0>{'|'.join(_alternative(p) for p in blockers)})")
    for i, (label, phrases) in enumerate(FACTORS.items()):
        ordered = sorted(phrases, key=lambda p: -len(_alternative(p)))
        groups.append(f"(?P<f{i}>{'|'.join(_alternative(p) for p in ordered)})")
        names[f"f{i}"] = label
    return re.compile("|".join(groups)), names


def _negated(text: str, start: int, end: int) -> bool:
    clause = _CLAUSE_BREAK.split(text[max(0, start - 14) : start])[-1]
    if _NEGATED_BEFORE.search(clause):
        return True
    return bool(_NEGATED_AFTER.match(text, end, min(len(text), end + 14)))


def _sentence(text: str, pos: int) -> str:
    starts = [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, pos)]
    start = starts[-1] if starts else 0
    end_match = _SENTENCE_BREAK.search(text, pos)
    return text[start : end_match.start() if end_match else len(text)]


def extract_factors(text: str, *, negation: bool = True) -> list[str]:
    """Canonical factor labels in order of first appearance, without duplicates.

    Blockers are tried before factors at each position, so 未成年被害人 never yields 未成年. With `negation=False`
    negated or questioned phrases count too (for a query such as "是否构成自首").
    """
    if not text:
        return []
    pattern, names = _pattern()
    found: dict[str, None] = {}
    for m in pattern.finditer(text):
        label = names[m.lastgroup or "b0"]
        if label is None or label in found:
            continue
        if negation and _negated(text, m.start(), m.end()):
            continue
        if label == "坦白" and m.group() != "坦白" and _CONFESSION_IN_SURRENDER.search(_sentence(text, m.start())):
            continue
        found[label] = None
    return list(found)


def extract_case_factors(sections: Mapping[str, str]) -> list[str]:
    """Factors of a case from its narrative sections (`sections` maps SectionKey values to text)."""
    return extract_factors("\n".join(sections[k] for k in FACTOR_SECTIONS if sections.get(k)))

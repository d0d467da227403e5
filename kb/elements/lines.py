"""检察类别 (the four lines), sub-lines and 办案环节 inferred from weighted cue phrases.

Each cue phrase has a weight per label. A cue counts three times in the title and twice in a keyword; in the text
each phrase counts at most `_TEXT_CAP` times, so one long section cannot swamp the rest. Charges found in the title
or text add to 刑事检察. A case whose title or keywords say 公益诉讼 belongs to 公益诉讼检察 whatever else it
mentions (行政公益诉讼 is 公益诉讼, not 行政检察).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from kb.elements.charges import extract_charges, title_charges
from kb.models import LINES

__all__ = ["STAGES", "SUB_LINES", "infer_line", "infer_stage", "infer_stages", "infer_sub_line"]

SUB_LINES = ("未成年人检察", "刑事执行检察", "控告申诉检察", "知识产权检察")

STAGES = (
    "立案监督",
    "侦查监督",
    "审查逮捕",
    "审查起诉",
    "审判监督",
    "执行监督",
    "生效裁判监督",
    "公益诉讼诉前程序",
    "提起公益诉讼",
    "控告申诉",
    "羁押必要性审查",
)

_TITLE_WEIGHT = 3.0
_KEYWORD_WEIGHT = 2.0
_TEXT_CAP = 5

Cues = Mapping[str, Mapping[str, float]]  # phrase -> {label: weight}

_LINE_CUES: Cues = {
    # 公益诉讼检察
    "公益诉讼": {"公益诉讼检察": 3},
    "公益诉讼检察": {"公益诉讼检察": 3},
    "诉前检察建议": {"公益诉讼检察": 2},
    "诉前程序": {"公益诉讼检察": 1.5},
    "社会公共利益": {"公益诉讼检察": 1},
    "国家利益": {"公益诉讼检察": 1},
    "公共利益": {"公益诉讼检察": 0.5},
    "督促履职": {"公益诉讼检察": 1.5},
    "依法履职": {"公益诉讼检察": 0.5},
    "生态环境损害": {"公益诉讼检察": 1},
    # 行政检察
    "行政检察": {"行政检察": 3},
    "行政诉讼监督": {"行政检察": 3},
    "行政裁判": {"行政检察": 2},
    "生效行政裁判": {"行政检察": 1},
    "行政抗诉": {"行政检察": 3},
    "行政诉讼": {"行政检察": 1.5},
    "行政争议": {"行政检察": 2},
    "行政争议实质性化解": {"行政检察": 2},
    "行政非诉执行": {"行政检察": 3},
    "非诉执行": {"行政检察": 1.5},
    "行政机关": {"行政检察": 0.3},
    "行政相对人": {"行政检察": 1},
    "行政行为": {"行政检察": 1},
    "行政登记": {"行政检察": 1.5},
    "行政处罚": {"行政检察": 0.5},
    "行政复议": {"行政检察": 1},
    # 民事检察
    "民事检察": {"民事检察": 3},
    "民事诉讼监督": {"民事检察": 3},
    "民事裁判": {"民事检察": 2},
    "生效民事裁判": {"民事检察": 1},
    "民事抗诉": {"民事检察": 3},
    "民事执行": {"民事检察": 2},
    "执行监督": {"民事检察": 1.5},
    "执行活动监督": {"民事检察": 2},
    "支持起诉": {"民事检察": 2},
    "虚假诉讼": {"民事检察": 1},
    "纠纷": {"民事检察": 1},
    "原告": {"民事检察": 0.5},
    "申请人": {"民事检察": 0.3},
    "再审检察建议": {"民事检察": 1, "行政检察": 1},
    "民事诉讼": {"民事检察": 1},
    # 刑事检察
    "刑事检察": {"刑事检察": 3},
    "犯罪嫌疑人": {"刑事检察": 1},
    "被告人": {"刑事检察": 1},
    "被害人": {"刑事检察": 0.5},
    "审查逮捕": {"刑事检察": 1.5},
    "批准逮捕": {"刑事检察": 1.5},
    "审查起诉": {"刑事检察": 1.5},
    "提起公诉": {"刑事检察": 1.5},
    "不起诉": {"刑事检察": 1.5},
    "立案监督": {"刑事检察": 1.5},
    "侦查活动监督": {"刑事检察": 1.5},
    "刑事抗诉": {"刑事检察": 2},
    "刑罚执行": {"刑事检察": 1.5},
    "有期徒刑": {"刑事检察": 1},
    "罪犯": {"刑事检察": 1.5},
    "社区矫正": {"刑事检察": 2},
    "暂予监外执行": {"刑事检察": 2},
    "减刑": {"刑事检察": 1},
    "假释": {"刑事检察": 1},
    "收监执行": {"刑事检察": 2},
    "正当防卫": {"刑事检察": 2},
    "防卫过当": {"刑事检察": 2},
    "公安机关": {"刑事检察": 0.3},
    "侦查": {"刑事检察": 0.5},
}

# Title patterns that decide the line on their own (checked in order, after 公益诉讼).
_TITLE_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), line)
    for pattern, line in (
        (
            r"涉嫌|不批捕|不批准逮捕|不起诉|核准追诉|立案监督|侦查活动监督|侦查监督|刑事申诉|二审抗诉|再审抗诉|违法所得没收|罪犯",
            "刑事检察",
        ),
        (r"行政(?:纠纷|争议|诉讼|处罚|许可|登记|复议|赔偿|协议|给付|行为|强制|非诉|征收)|非诉执行", "行政检察"),
        (
            r"诉[^，,。]{0,30}?(?:局|人民政府|政府|委员会|管理处|管理所|中心|办公室|公安局|分局|大队|支队)"
            r"[^，,。]{0,40}?(?:监督|抗诉|检察建议)",
            "行政检察",
        ),
        (r"虚假诉讼监督|支持起诉|民事|纠纷", "民事检察"),
    )
)

# Keywords that are nothing but a line name (court cases start their keywords with 刑事/民事/行政).
_KEYWORD_LINES = {
    "刑事": "刑事检察",
    "民事": "民事检察",
    "行政": "行政检察",
    "刑事检察": "刑事检察",
    "民事检察": "民事检察",
    "行政检察": "行政检察",
    "公益诉讼": "公益诉讼检察",
    "公益诉讼检察": "公益诉讼检察",
}

_SUB_LINE_CUES: Cues = {
    "未成年人检察": {"未成年人检察": 6},
    "未成年": {"未成年人检察": 1},
    "附条件不起诉": {"未成年人检察": 3},
    "涉罪未成年人": {"未成年人检察": 2},
    "未成年被害人": {"未成年人检察": 2},
    "未成年犯罪嫌疑人": {"未成年人检察": 2},
    "儿童": {"未成年人检察": 0.5},
    "帮教": {"未成年人检察": 1},
    "监护": {"未成年人检察": 0.5},
    "刑事执行检察": {"刑事执行检察": 6},
    "刑罚执行": {"刑事执行检察": 2},
    "监外执行": {"刑事执行检察": 2},
    "减刑": {"刑事执行检察": 1.5},
    "假释": {"刑事执行检察": 1.5},
    "社区矫正": {"刑事执行检察": 2},
    "监管场所": {"刑事执行检察": 2},
    "羁押必要性": {"刑事执行检察": 2},
    "财产刑执行": {"刑事执行检察": 2},
    "强制医疗": {"刑事执行检察": 2},
    "看守所": {"刑事执行检察": 0.5},
    "控告申诉检察": {"控告申诉检察": 6},
    "控告申诉": {"控告申诉检察": 3},
    "刑事申诉": {"控告申诉检察": 3},
    "国家赔偿": {"控告申诉检察": 2},
    "司法救助": {"控告申诉检察": 2},
    "赔偿请求人": {"控告申诉检察": 2},
    "信访": {"控告申诉检察": 1},
    "知识产权检察": {"知识产权检察": 6},
    "知识产权": {"知识产权检察": 2},
    "著作权": {"知识产权检察": 1.5},
    "商标": {"知识产权检察": 1},
    "商业秘密": {"知识产权检察": 2},
    "专利": {"知识产权检察": 1},
}
_SUB_LINE_THRESHOLD = 6.0

_STAGE_CUES: Cues = {
    "立案监督": {"立案监督": 3},
    "监督立案": {"立案监督": 3},
    "不立案理由": {"立案监督": 2},
    "监督撤案": {"立案监督": 3},
    "撤销案件": {"立案监督": 1},
    "侦查活动监督": {"侦查监督": 3},
    "侦查监督": {"侦查监督": 3},
    "引导侦查": {"侦查监督": 0.75},
    "提前介入": {"侦查监督": 0.75},
    "审查逮捕": {"审查逮捕": 2},
    "批准逮捕": {"审查逮捕": 1.5},
    "不批准逮捕": {"审查逮捕": 2},
    "不批捕": {"审查逮捕": 2},
    "审查起诉": {"审查起诉": 2},
    "提起公诉": {"审查起诉": 1.5},
    "不起诉": {"审查起诉": 2},
    "附条件不起诉": {"审查起诉": 2},
    "认罪认罚": {"审查起诉": 1},
    "抗诉": {"审判监督": 1.5},
    "刑事抗诉": {"审判监督": 2},
    "审判监督": {"审判监督": 3},
    "审判活动监督": {"审判监督": 3},
    "二审": {"审判监督": 0.5},
    "刑罚执行": {"执行监督": 2},
    "执行监督": {"执行监督": 3},
    "执行活动监督": {"执行监督": 3},
    "暂予监外执行": {"执行监督": 2},
    "减刑": {"执行监督": 1.5},
    "假释": {"执行监督": 1.5},
    "社区矫正": {"执行监督": 1.5},
    "生效裁判监督": {"生效裁判监督": 3},
    "生效民事裁判": {"生效裁判监督": 2},
    "生效行政裁判": {"生效裁判监督": 2},
    "民事抗诉": {"生效裁判监督": 2},
    "行政抗诉": {"生效裁判监督": 2},
    "再审检察建议": {"生效裁判监督": 2},
    "诉前程序": {"公益诉讼诉前程序": 3},
    "诉前检察建议": {"公益诉讼诉前程序": 3},
    "磋商": {"公益诉讼诉前程序": 1},
    "督促履职": {"公益诉讼诉前程序": 1.5},
    "提起公益诉讼": {"提起公益诉讼": 3},
    "提起民事公益诉讼": {"提起公益诉讼": 3},
    "提起行政公益诉讼": {"提起公益诉讼": 3},
    "刑事申诉": {"控告申诉": 3},
    "控告申诉": {"控告申诉": 3},
    "国家赔偿": {"控告申诉": 2},
    "司法救助": {"控告申诉": 2},
    "羁押必要性审查": {"羁押必要性审查": 3},
}
_STAGE_THRESHOLD = 2.0


@lru_cache(maxsize=8)
def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))


def _score(cues: Cues, text: str, title: str, keywords: Iterable[str]) -> dict[str, float]:
    """Weighted cue counts per label. Matching is longest-first, so 不批准逮捕 does not also count 批准逮捕."""
    pattern = _compile(tuple(cues))
    scores: dict[str, float] = {}

    def add(source: str, factor: float, cap: int) -> None:
        counts: dict[str, int] = {}
        for m in pattern.finditer(source):
            counts[m.group(0)] = counts.get(m.group(0), 0) + 1
        for phrase, count in counts.items():
            for label, weight in cues[phrase].items():
                scores[label] = scores.get(label, 0.0) + weight * factor * min(count, cap)

    if title:
        add(title, _TITLE_WEIGHT, 1)
    for keyword in keywords:
        add(keyword, _KEYWORD_WEIGHT, 1)
    if text:
        add(text, 1.0, _TEXT_CAP)
    return scores


def _best(scores: Mapping[str, float], order: Sequence[str], threshold: float) -> str | None:
    ranked = sorted(
        (label for label in scores if scores[label] >= threshold), key=lambda lb: (-scores[lb], order.index(lb))
    )
    return ranked[0] if ranked else None


def infer_line(text: str, title: str = "", keywords: Iterable[str] = ()) -> str | None:
    """One of kb.models.LINES (刑事检察, 民事检察, 行政检察, 公益诉讼检察), or None when nothing points anywhere."""
    keywords = [k.strip() for k in keywords if k and k.strip()]
    if "公益诉讼" in title or any("公益诉讼" in k for k in keywords):
        return "公益诉讼检察"
    for keyword in keywords:
        if keyword in _KEYWORD_LINES:
            return _KEYWORD_LINES[keyword]
    for pattern, line in _TITLE_RULES:
        if title and pattern.search(title):
            return line
    scores = _score(_LINE_CUES, text, title, keywords)
    charges_in_title = title_charges(title) if title else []
    charges_in_text = extract_charges(text) if text else []
    if charges_in_title or charges_in_text:
        scores["刑事检察"] = (
            scores.get("刑事检察", 0.0) + 4.0 * len(charges_in_title) + 1.5 * min(len(charges_in_text), 3)
        )
    return _best(scores, LINES, threshold=2.0)


def infer_sub_line(text: str, title: str = "", keywords: Iterable[str] = ()) -> str | None:
    """未成年人检察, 刑事执行检察, 控告申诉检察 or 知识产权检察 when the cues are strong enough, else None."""
    scores = _score(_SUB_LINE_CUES, text, title, [k for k in keywords if k])
    return _best(scores, SUB_LINES, threshold=_SUB_LINE_THRESHOLD)


def infer_stages(text: str, title: str = "", keywords: Iterable[str] = ()) -> list[str]:
    """Every 办案环节 with enough cues, strongest first."""
    scores = _score(_STAGE_CUES, text, title, [k for k in keywords if k])
    return sorted(
        (label for label in scores if scores[label] >= _STAGE_THRESHOLD),
        key=lambda lb: (-scores[lb], STAGES.index(lb)),
    )


def infer_stage(text: str, title: str = "", keywords: Iterable[str] = ()) -> str | None:
    """The dominant 办案环节 (one of STAGES), or None."""
    stages = infer_stages(text, title, keywords)
    return stages[0] if stages else None

"""Judgments and decisions printed as running text, split into their parts by the phrases that open them.

The SPC gazette prints a case as the judgment itself, with no headings: the parties, what each side claims, what
the court found (经审理查明), why (本院认为), and what it decided (判决如下：), a second instance often repeating all
of it. A 判决书 or 不起诉决定书 uploaded as .docx or .pdf reads the same way. Kept as one 正文 section, such a case
has no 基本案情 for the whole-facts match and no result section for the charge rule ("a case's 罪名 are the ones its
result states"), so a 投机倒把罪 the prosecution first alleged counts as much as the 侵犯著作权罪 of the judgment.

`split_judgment_text` reads the text paragraph by paragraph:

* a 【裁判摘要】 (or 【案例要旨】, 裁判要旨) line opens the gist, which runs to the first party line (at most four
  paragraphs, and the narrative — 诉称, 指控, 查明 — ends it too);
* party lines at the start (原告：…, 被告人：…, 法定代表人：…) are one 当事人 section;
* what follows is the facts (claims, allegation, findings) until a court or procuratorate "认为" opens the reasoning;
* 判决如下： / 判决： / 裁定： / 决定如下： / 达成如下协议： opens the result, which keeps the paragraphs after it until one
  tells of an appeal, a protest or a new finding; the facts of the next instance follow (审理经过), and so on. In the
  reasoning, a last sentence 据此，…判处… or 依照…的规定，决定… is the result of a judgment or decision without that
  heading. Outside the reasoning, a decision followed by more than a short sentence is an earlier one the facts tell.

It returns None — keep the one 正文 section — unless the text has facts before a result, and reasons or parties
(a decision told in a story is not yet a judgment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.models import Section, SectionKey

__all__ = ["split_judgment_text"]

_GIST_MARK = re.compile(r"^[【\[]?\s*(?P<name>裁判摘要|案例要旨|裁判要旨|裁判要点)\s*[】\]]?\s*[:：]?\s*(?P<rest>.*)$")
_PARTY = re.compile(
    r"^(?:原审|一审|二审)?(?:原告|被告|第三人|上诉人|被上诉人|申请人|被申请人|再审申请人|申请再审人|申诉人|被申诉人|"
    r"公诉机关|抗诉机关|起诉人|被告人|辩护人|法定代表人|法定代理人|委托代理人|诉讼代理人|代理人|负责人|"
    r"附带民事诉讼原告人|附带民事诉讼被告人|异议人|复议申请人|赔偿请求人|赔偿义务机关|复议机关|执行人|"
    r"被执行人|申请执行人|案外人|罪犯|被不起诉人|犯罪嫌疑人|翻译人员)"
    r"[^:：。]{0,24}[:：]"
    r"|^[\u4e00-\u9fff]{1,8}(?:人|机关|单位)[:：]"  # other roles: 合适成年人：, 指定辩护人：, 被告单位：
)
# A finding of fact: 经审理查明, 二审查明, 本院审查查明, 另查明.
_FINDING = re.compile(r"查明[:：,，]|查明的事实|经审理查明|审理查明|另查明")
# The decider's reasons: 硚口区人民法院认为：, 本院认为, 二审法院经审理认为, 最高人民检察院审查认为.
_REASONING = re.compile(
    r"^[^。\n]{0,30}?(?:法院|本院|合议庭|审判委员会|仲裁委员会|仲裁庭|检察院|复议机关)[^。,，\n]{0,12}?认为"
)
# The decision: 判决如下：, 判决：, 裁定如下：, 决定：; not a claim (请求判决：) or a report of one (原判决：).
_DECISION = re.compile(r"(?<![请诉要原])(?:判决|裁定|决定)(?:如下)?[:：]|达成(?:如下)?(?:调解)?协议[:：]")
# Older judgments state the decision in the reasoning's last sentence, without a heading: 据此，…判决… or 依照…的规定，
# 以诬告陷害罪判处被告人…; the result starts at that sentence.
_STATED_DECISION = re.compile(
    r"(?:^|(?<=[。;；]))\s*(?P<sentence>(?:据此|综上)[^。]{0,200}?(?:判决|判处|裁定|改判|决定)"
    r"|依照[^。]{0,200}?的?规定[,，][^。]{0,20}?(?:判决|裁定|改判|决定|以[^。]{1,30}罪判处|判处))"
)
# A decision told inside a longer paragraph of facts (an earlier suit's 判决：…) is part of the story, not the result.
_INLINE_RESULT = 150
_CLAIM_BEFORE = re.compile(r"(?:请求|诉请|要求|申请|请)[^。，,]{0,6}$")
# After a decision: the parties' reaction or the next instance.
_NEXT_STAGE = re.compile(r"宣判后|判决后|裁定后|不服|提出上诉|提起上诉|上诉称|抗诉|申请再审|再审申请|申诉")
# The narrative of a case has begun: claims, an allegation, a finding, a suit brought.
_NARRATIVE = re.compile(r"诉称|辩称|指控|查明|提起(?:公诉|诉讼|上诉)|向[^。]{2,30}(?:起诉|申请)")
_GIST_PARAGRAPHS = 4
_RESULT_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.\uff0e]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.\uff0e]|驳回|维持|撤销|变更|"
    r"本判决|本裁定|本决定|[^,，。]{0,8}如不服|如未按|案件受理费|一审案件受理费|二审案件受理费|诉讼费|受理费)"
)


@dataclass
class _Part:
    key: SectionKey
    heading: str
    paragraphs: list[str]


def _decision_cut(paragraph: str, *, reasoning: bool = False) -> int | None:
    """Where the result starts inside the paragraph (after 判决如下：), or None when it states no decision.

    Outside the reasoning, the decision must end the paragraph or be followed by a short one (驳回上诉，维持原判。)."""
    for m in _DECISION.finditer(paragraph):
        if _CLAIM_BEFORE.search(paragraph[max(0, m.start() - 12) : m.start()]):
            continue
        if reasoning or len(paragraph) - m.end() <= _INLINE_RESULT:
            return m.end()
    if reasoning:
        stated = list(_STATED_DECISION.finditer(paragraph))
        if stated:
            return stated[-1].start("sentence")
    return None


class _Reader:
    """Paragraphs in, parts out; `state` is the part the next plain paragraph belongs to."""

    def __init__(self) -> None:
        self.parts: list[_Part] = []
        self.state = "start"  # start | gist | parties | facts | reasoning | result

    def add(self, key: SectionKey, heading: str, paragraph: str) -> None:
        if not paragraph:
            return
        last = self.parts[-1] if self.parts else None
        if last is not None and last.key == key and last.heading == heading:
            last.paragraphs.append(paragraph)
        else:
            self.parts.append(_Part(key, heading, [paragraph]))

    def add_to_state(self, paragraph: str) -> None:
        if self.state == "reasoning":
            self.add(SectionKey.REASONING, "裁判理由", paragraph)
        elif self.state == "result":
            self.add(SectionKey.RESULT, "裁判结果", paragraph)
        else:
            last = self.parts[-1] if self.parts else None
            if last is not None and last.key == SectionKey.FACTS:
                heading = last.heading
            elif any(p.key == SectionKey.FACTS for p in self.parts):
                heading = "审理经过"  # the facts of a later instance
            else:
                heading = "基本案情"
            self.add(SectionKey.FACTS, heading, paragraph)

    def _gist_goes_on(self, paragraph: str) -> bool:
        """A gist is a few paragraphs of holding; the narrative (诉称, 指控, 查明) ends it even without party lines."""
        gist = self.parts[-1] if self.parts and self.parts[-1].key == SectionKey.GIST else None
        if gist is None:
            return True  # the first paragraph under the mark
        if len(gist.paragraphs) >= _GIST_PARAGRAPHS:
            return False
        return not (_NARRATIVE.search(paragraph) or _REASONING.match(paragraph) or _decision_cut(paragraph))

    def read(self, paragraph: str) -> None:
        head = self.state in ("start", "gist", "parties")
        gist = _GIST_MARK.match(paragraph) if self.state in ("start", "gist") else None
        if gist:
            self.state = "gist"
            self.add(SectionKey.GIST, gist["name"], gist["rest"].strip())
            return
        if head and _PARTY.match(paragraph):
            self.state = "parties"
            self.add(SectionKey.BODY, "当事人", paragraph)
            return
        if self.state == "gist" and self._gist_goes_on(paragraph):
            self.add(SectionKey.GIST, self.parts[-1].heading if self.parts else "裁判摘要", paragraph)
            return
        if self.state == "result" and not _RESULT_ITEM.match(paragraph):
            if _NEXT_STAGE.search(paragraph) or _FINDING.search(paragraph):
                self.state = "facts"
        elif self.state == "reasoning" and _FINDING.search(paragraph[:60]):
            self.state = "facts"
        if self.state != "reasoning" and _REASONING.match(paragraph):
            self.state = "reasoning"
        if self.state in ("start", "gist", "parties"):
            self.state = "facts"
        cut = _decision_cut(paragraph, reasoning=self.state == "reasoning")
        if cut is None:
            self.add_to_state(paragraph)
            return
        if self.state == "result":
            self.state = "facts"
        self.add_to_state(paragraph[:cut].strip())
        self.state = "result"
        self.add(SectionKey.RESULT, "裁判结果", paragraph[cut:].strip())


def split_judgment_text(text: str) -> list[Section] | None:
    """The text's sections in reading order, or None when it does not read as a judgment or decision."""
    reader = _Reader()
    for paragraph in text.split("\n"):
        if paragraph.strip():
            reader.read(paragraph.strip())
    keys = [p.key for p in reader.parts]
    if SectionKey.FACTS not in keys or SectionKey.RESULT not in keys:
        return None
    if keys.index(SectionKey.FACTS) > keys.index(SectionKey.RESULT):
        return None
    if SectionKey.REASONING not in keys and not any(p.heading == "当事人" for p in reader.parts):
        return None  # a decision in a story is not yet a judgment: it needs the reasons or the parties
    return [Section(key=p.key.value, heading=p.heading, text="\n".join(p.paragraphs)) for p in reader.parts]

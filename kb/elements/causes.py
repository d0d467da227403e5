"""案由 (civil, administrative and public-interest causes) from a small vocabulary, and from case titles.

Re-exported by kb.elements.charges, since a case's "charges" field holds 罪名 or 案由.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kb import text as kb_text
from kb.elements._matching import longest_matches

__all__ = ["CAUSES", "cause_automaton", "extract_causes", "title_causes"]


def _dedupe(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


# canonical 案由 -> other ways of writing it (the canonical form is matched too).
CAUSES: dict[str, tuple[str, ...]] = {
    # 民事
    "民间借贷纠纷": ("民间借贷",),
    "金融借款合同纠纷": ("金融借款合同",),
    "借款合同纠纷": (),
    "买卖合同纠纷": (),
    "房屋买卖合同纠纷": (),
    "房屋租赁合同纠纷": ("租赁合同纠纷",),
    "建设工程施工合同纠纷": ("建设工程合同纠纷",),
    "居间合同纠纷": ("中介合同纠纷",),
    "保证合同纠纷": ("保证责任纠纷",),
    "股权转让纠纷": (),
    "劳动争议": ("劳动合同纠纷", "劳动关系纠纷", "确认劳动关系纠纷"),
    "追索劳动报酬纠纷": ("追索劳动报酬", "拖欠农民工工资", "欠薪"),
    "劳务合同纠纷": (),
    "离婚纠纷": ("离婚后财产纠纷",),
    "抚养纠纷": ("变更抚养关系纠纷", "抚养费纠纷", "变更抚养权"),
    "赡养纠纷": ("赡养费纠纷",),
    "继承纠纷": ("法定继承纠纷", "遗嘱继承纠纷"),
    "机动车交通事故责任纠纷": ("交通事故责任纠纷",),
    "生命权、身体权、健康权纠纷": ("身体权纠纷", "健康权纠纷", "生命权纠纷"),
    "名誉权纠纷": (),
    "著作权权属、侵权纠纷": ("侵害著作权纠纷", "著作权侵权纠纷"),
    "侵害商标权纠纷": ("商标侵权纠纷",),
    "不正当竞争纠纷": (),
    "物业服务合同纠纷": (),
    "案外人执行异议之诉": ("执行异议之诉",),
    "第三人撤销之诉": (),
    "确认合同无效纠纷": (),
    "土地承包经营权纠纷": (),
    "宅基地使用权纠纷": (),
    "环境污染责任纠纷": ("环境污染侵权",),
    "虚假诉讼": (),
    "民事执行": ("执行活动监督", "执行监督"),
    # 行政
    "行政处罚": (),
    "行政许可": (),
    "行政强制": ("行政强制执行", "非诉执行"),
    "行政登记": ("不动产登记", "房屋登记", "婚姻登记", "宅基地使用权登记"),
    "行政给付": (),
    "行政赔偿": (),
    "行政征收": ("房屋征收", "土地征收", "征收补偿"),
    "行政协议": (),
    "工伤认定": ("工伤保险资格",),
    "行政复议": (),
    "政府信息公开": ("信息公开",),
    "社会保险": ("养老保险", "社会保险待遇"),
    # 公益诉讼领域
    "生态环境损害赔偿": ("生态环境损害赔偿纠纷",),
    "生态环境和资源保护": ("生态环境保护", "环境资源保护", "生态环境领域"),
    "食品药品安全": ("食品安全", "药品安全", "食品药品领域"),
    "国有财产保护": ("国有财产流失", "国有资产保护"),
    "国有土地使用权出让": ("土地使用权出让", "国有土地出让"),
    "英雄烈士权益保护": ("英烈权益保护", "英雄烈士保护", "英烈保护"),
    "安全生产": (),
    "个人信息保护": ("公民个人信息保护",),
    "未成年人保护": ("未成年人权益保护",),
    "文物和文化遗产保护": ("文物保护", "文化遗产保护"),
    "消费者权益保护": (),
}


@lru_cache(maxsize=1)
def cause_automaton() -> object:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for canonical, synonyms in CAUSES.items():
        for form in (canonical, *synonyms):
            automaton.add_word(form, (len(form), canonical))
    automaton.make_automaton()
    return automaton


def extract_causes(text: str) -> list[str]:
    """案由 from the CAUSES vocabulary found in `text`, canonical form, in order of first appearance."""
    if not text:
        return []
    return _dedupe(name for _, _, name in longest_matches(cause_automaton(), text))


_PARTY_END = (
    r"(?:公司|中心|委员会|管理局|局|人民政府|政府|法院|检察院|大学|学院|学校|集团|基金会|协会|银行|分行|支行|厂|店|"
    r"所|社|站|队|村|部|处|会|[)）]|某某|某|等)"
)
_PARTY_END_RE = re.compile(_PARTY_END)
# how civil causes usually begin (used to tell 李某峰 + 财产损害赔偿纠纷 from 李某 + 峰…)
_CAUSE_HEADS = (
    "财产",
    "合同",
    "买卖",
    "借款",
    "民间",
    "劳动",
    "劳务",
    "离婚",
    "抚养",
    "赡养",
    "继承",
    "侵权",
    "侵害",
    "名誉",
    "著作",
    "商标",
    "专利",
    "股权",
    "股东",
    "建设",
    "房屋",
    "物业",
    "追索",
    "确认",
    "保证",
    "租赁",
    "运输",
    "保险",
    "服务",
    "委托",
    "居间",
    "承揽",
    "损害",
    "人身",
    "生命",
    "身体",
    "健康",
    "机动车",
    "海上",
    "船舶",
    "不当得利",
    "返还",
    "排除妨害",
    "相邻",
    "宅基地",
    "土地",
    "承包",
    "债权",
    "债务",
    "公司",
    "合伙",
    "票据",
    "信用证",
    "保函",
    "金融",
    "证券",
    "竞业",
    "监护",
    "探望",
    "婚约",
    "共有",
    "所有权",
    "抵押",
    "质押",
    "肖像",
    "隐私",
    "个人信息",
    "网络",
    "产品",
    "医疗",
    "教育",
    "环境",
    "生态",
    "执行",
    "分家",
    "析产",
    "同居",
    "彩礼",
    "赠与",
    "拆迁",
    "安置",
)
_CAUSE_OK = re.compile(r"^[^诉与、,，()（）\s][^诉与,，()（）\s]{1,17}纠纷$")


def title_causes(title: str) -> list[str]:
    """案由 named in a title: the CAUSES vocabulary (…民间借贷纠纷案, …行政处罚检察监督案), else the ``…纠纷`` that
    follows the last party (某公司诉某公司财产损害赔偿纠纷案 -> 财产损害赔偿纠纷)."""
    found = extract_causes(title)
    if found:
        return found
    title = kb_text.normalize(title)
    end = title.rfind("纠纷")
    if end < 0:
        return []
    end += 2
    for boundary in reversed(list(_PARTY_END_RE.finditer(title, 0, end - 4))):
        cause = title[boundary.end() : end]
        if boundary.group(0) == "某" and not cause.startswith(_CAUSE_HEADS) and cause[1:].startswith(_CAUSE_HEADS):
            cause = cause[1:]  # 李某峰财产损害赔偿纠纷: the given name after 某 is not part of the cause
        if _CAUSE_OK.match(cause):
            return [cause]
        if len(cause) > 20:
            break
    return []

"""Charges inferred from the nearest cases, checked against what the fact text itself says.

The nearest-case vote (kb.components.legal_element_ranker) follows the library: where one charge of a confusable pair
is far more common, its cases are the nearest ones even when the text describes the other. Drugs are the clearest
example. Most drug judgments are for 走私、贩卖、运输、制造毒品罪, so a text that only tells of drugs found on the
suspect (民警在其住处查获甲基苯丙胺24克) gets the trafficking charge from its neighbours. Without an act of selling,
transporting, making or smuggling, holding drugs over the statutory quantity is 非法持有毒品罪 (刑法第三百四十八条).
`refine_inferred_charges` moves the voted share to that charge when the text shows drugs seized and no such act.

Injuries are the second. 故意伤害罪 needs at least 轻伤 (刑法第二百三十四条, assessed by the 人体损伤程度鉴定标准), and a
beating that left only 轻微伤 is often 寻衅滋事 or 妨害公务 instead, yet the nearest cases of any beating are mostly
故意伤害 judgments. `refine_inferred_charges` drops 故意伤害罪 from the inferred charges when the text tells of injuries
assessed as 轻微伤 and of none worse; the other inferred charges keep their shares.

Crimes of office are the third. Taking the property one manages by virtue of one's post is 职务侵占罪 (刑法第二百七十一
条), or 贪污罪 for a state functionary and public property (第三百八十二条), whether it was stolen, cheated or kept: the
use of the post (利用职务上的便利) is what the statute adds to 盗窃 or 诈骗. A text that states that use, yet whose
nearest cases are mostly thefts or frauds, gets the crime of office in their place: the one the vote already holds,
else 贪污罪 when the text tells of a public post or public money (国家工作人员, 国有, 公款, 村委会 …), else 职务侵占罪.

Traffic accidents are the fourth. 交通肇事罪 needs a serious accident: a death, 重伤, or a large loss of property
(刑法第一百三十三条; 最高人民法院《关于审理交通肇事刑事案件具体应用法律若干问题的解释》第二条). Drunk driving caught at a
checkpoint is 危险驾驶罪, yet its nearest cases include many 交通肇事 judgments of drunk drivers. `refine_inferred_charges`
drops 交通肇事罪 when the text tells of no death, no serious injury or disability and no loss at all.

Guns are the fifth, and work like drugs. Holding a gun or ammunition without making, buying or selling, transporting,
mailing or storing it is 非法持有、私藏枪支、弹药罪 (刑法第一百二十八条), not the charge of 第一百二十五条, yet the two
share many neighbours. `refine_inferred_charges` moves the voted share of 非法制造、买卖、运输、邮寄、储存枪支、弹药、爆炸物罪
to the possession charge when the text tells of a gun or ammunition seized or held and of none of those acts. A text
with explosives is left alone: holding explosives has no possession charge of its own.

Contracts are the sixth. 合同诈骗罪 is fraud committed in signing or performing a contract (刑法第二百二十四条); a fraud
with no contract is 诈骗罪 (第二百六十六条). The nearest cases of a fraud that borrowed money or sold a sham service are
often contract frauds, so `refine_inferred_charges` moves the voted share of 合同诈骗罪 to 诈骗罪 when the text tells of
no contract, agreement, order, lease, sale of goods or payment under one.

Bribery is the seventh. 受贿罪 needs a state functionary who takes a bribe by use of the post (刑法第三百八十五条), and
非国家工作人员受贿罪 an employee who does (第一百六十三条). Frauds against public money (骗取征地拆迁补偿款, 骗取农机
补贴) have corruption judgments for their nearest cases, so a text that tells of money cheated is often voted bribery.
`refine_inferred_charges` moves a leading bribery vote's share to 诈骗罪 when the text tells of property cheated (骗取,
骗得, 诈骗) and of no bribe (收受, 索取, 好处, 贿, 回扣, 送给 …) and no post at all (职务, 担任, 工作人员, 主任, 会计 …):
cheating by one who holds a post may be 贪污 or 职务侵占, so such a text is left to the vote.

The act comes last. A charge whose act the text never tells of (kb.elements.charge_acts: a theft told without 窃, 盗,
偷 or any taking; a drunk drive without 驾驶) is dropped, whatever its share: on a library that has no case of the
text's kind, the nearest cases are of another kind of crime, and their charge is not the text's. Last, a text about a
criminal case (被告人, 犯罪嫌疑人, 被害人) gets no civil or administrative cause of action (民间借贷纠纷, 行政强制) from
nearest cases of another line; a civil dispute keeps its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from kb.elements.charge_acts import tells_of_act

__all__ = ["CHECKS", "Check", "refine_inferred_charges", "refine_with_notes"]

# One check: the text and the inferred charges (charge -> share, best first) in, the checked charges out.
Check = Callable[[str, dict[str, float]], dict[str, float]]

TRAFFICKING = "走私、贩卖、运输、制造毒品罪"
POSSESSION = "非法持有毒品罪"
INJURY = "故意伤害罪"
EMBEZZLEMENT = "贪污罪"
EMPLOYEE_EMBEZZLEMENT = "职务侵占罪"
OFFICE_CRIMES = (EMBEZZLEMENT, EMPLOYEE_EMBEZZLEMENT)
# Charges of taking property that lack the use of a post.
TAKING_WITHOUT_OFFICE = ("盗窃罪", "诈骗罪", "侵占罪")
TRAFFIC_ACCIDENT = "交通肇事罪"
GUN_TRADE = "非法制造、买卖、运输、邮寄、储存枪支、弹药、爆炸物罪"
GUN_POSSESSION = "非法持有、私藏枪支、弹药罪"
CONTRACT_FRAUD = "合同诈骗罪"
FRAUD = "诈骗罪"
BRIBERY = ("受贿罪", "非国家工作人员受贿罪")

_DRUG = r"(?:毒品|甲基苯丙胺|海洛因|冰毒|氯胺酮|K粉|麻古|麻果|大麻|可卡因|吗啡|鸦片|摇头丸|白色晶体|白色粉末)"
# An act of trafficking. 贩毒人员 and 卖毒品的人 name the seller someone bought from, not the suspect's act.
_TRAFFICKING_ACT = re.compile(
    r"贩卖(?!毒品的?人)|贩毒(?!人员)|卖给|卖与|出售|售卖|售给|售予|销售|交易|运输|运送|运往|贩运|走私|制造|邮寄|"
    rf"分别给了|交给|提供给|{_DRUG}[^。；]{{0,20}}交付[给于与]|托运|"
    # Moving drugs from place to place is 运输 even when the text does not use the word: carrying them on a journey,
    # driving with them aboard or back, carrying them inside the body.
    r"携带[^。；]{0,30}(?:前往|返回|回到|运回|带回|途经|乘坐|乘车|驾驶|驾车)|"
    rf"(?:驾驶|驾车|乘坐|乘车)[^。；]{{0,30}}(?:携带|载有|藏有|装有|夹带)[^。；]{{0,10}}{_DRUG}|"
    r"(?:驾车|驾驶[^。；]{0,20})(?:返回|运回|带回|驶回)|体内藏毒|藏[于在匿][^。；]{0,6}体内"
)
_SEIZED = re.compile(rf"(?:查获|搜出|搜查出|缴获|起获|查扣|扣押|持有)[^。；;]{{0,30}}{_DRUG}")
# Injuries below the threshold of 故意伤害罪, and anything worse (a text that says 未达轻伤 is left alone too).
_MINOR_INJURY = re.compile(r"轻微伤")
_WORSE_INJURY = re.compile(r"轻伤|重伤|死亡|身亡|致死|伤残|残疾")
# The use of a post (利用职务上的便利); 工作便利, mere access at work, is not it. A use the text denies is not stated.
_OFFICE = re.compile(r"利用[^，。；]{0,15}?职务(?:上)?(?:的)?(?:便利|之便)|职务便利")
_DENIED = re.compile(r"[未没非不无否]")
# What makes an accident a crime; any mention of a loss counts, to stay on the safe side.
_SERIOUS_ACCIDENT = re.compile(r"死|身亡|丧生|遇难|重伤|伤残|残疾|损失")
_GUN_HELD = re.compile(r"(?:查获|搜出|搜查出|缴获|起获|查扣|扣押|持有|藏有|私藏|收缴)[^。；]{0,30}(?:枪|子弹|弹药)")
# An act of 第一百二十五条: making, buying or selling (buying counts), moving, mailing or storing.
_GUN_ACT = re.compile(
    r"制造|制作|组装|改装|改制|加工|买卖|购买|购得|买来|买回|收购|出售|售卖|卖给|卖与|贩卖|运输|运送|邮寄|寄递|快递|储存"
)
_EXPLOSIVE = re.compile(r"炸药|雷管|爆炸物|导火索|导爆索|炸弹")
# What 刑法第二百二十四条 names or implies: a contract or agreement signed or performed, and what passes under one.
_CONTRACT = re.compile(
    r"合同|协议|契约|合约|签订|订立|签约|签署|订单|订购|订货|供货|购销|货款|预付款|定金|订金|担保|抵押|质押|转让|"
    r"租赁|租车|租用|租借|租房|出租|承租|承包|发包|招标|投标|工程"
)
# Property cheated, a bribe, and any post a text may tell of (for the bribery check).
_CHEATED = re.compile(r"骗取|骗得|诈骗")
_BRIBE = re.compile(
    r"收受|索取|索要|好处|贿|感谢费|回扣|红包|礼金|购物卡|辛苦费|介绍费|送给|送予|送与|给予[^。；]{0,10}(?:钱|款|财物)"
)
_POST = re.compile(r"职务|职权|担任|任职|工作人员|干部|公务员|局长|科长|所长|站长|主任|书记|村长|社长|组长|会计|出纳")
_PUBLIC_POST = re.compile(
    r"国家工作人员|国有|公款|公共财物|国家机关|财政|村民委员会|村委会|居民委员会|居委会|村党支部|村支书|村主任|"
    r"村会计|村文书|村干部|村民小组|扶贫|事业单位"
)


def refine_inferred_charges(text: str, inferred: Mapping[str, float]) -> dict[str, float]:
    """The inferred charges (charge -> share of the votes, best first), checked against `text`:
    走私、贩卖、运输、制造毒品罪 becomes 非法持有毒品罪 when the text tells of drugs seized and of no trafficking act,
    故意伤害罪 is dropped when the text tells of 轻微伤 and of no worse injury, and a leading theft or fraud charge
    becomes a crime of office (贪污罪 or 职务侵占罪) when the text tells of the use of a post, 交通肇事罪 is dropped
    when the text tells of no death, serious injury or loss, and the charge of making or trading guns becomes 非法持有、
    私藏枪支、弹药罪 when the text tells of a gun held and of no such act, 合同诈骗罪 becomes 诈骗罪 when the text tells
    of no contract, a leading bribery charge becomes 诈骗罪 when the text tells of property cheated and of no bribe
    and no post, a charge whose act the text never tells of is dropped, and so is a civil or administrative cause of
    action for a text about a criminal case. Otherwise unchanged."""
    return refine_with_notes(text, inferred)[0]


def refine_with_notes(
    text: str, inferred: Mapping[str, float], checks: tuple[tuple[Check, str], ...] | None = None
) -> tuple[dict[str, float], list[str]]:
    """`refine_inferred_charges`, and one note in Chinese for each check that changed the charges: what the text
    says or lacks, and what became of the voted charge (案情未提及合同、协议等，不按合同诈骗罪推断，改按诈骗罪).
    `checks`: the (check, reason) pairs to run, in order; `CHECKS` (the product's) by default. An evaluation passes a
    part of it to measure one check against the others."""
    checked = dict(inferred)
    notes: list[str] = []
    for check, reason in CHECKS if checks is None else checks:
        after = check(text, checked)
        if after != checked:
            notes.append(_note(reason, checked, after))
        checked = after
    return checked, notes


def _note(reason: str, before: Mapping[str, float], after: Mapping[str, float]) -> str:
    """The reason, then which voted charges the check took out and which it brought in."""
    gone = [charge for charge in before if charge not in after]
    new = [charge for charge in after if charge not in before]
    note = f"{reason}，不按{'、'.join(gone)}推断" if gone else reason
    return f"{note}，改按{'、'.join(new)}" if new else note


def _renamed(inferred: Mapping[str, float], old: tuple[str, ...], new: str) -> dict[str, float]:
    """The inferred charges with each of `old` replaced by `new`, which keeps the largest share; best first."""
    refined: dict[str, float] = {}
    for charge, share in inferred.items():
        name = new if charge in old else charge
        refined[name] = max(refined.get(name, 0.0), share)
    return dict(sorted(refined.items(), key=lambda kv: -kv[1]))


def _kept(inferred: Mapping[str, float], keep: Callable[[str], bool]) -> dict[str, float]:
    """The inferred charges `keep` accepts, with their shares, in their order."""
    return {name: share for name, share in inferred.items() if keep(name)}


def _dropped(inferred: dict[str, float], charge: str) -> dict[str, float]:
    """The inferred charges without `charge`; the others keep their shares."""
    return _kept(inferred, lambda name: name != charge)


def _possession_without_trafficking(text: str, inferred: Mapping[str, float]) -> dict[str, float]:
    if TRAFFICKING not in inferred or _TRAFFICKING_ACT.search(text) or not _SEIZED.search(text):
        return dict(inferred)
    return _renamed(inferred, (TRAFFICKING,), POSSESSION)


def _without_harm_below_threshold(text: str, inferred: dict[str, float]) -> dict[str, float]:
    if INJURY not in inferred or not _MINOR_INJURY.search(text) or _WORSE_INJURY.search(text):
        return inferred
    return _dropped(inferred, INJURY)


def _without_accident_below_threshold(text: str, inferred: dict[str, float]) -> dict[str, float]:
    if TRAFFIC_ACCIDENT not in inferred or _SERIOUS_ACCIDENT.search(text):
        return inferred
    return _dropped(inferred, TRAFFIC_ACCIDENT)


def _stated(pattern: re.Pattern[str], text: str, window: int = 3) -> bool:
    """Whether the text tells of a match of `pattern` that none of the `window` characters before it denies."""
    return any(not _DENIED.search(text[max(0, m.start() - window) : m.start()]) for m in pattern.finditer(text))


def _states_use_of_office(text: str) -> bool:
    return _stated(_OFFICE, text)


def _crime_of_office(text: str, inferred: dict[str, float]) -> dict[str, float]:
    """A leading theft or fraud charge, when the text states the use of a post, gives its place (and every theft or
    fraud charge its share) to a crime of office."""
    if next(iter(inferred), "") not in TAKING_WITHOUT_OFFICE or not _states_use_of_office(text):
        return inferred
    return _renamed(inferred, TAKING_WITHOUT_OFFICE, _office_crime_for(text, inferred))


def _office_crime_for(text: str, inferred: Mapping[str, float]) -> str:
    """The crime of office the vote holds (the best voted), else 贪污罪 for a public post or public money, else
    职务侵占罪."""
    voted = [charge for charge in inferred if charge in OFFICE_CRIMES]
    if voted:
        return voted[0]
    return EMBEZZLEMENT if _PUBLIC_POST.search(text) else EMPLOYEE_EMBEZZLEMENT


def _gun_possession_without_trade(text: str, inferred: dict[str, float]) -> dict[str, float]:
    if GUN_TRADE not in inferred or not _GUN_HELD.search(text) or _GUN_ACT.search(text) or _EXPLOSIVE.search(text):
        return inferred
    return _renamed(inferred, (GUN_TRADE,), GUN_POSSESSION)


def _fraud_without_contract(text: str, inferred: dict[str, float]) -> dict[str, float]:
    if CONTRACT_FRAUD not in inferred or _CONTRACT.search(text):
        return inferred
    return _renamed(inferred, (CONTRACT_FRAUD,), FRAUD)


def _fraud_without_bribe(text: str, inferred: dict[str, float]) -> dict[str, float]:
    """A leading bribery charge, for a text that tells of property cheated and of neither a bribe nor a post, gives its
    place (and every bribery charge its share) to 诈骗罪."""
    if next(iter(inferred), "") not in BRIBERY or not _CHEATED.search(text):
        return inferred
    if _BRIBE.search(text) or _POST.search(text):
        return inferred
    return _renamed(inferred, BRIBERY, FRAUD)


def _without_act(text: str, inferred: dict[str, float]) -> dict[str, float]:
    """Every inferred charge whose act the text never tells of (kb.elements.charge_acts) is dropped; the others keep
    their shares."""
    return _kept(inferred, lambda charge: tells_of_act(text, charge))


# The roles only a criminal case has (a civil case has 原告 and 被告, never 被告人).
_CRIMINAL_ROLE = re.compile(r"被告人|犯罪嫌疑人|被不起诉人|被害人")


def _no_cause_for_a_criminal_text(text: str, inferred: dict[str, float]) -> dict[str, float]:
    """A text about a criminal case (被告人, 犯罪嫌疑人, 被害人) gets no civil or administrative cause of action
    (民间借贷纠纷, 行政强制 …) from nearest cases of another line; its charges keep their shares."""
    if not _CRIMINAL_ROLE.search(text):
        return inferred
    return _kept(inferred, lambda charge: charge.endswith("罪"))


# The checks in the order they run, each with what the text says or lacks (the start of its note).
CHECKS: tuple[tuple[Check, str], ...] = (
    (_possession_without_trafficking, "案情只述查获毒品，未述贩卖、运输、制造等行为"),
    (_without_harm_below_threshold, "案情所述伤情为轻微伤，未达轻伤"),
    (_crime_of_office, "案情写明利用职务上的便利"),
    (_without_accident_below_threshold, "案情未述死亡、重伤或财产损失"),
    (_gun_possession_without_trade, "案情只述持有枪支弹药，未述制造、买卖、运输、邮寄、储存等行为"),
    (_fraud_without_contract, "案情未提及合同、协议、订单、租赁等"),
    (_fraud_without_bribe, "案情述及骗取财物，未述收受贿赂，也未述任何职务"),
    (_without_act, "案情未述及相应的犯罪行为"),
    (_no_cause_for_a_criminal_text, "案情所述为刑事案件"),
)

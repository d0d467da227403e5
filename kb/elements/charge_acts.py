"""What a fact text must tell of before a charge may be inferred for it: each common charge's act, in words.

The nearest-case vote (kb.components.legal_element_ranker) names the charge of the cases nearest to a pasted text,
whatever they are. On a library with no case of the text's kind it still names one: pasted into the demo corpus
(no gun, homicide, drug or smuggling case), 286 of 292 real judgments of a kind it lacks were inferred a charge of
another kind (a gun bought and hidden at home → 盗窃罪, 57 % of the votes). How close the nearest cases are does not
tell these apart: neither the share of the text's words their facts hold nor the dense similarity does
(bench-results/eval/small-library/coverage_guard_*.txt). The text does: a theft is told with 窃取, 偷 or 盗, a drunk
drive with 驾驶, a fund-raising with 吸收 or 投资. A charge whose act the text never tells of is not inferred for it.

Each pattern is broad on purpose: it tests that the text is about that kind of act at all, not that the act meets
the charge. Where a broad pattern let a whole family of texts through on the demo corpus (any vehicle for 危险驾驶罪,
any loan for 非法吸收公众存款罪, any sale for 生产、销售有毒、有害食品罪, any employee for 职务侵占罪), it names what the
statute names instead, and was kept only where the library's own texts of the charge still tell of it. A charge not
in the table is never dropped. Written from the statutory definitions (刑法分则) and the way judgments tell the facts;
measured on the library's own judgments and on the demo corpus (bench-results/eval/small-library/acts.txt,
docs/evaluation.md "The act check").
"""

from __future__ import annotations

import re
from functools import cache

_DRUG = (
    r"毒|甲基苯丙胺|海洛因|冰毒|氯胺酮|K粉|麻古|麻果|大麻|可卡因|吗啡|鸦片|罂粟|摇头丸|曲马多|甲卡西酮|芬太尼|"
    r"美沙酮|咖啡因|可待因|三唑仑|羟丁酸|白色晶体|白色粉末|晶体|粉末"
)
_TAKING = r"窃|盗|偷|扒|拿走|取走|拎走|搬走|带走|顺走|拆卸|剪断|撬|溜门|翻窗|翻墙"
_DECEIT = (
    r"骗|虚构|冒充|谎称|假称|假冒|伪造|隐瞒|虚假|虚报|以[^。；]{0,20}为由|假装|许诺|承诺|"
    r"逃匿|潜逃|携款|卷款|挥霍|非法占有"
)
_VIOLENCE = r"打|殴|踢|踹|砍|刺|捅|扎|划|击|砸|咬|推|撞|掐|勒|摔|伤|持刀|拳|棍|棒|斧|铁锹|锄"
_FUNDS = r"吸收|存款|集资|投资|融资|借款|借贷|利息|高息|回报|返利|分红|理财|入股|募集|筹集|放贷"
_POST = (
    r"职务|职权|利用[^。；]{0,20}便利|担任|负责|主管|管理|经手|工作人员|员工|职员|会计|出纳|经理|主任|局长|科长|所长"
)
_GUN = r"枪|弹|火药|炸药|雷管|爆炸物"
_BRIBE_TAKEN = r"收受|索取|索要|收取|收下|接受|得到|获得|贿|好处|感谢费|红包|礼金|回扣|财物|钱|款|卡|送|人民币"
_DRIVING = r"驾驶|驾车|开车|行驶|驶|机动车|车辆|摩托|轿车|货车"
_TAKING_BY_POST = (
    r"骗取|窃取|私自|挪|盗|偷|拿走|取走|未上交|未交|未入账|不入账|收取|收款|货款|个人|挥霍|转入|转至|提现|取现"
)


def _all_of(*alternatives: str) -> str:
    """A pattern that matches a text using a word of each alternative, anywhere and in any order (one lookahead each,
    from the start of the text), for an act told in two parts."""
    return "^" + "".join(rf"(?=[\s\S]*(?:{words}))" for words in alternatives)


# Charge -> the words of its act, one of which the text must use.
ACTS: dict[str, str] = {
    "走私、贩卖、运输、制造毒品罪": _DRUG,
    "非法持有毒品罪": _DRUG,
    "容留他人吸毒罪": _DRUG + r"|吸食|注射",
    "非法种植毒品原植物罪": _DRUG + r"|种植",
    "盗窃罪": _TAKING,
    "抢劫罪": r"抢|劫|夺|持刀|威胁|胁迫|暴力|捆绑|控制|逼|强行|强迫|索要|殴打",
    "抢夺罪": r"抢|夺|拽|扯|拉",
    "诈骗罪": _DECEIT,
    "合同诈骗罪": _DECEIT + r"|合同|协议",
    "信用卡诈骗罪": r"信用卡|银行卡|透支|卡",
    "贷款诈骗罪": r"贷款|借款|骗",
    "集资诈骗罪": _FUNDS + r"|骗",
    # taking deposits from the public (刑法第一百七十六条): the public, or the promise of returns, not any loan
    "非法吸收公众存款罪": r"吸收|存款|集资|公众|不特定|群众|村民|高息|高额|回报|返利|返息|理财|融资|募集|筹集",
    "组织、领导传销活动罪": r"传销|会员|下线|上线|层级|发展|入会|拉人|返利|奖金|级别",
    "故意伤害罪": _VIOLENCE,
    "故意杀人罪": r"杀|死|亡|致命|" + _VIOLENCE + r"|毒|溺|窒息|放火|点燃",
    "寻衅滋事罪": _VIOLENCE + r"|辱骂|追逐|拦截|拦堵|强拿|强要|索要|毁|损坏|恐吓|起哄|滋事|闹|占用",
    "聚众斗殴罪": r"斗殴|殴|打|砍|纠集|召集|持刀|棍|械",
    "故意毁坏财物罪": r"毁|砸|损坏|损毁|烧|划|泼|刺破|扎破|破坏|拆|推倒|拔",
    "强奸罪": r"奸|性关系|性行为|发生关系|性侵|猥亵|强行|脱|未满十四周岁|未满14周岁|幼女",
    "猥亵儿童罪": r"猥亵|抚摸|摸|亲吻|脱|隐私部位|阴部|胸部|性",
    "强制猥亵、侮辱罪": r"猥亵|侮辱|抚摸|摸|亲吻|脱|隐私部位|阴部|胸部|性",
    "非法拘禁罪": r"拘禁|关押|看管|扣押|限制[^。；]{0,10}自由|控制|捆绑|锁|不让[^。；]{0,6}离开|软禁",
    "绑架罪": r"绑架|劫持|捆绑|扣押|控制|赎金|勒索",
    "敲诈勒索罪": r"敲诈|勒索|要挟|威胁|胁迫|曝光|索要|恐吓|举报|索取",
    "交通肇事罪": _DRIVING + r"|交通|事故|肇事",
    # not any drive: one of the four the statute names (刑法第一百三十三条之一), drunk, racing, overloaded or speeding
    # with passengers, dangerous chemicals (a text with a car in it is not thereby a 危险驾驶)
    "危险驾驶罪": r"酒|醉|乙醇|追逐|竞驶|飙车|超员|超载|超速|危险化学品|危化品|剧毒|校车",
    "非法持有、私藏枪支、弹药罪": _GUN,
    "非法制造、买卖、运输、邮寄、储存枪支、弹药、爆炸物罪": _GUN,
    "非法买卖、运输、携带、持有毒品原植物种子、幼苗罪": _DRUG + r"|种子|幼苗",
    "受贿罪": _BRIBE_TAKEN,
    "非国家工作人员受贿罪": _BRIBE_TAKEN,
    "行贿罪": r"行贿|贿|送|给予|好处|感谢|红包|礼金|钱|款|卡",
    "贪污罪": r"侵吞|套取|骗取|截留|占为己有|据为己有|非法占有|私分|冒领|虚报|侵占|窃取|盗取|挪|公款|贪|" + _POST,
    # a taking told as such, or a post (员工, 会计, 负责 …) together with a taking: an employee in the story who takes
    # nothing is not the act (刑法第二百七十一条)
    "职务侵占罪": r"侵占|侵吞|占为己有|据为己有|非法占有|截留|套取|" + _all_of(_POST, _TAKING_BY_POST),
    "挪用资金罪": r"挪用|挪|借给|借用|转入|转至|转到|归还|" + _POST,
    "挪用公款罪": r"挪用|挪|借给|借用|转入|转至|转到|归还|公款|" + _POST,
    "玩忽职守罪": _POST + r"|职责|监管|审核|审批|履行|失职|疏忽",
    "滥用职权罪": _POST + r"|职责|监管|审核|审批|违规|违反",
    "开设赌场罪": r"赌|博彩|彩票|六合彩|百家乐|牛牛|押注|下注|筹码|抽头|抽水|老虎机|捕鱼机|游戏机",
    "赌博罪": r"赌|博彩|彩票|六合彩|百家乐|牛牛|押注|下注|筹码|抽头|抽水|老虎机|捕鱼机|游戏机",
    "非法经营罪": r"经营|销售|出售|售卖|买卖|收购|许可|烟草|卷烟|香烟|支付|套现|POS|彩票|出版|印刷|食盐|成品油|"
    r"柴油|汽油|药品|兽药|饲料|外汇|汇兑|换汇",
    "掩饰、隐瞒犯罪所得、犯罪所得收益罪": r"赃|收购|转移|销售|出售|窝藏|掩饰|隐瞒|取现|取款|转账|明知|来路|代为|"
    r"帮助|银行卡|账户",
    "帮助信息网络犯罪活动罪": r"银行卡|信息网络|网络|账户|账号|支付|结算|手机卡|电话卡|U盾|u盾|网银|收款码|二维码|"
    r"服务器|推广|技术支持|跑分|卡|通讯|APP|app|软件|平台",
    "侵犯公民个人信息罪": r"个人信息|公民信息|信息|身份证|手机号|电话号码|住址|轨迹|查询|数据",
    "拒不执行判决、裁定罪": r"判决|裁定|执行|调解书|调解|法院",
    "妨害公务罪": r"民警|警察|执法|公务|工作人员|城管|职务|阻碍|阻挠|阻拦|袭|辅警|公安",
    "袭警罪": r"民警|警察|执法|公务|辅警|公安|袭|阻碍",
    "生产、销售伪劣产品罪": r"伪劣|假冒|不合格|以假充真|以次充好|掺杂|掺假|销售|生产|产品",
    # food with a poisonous or harmful non-food substance in it (刑法第一百四十四条), not any sale or medicine
    "生产、销售有毒、有害食品罪": r"食品|食用|添加|掺入|掺杂|有毒|有害|罂粟|非食品原料|农药|瘦肉精|克伦特罗|地沟油|西地那非|他达拉非",
    "生产、销售不符合安全标准的食品罪": r"食品|食用|肉|病死|检疫|超标|不符合|销售",
    "生产、销售假药罪": r"药|销售|生产",
    "生产、销售、提供假药罪": r"药|销售|生产",
    "污染环境罪": r"污染|排放|倾倒|处置|废|危险废物|重金属|超标|渗坑|偷排|填埋|焚烧|污水|废水|废液|污泥|垃圾",
    "非法捕捞水产品罪": r"捕捞|禁渔|渔|电鱼|电捕|网具|水产|鱼|虾|蟹",
    "滥伐林木罪": r"林|木|树|采伐|砍伐|伐",
    "盗伐林木罪": r"林|木|树|采伐|砍伐|伐|盗",
    "非法占用农用地罪": r"农用地|耕地|林地|草地|草原|占用|土地|毁坏|改变[^。；]{0,10}用途|建设|修建|开垦|开挖|采石|采砂",
    "非法采矿罪": r"采矿|矿|开采|采砂|河砂|砂石|挖|采石|盗采",
    "组织卖淫罪": r"卖淫|嫖娼|嫖客|色情|性服务|性交易|按摩|足浴|招募[^。；]{0,10}女",
    "引诱、容留、介绍卖淫罪": r"卖淫|嫖娼|嫖客|色情|性服务|性交易|按摩|足浴",
    "强迫卖淫罪": r"卖淫|嫖娼|嫖客|色情|性服务|性交易|强迫|逼迫",
    "放火罪": r"火|燃|烧|汽油|柴油|点",
    "走私普通货物、物品罪": r"走私|海关|入境|出境|偷运|关税|报关|绕关|偷逃|境外|通关|边境",
    "虚开增值税专用发票、用于骗取出口退税、抵扣税款发票罪": r"发票|虚开|开具|税",
    "虚开发票罪": r"发票|虚开|开具|税",
    "骗取贷款、票据承兑、金融票证罪": r"贷款|借款|票据|承兑|信用证|保函|骗|虚假|银行",
    "伪造公司、企业、事业单位、人民团体印章罪": r"印章|公章|伪造|私刻|刻制|章",
    "伪造、变造、买卖国家机关公文、证件、印章罪": r"公文|证件|印章|公章|伪造|变造|私刻|刻制|证|章",
    "串通投标罪": r"投标|招标|串通|围标|陪标|标",
    "强迫交易罪": r"强迫|强行|威胁|胁迫|殴打|逼|强买|强卖|交易|垄断",
    "组织、领导、参加黑社会性质组织罪": r"组织|团伙|纠集|势力|称霸|欺压|控制|垄断|寻衅|殴打|敲诈|开设赌场",
    "非法侵入住宅罪": r"住宅|住所|住处|家中|房屋|闯入|进入|侵入|撬|翻墙|翻窗",
    "拐卖妇女、儿童罪": r"拐|卖|收买|出卖|贩卖|婴|儿童|妇女",
    "非法获取计算机信息系统数据、非法控制计算机信息系统罪": r"计算机|系统|数据|服务器|网站|软件|程序|控制|入侵|账号|密码",
    "虚假诉讼罪": r"诉讼|起诉|捏造|虚假|仲裁|法院|调解",
    "重大责任事故罪": r"事故|作业|施工|生产|安全|死亡|受伤",
    "失火罪": r"火|燃|烧|烟|点",
    "过失致人死亡罪": r"死|亡|身亡|" + _VIOLENCE + r"|落水|摔|坠|跌",
}


@cache
def act_pattern(charge: str) -> re.Pattern[str] | None:
    """The compiled act words of `charge`, or None for a charge the table does not know."""
    words = ACTS.get(charge)
    return re.compile(words) if words else None


def tells_of_act(text: str, charge: str) -> bool:
    """Whether `text` uses one of the words of `charge`'s act; True for a charge the table does not know."""
    pattern = act_pattern(charge)
    return pattern is None or pattern.search(text) is not None

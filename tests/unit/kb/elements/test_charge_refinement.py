"""Inferred charges checked against the fact text (kb.elements.charge_refinement), and the note each check gives."""

from __future__ import annotations

import pytest

from kb.elements.charge_acts import tells_of_act
from kb.elements.charge_refinement import POSSESSION, TRAFFICKING, refine_inferred_charges, refine_with_notes

# A charge whose act the text never tells of (kb.elements.charge_acts): illustrative texts (示例), written for these
# tests. On a library with no gun case, the nearest cases of a gun bought and hidden at home are thefts.
GUN_BOUGHT = "被告人甲通过网络以三千元购得仿制手枪一支及子弹十发，藏于租住房屋的衣柜内，后被民警查获。"
# A criminal case's text, and a civil one: only the criminal one loses a civil cause of action its neighbours voted.
LOAN_FRAUD = "被告人甲谎称投资项目急需资金，向被害人乙借款人民币二十万元，到期后拒不归还并更换手机号码逃匿。"
LOAN_DISPUTE = "原告乙诉称，被告甲于某年向其借款人民币二十万元，约定一年后归还，到期后经多次催要，被告至今未还。"

VOTED = {TRAFFICKING: 0.9, "容留他人吸毒罪": 0.4}

# Illustrative fact texts (示例), written for these tests.
SEIZED = "民警在某快餐店门口抓获被告人甲，当场从其电动自行车内查获白色晶体1袋，经鉴定净重24克，检出甲基苯丙胺成分。"
BOUGHT = "被告人乙通过朋友联系上贩毒人员丙，向其购买甲基苯丙胺30克，后民警在其住处搜查出上述毒品。"


@pytest.mark.parametrize("text", [SEIZED, BOUGHT])
def test_drugs_seized_without_a_trafficking_act_are_possession(text: str) -> None:
    refined = refine_inferred_charges(text, VOTED)
    assert refined == {POSSESSION: 0.9, "容留他人吸毒罪": 0.4}
    assert list(refined) == [POSSESSION, "容留他人吸毒罪"]  # best first, as the vote was


@pytest.mark.parametrize(
    "text",
    [
        SEIZED + "此前，被告人甲曾以每克300元的价格将甲基苯丙胺卖给丁。",  # a sale
        "被告人戊驾车将海洛因2千克从A市运往B市，途中被民警查获。",  # transport
        "被告人己在出租屋内制造甲基苯丙胺，民警当场缴获成品5千克。",  # making
        "被告人庚在其住处容留他人吸食毒品。",  # nothing seized
        # acts of selling or moving drugs told without those words
        "被告人甲将装有甲基苯丙胺的音箱通过长途客车托运给乙，民警在客运站从该音箱内查获甲基苯丙胺2千克。",  # consignment
        "被告人甲欲将该袋冰毒交付给乙时被民警抓获，当场查获冰毒一袋。",  # handing over
        "被告人甲携带毒品乘坐大巴从A县前往B市，在检查站被查获海洛因500克。",  # carrying on a journey
        "被告人甲在A市接取毒品后驾车返回B市，途中被民警拦截，当场查获甲基苯丙胺1千克。",  # driving back
        "被告人甲体内藏毒乘坐航班入境，民警从其体内起获海洛因胶囊60粒。",  # inside the body
    ],
)
def test_a_trafficking_act_or_no_seizure_leaves_the_vote_alone(text: str) -> None:
    assert refine_inferred_charges(text, VOTED) == VOTED


def test_a_buyer_who_hands_over_money_is_still_possession() -> None:
    text = "被告人乙将购毒款交付给丙，从丙处购得甲基苯丙胺30克，后民警在其住处搜查出上述毒品。"
    assert next(iter(refine_inferred_charges(text, VOTED))) == POSSESSION


def test_votes_without_the_trafficking_charge_are_unchanged() -> None:
    voted = {"容留他人吸毒罪": 0.7}
    assert refine_inferred_charges(SEIZED, voted) == voted
    assert refine_inferred_charges(SEIZED, {}) == {}


def test_a_possession_share_already_voted_keeps_the_larger_share() -> None:
    refined = refine_inferred_charges(SEIZED, {TRAFFICKING: 0.8, POSSESSION: 0.35})
    assert refined == {POSSESSION: 0.8}


# 故意伤害罪 needs at least 轻伤: illustrative texts (示例), written for these tests.
BEATEN = {"故意伤害罪": 0.7, "寻衅滋事罪": 0.4}
MINOR_ONLY = "被告人甲酒后在烧烤摊无故殴打邻桌乙，致乙面部受伤。经鉴定，乙的损伤程度为轻微伤。"


def test_harm_assessed_below_the_threshold_drops_intentional_injury() -> None:
    assert refine_inferred_charges(MINOR_ONLY, BEATEN) == {"寻衅滋事罪": 0.4}
    assert (
        refine_inferred_charges(MINOR_ONLY, {"故意伤害罪": 1.0}) == {}
    )  # nothing inferred rather than a crime ruled out


@pytest.mark.parametrize(
    "text",
    [
        "被告人甲持刀将乙捅伤。经鉴定，乙的损伤程度为轻伤二级。",  # 轻伤: the threshold is met
        "被告人甲殴打乙、丙二人，经鉴定，乙为重伤二级，丙为轻微伤。",  # one victim worse than 轻微伤
        "被告人甲殴打乙，致乙轻微伤，未达轻伤标准。",  # a negation is left alone too (conservative)
        "被告人甲因琐事与乙发生争执，将乙打伤。",  # no assessment stated
    ],
)
def test_harm_at_or_above_the_threshold_or_unassessed_is_left_alone(text: str) -> None:
    assert refine_inferred_charges(text, BEATEN) == BEATEN


def test_the_injury_check_leaves_other_votes_alone() -> None:
    voted = {"寻衅滋事罪": 0.8, "聚众斗殴罪": 0.35}
    assert refine_inferred_charges(MINOR_ONLY, voted) == voted


# Crimes of office: illustrative texts (示例), written for these tests.
CASHIER = "被告人甲在担任某贸易公司出纳期间，利用职务上的便利，多次从公司账户转出货款共计人民币12万元，用于个人消费。"
VILLAGE = "被告人乙在担任某村村委会主任期间，利用职务之便，虚报征地补偿款，套取人民币8万元据为己有。"


def test_a_theft_or_fraud_told_with_the_use_of_a_post_becomes_a_crime_of_office() -> None:
    assert refine_inferred_charges(CASHIER, {"盗窃罪": 0.8, "诈骗罪": 0.4}) == {"职务侵占罪": 0.8}
    assert refine_inferred_charges(VILLAGE, {"诈骗罪": 0.7, "受贿罪": 0.35}) == {"贪污罪": 0.7, "受贿罪": 0.35}


def test_the_crime_of_office_the_vote_holds_is_kept() -> None:
    # no public post in the text, but the neighbours already vote 贪污罪: their choice stands
    assert refine_inferred_charges(CASHIER, {"盗窃罪": 0.6, "贪污罪": 0.45}) == {"贪污罪": 0.6}


@pytest.mark.parametrize(
    ("text", "voted"),
    [
        # 工作便利, access at work, is not the use of a post: theft stays theft
        ("被告人甲利用在某仓库做搬运工的工作便利，多次窃取仓库内的铜线，价值人民币2万元。", {"盗窃罪": 0.9}),
        # a use of office the text denies
        ("被告人甲并未利用职务上的便利，而是趁同事不备窃取其手机一部。", {"盗窃罪": 0.9}),
        # a bribery vote is left to the vote (a text's bribe is told in too many ways to check for its absence)
        ("被告人乙在担任某镇财政所会计期间，利用职务上的便利，侵吞公款人民币30万元。", {"受贿罪": 0.9, "贪污罪": 0.4}),
        # the use of a post with a leading charge outside these kinds
        ("被告人丙利用职务上的便利，违规为不符合条件的企业办理贷款，造成损失300万元。", {"违法发放贷款罪": 0.8}),
        # theft leading, the post not stated
        ("被告人丁夜间翻墙进入某公司仓库，窃取电缆价值人民币3万元。", {"盗窃罪": 0.9}),
    ],
)
def test_votes_without_a_missing_element_are_left_alone(text: str, voted: dict[str, float]) -> None:
    assert refine_inferred_charges(text, voted) == voted


# 交通肇事罪 needs a serious accident: illustrative texts (示例), written for these tests.
DRIVEN = {"交通肇事罪": 0.6, "危险驾驶罪": 0.5}


def test_drink_driving_without_an_accident_is_not_a_traffic_accident_crime() -> None:
    checkpoint = "被告人甲酒后驾驶小型轿车行至某路口时被执勤民警查获，经检验其血液中乙醇含量为160mg/100ml。"
    assert refine_inferred_charges(checkpoint, DRIVEN) == {"危险驾驶罪": 0.5}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("被告人甲驾驶货车与行人乙相撞，致乙当场死亡，甲负事故全部责任。", {"交通肇事罪": 0.6}),  # a death
        ("被告人甲醉酒驾车撞伤行人乙，经鉴定乙的损伤程度为重伤二级。", DRIVEN),  # 重伤, and drunk
        ("被告人甲驾车撞坏路边商铺，造成财产损失人民币40万元，无能力赔偿。", {"交通肇事罪": 0.6}),  # a loss
    ],
)
def test_a_serious_accident_leaves_the_traffic_accident_crime(text: str, kept: dict[str, float]) -> None:
    """危险驾驶罪 goes with it only when the drive is one of the statute's four (here: drunk)."""
    assert refine_inferred_charges(text, DRIVEN) == kept


# Guns: illustrative texts (示例), written for these tests.
GUNS = {"非法制造、买卖、运输、邮寄、储存枪支、弹药、爆炸物罪": 0.7, "非法持有、私藏枪支、弹药罪": 0.5}


def test_a_gun_held_without_making_or_trading_it_is_possession() -> None:
    held = "民警在被告人甲的住处搜查时，从其卧室衣柜内查获气枪一支，经鉴定系以压缩气体为动力发射弹丸的枪支。"
    assert refine_inferred_charges(held, GUNS) == {"非法持有、私藏枪支、弹药罪": 0.7}


@pytest.mark.parametrize(
    "text",
    [
        "被告人甲在出租屋内用钢管组装气枪三支，民警当场查获。",  # making
        "被告人甲通过网络购买气枪一支，后民警在其家中查获该枪。",  # buying counts as trading
        "被告人甲将两支仿真枪通过快递寄给乙，民警在快递点查获。",  # mailing
        "民警在被告人甲的仓库内查获雷管200枚和猎枪一支。",  # explosives: no possession charge of their own
        "被告人甲酒后持枪闯入乙家中。",  # a gun neither seized nor held as such
    ],
)
def test_a_trading_act_explosives_or_no_gun_leave_the_gun_vote_alone(text: str) -> None:
    assert refine_inferred_charges(text, GUNS) == GUNS


# 合同诈骗罪 needs a contract: illustrative texts (示例), written for these tests.
CONTRACT_VOTED = {"合同诈骗罪": 0.6, "诈骗罪": 0.5}


@pytest.mark.parametrize(
    "text",
    [
        "被告人甲谎称其经营的工厂需要资金周转，以支付高额利息为诱饵，先后向乙借款人民币30万元，用于赌博挥霍。",
        "被告人甲冒充某医院医生，谎称可以帮助乙的亲属安排住院手术，骗取乙人民币2万元。",
    ],
)
def test_a_fraud_with_no_contract_is_not_contract_fraud(text: str) -> None:
    assert refine_inferred_charges(text, CONTRACT_VOTED) == {"诈骗罪": 0.6}


@pytest.mark.parametrize(
    "text",
    [
        "被告人甲以某公司名义与乙签订钢材购销合同，收取预付款人民币50万元后逃匿。",  # a contract signed
        "被告人甲以租车使用为由，骗取某汽车租赁公司轿车一辆，后将该车质押给他人。",  # a car rental
        "被告人甲虚构工程项目，与乙约定由乙垫资施工，收取保证金人民币20万元。",  # a construction project
    ],
)
def test_a_contract_leaves_the_contract_fraud_vote_alone(text: str) -> None:
    assert refine_inferred_charges(text, CONTRACT_VOTED) == CONTRACT_VOTED


def test_the_contract_check_leaves_other_votes_alone() -> None:
    voted = {"集资诈骗罪": 0.7, "非法吸收公众存款罪": 0.5}
    assert refine_inferred_charges("被告人甲以高息为诱饵向社会公众募集资金人民币500万元。", voted) == voted


# Bribery needs a bribe and a post: illustrative texts (示例), written for these tests.
BRIBERY_VOTED = {"受贿罪": 0.8, "介绍贿赂罪": 0.4}


def test_money_cheated_with_no_bribe_and_no_post_is_fraud() -> None:
    cheated = "被告人甲得知某村土地将被征收，在其承包地上搭建虚假养殖棚舍，骗取征地补偿款人民币12万元。"
    assert refine_inferred_charges(cheated, BRIBERY_VOTED) == {"诈骗罪": 0.8, "介绍贿赂罪": 0.4}


@pytest.mark.parametrize(
    ("text", "voted"),
    [
        # a bribe received
        ("被告人甲为乙骗取征地补偿款提供帮助，收受乙所送人民币5万元。", BRIBERY_VOTED),
        # a post: cheating by one who holds it may be 贪污, left to the vote
        ("被告人甲在担任某镇拆迁办工作人员期间，虚列拆迁户，骗取补偿款人民币30万元。", BRIBERY_VOTED),
        # nothing cheated
        ("被告人甲为他人承揽工程提供帮助，事后得到人民币10万元。", BRIBERY_VOTED),
        # bribery not leading
        ("被告人甲骗取征地补偿款人民币12万元。", {"诈骗罪": 0.7, "受贿罪": 0.4}),
    ],
)
def test_a_bribe_a_post_or_nothing_cheated_leaves_the_bribery_vote_alone(text: str, voted: dict[str, float]) -> None:
    assert refine_inferred_charges(text, voted) == voted


# Each check's note: what the text says or lacks, what became of the voted charge (illustrative texts, 示例).
@pytest.mark.parametrize(
    ("text", "voted", "note"),
    [
        (
            SEIZED,
            VOTED,
            "案情只述查获毒品，未述贩卖、运输、制造等行为，不按走私、贩卖、运输、制造毒品罪推断，改按非法持有毒品罪",
        ),
        (MINOR_ONLY, BEATEN, "案情所述伤情为轻微伤，未达轻伤，不按故意伤害罪推断"),
        (CASHIER, {"盗窃罪": 0.9}, "案情写明利用职务上的便利，不按盗窃罪推断，改按职务侵占罪"),
        ("被告人甲酒后驾驶小型轿车被执勤民警查获。", DRIVEN, "案情未述死亡、重伤或财产损失，不按交通肇事罪推断"),
        (
            "民警在被告人甲的住处查获气枪一支。",
            GUNS,
            "案情只述持有枪支弹药，未述制造、买卖、运输、邮寄、储存等行为，"
            "不按非法制造、买卖、运输、邮寄、储存枪支、弹药、爆炸物罪推断",
        ),
        (
            "被告人甲冒充医生骗取乙人民币2万元。",
            {"合同诈骗罪": 0.6},
            "案情未提及合同、协议、订单、租赁等，不按合同诈骗罪推断，改按诈骗罪",
        ),
        (
            "被告人甲搭建虚假棚舍骗取征地补偿款人民币12万元。",
            {"受贿罪": 0.8},
            "案情述及骗取财物，未述收受贿赂，也未述任何职务，不按受贿罪推断，改按诈骗罪",
        ),
        (GUN_BOUGHT, {"盗窃罪": 0.57}, "案情未述及相应的犯罪行为，不按盗窃罪推断"),
        (LOAN_FRAUD, {"民间借贷纠纷": 0.5, "诈骗罪": 0.4}, "案情所述为刑事案件，不按民间借贷纠纷推断"),
    ],
)
def test_each_check_that_changes_the_vote_says_why(text: str, voted: dict[str, float], note: str) -> None:
    refined, notes = refine_with_notes(text, voted)
    assert refined == refine_inferred_charges(text, voted) != voted
    assert notes == [note]


def test_no_note_when_no_check_changes_the_vote() -> None:
    assert refine_with_notes("被告人丁夜间翻墙进入某公司仓库，窃取电缆价值人民币3万元。", {"盗窃罪": 0.9}) == (
        {"盗窃罪": 0.9},
        [],
    )


def test_a_charge_whose_act_the_text_never_tells_of_is_not_inferred() -> None:
    assert refine_inferred_charges(GUN_BOUGHT, {"盗窃罪": 0.57}) == {}
    # only that charge goes; the others keep their shares
    voted = {"盗窃罪": 0.5, "非法持有、私藏枪支、弹药罪": 0.4}
    assert refine_inferred_charges(GUN_BOUGHT, voted) == {"非法持有、私藏枪支、弹药罪": 0.4}


@pytest.mark.parametrize(
    ("text", "charge"),
    [
        ("被告人甲趁店主不备，从柜台内拿走手机一部。", "盗窃罪"),
        ("被告人甲谎称能办理入学，收取乙人民币五万元。", "诈骗罪"),
        ("被告人甲醉酒后驾驶小型轿车在道路上行驶。", "危险驾驶罪"),
        ("被告人甲驾驶小型轿车被查获，经检验其血液中乙醇含量为105mg/100ml。", "危险驾驶罪"),
        ("被告人甲驾驶大客车从事旅客运输，核载45人实载68人，严重超员。", "危险驾驶罪"),
        ("被告人甲以年息百分之二十为回报，向社会不特定人员吸收资金八百万元。", "非法吸收公众存款罪"),
        ("被告人甲将本人银行卡及U盾出售给他人，用于接收诈骗资金。", "帮助信息网络犯罪活动罪"),
        ("被告人甲在其生产的卤肉中添加罂粟壳粉末后对外销售。", "生产、销售有毒、有害食品罪"),
        ("被告人甲担任某公司出纳，将收取的货款三万元存入个人账户未上交。", "职务侵占罪"),
        ("被告人甲将其保管的公司货物侵占，变卖后挥霍。", "职务侵占罪"),
        ("被告人甲以年息百分之十五的回报为诱饵，向村民借款共计三百万元。", "非法吸收公众存款罪"),
        ("被告人甲与乙发生口角，持木棍击打乙头部。", "故意伤害罪"),
        ("被告人甲为他人承揽工程提供帮助，事后得到人民币10万元。", "受贿罪"),
        ("被告人甲在其家中将一名男子关押三日，不让其离开。", "侵占罪"),  # not in the table: never dropped
    ],
)
def test_a_text_that_tells_of_the_act_keeps_the_charge(text: str, charge: str) -> None:
    assert tells_of_act(text, charge)
    assert refine_inferred_charges(text, {charge: 0.8}) == {charge: 0.8}


@pytest.mark.parametrize(
    ("text", "charge"),
    [
        (GUN_BOUGHT, "盗窃罪"),
        (GUN_BOUGHT, "非法吸收公众存款罪"),
        ("被告人甲持单刃尖刀朝乙胸部捅刺数刀，致乙死亡。", "交通肇事罪"),
        ("被告人甲在租住的民房内用打印机制造面额一百元的人民币三百二十张。", "盗窃罪"),
        # an employee in the story who takes nothing: no 职务侵占
        ("被告人甲系某公司员工，下班途中与乙发生口角，用拳头击打乙的面部。", "职务侵占罪"),
        # a sale of medicine is not poisoned food
        ("被告人甲在其经营的药店内向乙销售处方药品，未查验处方。", "生产、销售有毒、有害食品罪"),
        # a loan between two people is not taking deposits from the public
        ("被告人甲以支付货款为由向乙借款人民币二十万元，到期后未归还。", "非法吸收公众存款罪"),
        # a car in the story is not a dangerous drive: the statute names four, none told here
        ("被告人甲驾驶面包车到工地，将工地内的电缆线剪断后装车运走。", "危险驾驶罪"),
    ],
)
def test_a_text_of_another_kind_of_crime_does_not_tell_of_the_act(text: str, charge: str) -> None:
    assert not tells_of_act(text, charge)


def test_every_act_pattern_compiles_and_names_an_official_charge() -> None:
    from kb.charge_articles import defining_articles
    from kb.elements.charge_acts import ACTS, act_pattern

    for charge in ACTS:
        assert act_pattern(charge) is not None
        assert defining_articles(charge), charge


def test_a_criminal_text_gets_no_civil_or_administrative_cause() -> None:
    voted = {"民间借贷纠纷": 0.5, "诈骗罪": 0.4, "行政强制": 0.3}
    assert refine_inferred_charges(LOAN_FRAUD, voted) == {"诈骗罪": 0.4}
    # a civil dispute keeps the cause of action its nearest cases voted for
    assert refine_inferred_charges(LOAN_DISPUTE, {"民间借贷纠纷": 0.7}) == {"民间借贷纠纷": 0.7}

"""Illustrative fact texts (示例) for the API tests of inferred charges on the demo corpus, written for these tests."""

# 示例 a beating that left only 轻微伤: the nearest demo case is 故意伤害, which the injury check drops.
MINOR_INJURY = (
    "示例：被告人甲与被害人乙系邻居，二人因宅基地排水沟的使用问题多次发生争吵。某日傍晚，二人再次争执，甲用拳头击打"
    "乙的面部和胸部，致乙面部软组织挫伤。经鉴定，乙的损伤程度为轻微伤。案发后甲主动到派出所投案，如实供述了自己的行为，"
    "并赔偿了乙的医疗费，取得乙的谅解。"
)


# 示例 a gun bought and hidden at home: the demo corpus has no gun case, and its nearest cases are of other crimes.
GUN_HIDDEN = (
    "示例：某年五月，被告人甲通过网络联系他人，以三千元的价格购得仿制手枪一支及子弹十发，藏匿于其租住房屋的衣柜内。"
    "同年八月，公安民警在对该房屋进行检查时当场查获上述手枪及子弹。经鉴定，该手枪系以火药为动力发射弹丸的枪支，"
    "具有致伤力，子弹系制式子弹。甲到案后如实供述了购买、藏匿枪支的经过。"
)


# 示例 two numbered facts of two kinds: a theft told at length, then a drunk drive. The whole text's nearest demo cases
# are thefts; the second part's are drunk drives (the part vote, kb.elements.fact_parts).
TWO_FACTS = (
    "示例：一、某年三月至五月，被告人甲先后四次窜至某商场的手机柜台，趁店员接待其他顾客之机，从未上锁的展示柜中窃取手机"
    "共五部，后将手机以低价卖给路人，所得钱款用于赌博和日常开销。经鉴定，被窃手机价值共计人民币一万六千余元。被害单位"
    "发现后报警，公安民警调取监控录像，锁定了甲的身份。二、同年六月某日晚，甲在朋友家中饮酒后，驾驶一辆小型轿车在城区"
    "道路上行驶，被执勤民警拦下检查，经检测其血液酒精含量为一百二十毫克每百毫升。甲到案后如实供述了上述事实。"
)
ONE_FACT = TWO_FACTS.replace("一、", "").replace("二、", "")  # the same words, unnumbered: one text, one vote

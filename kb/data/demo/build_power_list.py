"""Write the demo power list (检察官权力清单（示例）.xlsx) from the rows defined below.

The list is illustrative (示例): written for the demo corpus, not an official document. The 依据 column cites real
provisions; the allocation of powers follows the general rule of 《人民检察院刑事诉讼规则》第四条 (重大办案事项由检察长
决定, 其他事项可以委托检察官) and is plausible, not the list of any real procuratorate.

Run: .venv/bin/python kb/data/demo/build_power_list.py [output.xlsx]
"""

from __future__ import annotations

import logging
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

logger = logging.getLogger(__name__)

TITLE = "某省人民检察院检察官权力清单（示例）"
SHEET_NAME = "权力清单（示例）"
HEADERS = ("序号", "检察类别", "办案环节", "权力事项", "行使主体", "依据", "备注")
OUTPUT = Path(__file__).resolve().parent / "power_list" / "检察官权力清单（示例）.xlsx"
# Fixed so that rebuilding the file does not change its metadata.
_FIXED_TIME = datetime(2024, 1, 15, 9, 0, 0)

_XSF = "《中华人民共和国刑事诉讼法》"
_GZ = "《人民检察院刑事诉讼规则》第四条"
_ZZF = "《中华人民共和国人民检察院组织法》"
_MSF = "《中华人民共和国民事诉讼法》（2023年修正）"
_XZF = "《中华人民共和国行政诉讼法》"
_GYJS = "《最高人民法院、最高人民检察院关于检察公益诉讼案件适用法律若干问题的解释》"


class PowerItem(NamedTuple):
    line: str  # 检察类别
    stage: str  # 办案环节
    item: str  # 权力事项
    subject: str  # 行使主体
    basis: str  # 依据
    note: str  # 备注


ITEMS: tuple[PowerItem, ...] = (
    # 刑事检察
    PowerItem(
        "刑事检察",
        "审查逮捕",
        "批准逮捕（一般案件）",
        "检察官",
        f"{_XSF}第八十一条、第八十九条；{_GZ}",
        "本清单为演示编写的示例，非正式发布文件。检察长委托检察官决定；重大案件除外",
    ),
    PowerItem(
        "刑事检察",
        "审查逮捕",
        "不批准逮捕（一般案件）",
        "检察官",
        f"{_XSF}第八十九条、第九十条；{_GZ}",
        "应当说明不批准逮捕的理由；需要补充侦查的，同时通知公安机关",
    ),
    PowerItem(
        "刑事检察",
        "审查逮捕",
        "批准或者不批准逮捕（重大案件）",
        "检察长",
        f"{_XSF}第八十九条；{_GZ}",
        "涉案金额特别巨大、被害人众多、可能判处十年有期徒刑以上刑罚或者有重大社会影响的案件；检察长可以提交检察委员会讨论决定",
    ),
    PowerItem(
        "刑事检察",
        "审查逮捕",
        "对未成年犯罪嫌疑人不批准逮捕并开展社会调查",
        "检察官",
        f"{_XSF}第二百七十九条、第二百八十条",
        "严格限制对未成年犯罪嫌疑人适用逮捕措施",
    ),
    PowerItem(
        "刑事检察",
        "羁押必要性审查",
        "羁押必要性审查并建议释放或者变更强制措施",
        "检察官",
        f"{_XSF}第九十五条；{_GZ}",
        "对重大案件犯罪嫌疑人提出释放或者变更强制措施建议的，报检察长决定",
    ),
    PowerItem(
        "刑事检察",
        "立案监督",
        "要求公安机关说明不立案或者立案理由",
        "检察官",
        f"{_XSF}第一百一十三条",
        "",
    ),
    PowerItem(
        "刑事检察",
        "立案监督",
        "通知公安机关立案或者撤销案件",
        "检察长",
        f"{_XSF}第一百一十三条；{_ZZF}第二十条",
        "公安机关说明的理由不能成立的适用",
    ),
    PowerItem(
        "刑事检察",
        "侦查活动监督",
        "对轻微违法情形口头提出纠正意见",
        "检察官",
        f"{_ZZF}第二十一条",
        "应当记录在案",
    ),
    PowerItem(
        "刑事检察",
        "侦查活动监督",
        "发出纠正违法通知书",
        "检察长",
        f"{_ZZF}第二十一条；{_GZ}",
        "",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "退回补充侦查",
        "检察官",
        f"{_XSF}第一百七十五条",
        "补充侦查以二次为限，每次一个月",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "提起公诉（一般案件）",
        "检察官",
        f"{_XSF}第一百七十六条；{_GZ}",
        "起诉书经检察长授权可以由检察官签发；重大案件报检察长决定",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "提出量刑建议",
        "检察官",
        f"{_XSF}第一百七十六条第二款、第二百零一条；《关于适用认罪认罚从宽制度的指导意见》第三十三条",
        "拟建议免除处罚或者对重大案件建议适用缓刑的，报部门负责人审核",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "认罪认罚案件听取意见并组织签署认罪认罚具结书",
        "检察官",
        f"{_XSF}第十五条、第一百七十三条、第一百七十四条",
        "具结书应当在辩护人或者值班律师在场的情况下签署",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "作出法定不起诉决定",
        "检察长",
        f"{_XSF}第一百七十七条第一款、第十六条；{_GZ}",
        "检察官提出不起诉意见，部门负责人审核",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "作出酌定不起诉决定",
        "检察长",
        f"{_XSF}第一百七十七条第二款；{_GZ}",
        "检察官无权自行决定，只能提出不起诉意见；重大、疑难、复杂或者有重大社会影响的案件提交检察委员会讨论决定",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "作出存疑不起诉决定",
        "检察长",
        f"{_XSF}第一百七十五条第四款；{_GZ}",
        "限于二次补充侦查后仍证据不足、不符合起诉条件的案件",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "作出附条件不起诉决定",
        "检察长",
        f"{_XSF}第二百八十二条；{_GZ}",
        "未成年人检察。仅适用于涉嫌刑法分则第四章、第五章、第六章规定之罪、可能判处一年有期徒刑以下刑罚、有悔罪表现的未成年犯罪嫌疑人",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "确定附条件不起诉考验期及附带条件并监督考察",
        "检察官",
        f"{_XSF}第二百八十三条",
        "未成年人检察。考验期为六个月以上一年以下",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "撤销附条件不起诉决定并提起公诉",
        "检察长",
        f"{_XSF}第二百八十四条",
        "未成年人检察。考验期内实施新罪、发现漏罪或者严重违反监督管理规定的适用",
    ),
    PowerItem(
        "刑事检察",
        "审查起诉",
        "决定召开审查案件听证会",
        "检察长",
        f"《人民检察院审查案件听证工作规定》；{_GZ}",
        "检察官可以提出听证建议；拟不起诉、羁押必要性审查等案件常用",
    ),
    PowerItem(
        "刑事检察",
        "审判监督",
        "对法庭审理违反法定诉讼程序提出纠正意见",
        "检察官",
        f"{_XSF}第二百零九条",
        "以书面形式提出的，报检察长决定",
    ),
    PowerItem(
        "刑事检察",
        "审判监督",
        "提出二审抗诉",
        "检察长",
        f"{_XSF}第二百二十八条、第二百二十九条；{_GZ}",
        "检察长可以提交检察委员会讨论决定；检察官只能提出抗诉意见",
    ),
    PowerItem(
        "刑事检察",
        "审判监督",
        "提请上级人民检察院按照审判监督程序抗诉",
        "检察委员会",
        f"{_XSF}第二百五十四条第三款；{_GZ}",
        "",
    ),
    PowerItem(
        "刑事检察",
        "刑事执行监督",
        "对减刑、假释裁定提出书面纠正意见",
        "检察长",
        f"{_XSF}第二百七十四条",
        "应当在收到裁定书副本后二十日以内提出",
    ),
    # 民事检察
    PowerItem(
        "民事检察",
        "支持起诉",
        "受理支持起诉申请并开展调查核实",
        "检察官",
        f"{_MSF}第十五条；{_ZZF}第二十一条",
        "",
    ),
    PowerItem(
        "民事检察",
        "支持起诉",
        "决定支持起诉并发出支持起诉意见书",
        "检察长",
        f"{_MSF}第十五条",
        "支持起诉对象限于农民工、老年人、残疾人、妇女儿童、家庭暴力受害人等诉讼能力较弱的主体",
    ),
    PowerItem(
        "民事检察",
        "生效裁判监督",
        "对民事生效裁判作出不支持监督申请决定",
        "检察官",
        f"{_MSF}第二百二十条",
        "发现可能存在虚假诉讼等情形的，应当报部门负责人审核",
    ),
    PowerItem(
        "民事检察",
        "生效裁判监督",
        "提出再审检察建议",
        "检察委员会",
        f"{_MSF}第二百一十九条",
        "再审检察建议应当经本院检察委员会讨论决定",
    ),
    PowerItem(
        "民事检察",
        "生效裁判监督",
        "提请上级人民检察院抗诉",
        "检察长",
        f"{_MSF}第二百一十九条",
        "",
    ),
    PowerItem(
        "民事检察",
        "生效裁判监督",
        "提出民事抗诉",
        "检察长",
        f"{_MSF}第二百一十九条；{_ZZF}第二十一条",
        "重大、疑难、复杂案件提交检察委员会讨论决定",
    ),
    PowerItem(
        "民事检察",
        "虚假诉讼监督",
        "依职权启动虚假诉讼监督程序",
        "检察长",
        f"{_MSF}第一百一十五条、第二百一十九条",
        "",
    ),
    PowerItem(
        "民事检察",
        "虚假诉讼监督",
        "移送虚假诉讼犯罪线索",
        "检察长",
        "《中华人民共和国刑法》第三百零七条之一",
        "",
    ),
    PowerItem(
        "民事检察",
        "审判程序监督",
        "对审判人员违法行为提出检察建议",
        "检察长",
        f"{_MSF}第二百一十九条第三款",
        "",
    ),
    PowerItem(
        "民事检察",
        "民事执行监督",
        "对民事执行活动提出检察建议",
        "检察长",
        f"{_MSF}第二百四十六条",
        "超标的查封、消极执行、违法终结本次执行程序等",
    ),
    PowerItem(
        "民事检察",
        "民事执行监督",
        "对执行监督申请作出不支持监督申请决定",
        "检察官",
        f"{_MSF}第二百四十六条",
        "",
    ),
    # 行政检察
    PowerItem(
        "行政检察",
        "行政诉讼监督",
        "对生效行政裁判提出再审检察建议",
        "检察委员会",
        f"{_XZF}第十一条、第九十三条",
        "",
    ),
    PowerItem(
        "行政检察",
        "行政诉讼监督",
        "提请抗诉或者提出行政抗诉",
        "检察长",
        f"{_XZF}第九十一条、第九十三条",
        "重大、疑难、复杂案件提交检察委员会讨论决定",
    ),
    PowerItem(
        "行政检察",
        "行政诉讼监督",
        "对行政生效裁判作出不支持监督申请决定",
        "检察官",
        f"{_XZF}第九十三条",
        "",
    ),
    PowerItem(
        "行政检察",
        "行政争议实质性化解",
        "开展行政争议实质性化解并促成和解",
        "检察官",
        f"{_ZZF}第二十一条；《人民检察院审查案件听证工作规定》",
        "和解后当事人撤回监督申请的，报部门负责人审核后终结审查",
    ),
    PowerItem(
        "行政检察",
        "行政非诉执行监督",
        "对人民法院行政非诉执行活动提出检察建议",
        "检察长",
        f"{_XZF}第十一条、第九十七条；《中华人民共和国行政强制法》第五十三条、第五十八条",
        "检察建议发出前应当完成调查核实",
    ),
    PowerItem(
        "行政检察",
        "行政非诉执行监督",
        "对行政机关违法行使职权或者不行使职权提出检察建议",
        "检察长",
        f"{_ZZF}第二十一条；《人民检察院检察建议工作规定》",
        "检察建议发出前应当完成调查核实",
    ),
    PowerItem(
        "行政检察",
        "调查核实",
        "调阅卷宗、询问当事人等调查核实",
        "检察官",
        f"{_ZZF}第二十一条",
        "不得采取限制人身自由和查封、扣押、冻结财产等强制性措施",
    ),
    # 公益诉讼检察
    PowerItem(
        "公益诉讼检察",
        "立案",
        "公益诉讼案件立案",
        "检察长",
        f"{_XZF}第二十五条第四款；{_MSF}第五十八条",
        "检察官发现线索后应当及时评估并提出立案意见",
    ),
    PowerItem(
        "公益诉讼检察",
        "调查核实",
        "公益诉讼调查取证、咨询专家和委托鉴定",
        "检察官",
        f"{_ZZF}第二十一条",
        "",
    ),
    PowerItem(
        "公益诉讼检察",
        "诉前程序",
        "发出行政公益诉讼诉前检察建议",
        "检察长",
        f"{_XZF}第二十五条第四款；{_GYJS}第二十一条",
        "行政机关应当在两个月内书面回复，紧急情形十五日内回复",
    ),
    PowerItem(
        "公益诉讼检察",
        "诉前程序",
        "发布民事公益诉讼诉前公告",
        "检察长",
        f"{_MSF}第五十八条第二款；{_GYJS}第十三条",
        "公告期间为三十日",
    ),
    PowerItem(
        "公益诉讼检察",
        "提起诉讼",
        "提起行政公益诉讼",
        "检察长",
        f"{_XZF}第二十五条第四款",
        "重大、疑难、复杂案件提交检察委员会讨论决定",
    ),
    PowerItem(
        "公益诉讼检察",
        "提起诉讼",
        "提起民事公益诉讼",
        "检察长",
        f"{_MSF}第五十八条第二款",
        "重大、疑难、复杂案件提交检察委员会讨论决定",
    ),
    PowerItem(
        "公益诉讼检察",
        "提起诉讼",
        "提起刑事附带民事公益诉讼",
        "检察长",
        f"{_GYJS}第二十条",
        "",
    ),
    PowerItem(
        "公益诉讼检察",
        "跟进监督",
        "诉前检察建议整改情况跟进调查并决定终结案件",
        "检察长",
        f"{_GYJS}第二十一条",
        "检察官提出终结或者起诉意见",
    ),
)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fix_zip_times(path: Path) -> None:
    """Rewrite the archive with fixed timestamps, so rebuilds are byte-identical.

    openpyxl stamps ``dcterms:modified`` with the time of saving, whatever the workbook says; it is reset here too.
    """
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)


def build_power_list(path: Path = OUTPUT) -> Path:
    """Write the power list to ``path`` (title row, header row, one row per item) and return the path."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = SHEET_NAME
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for number, item in enumerate(ITEMS, start=1):
        ws.append([number, item.line, item.stage, item.item, item.subject, item.basis, item.note])
    for column, width in zip(range(1, len(HEADERS) + 1), (6, 14, 18, 40, 12, 60, 60), strict=True):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A3"
    wb.properties.title = TITLE
    wb.properties.subject = "示例"
    wb.properties.creator = "kb demo corpus"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _fix_zip_times(path)
    logger.info("wrote %s power-list items to %s", len(ITEMS), path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else OUTPUT
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build_power_list(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

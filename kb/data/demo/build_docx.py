"""Write a short demo guideline as .docx, so the .docx reader has a real file to read in the demo corpus.

The guideline (行政非诉执行监督工作指引（示例）) is illustrative (示例), written for the demo corpus, not an official
document. Its layout follows the .md guidelines: title, then 发布机关 / 发布日期 / 检察类别 / 示例 lines, then
章 headings and 条 paragraphs.

Run: .venv/bin/python kb/data/demo/build_docx.py [output.docx]
"""

from __future__ import annotations

import logging
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document

logger = logging.getLogger(__name__)

TITLE = "行政非诉执行监督工作指引（示例）"
META = (
    ("发布机关", "某省人民检察院（示例）"),
    ("发布日期", "2024-05-10"),
    ("检察类别", "行政检察"),
    ("示例", "是"),
)
OUTPUT = Path(__file__).resolve().parent / "guidelines" / f"{TITLE}.docx"
# Fixed so that rebuilding the file gives the same bytes.
_FIXED_TIME = datetime(2024, 5, 10, 9, 0, 0)

# (chapter heading, [article text, ...]); articles are numbered 第一条 … in order across chapters.
CHAPTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "第一章　总则",
        (
            "为规范行政非诉执行监督工作，促进人民法院依法审查和执行、行政机关依法申请执行，根据《中华人民共和国"
            "行政诉讼法》第十一条、第九十七条和《中华人民共和国行政强制法》等规定，制定本指引。本指引为示例文本，"
            "非正式发布文件。",
            "行政非诉执行监督的对象包括人民法院对行政机关强制执行申请的受理、审查、裁定和实施活动，以及行政机关"
            "申请强制执行和组织实施中的违法行使职权或者不行使职权行为。",
            "对人民法院行政非诉执行活动提出检察建议，以及对行政机关提出检察建议，由检察长决定；调阅卷宗、询问"
            "当事人等调查核实工作由承办检察官负责。",
        ),
    ),
    (
        "第二章　监督重点",
        (
            "人民法院受理行政机关超过法定期限、无正当理由提出的强制执行申请的，人民检察院应当依法监督。",
            "人民法院对明显缺乏事实根据、明显缺乏法律法规依据或者其他明显违法并损害被执行人合法权益的行政决定"
            "裁定准予执行的，人民检察院应当依法监督。",
            "加处罚款或者滞纳金的数额超出金钱给付义务数额，人民法院仍裁定全额准予执行的，人民检察院应当依法监督。",
            "人民法院裁定准予执行后，行政机关或者人民法院长期不组织实施，致使违法状态持续的，人民检察院应当依法监督。",
        ),
    ),
    (
        "第三章　调查核实与检察建议",
        (
            "提出检察建议前，承办检察官应当调阅人民法院执行卷宗和行政机关执法卷宗，必要时进行现场勘查、询问"
            "当事人，如实记录调查过程和结果。审查报告不得记载未实际进行的调查。",
            "检察建议书应当写明认定的违法事实、证据、法律依据和具体建议，经检察长决定后以人民检察院名义制发。",
            "对同类问题较多的，可以通过数据比对开展类案监督，向人民法院或者行政机关提出改进工作的检察建议。",
        ),
    ),
    (
        "第四章　附则",
        ("本指引由某省人民检察院（示例）负责解释，自发布之日起施行。",),
    ),
)

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 as Chinese numerals (十一, 二十, 二十三), enough for article numbers here."""
    if not 0 < n < 100:
        msg = f"article number out of range: {n}"
        raise ValueError(msg)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_DIGITS[tens]}十")
    return head + (_DIGITS[ones] if ones else "")


def _fix_zip_times(path: Path) -> None:
    """Rewrite the archive with a fixed timestamp on every member, so rebuilds are byte-identical."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)


def build_docx(path: Path = OUTPUT) -> Path:
    """Write the guideline to ``path`` and return the path."""
    doc = Document()
    doc.add_heading(TITLE, level=0)
    for key, value in META:
        doc.add_paragraph(f"{key}：{value}")
    number = 0
    for heading, articles in CHAPTERS:
        doc.add_heading(heading, level=1)
        for text in articles:
            number += 1
            doc.add_paragraph(f"第{chinese_number(number)}条　{text}")
    props = doc.core_properties
    props.title = TITLE
    props.subject = "示例"
    props.author = "kb demo corpus"
    props.last_modified_by = "kb demo corpus"
    props.created = _FIXED_TIME
    props.modified = _FIXED_TIME
    props.revision = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    _fix_zip_times(path)
    logger.info("wrote %s articles to %s", number, path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else OUTPUT
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build_docx(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

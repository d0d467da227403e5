"""What an export contains, independent of the file format: a cover, then headed blocks of paragraphs.

`entry_document` lays out one entry (any version); `collection_document` a training collection with each case's
teaching notes (教学要点) and discussion questions (讨论题). The DOCX and PDF writers only typeset this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kb.models import SECTION_LABELS, Entry, EntryKind
from kb.records import StoredEntry

ILLUSTRATIVE_MARK = "示例"
TRAINING_MARK = "内部培训材料"

_FIELDS = (
    ("number", "编号"),
    ("case_type", "案例类型"),
    ("line", "检察类别"),
    ("sub_line", "子类别"),
    ("issuer", "发布机关"),
    ("publish_date", "发布日期"),
    ("batch", "批次"),
    ("region", "地区"),
    ("stage", "办案环节"),
    ("error_type", "错误类型"),
    ("misused_power", "涉及权力清单事项"),
    ("consequence", "责任后果"),
    ("power_subject", "行使主体"),
    ("basis", "依据"),
    ("note", "备注"),
)
_LISTS = (("charges", "罪名/案由"), ("outcomes", "处理结果"), ("provisions", "引用条文"))


@dataclass
class Block:
    """A heading (level 1 or 2) and its paragraphs; `toc` says whether it is listed in the table of contents."""

    heading: str
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)
    toc: bool = True
    new_page: bool = False  # start on a fresh page (each case of a collection)


@dataclass
class ExportDocument:
    title: str
    subtitle: str | None
    issuer: str | None
    date: str  # shown on the cover
    marks: list[str]  # 示例 / 内部培训材料
    cover_lines: list[str]  # extra lines on the cover (citation, version, owner …)
    blocks: list[Block]

    @property
    def toc(self) -> list[Block]:
        return [b for b in self.blocks if b.toc]


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _facts_lines(entry: Entry) -> list[str]:
    lines = []
    for name, label in _FIELDS:
        value = getattr(entry, name)
        if value:
            lines.append(f"{label}：{value}")
    for name, label in _LISTS:
        values = getattr(entry, name)
        if values:
            lines.append(f"{label}：{'；'.join(values)}")
    if entry.keywords:
        lines.append(f"关键词：{'　'.join(entry.keywords)}")
    return lines


def _section_heading(heading: str, key: str) -> str:
    cleaned = heading.strip().strip("【】[] ").strip()
    return cleaned or SECTION_LABELS.get(key, key)


def entry_blocks(entry: Entry, *, level: int, section_level: int, prefix: str = "") -> list[Block]:
    """The blocks of one entry: its title with its fields (at `level`), then one block per section."""
    blocks = [Block(heading=f"{prefix}{entry.title}", level=level, paragraphs=_facts_lines(entry))]
    sub = section_level
    if entry.kind in (EntryKind.GUIDELINE, EntryKind.LAW):
        # Guideline and law articles: group by chapter path so the table of contents lists chapters, not 80 articles.
        current: Block | None = None
        for section in entry.sections:
            path = " ".join(section.path) or SECTION_LABELS.get(section.key, "正文")
            if current is None or current.heading != path:
                current = Block(heading=path, level=sub)
                blocks.append(current)
            text = section.text.strip()
            head = section.heading.strip()
            current.paragraphs.extend(_paragraphs(text if text.startswith(head) else f"{head}　{text}"))
        return blocks
    for section in entry.sections:
        if section.key == "keywords":
            continue  # already in the fields block
        blocks.append(
            Block(
                heading=_section_heading(section.heading, section.key), level=sub, paragraphs=_paragraphs(section.text)
            )
        )
    return blocks


def entry_document(stored: StoredEntry, *, today: date | None = None) -> ExportDocument:
    entry = stored.entry
    marks = [ILLUSTRATIVE_MARK] if entry.illustrative else []
    cover = [f"引用：{stored.id}@{stored.version}"]
    if stored.current_version > 1 or stored.version != stored.current_version:
        cover.append(f"第 {stored.version} 版（现行为第 {stored.current_version} 版）")
    blocks = entry_blocks(entry, level=1, section_level=1)
    blocks[0].heading = "基本信息"
    return ExportDocument(
        title=entry.title,
        subtitle=entry.number,
        issuer=entry.issuer,
        date=entry.publish_date or (today or date.today()).isoformat(),
        marks=marks,
        cover_lines=cover,
        blocks=blocks,
    )


@dataclass(frozen=True)
class CollectionPart:
    """One item of a collection with its resolved entry (None when the entry or its pinned version is gone)."""

    position: int
    citation: str
    stored: StoredEntry | None
    teaching_notes: str
    discussion_questions: list[str]


def collection_document(
    title: str,
    description: str,
    owner: str,
    parts: list[CollectionPart],
    *,
    today: date | None = None,
) -> ExportDocument:
    blocks: list[Block] = []
    if description.strip():
        blocks.append(Block(heading="专题说明", level=1, paragraphs=_paragraphs(description)))
    illustrative = False
    for part in parts:
        prefix = f"{part.position}. "
        if part.stored is None:
            gone = Block(
                heading=f"{prefix}（条目已不存在）", level=1, paragraphs=[f"引用 {part.citation} 的条目已被删除。"]
            )
            gone.new_page = True
            blocks.append(gone)
        else:
            illustrative = illustrative or part.stored.entry.illustrative
            case_blocks = entry_blocks(part.stored.entry, level=1, section_level=2, prefix=prefix)
            case_blocks[0].paragraphs.insert(0, f"引用：{part.stored.id}@{part.stored.version}")
            case_blocks[0].new_page = True
            blocks.extend(case_blocks)
        if part.teaching_notes.strip():
            blocks.append(Block(heading="教学要点", level=2, paragraphs=_paragraphs(part.teaching_notes)))
        if part.discussion_questions:
            questions = [f"{n}. {q}" for n, q in enumerate(part.discussion_questions, start=1)]
            blocks.append(Block(heading="讨论题", level=2, paragraphs=questions))
    marks = [TRAINING_MARK, *([ILLUSTRATIVE_MARK] if illustrative else [])]
    return ExportDocument(
        title=title,
        subtitle="培训专题",
        issuer=None,
        date=(today or date.today()).isoformat(),
        marks=marks,
        cover_lines=[f"编制：{owner}", f"收录案例 {len(parts)} 件"],
        blocks=blocks,
    )

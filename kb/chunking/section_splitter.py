"""Section- and sentence-aware chunking. Every chunk carries its entry's title and section for context.

A chunk never crosses a section. Inside a section, whole sentences are packed up to `max_chars`; a single sentence
longer than that is cut at commas, then hard. Each chunk's index text starts with the title and the section label,
so a hit on "盗窃" in a facts chunk of "张某盗窃案" still knows what case it is.
"""

from __future__ import annotations

import re
from typing import Any

from haystack import Document, component, default_to_dict

from kb.models import LIST_META_KEYS, SECTION_LABELS, Entry, EntryKind, Section
from kb.text import segment, split_sentences

_SOFT_BREAK = re.compile(r"(?<=[,，、:：])")


def _pieces(sentence: str, limit: int) -> list[str]:
    """A sentence cut to at most `limit` characters, at commas where possible."""
    if len(sentence) <= limit:
        return [sentence]
    out: list[str] = []
    current = ""
    for part in _SOFT_BREAK.split(sentence):
        while len(part) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(part[:limit])
            part = part[limit:]
        if len(current) + len(part) > limit and current:
            out.append(current)
            current = ""
        current += part
    if current:
        out.append(current)
    return out


def pack_sentences(text: str, limit: int) -> list[str]:
    """Whole sentences packed into chunks of at most `limit` characters."""
    chunks: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        for piece in _pieces(sentence, limit):
            if current and len(current) + len(piece) > limit:
                chunks.append(current)
                current = ""
            current += piece
    if current:
        chunks.append(current)
    return chunks


def entry_meta(entry: Entry, entry_id: str, version: int) -> dict[str, Any]:
    """The filterable meta every chunk of an entry carries (kb.models.META_KEYS)."""
    meta: dict[str, Any] = {
        "entry_id": entry_id,
        "version": version,
        "kind": entry.kind,
        "title": entry.title,
        "number": entry.number,
        "case_type": entry.case_type,
        "line": entry.line,
        "sub_line": entry.sub_line,
        "issuer": entry.issuer,
        "year": entry.year,
        "publish_date": entry.publish_date,
        "region": entry.region,
        "stage": entry.stage,
        "charges": list(entry.charges),
        "outcomes": list(entry.outcomes),
        "provisions": list(entry.provisions),
        "keywords": list(entry.keywords),
        "error_type": entry.error_type,
        "misused_power": entry.misused_power,
        "power_subject": entry.power_subject,
        "illustrative": entry.illustrative,
    }
    return {k: v for k, v in meta.items() if v is not None and not (k in LIST_META_KEYS and not v)}


def _section_label(section: Section) -> str:
    if section.key == "article":
        return " ".join([*section.path, section.heading]).strip()
    return SECTION_LABELS.get(section.key, section.heading)


def _power_item_text(entry: Entry) -> str:
    parts = [
        f"事项：{entry.title}",
        f"行使主体：{entry.power_subject}" if entry.power_subject else "",
        f"检察类别：{entry.line}" if entry.line else "",
        f"办案环节：{entry.stage}" if entry.stage else "",
        f"依据：{entry.basis}" if entry.basis else "",
        f"备注：{entry.note}" if entry.note else "",
    ]
    body = "\n".join(p for p in parts if p)
    extra = [s.text for s in entry.sections if s.text and s.text not in body and entry.title not in s.text]
    return "\n".join([body, *extra]).strip()


def split_entry(entry: Entry, entry_id: str, version: int, max_chars: int = 400) -> list[Document]:
    """Chunks of one entry version as Haystack Documents (ids are stable: entry, version, ordinal)."""
    base = entry_meta(entry, entry_id, version)
    title = entry.title
    units: list[tuple[Section | None, str]] = []
    if entry.kind == EntryKind.POWER_ITEM:
        units.append((None, _power_item_text(entry)))
    else:
        keywords = " ".join(entry.keywords)
        for part in entry.sections:
            if part.key == "keywords":
                continue
            for chunk in pack_sentences(part.text, max_chars):
                units.append((part, chunk))
        if not units:  # an entry with only a title and keywords is still findable
            units.append((None, f"{title} {keywords}".strip()))
    title_tokens = segment(f"{title} {entry.number or ''}")
    documents = []
    for ordinal, (section, chunk) in enumerate(units):
        label = _section_label(section) if section else SECTION_LABELS["item" if entry.kind == "power_item" else "body"]
        context = f"{title}｜{label}"
        meta = dict(base)
        meta.update(
            section=section.key if section else ("item" if entry.kind == "power_item" else "body"),
            section_label=label,
            chunk_index=ordinal,
            _tokens=segment(f"{context} {' '.join(entry.keywords) if ordinal == 0 else ''} {chunk}"),
            _title_tokens=title_tokens,
            _embed_text=f"{context}：{chunk}",
        )
        if section and section.path:
            meta["path"] = list(section.path)
        if section and section.key == "article":
            meta["heading"] = section.heading
        documents.append(Document(id=f"{entry_id}:{version}:{ordinal}", content=chunk, meta=meta))
    return documents


@component
class CaseSectionSplitter:
    """Haystack component: entries (as dicts with entry_id, version, entry) to chunk Documents."""

    def __init__(self, max_chars: int = 400) -> None:
        if max_chars <= 0:
            msg = f"max_chars must be > 0, got {max_chars}"
            raise ValueError(msg)
        self.max_chars = max_chars

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, max_chars=self.max_chars)

    @component.output_types(documents=list[Document])
    def run(self, entries: list[dict[str, Any]], max_chars: int | None = None) -> dict[str, list[Document]]:
        limit = max_chars or self.max_chars
        docs: list[Document] = []
        for item in entries:
            entry = item["entry"] if isinstance(item["entry"], Entry) else Entry.from_dict(item["entry"])
            docs.extend(split_entry(entry, item["entry_id"], item["version"], limit))
        return {"documents": docs}

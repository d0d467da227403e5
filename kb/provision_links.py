"""Cited provisions resolved to the articles of ingested laws, and the cases citing a law's articles.

A case's provisions are normalised citations (kb.elements.provisions): ``《刑法》第一百三十三条之一``,
``《最高人民法院、最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释》第二条``. `ProvisionResolver.resolve` maps one
to the article of the published, current version of the law entry (EntryKind.LAW) of that name:

* names compare after `normalize_law_name` on both sides (中华人民共和国 dropped, brackets full-width, no spaces),
  so 《刑法》 finds 中华人民共和国刑法;
* failing that, by a looser key that also drops the issuing organs before 关于 (最高人民法院、最高人民检察院 /
  最高人民法院 最高人民检察院 …), 〈〉 and 《》 inside the name, a 中华人民共和国 anywhere and a trailing year
  (《固体废物污染环境防治法（2020）》) — an interpretation is cited with and without its issuers;
* an illustrative law (示例) answers to its name without the trailing （示例…） marker, after every official one;
* several laws of one name (never the same entry: the natural key is the normalised name): the newest one.

The lookup is a table (name -> law -> article heading -> section index, with the article text cut to 600
characters) held in memory and rebuilt when the set of published law versions changes; checking that costs one
indexed query of (id, version) pairs per resolution batch, not a scan of the laws.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kb.elements.numbers import int_to_chinese
from kb.elements.provisions import normalize_law_name, parse_provision
from kb.models import Entry, EntryKind, Section, SectionKey
from kb.records import RecordStore

__all__ = [
    "ArticleRef",
    "CitedArticle",
    "CitingCase",
    "LawArticles",
    "ProvisionResolver",
    "article_count",
    "article_key",
    "case_order",
    "cases_citing_law",
    "citing_cases",
    "cut_text",
    "is_article",
    "law_name_keys",
]

TEXT_LIMIT = 600
_ISSUERS = re.compile(r"^(?:(?:最高人民法院|最高人民检察院|公安部|司法部|国家安全部|国务院)[、,，\s和与及]*)+(?=关于)")
_ILLUSTRATIVE = re.compile(r"[（(]示例[^（）()]*[）)]$")
_SUB = re.compile(r"^之[一二三四五六七八九十]+")
_YEAR = re.compile(r"[（(]\d{4}年?(?:修订|修正|版)?[）)]$")  # 《固体废物污染环境防治法（2020）》: the law as now


@dataclass(frozen=True)
class ArticleRef:
    """One resolved citation: the law entry and the article (section) it names."""

    provision: str
    law_entry_id: str
    law_title: str
    article: str  # the heading as in the law: 第一百三十三条之一
    section_index: int
    text: str  # the article text, at most TEXT_LIMIT characters (ending with … when cut)


@dataclass
class LawArticles:
    """A law's article headings -> section index and text."""

    entry_id: str
    title: str
    version: int
    illustrative: bool
    publish_date: str
    articles: dict[str, tuple[int, str]] = field(default_factory=dict)


def cut_text(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _loose(name: str) -> str:
    name = re.sub(r"[〈〉《》<>]", "", name).replace("中华人民共和国", "")
    return _YEAR.sub("", _ISSUERS.sub("", name))


def law_name_keys(entry: Entry) -> list[str]:
    """The exact names a law answers to (normalised); illustrative laws also without their （示例…） marker."""
    name = normalize_law_name(entry.title)
    names = [name]
    if entry.illustrative:
        bare = _ILLUSTRATIVE.sub("", name)
        if bare and bare != name:
            names.append(bare)
    return names


@lru_cache(maxsize=20_000)
def article_key(provision: str) -> tuple[str, str] | None:
    """《刑法》第133条之一第二款 -> ("刑法", "第一百三十三条之一"); None for a whole-law citation or no citation."""
    try:
        law, number, suffix = parse_provision(provision)
    except ValueError:
        return None
    if number is None:
        return None
    sub = _SUB.match(suffix)
    return law, f"第{int_to_chinese(number)}条{sub.group(0) if sub else ''}"


def is_article(section: Section) -> bool:
    """A law's article section (第X条, 第X条之一); not an amendment item (一、) nor a whole-text 正文 section."""
    return section.key == SectionKey.ARTICLE and section.heading.startswith("第")


def article_count(entry: Entry) -> int | None:
    """The number of article sections of a law (from the sections already loaded); None for any other kind."""
    if entry.kind != EntryKind.LAW:
        return None
    return sum(1 for section in entry.sections if is_article(section))


def law_articles(entry_id: str, version: int, entry: Entry) -> LawArticles:
    """The article table of one law version (sections with an article heading; amendment items are left out)."""
    table = LawArticles(
        entry_id=entry_id,
        title=entry.title,
        version=version,
        illustrative=entry.illustrative,
        publish_date=entry.publish_date or "",
    )
    for index, section in enumerate(entry.sections):
        if is_article(section):
            table.articles.setdefault(section.heading, (index, cut_text(section.text)))
    return table


class ProvisionResolver:
    """Citations -> articles of the published laws in `records` (thread-safe; see the module docstring)."""

    def __init__(self, records: RecordStore) -> None:
        self.records = records
        self._lock = threading.Lock()
        self._signature: list[tuple[str, int]] | None = None
        self._exact: dict[str, list[LawArticles]] = {}
        self._loose: dict[str, list[LawArticles]] = {}
        self._by_id: dict[str, LawArticles] = {}

    def refresh(self) -> None:
        """Rebuild the table if a law was published, revised, retracted or deleted since the last look."""
        signature = self.records.published_versions(EntryKind.LAW.value)
        with self._lock:
            if signature == self._signature:
                return
            exact: dict[str, list[LawArticles]] = {}
            loose: dict[str, list[LawArticles]] = {}
            by_id: dict[str, LawArticles] = {}
            for entry_id, version, entry in self.records.iter_published(kind=EntryKind.LAW.value):
                table = law_articles(entry_id, version, entry)
                by_id[entry_id] = table
                for name in law_name_keys(entry):
                    exact.setdefault(name, []).append(table)
                    loose.setdefault(_loose(name), []).append(table)
            for group in (*exact.values(), *loose.values()):
                # official before illustrative, then the newest
                group.sort(key=lambda t: (t.illustrative, not t.publish_date, _negated(t.publish_date), t.entry_id))
            self._exact, self._loose, self._by_id, self._signature = exact, loose, by_id, signature

    def has_laws(self) -> bool:
        """Whether any law is published (after `refresh`)."""
        return bool(self._by_id)

    def law(self, entry_id: str) -> LawArticles | None:
        """The article table of a published law (after `refresh`)."""
        return self._by_id.get(entry_id)

    def _find(self, law: str, heading: str) -> tuple[LawArticles, int, str] | None:
        for candidates in (self._exact.get(law, []), self._loose.get(_loose(law), [])):
            for table in candidates:
                found = table.articles.get(heading)
                if found is not None:
                    return table, found[0], found[1]
        return None

    def resolve(self, provision: str, *, refresh: bool = True) -> ArticleRef | None:
        if refresh:
            self.refresh()
        key = article_key(provision)
        if key is None:
            return None
        found = self._find(*key)
        if found is None:
            return None
        table, index, text = found
        return ArticleRef(provision, table.entry_id, table.title, key[1], index, text)

    def resolve_many(self, provisions: Iterable[str]) -> list[ArticleRef | None]:
        self.refresh()
        return [self.resolve(p, refresh=False) for p in provisions]

    def citations_of(self, law_entry_id: str, provisions: Sequence[str]) -> dict[str, str]:
        """Of `provisions`, those that resolve to the law `law_entry_id`: provision -> article heading."""
        self.refresh()
        out: dict[str, str] = {}
        for provision in provisions:
            ref = self.resolve(provision, refresh=False)
            if ref is not None and ref.law_entry_id == law_entry_id:
                out[provision] = ref.article
        return out


@dataclass(frozen=True)
class CitedArticle:
    """An article of a law and the published cases citing it (ids; the caller reads what it shows)."""

    article: str
    section_index: int
    case_ids: list[str]


_AUTHORITY = {"指导性案例": 0, "典型案例": 1, "参考案例": 2, "警示案例": 3}


def case_order(case_type: str | None, number: str | None, title: str) -> tuple[int, tuple[tuple[int, str], ...], str]:
    """Sort key of citing cases: 指导性案例 first (then 典型, 参考, 警示), then 编号 in natural order, then title."""
    parts = tuple((int(p), "") if p.isdigit() else (0, p) for p in re.findall(r"\d+|\D+", number or "\uffff"))
    return _AUTHORITY.get(case_type or "", 9), parts, title


def citing_cases(
    store: Any, resolver: ProvisionResolver, law_entry_id: str, article: str | None = None
) -> list[CitedArticle]:
    """The published cases (the search index holds exactly those) citing the articles of a published law, by
    article in law order; only articles cited at least once. `article` (第X条) narrows to one article."""
    table, found = _citing_documents(store, resolver, law_entry_id, article)
    if table is None:
        return []
    by_article: dict[str, set[str]] = {}
    for doc, headings in found:
        for heading in headings:
            by_article.setdefault(heading, set()).add(str(doc.meta.get("entry_id")))
    out = [
        CitedArticle(heading, table.articles[heading][0], sorted(ids))
        for heading, ids in by_article.items()
        if heading in table.articles
    ]
    out.sort(key=lambda a: a.section_index)
    return out


@dataclass(frozen=True)
class CitingCase:
    """A published case citing a law: its first chunk in the index (entry-level meta) and the law's articles it
    cites (headings, in law order)."""

    document: Any  # haystack Document
    articles: list[str]


def cases_citing_law(store: Any, resolver: ProvisionResolver, law_entry_id: str) -> list[CitingCase]:
    """Each published case citing a published law's articles, once: the most authoritative first (指导性 > 典型 >
    参考 > 警示, as `case_order`), then those citing more of the law's articles, then 编号 and title."""
    table, found = _citing_documents(store, resolver, law_entry_id, None)
    if table is None:
        return []
    out = []
    for doc, headings in found:
        cited = sorted((h for h in headings if h in table.articles), key=lambda h: table.articles[h][0])
        if cited:
            out.append(CitingCase(doc, cited))

    def rank(case: CitingCase) -> tuple[Any, ...]:
        meta = case.document.meta
        authority, number, title = case_order(meta.get("case_type"), meta.get("number"), str(meta.get("title", "")))
        return authority, -len(case.articles), number, title

    out.sort(key=rank)
    return out


def _citing_documents(
    store: Any, resolver: ProvisionResolver, law_entry_id: str, article: str | None
) -> tuple[LawArticles | None, list[tuple[Any, set[str]]]]:
    """The law's article table and, for each published case citing it, the case's first chunk with the headings
    of the articles it cites (one entry per case). `article` narrows to one article."""
    resolver.refresh()
    table = resolver.law(law_entry_id)
    if table is None:
        return None, []
    cases = {"field": "meta.kind", "operator": "==", "value": EntryKind.CASE.value}
    cited = store.facet_counts(["provisions"], filters=cases).get("provisions", {})
    wanted = resolver.citations_of(law_entry_id, list(cited))
    if article is not None:
        key = article_key(f"《{normalize_law_name(table.title)}》{article}")
        heading = key[1] if key else article
        wanted = {p: h for p, h in wanted.items() if h == heading}
    found: dict[str, tuple[Any, set[str]]] = {}
    values = list(wanted)
    for start in range(0, len(values), 500):  # bounded filter sizes (SQLite parameters, ES terms)
        filters = {
            "operator": "AND",
            "conditions": [
                cases,
                {"field": "meta.chunk_index", "operator": "==", "value": 0},
                {"field": "meta.provisions", "operator": "in", "value": values[start : start + 500]},
            ],
        }
        for doc in store.filter_documents(filters):
            case_id = str(doc.meta.get("entry_id"))
            headings = {wanted[p] for p in doc.meta.get("provisions", []) if p in wanted}
            if headings:  # a case citing provisions from two batches is found twice: merge
                found.setdefault(case_id, (doc, set()))[1].update(headings)
    return table, list(found.values())


def _negated(date: str) -> tuple[int, ...]:
    """Sort key putting the newest ISO date first."""
    return tuple(-ord(c) for c in date)

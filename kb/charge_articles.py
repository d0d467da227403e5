"""罪名 -> the 刑法 article(s) defining it (kb/data/charge_articles.tsv, built from the official charge lists by
`python -m api.devtools.charge_articles`)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from kb import text as kb_text

CRIMINAL_LAW = "中华人民共和国刑法"


@lru_cache(maxsize=1)
def charge_articles() -> dict[str, tuple[str, ...]]:
    """Official (normalised) charge name -> its defining article headings (第二百六十四条 …), in list order."""
    table: dict[str, tuple[str, ...]] = {}
    with resources.files("kb.data").joinpath("charge_articles.tsv").open(encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]
    for name, articles, *_ in rows:
        table.setdefault(kb_text.normalize(name), tuple(a for a in articles.split("、") if a))
    return table


def defining_articles(charge: str) -> tuple[str, ...]:
    """The 刑法 articles defining `charge` (an official name, or an alias of one); empty when unknown."""
    name = kb_text.normalize(charge)
    table = charge_articles()
    if name in table:
        return table[name]
    return table.get(kb_text.charge_aliases().get(name, ""), ())

"""A larger legal dictionary for the segmenter: the product's 150 terms and the charge names, against those plus the
legal-lexicon user dictionary (2026-11-27).

`../shared/data/legal-lexicon/jieba_userdict_legal.txt` (read by path, never copied) holds 11,419 lines: the LeCaRD
charge list, THUOCL's 9,896 legal-domain words and the keywords of the guiding cases. Segmentation changes what
BM25 indexes, so this needs a second index of the same candidates (`var/eval/lecard-dict`, the embedding cache
copied from the use-m3 index: the chunks and their vectors are the same). The product's tokenizer is patched
in this process only; indexing and queries both go through it. Run from the repository root:

    python bench-results/eval/dictionary/run.py build      # the second index, about 16 minutes
    python bench-results/eval/dictionary/run.py table      # its table into bench-results/eval/dictionary/
"""

from __future__ import annotations

import shutil
import sys
from functools import lru_cache
from pathlib import Path

import kb.text

USER_DICT = Path("../shared/data/legal-lexicon/jieba_userdict_legal.txt")
HOME = Path("var/eval/lecard-dict")
BASE_CACHE = Path("var/eval/lecard/embeddings.sqlite3")
_product_tokenizer = kb.text._tokenizer


@lru_cache(maxsize=1)
def _tokenizer_with_lexicon() -> object:
    tok = _product_tokenizer()
    tok.load_userdict(str(USER_DICT))  # type: ignore[attr-defined]
    return tok


def main() -> None:
    kb.text._tokenizer = _tokenizer_with_lexicon  # type: ignore[assignment]
    from api.cli import app

    common = ["eval", "lecard", "--data", "../shared/data/lecard", "--protocol", "all", "--home", str(HOME)]
    if sys.argv[1] == "build":
        HOME.mkdir(parents=True, exist_ok=True)
        if not (HOME / "embeddings.sqlite3").exists():
            shutil.copyfile(BASE_CACHE, HOME / "embeddings.sqlite3")
        app([*common, "--build-only"])
    else:
        configs = "bm25,dense,hybrid,hybrid+elements"
        app([*common, "--no-build", "--config", configs, "--out", "bench-results/eval/dictionary"])


if __name__ == "__main__":
    main()

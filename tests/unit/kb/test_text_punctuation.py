"""Display punctuation after NFKC: full width next to Chinese, and parentheses that close as they opened."""

from __future__ import annotations

import pytest

from kb.text import normalize, restore_cjk_punctuation


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("某日，张某（男）", "某日，张某（男）"),
        ("吴某盗窃案（示例ab12）", "吴某盗窃案（示例ab12）"),  # the closing one follows an ASCII letter
        ("价值人民币1,200元（约）", "价值人民币1,200元（约）"),
        ("(1)某某", "(1)某某"),
        ("(a(b)c)", "(a(b)c)"),
        ("未闭合（括号", "未闭合（括号"),
        ("多余）括号", "多余）括号"),
    ],
)
def test_restored_punctuation_reads_as_written(written: str, shown: str) -> None:
    assert restore_cjk_punctuation(normalize(written)) == shown

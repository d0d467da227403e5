"""kb.highlight: the comparison form keeps offsets, so highlight spans land on the original characters."""

from __future__ import annotations

import pytest

from kb.highlight import best_window, find_spans, fold


@pytest.mark.parametrize(
    "text",
    [
        "普通中文文本，2023年盗窃",
        "\uff21\uff22\uff23\uff11\uff12\uff13盗窃",
        "ﬁle 盗窃",
        "İstanbul 诈骗",
        "Straße ÀÉ",
        "Ǆ",
        "",
        "①②",
    ],
)
def test_fold_keeps_the_length(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_fold_matches_full_width_and_case() -> None:
    assert fold("\uff21\uff22\uff23\uff11\uff12\uff13") == "abc123"
    assert fold("\uff21pp") == "app"


def test_spans_point_at_the_original_characters() -> None:
    text = "被告人于\uff12\uff10\uff12\uff13年盗窃电动车，后又盗窃手机。"
    spans = find_spans(text, ["盗窃", "2023", "车"])  # single characters are ignored
    assert [text[s:e] for s, e in spans] == ["\uff12\uff10\uff12\uff13", "盗窃", "盗窃"]


def test_window_holds_the_most_highlighted_text() -> None:
    text = "无关内容。" * 100 + "醉酒驾驶机动车，构成危险驾驶罪。" + "无关内容。" * 100
    passage, spans = best_window(text, find_spans(text, ["醉酒驾驶", "危险驾驶罪"]), 60)
    assert passage.startswith("…") and passage.endswith("…")
    assert [passage[s:e] for s, e in spans] == ["醉酒驾驶", "危险驾驶罪"]

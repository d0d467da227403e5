from __future__ import annotations

import pytest

from kb.elements.numbers import (
    chinese_to_int,
    find_batches,
    find_case_numbers,
    int_to_chinese,
    normalize_article_number,
    parse_chinese_date,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一百三十三", 133),
        ("二百零五", 205),
        ("两千", 2000),
        ("十", 10),
        ("十五", 15),
        ("一十五", 15),
        ("〇", 0),
        ("零", 0),
        ("一千零五", 1005),
        ("一千一百九十五", 1195),
        ("一万零一十", 10010),
        ("十二万三千", 123000),
        ("一亿二千万", 120_000_000),
        ("二〇二三", 2023),
        ("二零一九", 2019),
        ("133", 133),
        ("\uff11\uff13\uff13", 133),
    ],
)
def test_chinese_to_int(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("text", ["", "一百abc", "第一百", "百分之十"])
def test_chinese_to_int_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError):
        chinese_to_int(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "零"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (101, "一百零一"),
        (110, "一百一十"),
        (133, "一百三十三"),
        (205, "二百零五"),
        (1000, "一千"),
        (1005, "一千零五"),
        (1010, "一千零一十"),
        (1195, "一千一百九十五"),
        (10010, "一万零一十"),
        (100000, "十万"),
    ],
)
def test_int_to_chinese(value: int, text: str) -> None:
    assert int_to_chinese(value) == text


def test_int_to_chinese_round_trips() -> None:
    for n in [*range(0, 3001), 10_000, 10_001, 99_999, 100_010, 1_000_000, 123_456_789]:
        assert chinese_to_int(int_to_chinese(n)) == n


def test_int_to_chinese_rejects_negative() -> None:
    with pytest.raises(ValueError):
        int_to_chinese(-1)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("二〇二三年五月六日", "2023-05-06"),
        ("二零一九年十二月三十日通过", "2019-12-30"),
        ("于2023年5月6日发布", "2023-05-06"),
        ("2023 年 05 月 06 日", "2023-05-06"),
        ("\uff12\uff10\uff12\uff13年\uff15月\uff16日", "2023-05-06"),
        ("2023-05-06", "2023-05-06"),
        ("2023/5/6", "2023-05-06"),
        ("2023.05.06", "2023-05-06"),
        ("（最高人民法院审判委员会讨论通过2022年12月26日发布）", "2022-12-26"),
    ],
)
def test_parse_chinese_date(text: str, iso: str) -> None:
    assert parse_chinese_date(text) == iso


@pytest.mark.parametrize("text", ["", "2023年5月", "2023年13月1日", "第一百三十三条", "二〇二三年二月三十二日"])
def test_parse_chinese_date_without_a_full_valid_date(text: str) -> None:
    assert parse_chinese_date(text) is None


def test_parse_chinese_date_takes_the_first_date() -> None:
    assert parse_chinese_date("2020年1月2日通过，2021-03-04施行") == "2020-01-02"
    assert parse_chinese_date("2021-03-04施行，2020年1月2日通过") == "2021-03-04"


def test_find_case_numbers_normalises_every_form() -> None:
    text = "（检例第103号）参照检例第一百零三号、指导性案例第24号、指导案例241号和（检例第\uff11\uff10号）"
    assert find_case_numbers(text) == ["检例第103号", "指导案例24号", "指导案例241号", "检例第10号"]


def test_find_case_numbers_ignores_other_numbers() -> None:
    assert find_case_numbers("（2021）沪0120刑初828号刑事判决，第三十五批") == []


def test_batches() -> None:
    text = "最高人民检察院第三十五批指导性案例（检例第140号），与第35批同批；第2批"
    assert find_batches(text) == ["第35批", "第2批"]
    assert find_case_numbers(text, include_batches=True) == ["第35批", "检例第140号", "第2批"]


def test_normalize_article_number() -> None:
    assert normalize_article_number("第133条") == "第一百三十三条"
    assert normalize_article_number("第一百三十三条") == "第一百三十三条"
    with pytest.raises(ValueError):
        normalize_article_number("第一款")

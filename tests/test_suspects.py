"""Tests for bitext.check.suspects: the numbers and Latin-script names of a text, and
those that one side of a pair has and the other lacks (the report's suspect pairs)."""

from __future__ import annotations

import pytest

from bitext.check.suspects import compare_pair, extract_names, extract_numbers


@pytest.mark.parametrize(
    "text, values",
    [
        ("包括中国在内的60多个签署方", [60]),
        ("60여 개 서명국", [60]),
        ("态度180度大转变", [180]),
        ("态度１８０度大转变", [180]),  # full-width digits
        ("澳大利亚“对话”网站12日刊文称", [12]),
        ("3万人 / 3만 명", [30000, 30000]),
        ("1억 5000만 원", [150000000]),
        ("1.5亿元", [150000000]),
        ("30,000 and 3.5%", [30000, 3.5]),
        ("2025年2月12日", [2025, 2, 12]),
        ("DeepSeek-R1, GPT-4 and a 7B model", []),  # digits of names are not numbers
        ("25 billion", [25e9]),
        ("温度为2.726K, 直径9cm", [2.726, 9]),  # unit symbols glued to the digits
    ],
)
def test_extract_numbers(text, values):
    hard, _ = extract_numbers(text)
    assert sorted(hard.elements()) == sorted(float(v) for v in values)


@pytest.mark.parametrize(
    "text, lang, value",
    [
        ("1.000", "de", 1000),
        ("3,5", "de", 3.5),
        ("1.234,5", "de", 1234.5),
        ("2\u202f500", "fr", 2500),
        ("1,000", "en", 1000),
        ("3.5", "en", 3.5),
        ("1,234.5", None, 1234.5),
        ("2.726", None, 2.726),
    ],
)
def test_extract_numbers_decimal_comma(text, lang, value):
    assert list(extract_numbers(text, lang)[0].elements()) == [float(value)]


def test_numbers_in_words_explain_digits():
    assert compare_pair("增长了百分之五十", "50% 증가")["numbers"] == ([], [])
    assert compare_pair("十几家厂商", "십여 개 업체")["numbers"] == ([], [])
    assert compare_pair("六十多个国家", "60여 개국")["numbers"] == ([], [])


def test_number_mismatch_is_suspect():
    r = compare_pair("包括中国在内的60多个签署方", "중국을 포함한 70여 개 서명국이")
    assert r["numbers"] == (["60"], ["70"])
    r = compare_pair("2024年增长了5%", "2025년에 5% 증가했다")
    assert r["numbers"] == (["2024"], ["2025"])
    # multisets: a number repeated on one side only
    r = compare_pair("3个和3个", "3개")
    assert r["numbers"] == (["3"], [])


def test_names():
    names, gloss = extract_names("중국의 AI ‘자료공개(오픈소스, Open Source)’가 DeepSeek-R1과 OpenAI의")
    assert set(names) == {"ai", "deepseek-r1", "openai"}
    assert gloss == {"open", "source"}
    # a name on one side only
    assert compare_pair("OpenAI的首席执行官", "최고경영자는")["names"] == (["OpenAI"], [])
    # case-insensitive; glosses in brackets need no counterpart
    assert compare_pair("deepseek发布", "DeepSeek(딥시크)가 발표(Release)")["names"] == ([], [])
    # written in Hangul on the other side
    assert compare_pair("法国初创公司Mistral", "프랑스 스타트업회사 미스트랄이")["names"] == ([], [])
    assert compare_pair("百度的Apollo平台", "바이두의 아폴로 플랫폼")["names"] == ([], [])
    # an English side: only names of the Chinese side are checked
    assert compare_pair("DeepSeek发布了模型", "The company released a model")["names"] == (["DeepSeek"], [])
    assert compare_pair("该公司发布了模型", "The company released a model")["names"] == ([], [])

"""Each step of the analysis chain, pinned case by case: normalise, tokenize, stop words, stem."""

from __future__ import annotations

import pytest

from bot.search.analysis import Analyzer
from bot.search.language import detect_lang
from bot.search.normalize import fold_arabic, normalize_text
from bot.search.stemming import arabic_variants, snowball_arabic_input
from bot.search.stopwords import is_stop_word
from bot.search.tokenize import tokenize


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("الانْتِخَابَاتُ", "الانتخابات"),  # harakat
        ("هٰذا", "هذا"),  # superscript alef U+0670
        ("الانتخـــابات", "الانتخابات"),  # tatweel
        ("أمن إلى آخر ٱلكتاب", "امن الي اخر الكتاب"),  # alef forms; ى → ي
        ("مؤتمر", "موتمر"),  # ؤ → و
        ("هيئة", "هييه"),  # ئ → ي, ة → ه
        ("اتفاقية", "اتفاقيه"),  # ة → ه
        ("مستوى", "مستوي"),  # ى → ي
        ("١٩٧٢", "1972"),  # Arabic-Indic digits
        ("۱۹۷۲", "1972"),  # Persian digits
        ("فارسی", "فارسي"),  # Persian yeh
    ],
)
def test_fold_arabic(raw: str, folded: str) -> None:
    """Arabic spelling variants fold to one form."""
    assert fold_arabic(raw) == folded


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("ﻻ", "لا"),  # presentation form (NFKC)
        ("What did the US say?", "what did the  usa  say?"),
        ("U.S. elections", " usa  elections"),
        ("tell us", "tell us"),  # lower-case "us" is the pronoun
        ("the United States of America", "the  usa "),
        ("والولايات المتحدة الأمريكية", " usa "),
        ("للولايات المتحدة", " usa "),
        ("head of state", "head of state"),
        ("ＴＡＳＳ", "tass"),  # full-width letters
    ],
)
def test_normalize_text(raw: str, normalized: str) -> None:
    """Whole-text normalisation: NFKC, US abbreviations, casefold, "United States" as one term."""
    assert normalize_text(raw) == normalized


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("ما هو الاقتراح الثالث؟", ["ما", "هو", "الاقتراح", "الثالث"]),
        ("الأمن، السيبراني؛ «روسيا»", ["الأمن", "السيبراني", "روسيا"]),
        ("putin's proposals", ["putin", "proposals"]),
        ("countries' rights", ["countries", "rights"]),
        ("cyberattacks on cybersecurity", ["cyber", "attacks", "on", "cyber", "security"]),
        ("cyber", ["cyber"]),
        ("بوتينsaid", ["بوتين", "said"]),  # a script change splits words
        ("the 2nd proposal, 25 may 1972", ["the", "2nd", "proposal", "25", "may", "1972"]),
        ("🙂 ... !!!", []),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    """Punctuation (Arabic and Latin), quotes and emoji separate tokens; possessives drop; "cyber" compounds split."""
    assert [t.text for t in tokenize(text)] == tokens


@pytest.mark.parametrize(
    "word",
    ["شو", "ايش", "إيش", "وش", "ليش", "إيه", "شنو", "ماذا", "ما", "هل", "مين", "عايز", "بدي", "what", "did", "tell",
     "say", "about", "the", "us", "please", "يريد", "بدو", "يبي", "سالفة", "حكاية", "بتاعة", "تحدث", "kind", "took",
     "make", "read", "بيقول", "بتقول", "يريده", "wat"],
)  # fmt: skip
def test_question_and_colloquial_words_are_stop_words(word: str) -> None:
    """Question words, colloquial fillers and function words carry no topic."""
    assert is_stop_word(fold_arabic(word))


@pytest.mark.parametrize("word", ["بوتين", "الانتخابات", "اقتراح", "elections", "putin", "first", "all", "usa"])
def test_topic_words_are_not_stop_words(word: str) -> None:
    """Words that can say which passage is meant are kept."""
    assert not is_stop_word(fold_arabic(word))


@pytest.mark.parametrize(
    "variants",
    [
        ["الانتخابية", "الانتخابات", "انتخابات", "الإنتخابات", "للانتخابات", "بالانتخابات", "انتخابيه"],
        ["السيبراني", "سيبراني", "السيبرانية"],
        ["الاتفاقية", "اتفاقيه", "اتفاق", "الاتفاق"],
        ["الاقتراح", "اقتراح", "اقتراحات", "الاقتراحات"],
        ["بوتين", "البوتين"],
        ["الحادثة", "حادثه", "حادث"],
        ["elections", "electoral", "election"],
        ["proposals", "proposal", "proposed"],
        ["cybersecurity", "cyber"],
        ["شعوبنا", "الشعوب", "للشعوب"],  # a possessive ending goes like the article
        ["خلافاتنا", "الخلافات"],
        ["بعضها", "البعض"],
    ],
)
def test_variants_share_a_stem(analyzer: Analyzer, variants: list[str]) -> None:
    """Inflected and differently spelled forms of one word meet on one stem."""
    stems = {analyzer.content_terms(v)[0].stem for v in variants}
    assert len(stems) == 1, stems


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("تتعهد", "تعهد"),
        ("وقعت", "وقع"),
        ("يرجع", "رجع"),
        ("انوقعت", "وقع"),
        ("بالهجمات", "هجمات"),
        ("فرق", "وفرق"),
        ("المتبادله", "تبادل"),
    ],
)
def test_arabic_variants_strip_verb_affixes_and_clitics(word: str, form: str) -> None:
    """An unknown Arabic word is retried without a verb prefix/ending or clitic, or with و glued on."""
    assert form in arabic_variants(word)


@pytest.mark.parametrize("word", ["قنوات", "ما"])
def test_arabic_variants_keep_three_letters(word: str) -> None:
    """No variant is shorter than a three-letter root."""
    assert all(len(v) >= 3 for v in arabic_variants(word) if not v.startswith("و"))


@pytest.mark.parametrize(
    ("word", "fed"),
    [("انتخابات", "الانتخابات"), ("والانتخابات", "الانتخابات"), ("اتفاقيه", "الاتفاقية"), ("بوتين", "البوتين"),
     ("هالاقتراحات", "الاقتراحات")],
)  # fmt: skip
def test_arabic_words_reach_snowball_as_definite_nouns(word: str, fed: str) -> None:
    """Article and glued proclitics are replaced by one article and a final ة, so Snowball treats variants alike."""
    assert snowball_arabic_input(word) == fed


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ما هو الاقتراح الثالث؟", "ar"),
        ("what is the third proposal?", "en"),
        ("شو قال بوتين عن CERT", "ar"),
        ("what did بوتين say about elections", "en"),
        ("1972", "en"),
        ("🙂", "en"),
        ("", "en"),
        ("الاقْتِرَاحُ", "ar"),
    ],
)
def test_detect_lang_by_script(text: str, lang: str) -> None:
    """More Arabic than Latin letters means Arabic; no letters at all means English."""
    assert detect_lang(text) == lang

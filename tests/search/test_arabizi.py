"""Arabizi: detected only where it is Arabizi, transliterated, and searched as Arabic."""

from __future__ import annotations

import tomllib

import pytest

from bot.config import PROJECT_ROOT
from bot.search import PassageIndex, detect_lang
from bot.search.arabizi import EXACT, FUZZY, is_arabizi, spellings, to_arabic

ARABIZI = [
    "shu 2al putin 3an el intikhabat",
    "eh el ettefa2 bta3 1972",
    "y7afed",  # one word spelling a letter with a digit is enough
    "ya3ni eh",
    "meen nashar el khabar",
    "shu el khatar",
    "kifash bgha y3awed el 3ilaqat",
    "el eqtira7 el tani shu kan?",
    "SHU 2AL PUTIN",  # capitals
    "shlon el 3ilaqa ma3 amrika",
]

NOT_ARABIZI = [
    "1972 agreement",
    "proposal 3",
    "what is the 3rd proposal?",
    "the 2nd one",
    "What did Putin say about elections?",
    "waht did putin sya abuot electoins",  # English typos
    "5g and g7 and mp3",
    "covid-19 in 2020s",
    "what about El Salvador and the men in Washington?",
    "eh, what did he say?",
    "min and max of proposal 2",
    "is there a ban on hal 9000",
    "شو قال بوتين 3an el intikhabat",  # Arabic letters: the Arabic chain reads it
    "",
    "🙂",
]


@pytest.mark.parametrize("text", ARABIZI)
def test_arabizi_is_detected(text: str) -> None:
    assert is_arabizi(text)


@pytest.mark.parametrize("text", NOT_ARABIZI)
def test_english_and_arabic_are_not_arabizi(text: str) -> None:
    assert not is_arabizi(text)


def test_no_english_question_of_the_project_sets_is_read_as_arabizi() -> None:
    """Every non-Arabizi question of the project's own and sealed sets stays as it is."""
    for name in ("questions.toml", "sealed.toml"):
        raw = tomllib.loads((PROJECT_ROOT / "tests" / "search" / name).read_text(encoding="utf-8"))
        wrong = [q["q"] for q in raw["question"] if q.get("kind") != "arabizi" and is_arabizi(q["q"])]
        assert not wrong, f"{name}: read as Arabizi: {wrong}"


@pytest.mark.parametrize(
    ("word", "spelling"),
    [
        ("7iwar", "حوار"),
        ("intikhabat", "انتخابات"),
        ("khubara2", "خبراء"),
        ("tadakhol", "تدخل"),
        ("3ilaqat", "علاقات"),
        ("mas2oliya", "مسءوليه"),
        ("sha6er", "شاطر"),
        ("8arb", "غرب"),
    ],
)
def test_spellings_include_the_arabic_word_among_the_first(word: str, spelling: str) -> None:
    assert spelling in list(spellings(word))[:32]


def test_spellings_are_bounded_and_cheapest_first() -> None:
    """A long word with many ambiguous letters yields at most the limit, the all-first-options one first."""
    found = list(spellings("stadtasdasdatsdta", limit=10))
    assert len(found) == 10 and len(set(found)) == 10
    assert found[0] == "ستدتسدسدتسدته"  # a final a reads as ة (folded to ه)


def test_to_arabic_picks_the_spelling_the_index_knows() -> None:
    """Of the spellings of a word, the first one ``known`` accepts wins, at the strictest level first."""
    vocabulary = {"صوت": EXACT, "سوط": FUZZY}
    assert to_arabic("sot", lambda w, level: vocabulary.get(w) == level) == "صوت"
    assert to_arabic("sot", lambda w, level: False) == "ست"  # nothing known: the cheapest spelling


def test_to_arabic_joins_articles_and_maps_dialect_words() -> None:
    nothing = lambda w, level: False
    assert to_arabic("shu ya3ni el 7iwar", nothing) == "شو يعني الحوار"
    assert to_arabic("bel intikhabat", nothing).startswith("بالانتخ")
    assert to_arabic("eh el ettefa2 bta3 1972", nothing).endswith("بتاع 1972")
    assert to_arabic("el tani", nothing) == "التاني"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("shu 2al putin 3an el intikhabat?", "proposal-4-non-interference"),
        ("eh el ettefa2 bta3 1972", "proposal-3-incidents-agreement"),
        ("el eqtira7 el tani shu kan?", "proposal-2-channels"),
        ("2anawat el itisal bein el ajhiza el mokhtassa", "proposal-2-channels"),
        ("damanat 3adam el tadakhol fel shu2oon el dakhleya", "proposal-4-non-interference"),
    ],
)
def test_arabizi_questions_are_answered_in_arabic(index: PassageIndex, query: str, expected: str) -> None:
    answer = index.search(query)
    assert answer.match == "answer"
    assert answer.best is not None and answer.best.passage.id == expected
    assert answer.lang == "ar"
    assert answer.query == query  # the user's own words are kept


@pytest.mark.parametrize("query", ["shu ra2y putin bel corona?", "kam se3r el dollar el yom?"])
def test_arabizi_questions_the_statement_does_not_answer_are_declined(index: PassageIndex, query: str) -> None:
    answer = index.search(query)
    assert answer.match != "answer" and answer.lang == "ar"


def test_english_with_numbers_is_still_english(index: PassageIndex) -> None:
    answer = index.search("1972 agreement")
    assert answer.lang == "en" and answer.best is not None
    assert answer.best.passage.id == "proposal-3-incidents-agreement"


def test_detect_lang_reads_arabizi_as_arabic() -> None:
    """The person typing Arabizi reads Arabic (messages such as "too long" come in Arabic)."""
    assert detect_lang("shu 2al putin 3an el intikhabat") == "ar"
    assert detect_lang("proposal 3 of 1972") == "en"

"""Questions about the article's structure and the document itself, answered by place, not by words."""

from __future__ import annotations

import pytest

from bot.answer import fact_text
from bot.knowledge_base import KnowledgeBase
from bot.search import PassageIndex


def _best(index: PassageIndex, query: str) -> str:
    answer = index.search(query)
    assert answer.match == "answer", (query, answer.match)
    assert answer.best is not None
    return answer.best.passage.id


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("what is the first line of the article?", 0),
        ("how does the article begin?", 0),
        ("ما أول سطر في الخبر؟", 0),
        ("the second paragraph", 1),
        ("ما الفقرة الثالثة؟", 2),
        ("what is the final line of the text?", -1),
        ("how does the article end?", -1),
        ("ما الجملة الأخيرة في المقال؟", -1),
        ("the penultimate line", -2),
        ("which line comes second to last?", -2),
    ],
)
def test_positions_in_the_article(index: PassageIndex, knowledge: KnowledgeBase, query: str, position: int) -> None:
    """First, nth, last and second-to-last passages, in Arabic and English, from the article's order."""
    order = [p.id for _, p in knowledge.entries()]
    assert _best(index, query) == order[position]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what comes right after the proposal on communication channels?", "proposal-3-incidents-agreement"),
        ("which paragraph comes before the one on the 1972 agreement?", "proposal-2-channels"),
        ("ماذا يأتي بعد الاقتراح الثالث؟", "proposal-4-non-interference"),
        ("ما الذي جاء قبل الحديث عن عدم التدخل في الانتخابات؟", "proposal-3-incidents-agreement"),
        ("which proposal comes after the hotlines one?", "proposal-3-incidents-agreement"),
        ("what part lies between the announcement and the danger of digital confrontation?", "publication"),
    ],
)
def test_neighbours_of_a_passage(index: PassageIndex, query: str, expected: str) -> None:
    """ "After X", "before X", "between X and Y": X is found by the search, the answer is its neighbour."""
    assert _best(index, query) == expected


def test_a_neighbour_of_nothing_is_not_invented(index: PassageIndex) -> None:
    """ "What comes after the weather forecast?": the reference is not in the statement, so no neighbour."""
    answer = index.search("what comes after the paragraph about the football results?")
    assert answer.match != "answer" or answer.fact is None and answer.best is not None


@pytest.mark.parametrize(
    ("query", "fact", "words"),
    [
        ("how many proposals are there?", "count", ("4",)),
        ("كم عدد المقترحات؟", "count", ("4",)),
        ("what is the statement about?", "overview", ("1.", "4.")),
        ("ما موضوع البيان؟", "overview", ("1.", "4.")),
        ("when was it published?", "date", ("25 September 2020",)),
        ("متى نشر البيان؟", "date", ("2020",)),
        ("what is the statement called?", "title", ("Statement by President of Russia",)),
    ],
)
def test_questions_about_the_document(
    index: PassageIndex, knowledge: KnowledgeBase, query: str, fact: str, words: tuple[str, ...]
) -> None:
    """Count, overview, date and title are answered from the metadata, with the supporting passage quoted."""
    answer = index.search(query)
    assert answer.match == "answer" and answer.fact == fact
    text = fact_text(answer)
    assert all(w in text for w in words), text
    assert answer.to_payload().answered is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("What global commitment did he suggest about striking first?", "no-first-strike"),
        ("first of all, what did he say about elections?", "proposal-4-non-interference"),
        ("at first, what was said about the 1972 agreement?", "proposal-3-incidents-agreement"),
        ("أولاً، ماذا قال عن الانتخابات؟", "proposal-4-non-interference"),
    ],
)
def test_first_that_is_not_an_ordinal(index: PassageIndex, query: str, expected: str) -> None:
    """ "Striking first", "first of all", "at first", "أولاً" are not proposal 1."""
    assert _best(index, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "did he suggest all nations promise never to start a cyberattack?",
        "hotlines staying open?",
        "When does Ramadan start next year?",
        "who won the champions league final last year?",
    ],
)
def test_structural_words_in_ordinary_questions(index: PassageIndex, query: str) -> None:
    """ "start", "open", "final", "year" without an article or part noun are not structural questions."""
    assert index.search(query).fact is None
    assert index.search(query).best is None or index.search(query).best.passage.id not in ("source", "announcement")

"""PassageIndex behaviour: ranking, abstention, ordinals, robustness to odd input, thread safety."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.knowledge_base import KnowledgeBase, Passage
from bot.search import PassageIndex, phrases
from bot.search.fuzzy import FuzzyVocabulary, max_length_gap


def _ids(index: PassageIndex, query: str, top: int = 3) -> list[str]:
    return [h.passage.id for h in index.search(query, top=top).hits]


@pytest.mark.parametrize("query", ["", "   \n\t", "؟؟؟ ، ؛", "the of and", "ما هو"])
def test_empty_or_contentless_input_is_not_answered(index: PassageIndex, query: str) -> None:
    """Nothing to search for: not answered, proposals offered as suggestions."""
    answer = index.search(query)
    assert answer.answered is False
    assert [h.passage.proposal for h in answer.hits] == [1, 2, 3]


@pytest.mark.parametrize(
    "query", ["🙂🙂🙂", "hi", "Thanks a lot!", "who are you?", "what can you do", "مرحبا", "شكرا جزيلا", "مين انت؟"]
)
def test_small_talk_gets_no_passage(index: PassageIndex, query: str) -> None:
    """Greetings, thanks, questions about the bot and emoji are small talk: no passage, not answered."""
    answer = index.search(query)
    assert answer.match == "smalltalk" and answer.answered is False and answer.hits == ()
    assert answer.to_payload().match == "smalltalk"


@pytest.mark.parametrize(
    "query",
    ["hi, what did he say about elections?", "thanks, and the 1972 agreement?", "مرحبا، ما هو الاقتراح الثالث؟"],
)
def test_a_greeting_with_a_question_is_a_question(index: PassageIndex, query: str) -> None:
    """A greeting before a real question does not turn it into small talk."""
    assert index.search(query).match == "answer"


def test_huge_input_does_not_blow_up(index: PassageIndex) -> None:
    """100 KB of text is cut and searched without error."""
    answer = index.search("elections " + "x" * 100_000 + " الانتخابات" * 5000)
    assert answer.query.startswith("elections")
    assert answer.best is not None


def test_scores_are_0_to_100_and_best_first(index: PassageIndex) -> None:
    """Scores stay on the 0–100 scale, sorted best first, and `top` bounds the hits."""
    for top in (1, 3, 5):
        hits = index.search("information security cooperation between Russia and the United States", top=top).hits
        assert 1 <= len(hits) <= top
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 100 for s in scores)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hotline", "proposal-2-channels"),  # glossary synonym in English
        ("الخط الساخن", "proposal-2-channels"),  # Arabic keyword
        ("سايبر حوار", "proposal-1-dialogue"),  # transliteration in the glossary
        ("treaty 1972", "proposal-3-incidents-agreement"),
        ("معاهدة البحار", "proposal-3-incidents-agreement"),
        ("Moscow Washington trust", "aims"),  # glossary: Moscow → Russia, Washington → US
        ("وبوتين والانتخابات", "proposal-4-non-interference"),  # glued conjunctions
        ("cyberwar", "digital-confrontation"),  # war → confrontation
        ("الحرب الإلكترونية", "digital-confrontation"),
        ("election hacking", "proposal-4-non-interference"),  # hacking: interference here...
        ("promise not to hack first", "no-first-strike"),  # ...and a strike there
        ("قرصنة الانتخابات", "proposal-4-non-interference"),
        ("تتعهد الدول بعدم البدء بالهجمات", "no-first-strike"),  # verb prefix off, broken plural in the glossary
        ("متى انوقعت اتفاقية البحار", "proposal-3-incidents-agreement"),  # colloquial passive: وقع → signed
        ("فرق الاستجابة", "proposal-2-channels"),  # the article glues و on: "وفرق"
        ("lines of communication", "proposal-2-channels"),
    ],
)
def test_synonyms_and_cross_language_terms_reach_the_passage(index: PassageIndex, query: str, expected: str) -> None:
    """The glossary and clitic stripping let other wordings reach the passage."""
    answer = index.search(query)
    assert answer.answered and answer.hits[0].passage.id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("electoins", "proposal-4-non-interference"),
        ("hostge", "expert-dialogue"),
        ("الانتخابت", "proposal-4-non-interference"),
        ("hotlin with amercia", "proposal-2-channels"),  # "amercia": a glossary word, not a passage word
    ],
)
def test_misspelled_words_match_fuzzily(index: PassageIndex, query: str, expected: str) -> None:
    """A word missing from the vocabulary is matched to its nearest spelling."""
    assert index.search(query).hits[0].passage.id == expected


def test_fuzzy_match_scores_below_exact(index: PassageIndex) -> None:
    """A typo matches, but with less confidence than the correct spelling of a longer question."""
    exact = index.search("electoral processes interference").hits[0]
    typo = index.search("electorl procesess interferense").hits[0]
    assert exact.passage.id == typo.passage.id
    assert typo.score <= exact.score


def test_ordinal_beyond_the_proposals_offers_the_proposals(index: PassageIndex, knowledge: KnowledgeBase) -> None:
    """ "The fifth proposal" does not exist: not answered, and the suggestions are the proposals."""
    answer = index.search("what is the fifth proposal?", top=10)
    assert not answer.answered
    assert [h.passage.id for h in answer.hits] == [p.id for _, p in knowledge.proposals()]


def test_ordinal_answer_comes_first_with_full_score(index: PassageIndex) -> None:
    """An ordinal question puts the numbered proposal first with score 100."""
    answer = index.search("ايش الاقتراح الثالث")
    assert answer.answered and answer.lang == "ar"
    assert answer.hits[0].passage.proposal == 3 and answer.hits[0].score == 100


def test_subject_only_question_gets_the_lead(index: PassageIndex) -> None:
    """A question naming only the subject ("what did Putin say?") is answered by the article's lead."""
    assert _ids(index, "What did Putin say?")[0] == "announcement"
    assert _ids(index, "شو قال بوتين؟")[0] == "announcement"


@pytest.mark.parametrize(
    "query",
    ["what's the weather in Paris", "what did the US reply?", "what did Biden say", "who won the 2020 election"],
)
def test_out_of_scope_questions_are_not_answered(index: PassageIndex, query: str) -> None:
    """Questions mostly about something else abstain, with suggestions instead of an answer."""
    assert index.search(query).answered is False


@pytest.mark.parametrize("query", ["Who is the president of the United States?", "من هو رئيس الولايات المتحدة؟"])
def test_a_question_fitting_many_passages_equally_is_not_answered(index: PassageIndex, query: str) -> None:
    """When several passages fit about equally well, they are offered as suggestions, not quoted as the answer."""
    answer = index.search(query)
    assert answer.answered is False
    assert len(answer.hits) == 3


def _passage(pid: str, text: str) -> Passage:
    return Passage(id=pid, text_ar="نص", text_en=text)


def test_adjacent_words_rank_a_phrase_match_first(knowledge: KnowledgeBase) -> None:
    """Of two passages with the same words, the one with them side by side ranks first."""
    doc = knowledge.documents[0]
    index = PassageIndex.from_passages(
        [
            (doc, _passage("scattered", "security talks on information and more")),
            (doc, _passage("phrase", "information security talks and more")),
        ]
    )
    assert _ids(index, "information security") == ["phrase", "scattered"]


def test_unknown_words_count_against_the_answer(index: PassageIndex) -> None:
    """Each word the statement never uses lowers the score of the same best passage."""
    scores = [
        index.search(q).hits[0].score
        for q in ("interference elections", "interference elections Biden", "interference elections Biden Obama Trump")
    ]
    assert scores[0] > scores[1] > scores[2]


def test_an_unknown_number_counts_more_than_an_unknown_word(index: PassageIndex) -> None:
    """A year the statement lacks ties the question to another event: it lowers the score more than a word."""
    scores = [
        index.search(q).hits[0].score
        for q in ("election interference", "election interference banana", "election interference 2016")
    ]
    assert scores[0] > scores[1] > scores[2]


def test_subject_words_count_little_even_when_no_passage_uses_them(index: PassageIndex) -> None:
    """ "suggest" and "المقال" name the subject: unlike an unknown word, they barely lower the score."""
    plain = index.search("hotline").hits[0].score
    assert index.search("did he suggest a hotline").hits[0].score > 0.8 * plain
    assert index.search("hotline banana").hits[0].score < 0.6 * plain


def test_an_acceptable_form_is_not_an_acceptance(index: PassageIndex) -> None:
    """ "acceptable" keeps its suffix, so "did the US accept the proposals?" does not hit "acceptable to both sides"."""
    assert index.search("Did the US accept the proposals?").answered is False
    assert index.search("in a form acceptable to both sides").hits[0].passage.id == "proposal-4-non-interference"


@pytest.mark.parametrize(
    ("query", "answered"),
    [
        ("How many CERTs does Russia have?", False),  # no passage about CERTs has a number
        ("كم عدد الهجمات الإلكترونية؟", False),
        ("how many incidents at sea 1972 agreement", True),  # the 1972 passage has a number: it may answer
        ("When did Putin become president?", False),  # a date is asked: the aims have none
        ("متى وقعت اتفاقية البحار؟", True),
    ],
)
def test_how_many_and_when_need_a_passage_with_a_number(index: PassageIndex, query: str, answered: bool) -> None:
    """A "how many" or "when" question is answered only by a passage that contains a number."""
    assert index.search(query).answered is answered


def test_words_asking_what_came_after_count_as_focus(index: PassageIndex) -> None:
    """A reply or refusal word lowers the score more than another unknown word: the statement cannot report it."""
    scores = [
        index.search(q).hits[0].score for q in ("appeal to the US", "appeal to the US banana", "US rejected appeal")
    ]
    assert scores[0] > scores[1] > scores[2]
    assert index.search("Did the Americans respond to Putin's appeal?").answered is False
    # "قبلت" (accepted) is not read as "قبل" (by), which the statement uses
    assert index.search("هل قبلت أمريكا الحوار مع روسيا؟").answered is False


def test_search_is_thread_safe_and_deterministic(index: PassageIndex) -> None:
    """Concurrent searches return exactly what sequential ones do."""
    queries = ["electoins", "الاقتراح الثالث", "weather in paris", "سايبر", "hotline", "1972"] * 20
    sequential = [index.search(q).to_payload() for q in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda q: index.search(q).to_payload(), queries))
    assert concurrent == sequential


@pytest.mark.parametrize(
    ("length", "gap"),
    [(4, 1), (7, 2), (12, 4), (20, 7)],
)
def test_fuzzy_length_window(length: int, gap: int) -> None:
    """Only words this much longer or shorter can reach the fuzzy cutoff, so only their buckets are scanned."""
    assert max_length_gap(length) == gap


@pytest.mark.parametrize(
    ("word", "stem"),
    [("electoins", "elect"), ("lections", "elect"), ("electio", "elect"), ("الانتخابت", "انتخاب"), ("walk", None)],
)
def test_fuzzy_vocabulary_finds_near_spellings(word: str, stem: str | None) -> None:
    """A typo at the start, the end or the middle still reaches the word; an unrelated word reaches nothing."""
    vocabulary = FuzzyVocabulary({"elections": "elect", "انتخابات": "انتخاب", "talks": "talk"})
    found = [s for s, _ in vocabulary.expand(word)]
    assert found == ([stem] if stem else [])


@pytest.mark.parametrize(
    ("sequence", "pair", "adjacent"),
    [([1, 2, 3], (1, 2), True), ([1, 2, 3], (2, 1), False), ([1, 0, 2], (1, 2), False), ([256, 1], (1, 2), False)],
)
def test_phrase_adjacency(sequence: list[int], pair: tuple[int, int], adjacent: bool) -> None:
    """Adjacent term ids are found in order, never across a field separator or a byte boundary."""
    assert phrases.adjacent(phrases.encode(sequence), *pair) is adjacent


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_passage_is_found_by_its_own_words(index: PassageIndex, knowledge: KnowledgeBase, lang: str) -> None:
    """A passage's full text, or the first 60 characters of its summary (what a shared quote re-runs), finds it first."""
    for _, p in knowledge.entries():
        for query in (p.text(lang), (p.summary(lang) or p.text(lang))[:60]):  # type: ignore[arg-type]
            answer = index.search(query)
            assert answer.answered and answer.hits[0].passage.id == p.id, (p.id, query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Where can I read the original statement?", "publication"),
        ("وين انتشر البيان", "publication"),
        ("why these measures", "aims"),
        ("Why did Putin make these proposals?", "aims"),  # only subject words: the kind decides
        ("ليش بوتين قدم هالمقترحات", "aims"),
        ("Where does this news come from?", "source"),
    ],
)
def test_question_words_prefer_passages_of_the_kind_asked(index: PassageIndex, query: str, expected: str) -> None:
    """ "Where" lifts the place of publication, "why" the aims, among the passages the question reaches."""
    assert index.search(query).hits[0].passage.id == expected


def test_question_words_alone_do_not_make_an_answer(index: PassageIndex) -> None:
    """A "why" question about something the statement never mentions still abstains."""
    assert index.search("why is the sky blue?").answered is False

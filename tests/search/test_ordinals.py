"""Ordinal questions resolve to a proposal number, and only next to a word for "proposal"."""

from __future__ import annotations

import pytest

from bot.search.analysis import Analyzer
from bot.search.ordinals import LAST, proposal_number


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("what is the third proposal?", 3),
        ("proposal 2", 2),
        ("proposal number three", 3),
        ("proposal #4", 4),
        ("tell me the 2nd proposal", 2),
        ("the first of the proposals", 1),
        ("his second idea", 2),
        ("what was the last proposal", LAST),
        ("fifth proposal", 5),
        ("what is the thrid proposal", 3),  # misspelt ordinals
        ("secnod proposal", 2),
        ("the fisrt proposal", 1),
        ("wat is the secnd propsal", 2),  # misspelt noun too
        ("أول اقتراح", 1),
        ("الاقتراح الثالث", 3),
        ("ثاني مقترح", 2),
        ("ايش الاقتراح التاني", 2),
        ("المقترح رقم ٣", 3),
        ("الاقتراح الأخير", LAST),
        ("والاقتراح الرابع", 4),
        ("النقطة الثانية", 2),
        ("proposal الثالث", 3),
        ("no first strike", None),
        ("the proposal about not being the first to strike", None),
        ("ألا تكون أول من يضرب", None),
        ("1972 agreement", None),
        ("the 3 proposals", None),
        ("what did putin propose", None),
        ("", None),
    ],
)
def test_proposal_number(analyzer: Analyzer, question: str, number: int | None) -> None:
    """An ordinal or a number after the noun gives the proposal; other ordinals do not."""
    assert proposal_number(analyzer.analyze(question)) == number

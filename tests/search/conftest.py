"""The real knowledge base's index and an analyzer, built once for the search tests."""

from __future__ import annotations

import pytest

from bot.knowledge_base import KnowledgeBase
from bot.search import PassageIndex
from bot.search.analysis import Analyzer


@pytest.fixture(scope="session")
def index(knowledge: KnowledgeBase) -> PassageIndex:
    return PassageIndex.build(knowledge)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()

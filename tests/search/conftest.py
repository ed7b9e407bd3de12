"""The real knowledge base, its index and an analyzer, built once for the search tests."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge_base import KnowledgeBase, load_knowledge
from bot.search import PassageIndex
from bot.search.analysis import Analyzer


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="session")
def index(kb: KnowledgeBase) -> PassageIndex:
    return PassageIndex.build(kb)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()

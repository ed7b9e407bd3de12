"""The real knowledge base and its index, built once for the search tests."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge_base import KnowledgeBase, load_knowledge
from bot.search import PassageIndex


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="session")
def index(kb: KnowledgeBase) -> PassageIndex:
    return PassageIndex.build(kb)

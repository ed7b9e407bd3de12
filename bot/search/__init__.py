"""Bilingual passage search: the analysis chain, the index, and language detection.

``PassageIndex.build(kb)`` once at start-up, then ``index.search(question)`` per question.
"""

from bot.search.index import PassageIndex
from bot.search.language import detect_lang

__all__ = ["PassageIndex", "detect_lang"]

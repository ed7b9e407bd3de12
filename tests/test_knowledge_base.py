"""The knowledge files load, quote the article verbatim, and broken files fail with a precise message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge_base import KnowledgeError, load_knowledge

KNOWLEDGE = PROJECT_ROOT / "knowledge"


def test_every_arabic_passage_is_a_verbatim_substring_of_the_article() -> None:
    kb = load_knowledge(KNOWLEDGE)
    for kfile in kb.files:
        article = (KNOWLEDGE / kfile.document.article_file).read_text(encoding="utf-8")
        for p in kfile.passages:
            assert p.text_ar in article, p.id


def test_article_is_covered_line_by_line() -> None:
    """Every line of the article belongs to some passage, so nothing in it is unanswerable."""
    kb = load_knowledge(KNOWLEDGE)
    kfile = kb.files[0]
    article = (KNOWLEDGE / kfile.document.article_file).read_text(encoding="utf-8")
    joined = " ".join(p.text_ar for p in kfile.passages)
    for line in filter(None, article.splitlines()):
        assert line.strip() in joined or all(part in joined for part in line.split(". ")), line


def test_four_numbered_proposals_with_bilingual_summaries() -> None:
    kb = load_knowledge(KNOWLEDGE)
    numbers = [p.proposal for _, p in kb.proposals()]
    assert numbers == [1, 2, 3, 4]
    for _, p in kb.proposals():
        assert p.summary_ar and p.summary_en


def test_closing_lines_are_passages() -> None:
    kb = load_knowledge(KNOWLEDGE)
    texts = [p.text_ar for _, p in kb.entries()]
    assert "المصدر: تاس" in texts
    assert any(t.startswith("الصورة:") for t in texts)
    assert any(t.startswith("مجموعة الرؤية الاستراتيجية") for t in texts)


def test_document_metadata_matches_the_facts() -> None:
    doc = load_knowledge(KNOWLEDGE).documents[0]
    assert doc.date.isoformat() == "2020-09-25"
    assert doc.url == "https://en.kremlin.ru/events/president/news/64086"
    assert doc.agency_en == "TASS"


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def _edit(kdir: Path, old: str, new: str) -> None:
    path = kdir / "putin-ict-2020.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('text_ar = "المصدر: تاس"', 'text_ar = "المصدر: رويترز"', ["putin-ict-2020.toml", "'source'", "verbatim"]),
        ('id = "photo-credit"', 'id = "source"', ["putin-ict-2020.toml", "'source'", "duplicate id"]),
        ("proposal = 4", "proposal = 3", ["putin-ict-2020.toml", "proposal number 3"]),
        ('id = "aims"\n', 'id = "aims"\ntext_xx = "?"\n', ["putin-ict-2020.toml", "passage 'aims'", "text_xx"]),
        ('date = 2020-09-25', 'date = "someday"', ["putin-ict-2020.toml", "document.date"]),
        ("\n[document]\n", "\n[document\n", ["putin-ict-2020.toml", "not valid TOML"]),
    ],
)
def test_broken_file_names_file_passage_and_problem(kdir: Path, old: str, new: str, expected: list[str]) -> None:
    _edit(kdir, old, new)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kdir)
    for fragment in expected:
        assert fragment in str(info.value)


def test_summary_must_come_in_both_languages(kdir: Path) -> None:
    path = kdir / "putin-ict-2020.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('summary_ar = "إبرام')
    end = text.index("\n", start)
    path.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    with pytest.raises(KnowledgeError, match="proposal-3-incidents-agreement"):
        load_knowledge(kdir)


def test_a_second_document_is_indexed_by_dropping_in_a_file(kdir: Path) -> None:
    text = (kdir / "putin-ict-2020.toml").read_text(encoding="utf-8")
    second = text.replace('id = "putin-ict-2020"', 'id = "second-doc"')
    for pid in [line.split('"')[1] for line in text.splitlines() if line.startswith("id = ") and "putin" not in line]:
        second = second.replace(f'id = "{pid}"', f'id = "b-{pid}"')
    (kdir / "second.toml").write_text(second, encoding="utf-8")
    kb = load_knowledge(kdir)
    assert len(kb.files) == 2
    assert len(kb.entries()) == 2 * len(kb.files[0].passages)


def test_passage_ids_must_be_unique_across_files(kdir: Path) -> None:
    text = (kdir / "putin-ict-2020.toml").read_text(encoding="utf-8")
    (kdir / "second.toml").write_text(text.replace('id = "putin-ict-2020"', 'id = "second-doc"'), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="already used"):
        load_knowledge(kdir)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="no knowledge files"):
        load_knowledge(tmp_path)

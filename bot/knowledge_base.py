"""The statement as data: knowledge files → validated, immutable models.

Every ``*.toml`` file in the knowledge directory is one document. Loading is strict because
everything downstream (the index, the quotes users share) trusts these models: a broken file
fails with a :class:`KnowledgeError` naming the file, the passage and the problem, instead of
the bot quietly quoting something that is not in the article.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Lang = Literal["ar", "en"]

_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"


class KnowledgeError(Exception):
    """A knowledge file cannot be used; the message says which file, which passage and why."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Passage(_Frozen):
    """One quotable unit of the article: a sentence or a short paragraph."""

    id: str = Field(pattern=_ID_PATTERN)
    text_ar: str = Field(min_length=1, max_length=1500)
    text_en: str = Field(min_length=1, max_length=2000)
    proposal: int | None = Field(default=None, ge=1, le=99)
    summary_ar: str | None = Field(default=None, min_length=1, max_length=400)
    summary_en: str | None = Field(default=None, min_length=1, max_length=400)
    keywords_ar: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    # False when the quote does not say who speaks ("He added: ..."): the reply names the speaker beside it.
    names_speaker: bool = True
    # "metadata": the article's byline, photo credit or source line; answered, never suggested as "see also".
    kind: Literal["statement", "metadata"] = "statement"

    @model_validator(mode="after")
    def _summaries_come_in_pairs(self) -> Passage:
        if (self.summary_ar is None) != (self.summary_en is None):
            raise ValueError("summary_ar and summary_en must be given together")
        if self.proposal is not None and self.summary_ar is None:
            raise ValueError("a numbered proposal needs summary_ar and summary_en")
        return self

    def text(self, lang: Lang) -> str:
        return self.text_ar if lang == "ar" else self.text_en

    def summary(self, lang: Lang) -> str | None:
        return self.summary_ar if lang == "ar" else self.summary_en


class Document(_Frozen):
    """Metadata of one published statement, as reported by the article we quote."""

    id: str = Field(pattern=_ID_PATTERN)
    article_file: str
    title_ar: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    original_title_en: str = Field(min_length=1)
    original_title_ru: str | None = None
    date: dt.date
    agency_ar: str = Field(min_length=1)
    agency_en: str = Field(min_length=1)
    publisher_ar: str = Field(min_length=1)
    publisher_en: str = Field(min_length=1)
    speaker_ar: str | None = Field(default=None, min_length=1)  # whose statement it is: on quote cards, and beside quotes that do not name him
    speaker_en: str | None = Field(default=None, min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")
    url_ru: str | None = Field(default=None, pattern=r"^https?://\S+$")
    url_agency_en: str | None = Field(default=None, pattern=r"^https?://\S+$")

    def title(self, lang: Lang) -> str:
        return self.title_ar if lang == "ar" else self.title_en

    def speaker(self, lang: Lang) -> str | None:
        return self.speaker_ar if lang == "ar" else self.speaker_en

    def publisher(self, lang: Lang) -> str:
        return self.publisher_ar if lang == "ar" else self.publisher_en


class KnowledgeFile(_Frozen):
    """One ``.toml`` file: a document and its passages in the article's order."""

    document: Document
    passages: tuple[Passage, ...] = Field(min_length=1)

    @field_validator("passages")
    @classmethod
    def _unique_ids_and_numbers(cls, passages: tuple[Passage, ...]) -> tuple[Passage, ...]:
        seen: set[str] = set()
        numbers: set[int] = set()
        for p in passages:
            if p.id in seen:
                raise ValueError(f"passage {p.id!r}: duplicate id")
            seen.add(p.id)
            if p.proposal is not None:
                if p.proposal in numbers:
                    raise ValueError(f"passage {p.id!r}: proposal number {p.proposal} is used twice")
                numbers.add(p.proposal)
        return passages

    def proposals(self) -> list[Passage]:
        """The numbered proposals, by number."""
        return sorted((p for p in self.passages if p.proposal is not None), key=lambda p: p.proposal or 0)

    def other_calls(self) -> list[Passage]:
        """Passages with a summary that are not numbered proposals, in the article's order."""
        return [p for p in self.passages if p.proposal is None and p.summary_en]


class KnowledgeBase(_Frozen):
    """All documents, each with its passages; the input to the search index."""

    files: tuple[KnowledgeFile, ...]

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(f.document for f in self.files)

    def entries(self) -> list[tuple[Document, Passage]]:
        """Every passage with its document, in a stable order (file name, then article order)."""
        return [(f.document, p) for f in self.files for p in f.passages]

    def proposals(self) -> list[tuple[Document, Passage]]:
        """Numbered proposals, by document then number: what digests and `/proposals` list."""
        return [(f.document, p) for f in self.files for p in f.proposals()]

    def summarized(self) -> list[tuple[Document, Passage]]:
        """Passages with a summary: the numbered proposals first, then other calls."""
        return self.proposals() + [(f.document, p) for f in self.files for p in f.other_calls()]

    def passage(self, passage_id: str) -> tuple[Document, Passage] | None:
        for doc, p in self.entries():
            if p.id == passage_id:
                return doc, p
        return None

    def content_hashes(self) -> dict[str, str]:
        """A hash per summarized passage, keyed ``doc_id/passage_id``, to detect what changed."""
        out: dict[str, str] = {}
        for doc, p in self.summarized():
            payload = json.dumps(p.model_dump(), sort_keys=True, ensure_ascii=False)
            out[f"{doc.id}/{p.id}"] = hashlib.sha256(payload.encode()).hexdigest()
        return out


def _describe(error: ValidationError, raw: dict[str, Any]) -> str:
    """Turn pydantic's errors into 'passage <id>: field: problem' lines a human can act on."""
    lines = []
    listed = raw.get("passages")
    passages: list[Any] = listed if isinstance(listed, list) else []
    for err in error.errors():
        loc = list(err["loc"])
        where = ".".join(str(x) for x in loc) or "file"
        if len(loc) >= 2 and loc[0] == "passages" and isinstance(loc[1], int):
            index = loc[1]
            pid = passages[index].get("id") if index < len(passages) and isinstance(passages[index], dict) else None
            label = f"passage {pid!r}" if pid else f"passage #{index + 1}"
            field = ".".join(str(x) for x in loc[2:]) or "passage"
            where = f"{label}, field {field}"
        lines.append(f"{where}: {err['msg']}")
    return "; ".join(lines)


def load_knowledge_file(path: Path) -> KnowledgeFile:
    """Load and validate one knowledge file, checking every Arabic passage against the article."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from exc
    try:
        kfile = KnowledgeFile.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(f"{path}: {_describe(exc, raw)}") from exc
    article_path = path.parent / kfile.document.article_file
    try:
        article = article_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(f"{path}: article file {article_path.name!r} cannot be read: {exc}") from exc
    for p in kfile.passages:
        if p.text_ar not in article:
            raise KnowledgeError(
                f"{path}: passage {p.id!r}: text_ar is not a verbatim quotation of {article_path.name}"
            )
    return kfile


def knowledge_paths(directory: Path) -> list[Path]:
    """The knowledge files of ``directory`` (``*.toml``), in the order they are indexed."""
    if not directory.is_dir():
        raise KnowledgeError(f"{directory}: knowledge directory not found")
    return sorted(directory.glob("*.toml"))


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load every ``*.toml`` file in ``directory``; passage ids must be unique across documents."""
    return combine_knowledge(directory, {path: load_knowledge_file(path) for path in knowledge_paths(directory)})


def combine_knowledge(directory: Path, loaded: Mapping[Path, KnowledgeFile]) -> KnowledgeBase:
    """The knowledge base of files loaded one by one: at least one, document and passage ids unique across them."""
    if not loaded:
        raise KnowledgeError(f"{directory}: no knowledge files (*.toml)")
    seen: dict[str, Path] = {}
    doc_ids: set[str] = set()
    for path, kfile in loaded.items():
        if kfile.document.id in doc_ids:
            raise KnowledgeError(f"{path}: document id {kfile.document.id!r} is used by another file")
        doc_ids.add(kfile.document.id)
        for p in kfile.passages:
            if p.id in seen:
                raise KnowledgeError(f"{path}: passage {p.id!r}: id already used in {seen[p.id].name}")
            seen[p.id] = path
    return KnowledgeBase(files=tuple(loaded.values()))

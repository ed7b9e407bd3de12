"""What the search engine hands to every front end (CLI, console, Telegram).

An :class:`Answer` is plain data: the query, its language, whether the statement answers it,
and the ranked hits (the answer first, or the closest suggestions when ``answered`` is false).
:meth:`Answer.to_payload` is the stable JSON interface of ``python -m bot ask --json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from babel import dates as babel_dates
from pydantic import BaseModel

from bot.knowledge_base import Document, Lang, Passage

Match = Literal["answer", "closest", "none", "smalltalk"]
"""The engine's verdict: ``answer`` (quote it), ``closest`` (plausible but unsure: quote it under a
"closest passage" heading), ``none`` (not in the statement; the hits are suggestions) or
``smalltalk`` (a greeting, thanks, "who are you": no passage, a friendly reply)."""

Fact = Literal["count", "overview", "date", "title"]
"""A question about the document itself, answered from its metadata beside the supporting passage."""


class SourcePayload(BaseModel):
    name: str
    url: str


class ResultPayload(BaseModel):
    passage_id: str
    score: float
    quote: str
    text_ar: str
    text_en: str
    source: SourcePayload


class AnswerPayload(BaseModel):
    query: str
    lang: Lang
    answered: bool
    match: Match
    results: list[ResultPayload]


def source_short(doc: Document, lang: Lang) -> str:
    """The source in one short line, for where space is tight (quote cards): agency, statement, date."""
    date = format_date(doc.date, lang)
    if lang == "ar":
        return f"{doc.agency_ar}، نقلاً عن بيان الكرملين الصادر في {date}"
    return f"{doc.agency_en}, on the Kremlin statement of {date}"


def source_name(doc: Document, lang: Lang) -> str:
    """What the quote is: the agency's Arabic report, who republished it, on which statement of which date."""
    date = format_date(doc.date, lang)
    if lang == "ar":
        return f"تقرير وكالة {doc.agency_ar} بالعربية عن بيان الكرملين الصادر في {date}، كما أعادت نشره {doc.publisher_ar}"
    return f"{doc.agency_en} Arabic report on the Kremlin statement of {date}, republished by the {doc.publisher_en}"


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked passage; ``score`` is on a 0–100 scale, comparable across queries."""

    document: Document
    passage: Passage
    score: float

    def quote(self, lang: Lang) -> str:
        return self.passage.text(lang)

    def to_payload(self, lang: Lang) -> ResultPayload:
        return ResultPayload(
            passage_id=self.passage.id,
            score=round(self.score, 2),
            quote=self.quote(lang),
            text_ar=self.passage.text_ar,
            text_en=self.passage.text_en,
            source=SourcePayload(name=source_name(self.document, lang), url=self.document.url),
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """The engine's verdict on one question."""

    query: str
    lang: Lang
    match: Match
    hits: tuple[Hit, ...]
    fact: Fact | None = None  # the first hit supports a fact of the document: front ends say it (fact_text)

    @property
    def answered(self) -> bool:
        """True only for a confident answer: the stable ``answered`` field of the JSON."""
        return self.match == "answer"

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def to_payload(self) -> AnswerPayload:
        return AnswerPayload(
            query=self.query,
            lang=self.lang,
            answered=self.answered,
            match=self.match,
            results=[h.to_payload(self.lang) for h in self.hits],
        )


def fact_text(answer: Answer) -> str:
    """The sentence that answers a question about the document itself, in the answer's language.

    For a count or an overview the hits after the announcement are the proposals, in order.
    """
    proposals = [h.passage for h in answer.hits if h.passage.proposal is not None]
    best = answer.best
    if answer.fact is None or best is None:
        return ""
    doc, lang = best.document, answer.lang
    date = format_date(doc.date, lang)
    if answer.fact == "date":
        if lang == "ar":
            return f"نُشر البيان على موقع الكرملين في {date}."
        return f"The statement was published on the Kremlin website on {date}."
    if answer.fact == "title":
        if lang == "ar":
            return f"عنوان البيان على موقع الكرملين (بالإنجليزية): «{doc.original_title_en}»."
        return f"On the Kremlin website the statement is titled “{doc.original_title_en}” ({date})."
    listing = "\n".join(f"{p.proposal}. {p.summary(lang)}" for p in proposals if p.proposal is not None)
    count = sum(1 for p in proposals if p.proposal is not None)
    if answer.fact == "count":
        if lang == "ar":
            return f"عدد المقترحات في البيان: {count}.\n{listing}"
        return f"The statement makes {count} proposals:\n{listing}"
    if lang == "ar":
        return f"اقترح بوتين برنامجاً للتعاون مع الولايات المتحدة في أمن المعلومات الدولي، ومقترحاته:\n{listing}"
    return f"Putin proposed a programme of cooperation with the US on international information security:\n{listing}"


def format_date(date: dt.date, lang: Lang) -> str:
    """A date as readers of ``lang`` write it, month names from Babel's CLDR data.

    Arabic gives both month names, ``25 أيلول/سبتمبر 2020``, as the article itself does
    (``آيار/ مايو``): Levantine readers say أيلول, Egyptian and Gulf readers سبتمبر.
    """
    if lang == "ar":
        levant = babel_dates.format_date(date, "MMMM", locale="ar_SY")
        common = babel_dates.format_date(date, "MMMM", locale="ar")
        return f"{date.day} {levant}/{common} {date.year}"
    return babel_dates.format_date(date, "d MMMM y", locale="en")

"""Answers and knowledge → Telegram HTML messages and keyboards (pure functions, no I/O).

Every piece of text put into HTML goes through :func:`esc` — the user's words and the
knowledge base alike, because a quotation may contain ``<`` or ``&`` as easily as a question.
Arabic text never goes in ``<i>`` (Arabic has no italics) or ``<code>`` (monospace Arabic is
unreadable); plain-text button labels get the same bidi isolation as :func:`esc` gives HTML.
Every message goes through :func:`fit`, which keeps it within Telegram's 4096 characters by
cutting at a tag boundary, closing what is open and ending with an ellipsis and the source
link, so an over-long text is shortened instead of rejected.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import MessageLimit, ParseMode

from bot.answer import Answer, fact_text, format_date, source_name
from bot.bidi import isolate_latin
from bot.knowledge_base import Document, KnowledgeBase, Lang, Passage
from bot.telegram.callback_data import Action, ButtonPress, decode
from bot.telegram.texts import other_lang, proposal_name, texts

MAX_MESSAGE = MessageLimit.MAX_TEXT_LENGTH  # 4096
ECHO_CHARS = 200  # how much of a question we repeat back
LABEL_CHARS = 48  # button labels: Telegram clips long ones on phones anyway
SHARE_CHARS = 60
INLINE_DESCRIPTION_CHARS = 120  # an inline result's description: two lines on a phone
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_TOKEN = re.compile(r"<(/?)([a-z-]+)[^>]*>|&#?\w+;|[^<&]+")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message ready to send: HTML text and its buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def esc(text: str) -> str:
    """Text made safe for Telegram HTML: markup escaped (only ``<``, ``>`` and ``&`` are special there),
    and every Latin run of an Arabic line isolated (:mod:`bot.bidi`) so ``/ask`` is not drawn ``ask/``."""
    return html.escape(isolate_latin(text), quote=False)


def link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{esc(label)}</a>'


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Plain text shortened to ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:،؛") + "…"


def fit(html_text: str, tail: str = "", limit: int = MAX_MESSAGE) -> str:
    """``html_text`` if it fits ``limit``; else cut at a safe point, tags closed, then ``… tail``.

    Measures the HTML source, which is never shorter than what Telegram counts after parsing,
    so a fitted message is always accepted.
    """
    if tg_len(html_text) <= limit:
        return html_text
    ending = "…" + (f"\n{tail}" if tail else "")
    out: list[str] = []
    open_tags: list[str] = []
    used = 0

    def closing() -> int:
        return sum(len(t) + 3 for t in open_tags)

    for m in _TOKEN.finditer(html_text):
        token, name = m.group(0), m.group(2)
        room = limit - used - tg_len(ending) - closing()
        if name and m.group(1):  # a closing tag: already counted in closing()
            open_tags.pop()
        elif name:
            if len(token) + len(name) + 3 > room:
                break
            open_tags.append(name)
        elif tg_len(token) > room:
            if not token.startswith("&"):
                out.append(_prefix_within(token, room))
            break
        out.append(token)
        used += tg_len(token)
    return "".join(out).rstrip() + "".join(f"</{t}>" for t in reversed(open_tags)) + ending


def _prefix_within(text: str, room: int) -> str:
    """The longest prefix of ``text`` within ``room`` UTF-16 units, cut back to a word boundary if one is near."""
    width = 0
    for i, ch in enumerate(text):
        width += 2 if ord(ch) > 0xFFFF else 1
        if width > room:
            text = text[:i]
            break
    space = text.rfind(" ")
    return text[:space] if space > len(text) // 2 else text


def source_line(doc: Document, lang: Lang) -> str:
    """What the quote is (the agency's Arabic report, its republisher, the statement and its date), then
    https links to check it, each labelled with where it goes."""
    ui = texts(lang)
    links = [(doc.url, ui.link_kremlin_en), (doc.url_ru, ui.link_kremlin_ru), (doc.url_agency_en, ui.link_agency_en)]
    checks = " · ".join(link(url, label) for url, label in links if url)
    return f"{esc(ui.source_label)}: {esc(source_name(doc, lang))}\n{esc(ui.links_label)}: {checks}"


def _tail(doc: Document, lang: Lang) -> str:
    """What an over-long message keeps after the cut: the link to the statement."""
    return link(doc.url, texts(lang).link_kremlin_en)


def label(text: str) -> str:
    """A plain-text button label: Latin runs inside Arabic isolated, like :func:`esc` does for HTML."""
    return isolate_latin(text)


def passage_label(passage: Passage, lang: Lang) -> str:
    """A short button label: the proposal's number and summary, else the passage's opening words."""
    summary = passage.summary(lang)
    if passage.proposal is not None and summary:
        return label(clip(f"{passage.proposal}. {summary}", LABEL_CHARS))
    return label(clip(summary or passage.text(lang), LABEL_CHARS))


def share_query(passage: Passage, lang: Lang) -> str:
    """Words that find this passage again in inline mode, so sharing re-runs a real search."""
    return clip(passage.summary(lang) or passage.text(lang), SHARE_CHARS).removesuffix("…")


def _speaker(doc: Document, passage: Passage, lang: Lang) -> list[str]:
    """``— Vladimir Putin`` under a quote that does not say who speaks ("He added: ..."), outside the quote."""
    speaker = doc.speaker(lang)
    return [f"— {esc(speaker)}"] if speaker and not passage.names_speaker else []


def passage_html(doc: Document, passage: Passage, lang: Lang) -> str:
    """The quotation in ``lang`` and its speaker when the quote does not name him, then the source.

    English is labelled as our unofficial translation, and keeps the Arabic original it translates
    in an expandable blockquote: one tap shows it, and the answer stays short on screen.
    """
    ui = texts(lang)
    parts = []
    if passage.proposal is not None:
        parts.append(f"<b>{esc(proposal_name(lang, passage.proposal))}</b>")
    if lang == "en":
        parts.append(f"{esc(ui.translation_label)}:")
        parts.append(f"<blockquote>{esc(passage.text_en)}</blockquote>")
        parts += _speaker(doc, passage, lang)
        parts.append(f"{esc(ui.original_label)}:")
        parts.append(f"<blockquote expandable>{esc(passage.text_ar)}</blockquote>")
    else:
        parts.append(f"<blockquote>{esc(passage.text_ar)}</blockquote>")
        parts += _speaker(doc, passage, lang)
    parts.append(source_line(doc, lang))
    return fit("\n".join(parts), tail=_tail(doc, lang))


def _language_switch(action: Action, lang: Lang, passage_id: str | None = None) -> InlineKeyboardButton:
    """The button that re-renders a message shown in ``lang`` in the other language, named in that language."""
    other = other_lang(lang)
    return InlineKeyboardButton(texts(other).language_name, callback_data=ButtonPress(action, other, passage_id).encode())


def _proposals_button(lang: Lang) -> InlineKeyboardButton:
    return InlineKeyboardButton(label(texts(lang).proposals_button), callback_data=ButtonPress(Action.SHOW_PROPOSALS, lang).encode())


def _all_proposals_button(lang: Lang) -> InlineKeyboardButton:
    return InlineKeyboardButton(label(texts(lang).all_proposals_button), callback_data=ButtonPress(Action.SHOW_PROPOSALS, lang).encode())


def _show_buttons(passages: Sequence[Passage], lang: Lang) -> list[list[InlineKeyboardButton]]:
    return [
        [InlineKeyboardButton(passage_label(p, lang), callback_data=ButtonPress(Action.SHOW_PASSAGE, lang, p.id).encode())]
        for p in passages
    ]


def _example_buttons(lang: Lang) -> list[list[InlineKeyboardButton]]:
    """One button per example question; tapping it asks the question (see :data:`Action.ASK_EXAMPLE`)."""
    return [
        [InlineKeyboardButton(label(clip(q, LABEL_CHARS)), callback_data=ButtonPress(Action.ASK_EXAMPLE, lang, str(n)).encode())]
        for n, q in enumerate(texts(lang).examples)
    ]


def _see_also(passages: Sequence[Passage], shown: Passage) -> list[Passage]:
    """Next-best passages worth a button: not the one shown, and not the byline, photo credit or source line."""
    return [p for p in passages if p.id != shown.id and p.kind != "metadata"]


def _miss_button(passage: Passage, lang: Lang) -> InlineKeyboardButton:
    return InlineKeyboardButton(label(texts(lang).miss_button), callback_data=ButtonPress(Action.NOT_WHAT_I_ASKED, lang, passage.id).encode())


def _passage_keyboard(passage: Passage, lang: Lang, related: Sequence[Passage], *, miss: bool = False) -> InlineKeyboardMarkup:
    top_row = [
        _language_switch(Action.TRANSLATE_ANSWER, lang, passage.id),
        InlineKeyboardButton(label(texts(lang).share_button), switch_inline_query=share_query(passage, lang)),
        InlineKeyboardButton(label(texts(lang).card_button), callback_data=ButtonPress(Action.SEND_CARD, lang, passage.id).encode()),
    ]
    rows = [top_row, *_show_buttons(_see_also(related, passage), lang)]
    if miss:
        rows.append([_miss_button(passage, lang)])
    return InlineKeyboardMarkup(rows)


def render_passage(
    doc: Document, passage: Passage, lang: Lang, related: Sequence[Passage] = (), *, miss: bool = False
) -> Rendered:
    """An answer message: the quotation, a language switch, share, its quote card, and the next-best passages.

    ``miss``: the passage answers a question, so the reader can say it is not what they asked.
    """
    return Rendered(passage_html(doc, passage, lang), _passage_keyboard(passage, lang, related, miss=miss))


def _covered_keyboard(knowledge: KnowledgeBase, lang: Lang) -> InlineKeyboardMarkup:
    """Everything the statement covers: a button per proposal and other call, then all proposals."""
    rows = _show_buttons([p for _, p in knowledge.summarized()], lang)
    rows.append([_all_proposals_button(lang)])
    return InlineKeyboardMarkup(rows)


def render_not_found(answer: Answer, knowledge: KnowledgeBase) -> Rendered:
    """The honest 'not in the statement' in one line, the question echoed (escaped), and every proposal
    and other call as a button: the whole of what the statement covers, not a cut list of near misses."""
    lang = answer.lang
    ui = texts(lang)
    parts = [
        f"<b>{esc(ui.not_found)}</b>",
        f"{esc(ui.your_question)}: «{esc(clip(answer.query, ECHO_CHARS))}»",
        esc(ui.closest_title),
    ]
    return Rendered(fit("\n".join(parts)), _covered_keyboard(knowledge, lang))


def render_closest(answer: Answer) -> Rendered:
    """Plausible but unsure: one line saying so, then the best passage under a 'closest passage' heading
    with its source, so the reader judges it without a tap."""
    best = answer.best
    assert best is not None
    lang = answer.lang
    ui = texts(lang)
    body = passage_html(best.document, best.passage, lang)
    text = fit(f"{esc(ui.not_sure)}\n\n<b>{esc(ui.closest_heading)}</b>\n{body}", tail=_tail(best.document, lang))
    return Rendered(text, _passage_keyboard(best.passage, lang, [h.passage for h in answer.hits[1:]], miss=True))


def render_miss(knowledge: KnowledgeBase, lang: Lang) -> Rendered:
    """After "not what I asked": sorry, ask in other words, or open any proposal or other call."""
    return Rendered(esc(texts(lang).miss_reply), _covered_keyboard(knowledge, lang))


def without_miss(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """``markup`` without its "not what I asked" button, once pressed (so one answer is noted once)."""
    if markup is None:
        return None
    rows = [[b for b in row if not _is_miss(b)] for row in markup.inline_keyboard]
    return InlineKeyboardMarkup([row for row in rows if row])


def offers_miss(markup: InlineKeyboardMarkup | None) -> bool:
    """Whether a keyboard still has the "not what I asked" button (a language switch keeps it)."""
    return markup is not None and any(_is_miss(b) for row in markup.inline_keyboard for b in row)


def _is_miss(button: InlineKeyboardButton) -> bool:
    press = decode(button.callback_data)
    return press is not None and press.action is Action.NOT_WHAT_I_ASKED


def render_smalltalk(lang: Lang) -> Rendered:
    """A greeting, thanks, "who are you": who the bot is in two lines, example questions to tap. Never "not answered"."""
    rows = [*_example_buttons(lang), [_all_proposals_button(lang)]]
    return Rendered(esc(texts(lang).smalltalk), InlineKeyboardMarkup(rows))


def render_answer(answer: Answer, knowledge: KnowledgeBase) -> Rendered:
    """An :class:`Answer` as a message, by its ``match``: the passage, the closest passage, small talk, or the refusal."""
    best = answer.best
    if answer.match == "smalltalk":
        return render_smalltalk(answer.lang)
    if answer.match == "closest" and best is not None:
        return render_closest(answer)
    if not answer.answered or best is None:
        return render_not_found(answer, knowledge)
    rendered = render_passage(best.document, best.passage, answer.lang, [h.passage for h in answer.hits[1:]], miss=True)
    if answer.fact is None:
        return rendered
    # a question about the document itself: the fact first, in a sentence, then the passage supporting it
    return Rendered(fit(f"<b>{esc(fact_text(answer))}</b>\n\n{rendered.text}"), rendered.markup)


def render_proposals(knowledge: KnowledgeBase, lang: Lang) -> str:
    """The numbered proposals in one or two lines each, the other calls, then source and links (HTML).

    Shared with the subscription digests, so it depends on nothing but the knowledge base.
    """
    ui = texts(lang)
    blocks = [f"<b>{esc(ui.proposals_title)}</b>"]
    for kfile in knowledge.files:
        doc = kfile.document
        numbered, others = kfile.proposals(), kfile.other_calls()
        if not numbered and not others:
            continue
        lines = [f"<b>{esc(doc.title(lang))}</b>"]
        lines += [f"<b>{p.proposal}.</b> {esc(p.summary(lang) or '')}" for p in numbered]
        if others:
            lines.append(f"\n<b>{esc(ui.other_calls_title)}</b>")
            lines += [f"• {esc(p.summary(lang) or '')}" for p in others]
        lines.append(source_line(doc, lang))
        blocks.append("\n".join(lines))
    tail = " ".join(_tail(d, lang) for d in knowledge.documents)
    return fit("\n\n".join(blocks), tail=tail)


def render_proposals_message(knowledge: KnowledgeBase, lang: Lang) -> Rendered:
    """/proposals: the summary, one button per proposal and other call that opens its quote, and the language switch."""
    rows = _show_buttons([p for _, p in knowledge.summarized()], lang)
    rows.append([_language_switch(Action.TRANSLATE_PROPOSALS, lang)])
    return Rendered(render_proposals(knowledge, lang), InlineKeyboardMarkup(rows))


def render_start(knowledge: KnowledgeBase, lang: Lang) -> Rendered:
    """/start: who the bot is in a few lines (under 400 characters), example questions to tap, all proposals."""
    ui = texts(lang)
    date = format_date(knowledge.documents[0].date, lang) if knowledge.documents else ""
    text = f"<b>{esc(ui.help_title)}</b>\n\n{esc(ui.start_intro.format(date=date))}"
    rows = [
        *_example_buttons(lang),
        [_all_proposals_button(lang), _language_switch(Action.TRANSLATE_START, lang)],
    ]
    return Rendered(fit(text), InlineKeyboardMarkup(rows))


def render_help(knowledge: KnowledgeBase, lang: Lang, bot_username: str) -> Rendered:
    """/help: what the bot knows, its source and date, how to ask; example questions as buttons that ask them
    (not text to copy), the proposals, and one tap to the other language."""
    ui = texts(lang)
    mention = f"@{bot_username}"
    parts = [f"<b>{esc(ui.help_title)}</b>"]
    for doc in knowledge.documents:
        parts.append("\n".join([esc(ui.help_knows.format(title=doc.title(lang))), source_line(doc, lang)]))
    parts.append(esc(ui.help_how))
    parts.append(
        "\n".join(
            [
                esc(ui.help_groups.format(username=mention)),
                esc(ui.help_inline.format(username=mention)),
                esc(ui.help_subscribe),
                esc(ui.help_language),
            ]
        )
    )
    parts.append(f"<b>{esc(ui.help_examples_title)}</b>")  # last, right above them: the examples are buttons
    rows = [*_example_buttons(lang), [_language_switch(Action.TRANSLATE_HELP, lang), _proposals_button(lang)]]
    return Rendered(fit("\n\n".join(parts)), InlineKeyboardMarkup(rows))


def render_group_greeting(knowledge: KnowledgeBase, lang: Lang, bot_username: str) -> Rendered:
    """The note posted once when the bot joins a group: what it knows, how to ask it there, what it sees."""
    ui = texts(lang)
    mention = f"@{bot_username}"
    parts = [f"<b>{esc(ui.greeting_title)}</b>"]
    parts += ["\n".join([esc(ui.help_knows.format(title=doc.title(lang))), source_line(doc, lang)]) for doc in knowledge.documents]
    parts.append(
        "\n".join(
            [
                esc(ui.greeting_how),
                esc(f"• {ui.greeting_mention} «{mention} {ui.examples[0]}»"),
                esc(f"• {ui.greeting_reply}"),
                esc(f"• {ui.greeting_ask.format(command='/ask')}"),
                esc(ui.help_inline.format(username=mention)),
            ]
        )
    )
    parts.append(esc(ui.greeting_privacy))
    rows = [[_language_switch(Action.TRANSLATE_GREETING, lang), _proposals_button(lang)]]
    return Rendered(fit("\n\n".join(parts)), InlineKeyboardMarkup(rows))


def passage_ids_in(markup: InlineKeyboardMarkup | None) -> list[str]:
    """The passages a keyboard offers as next-best, so a language switch can keep them."""
    ids = []
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            press = decode(button.callback_data)
            if press and press.action is Action.SHOW_PASSAGE and press.passage_id:
                ids.append(press.passage_id)
    return ids


def inline_passage(doc: Document, passage: Passage, lang: Lang, *, closest: bool = False) -> InlineQueryResultArticle:
    """An inline result that sends the quotation with its source; the id is unique per passage and language.

    ``closest``: the search did not surely answer the words, so the title and the description say it
    is the closest passage, not a direct answer, before the user shares it as if it were one.
    """
    ui = texts(lang)
    title = passage_label(passage, lang)
    description = passage.text(lang)
    if closest:
        title = label(ui.inline_closest_title.format(title=title))
        description = f"{ui.inline_closest_note} {description}"
    return InlineQueryResultArticle(
        id=f"{passage.id}.{lang}",
        title=title,
        description=label(clip(description, INLINE_DESCRIPTION_CHARS)),
        input_message_content=InputTextMessageContent(
            passage_html(doc, passage, lang), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )


def inline_proposals(knowledge: KnowledgeBase, lang: Lang) -> list[InlineQueryResultArticle]:
    """For an empty inline query: the whole summary first, then each proposal on its own."""
    ui = texts(lang)
    summary = InlineQueryResultArticle(
        id=f"proposals.{lang}",
        title=label(ui.inline_all_proposals),
        description=label(clip(" · ".join(p.summary(lang) or "" for _, p in knowledge.proposals()), INLINE_DESCRIPTION_CHARS)),
        input_message_content=InputTextMessageContent(
            render_proposals(knowledge, lang), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )
    return [summary, *(inline_passage(doc, p, lang) for doc, p in knowledge.summarized())]

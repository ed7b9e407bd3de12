"""Answers and knowledge → Telegram HTML messages and keyboards (pure functions, no I/O).

Every piece of text put into HTML goes through :func:`esc` — the user's words and the
knowledge base alike, because a quotation may contain ``<`` or ``&`` as easily as a question.
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

from bot.answer import Answer, fact_text, source_name
from bot.knowledge_base import Document, KnowledgeBase, Lang, Passage
from bot.telegram.callback_data import Action, ButtonPress, decode
from bot.telegram.texts import other_lang, texts

MAX_MESSAGE = MessageLimit.MAX_TEXT_LENGTH  # 4096
ECHO_CHARS = 200  # how much of a question we repeat back
LABEL_CHARS = 48  # button labels: Telegram clips long ones on phones anyway
SHARE_CHARS = 60
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_TOKEN = re.compile(r"<(/?)([a-z-]+)[^>]*>|&#?\w+;|[^<&]+")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message ready to send: HTML text and its buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def esc(text: str) -> str:
    """Escape text for Telegram HTML (only ``<``, ``>`` and ``&`` are special there)."""
    return html.escape(text, quote=False)


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
    return f"{esc(texts(lang).source_label)}: {link(doc.url, source_name(doc, lang))}"


def passage_label(passage: Passage, lang: Lang) -> str:
    """A short button label: the proposal's number and summary, else the passage's opening words."""
    summary = passage.summary(lang)
    if passage.proposal is not None and summary:
        return clip(f"{passage.proposal}. {summary}", LABEL_CHARS)
    return clip(summary or passage.text(lang), LABEL_CHARS)


def share_query(passage: Passage, lang: Lang) -> str:
    """Words that find this passage again in inline mode, so sharing re-runs a real search."""
    return clip(passage.summary(lang) or passage.text(lang), SHARE_CHARS).removesuffix("…")


def passage_html(doc: Document, passage: Passage, lang: Lang) -> str:
    """The quotation in ``lang``, labelled as a translation for English with the Arabic original, then the source."""
    ui = texts(lang)
    parts = []
    if passage.proposal is not None:
        parts.append(f"<b>{esc(ui.proposal_label.format(number=passage.proposal))}</b>")
    if lang == "en":
        parts.append(f"<i>{esc(ui.translation_label)}:</i>")
        parts.append(f"<blockquote>{esc(passage.text_en)}</blockquote>")
        parts.append(f"<i>{esc(ui.original_label)}:</i>")
        parts.append(f"<blockquote>{esc(passage.text_ar)}</blockquote>")
    else:
        parts.append(f"<blockquote>{esc(passage.text_ar)}</blockquote>")
    parts.append(source_line(doc, lang))
    return fit("\n".join(parts), tail=link(doc.url, source_name(doc, lang)))


def _language_switch(action: Action, lang: Lang, passage_id: str | None = None) -> InlineKeyboardButton:
    """The button that re-renders a message shown in ``lang`` in the other language, named in that language."""
    other = other_lang(lang)
    return InlineKeyboardButton(texts(other).language_name, callback_data=ButtonPress(action, other, passage_id).encode())


def _proposals_button(lang: Lang) -> InlineKeyboardButton:
    return InlineKeyboardButton(texts(lang).proposals_button, callback_data=ButtonPress(Action.SHOW_PROPOSALS, lang).encode())


def _show_buttons(passages: Sequence[Passage], lang: Lang) -> list[list[InlineKeyboardButton]]:
    return [
        [InlineKeyboardButton(passage_label(p, lang), callback_data=ButtonPress(Action.SHOW_PASSAGE, lang, p.id).encode())]
        for p in passages
    ]


def render_passage(doc: Document, passage: Passage, lang: Lang, related: Sequence[Passage] = ()) -> Rendered:
    """An answer message: the quotation, a language switch, share, its quote card, and the next-best passages."""
    top_row = [
        _language_switch(Action.TRANSLATE_ANSWER, lang, passage.id),
        InlineKeyboardButton(texts(lang).share_button, switch_inline_query=share_query(passage, lang)),
        InlineKeyboardButton(texts(lang).card_button, callback_data=ButtonPress(Action.SEND_CARD, lang, passage.id).encode()),
    ]
    rows = [top_row, *_show_buttons([p for p in related if p.id != passage.id], lang)]
    return Rendered(passage_html(doc, passage, lang), InlineKeyboardMarkup(rows))


def render_not_found(answer: Answer, documents: Sequence[Document]) -> Rendered:
    """The honest 'not in the statement', the question echoed (escaped), and the closest topics as buttons."""
    lang = answer.lang
    ui = texts(lang)
    parts = [
        f"<b>{esc(ui.not_found)}</b>",
        f"{esc(ui.your_question)}: <i>{esc(clip(answer.query, ECHO_CHARS))}</i>",
    ]
    suggestions = [h.passage for h in answer.hits]
    if suggestions:
        parts.append(esc(ui.closest_title))
    parts += [source_line(doc, lang) for doc in documents]
    rows = _show_buttons(suggestions, lang)
    rows.append([_proposals_button(lang)])
    return Rendered(fit("\n".join(parts)), InlineKeyboardMarkup(rows))


def render_answer(answer: Answer, documents: Sequence[Document]) -> Rendered:
    """An :class:`Answer` as a message: the best passage with the next-best as buttons, or the not-found note."""
    best = answer.best
    if not answer.answered or best is None:
        return render_not_found(answer, documents)
    rendered = render_passage(best.document, best.passage, answer.lang, [h.passage for h in answer.hits[1:]])
    if answer.fact is None:
        return rendered
    # a question about the document itself: the fact first, in a sentence, then the passage supporting it
    return Rendered(fit(f"<b>{esc(fact_text(answer))}</b>\n\n{rendered.text}"), rendered.markup)


def render_proposals(knowledge: KnowledgeBase, lang: Lang) -> str:
    """The numbered proposals in one or two lines each, the other calls, then source and link (HTML).

    Shared with the subscription digests, so it depends on nothing but the knowledge base.
    """
    ui = texts(lang)
    blocks = [f"<b>{esc(ui.proposals_title)}</b>"]
    for kfile in knowledge.files:
        doc = kfile.document
        numbered, others = kfile.proposals(), kfile.other_calls()
        if not numbered and not others:
            continue
        lines = [f"<i>{esc(doc.title(lang))}</i>"]
        lines += [f"<b>{p.proposal}.</b> {esc(p.summary(lang) or '')}" for p in numbered]
        if others:
            lines.append(f"\n<b>{esc(ui.other_calls_title)}</b>")
            lines += [f"• {esc(p.summary(lang) or '')}" for p in others]
        lines.append(source_line(doc, lang))
        blocks.append("\n".join(lines))
    tail = " ".join(link(d.url, source_name(d, lang)) for d in knowledge.documents)
    return fit("\n\n".join(blocks), tail=tail)


def render_proposals_message(knowledge: KnowledgeBase, lang: Lang) -> Rendered:
    button = _language_switch(Action.TRANSLATE_PROPOSALS, lang)
    return Rendered(render_proposals(knowledge, lang), InlineKeyboardMarkup([[button]]))


def render_help(knowledge: KnowledgeBase, lang: Lang, bot_username: str) -> Rendered:
    """/start and /help: what the bot knows, its source and date, how to ask, examples; one tap to the other language."""
    ui = texts(lang)
    mention = f"@{bot_username}"
    parts = [f"<b>{esc(ui.help_title)}</b>"]
    for doc in knowledge.documents:
        parts.append(
            "\n".join(
                [
                    esc(ui.help_knows.format(title=doc.title(lang))),
                    source_line(doc, lang),
                    esc(ui.help_original).replace("{link}", link(doc.url, ui.kremlin_site)),
                ]
            )
        )
    parts.append(esc(ui.help_how))
    parts.append("\n".join([f"<b>{esc(ui.help_examples_title)}</b>", *(f"• <code>{esc(e)}</code>" for e in ui.examples)]))
    parts.append(
        "\n".join(
            [esc(ui.help_groups.format(username=mention)), esc(ui.help_inline.format(username=mention)), esc(ui.help_subscribe)]
        )
    )
    rows = [[_language_switch(Action.TRANSLATE_HELP, lang), _proposals_button(lang)]]
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
                f"• {esc(ui.greeting_mention)} <code>{esc(mention)} {esc(ui.examples[0])}</code>",
                f"• {esc(ui.greeting_reply)}",
                f"• {esc(ui.greeting_ask).replace('{command}', '<code>/ask</code>')}",
                esc(ui.help_inline.format(username=mention)),
            ]
        )
    )
    parts.append(f"<i>{esc(ui.greeting_privacy)}</i>")
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


def inline_passage(doc: Document, passage: Passage, lang: Lang) -> InlineQueryResultArticle:
    """An inline result that sends the quotation with its source; the id is unique per passage and language."""
    return InlineQueryResultArticle(
        id=f"{passage.id}.{lang}",
        title=passage_label(passage, lang),
        description=clip(passage.text(lang), 120),
        input_message_content=InputTextMessageContent(
            passage_html(doc, passage, lang), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )


def inline_proposals(knowledge: KnowledgeBase, lang: Lang) -> list[InlineQueryResultArticle]:
    """For an empty inline query: the whole summary first, then each proposal on its own."""
    ui = texts(lang)
    summary = InlineQueryResultArticle(
        id=f"proposals.{lang}",
        title=ui.inline_all_proposals,
        description=clip(" · ".join(p.summary(lang) or "" for _, p in knowledge.proposals()), 120),
        input_message_content=InputTextMessageContent(
            render_proposals(knowledge, lang), parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )
    return [summary, *(inline_passage(doc, p, lang) for doc, p in knowledge.summarized())]

"""Terminal front ends: ``python -m bot ask`` (one question or a batch) and ``python -m bot chat``.

Both print the same answers the bot gives: the quote in the question's language, its source,
and the other language beside it (the Arabic original under an English answer, our English
translation under an Arabic one). Output is UTF-8 whatever the locale, so Arabic never fails
to print on a C/POSIX terminal. ``ask --json`` is the stable machine interface; with ``-`` it
reads one question per line and writes exactly one JSON line per input line, empty lines
included (they come back unanswered), so outputs can be zipped with inputs.

``ask --conversation -`` reads standard input as one conversation instead: each line may follow
up the lines before it ("proposal 1", then "and the second one?"); an empty line starts a new
conversation and prints nothing. ``chat`` is always one conversation, forgotten after ten idle
minutes like a Telegram chat's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TextIO

from bot.answer import Answer, Hit, fact_text, source_name
from bot.bidi import isolate_latin
from bot.config import Settings
from bot.conversation import Conversation, MemoryConversations, Turn
from bot.knowledge_base import Lang, load_knowledge
from bot.search import PassageIndex
from bot.search.followups import FollowupResolver
from bot.search.semantic import reranker_for

_EXIT_WORDS = frozenset({"exit", "quit", "خروج", ":q"})
_CONSOLE = "console"  # the chat's one conversation key
_SUGGESTION_CHARS = 160

_LINKS = {
    "en": ("Kremlin (English)", "Kremlin (Russian original)", "TASS (English)"),
    "ar": ("الكرملين (بالإنجليزية)", "الكرملين (الأصل الروسي)", "تاس (بالإنجليزية)"),
}
_TEXT = {
    "en": {
        "translation": "Our translation (unofficial) of TASS's Arabic report. Arabic original:",
        "source": "Source",
        "see_also": "See also",
        "no_answer": "That is not in the statement. What it does cover, closest first:",
        "not_sure": "I'm not sure the statement answers this; here is the closest it comes.",
        "closest": "Closest passage:",
        "smalltalk": "Hello! I'm Bayan: I answer questions about Putin's statement on international information "
        "security with the exact passage and its source. Try, for example: What did Putin propose about elections?",
        "banner": "Ask about Putin's 2020 statement on Russia–US information security, in Arabic or English.\n"
        "Type 'exit' or press Ctrl-D to leave.",
    },
    "ar": {
        "translation": "ترجمتنا الإنجليزية (غير رسمية):",
        "source": "المصدر",
        "see_also": "انظر أيضا",
        "no_answer": "هذا ليس في البيان. ما يتناوله البيان، الأقرب أولاً:",
        "not_sure": "لست متأكداً من أن البيان يجيب عن سؤالك، وهذا أقرب ما فيه.",
        "closest": "أقرب مقطع في البيان:",
        "smalltalk": "أهلاً! أنا «بيان»: أجيب عن الأسئلة حول بيان بوتين بشأن أمن المعلومات الدولي باقتباس حرفي ومصدره. "
        "جرّب مثلاً: ماذا اقترح بوتين بشأن الانتخابات؟",
        "banner": "",
    },
}


def _utf8(stream: TextIO) -> None:
    """Force UTF-8 on a standard stream (a no-op for streams that cannot be reconfigured)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="replace")


def _shorten(text: str, limit: int = _SUGGESTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _render_hit(hit: Hit, lang: Lang) -> list[str]:
    t = _TEXT[lang]
    doc, passage = hit.document, hit.passage
    other = passage.text_ar if lang == "en" else passage.text_en
    speaker = doc.speaker(lang)
    urls = (doc.url, doc.url_ru, doc.url_agency_en)
    return [
        f"«{hit.quote(lang)}»",
        *([f"— {speaker}"] if speaker and not passage.names_speaker else []),
        "",
        t["translation"],
        f"  {other}",
        "",
        f"{t['source']}: {source_name(doc, lang)}",
        *(f"  {isolate_latin(f'{name}: {url}')}" for name, url in zip(_LINKS[lang], urls, strict=True) if url),
    ]


def render_text(answer: Answer) -> str:
    """The answer as a person reads it in a terminal."""
    t = _TEXT[answer.lang]
    if answer.match == "smalltalk":
        return t["smalltalk"]
    if answer.match == "closest" and answer.best is not None:
        return "\n".join([t["not_sure"], "", t["closest"], *_render_hit(answer.best, answer.lang)])
    if answer.answered and answer.best is not None:
        lines = [fact_text(answer), ""] if answer.fact else []
        lines += _render_hit(answer.best, answer.lang)
        if answer.fact in ("count", "overview"):
            return "\n".join(lines)
        if len(answer.hits) > 1:
            lines += ["", f"{t['see_also']}:"]
            lines += [f"  [{h.passage.id}] {_shorten(h.quote(answer.lang))}" for h in answer.hits[1:] if h.passage.kind != "metadata"]
        return "\n".join(lines)
    lines = [t["no_answer"]]
    lines += [f"  {n}. [{h.passage.id}] {_shorten(h.quote(answer.lang))}" for n, h in enumerate(answer.hits, 1)]
    return "\n".join(lines)


def _load(settings: Settings) -> FollowupResolver:
    """The index, wrapped by the resolver that reads follow-ups against a conversation."""
    knowledge = load_knowledge(settings.knowledge_dir)
    reranker = reranker_for(settings, [p for _, p in knowledge.entries()])
    return FollowupResolver(PassageIndex.build(knowledge, reranker), knowledge.entries())


_NEW = Conversation()


def _ask(
    resolver: FollowupResolver, settings: Settings, question: str, top: int, conversation: Conversation = _NEW
) -> Answer:
    return resolver.answer(question[: settings.max_question_chars], conversation, top=top)


def run_ask(settings: Settings, question: str, *, as_json: bool, top: int, conversation: bool = False) -> int:
    """Answer one question, or with ``question == "-"`` every line of standard input; exit code 0.

    ``conversation``: standard input is one conversation (see the module's docstring). A reader
    that stops early (``| head``) ends the batch quietly, as with any Unix filter.
    """
    _utf8(sys.stdout)
    index = _load(settings)
    try:
        if question == "-":
            _utf8(sys.stdin)
            if conversation:
                _ask_conversation(index, settings, as_json=as_json, top=top)
            else:
                _ask_batch(index, settings, as_json=as_json, top=top)
        else:
            _print_answer(_ask(index, settings, question, top), as_json)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again when flushing at exit; point stdout at nothing instead.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _lines() -> Iterator[str]:
    """Standard input's lines without their ends, and without a byte-order mark from Windows editors."""
    for number, line in enumerate(sys.stdin):
        text = line.rstrip("\r\n")
        yield text.removeprefix("\ufeff") if number == 0 else text


def _ask_batch(index: FollowupResolver, settings: Settings, *, as_json: bool, top: int) -> None:
    for question in _lines():
        _print_answer(_ask(index, settings, question, top), as_json)
        if not as_json:
            print()  # a blank line between answers for a person reading the batch
        sys.stdout.flush()


def _ask_conversation(index: FollowupResolver, settings: Settings, *, as_json: bool, top: int) -> None:
    """Standard input as one conversation: an empty (or blank) line starts a new one and prints nothing."""
    conversation = Conversation()
    for question in _lines():
        if not question.strip():
            conversation = Conversation()
            continue
        answer = _ask(index, settings, question, top, conversation)
        conversation = conversation.then(Turn.of(answer, at=0.0))  # one batch: nothing expires
        _print_answer(answer, as_json)
        if not as_json:
            print()
        sys.stdout.flush()


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(answer.to_payload().model_dump_json())
    else:
        print(render_text(answer))


def run_chat(settings: Settings, conversations: MemoryConversations | None = None) -> int:
    """Interactive session; a prompt only on a terminal; ends on EOF, 'exit' or Ctrl-C, exit code 0.

    The session is one conversation, kept in ``conversations`` (tests pass one with a manual clock).
    """
    _utf8(sys.stdout)
    _utf8(sys.stdin)
    index = _load(settings)
    store = MemoryConversations(max_conversations=1) if conversations is None else conversations
    interactive = sys.stdin.isatty()
    if interactive:
        print(_TEXT["en"]["banner"])
    try:
        while True:
            line = input("> ") if interactive else sys.stdin.readline()
            if not interactive and not line:
                break
            question = line.strip()
            if not question:
                continue
            if question.casefold() in _EXIT_WORDS:
                break
            conversation = store.get(_CONSOLE)
            answer = _ask(index, settings, question, 3, conversation)
            store.put(_CONSOLE, conversation.then(Turn.of(answer, store.now())))
            print(render_text(answer))
            print()
            sys.stdout.flush()
    except EOFError:
        pass
    except KeyboardInterrupt:
        print()
    return 0

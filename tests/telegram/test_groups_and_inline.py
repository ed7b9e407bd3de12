"""Groups (speak only when spoken to) and inline mode, end to end through the fake Bot API."""

from __future__ import annotations

import pytest

from bot.telegram.texts import texts
from tests.telegram.conftest import RunningBot

GROUP = -100555


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
@pytest.mark.parametrize(
    ("text", "answered"),
    [
        ("what about the elections?", False),  # chatter, even with privacy mode off
        ("I think @someone_else knows about elections", False),
        ("/ask@other_bot elections", False),
        ("/help@other_bot", False),
        ("@bayan_test_bot what about the elections?", True),
        ("what about the elections, @Bayan_Test_Bot?", True),
        ("/ask what about the elections?", True),
        ("/ask@bayan_test_bot what about the elections?", True),
    ],
)
async def test_group_messages_are_answered_only_when_addressed(bot: RunningBot, chat_type: str, text: str, answered: bool) -> None:
    """Mentioned or /ask → a reply quoting the asker's message; any other chatter → silence."""
    chat = bot.api.group(GROUP, chat_type=chat_type)
    uid = bot.api.push_message(text, user=1001, chat=chat)
    if answered:  # on a loaded machine the answer may come after wait_idle's quiet spell: wait for it
        await bot.api.wait_for_messages(1, chat_id=GROUP)
    await bot.api.wait_idle()
    sent = bot.api.sent.get(GROUP, [])
    if not answered:
        assert sent == []
        return
    [reply] = sent
    _, passage = bot.services.knowledge.passage("proposal-4-non-interference")  # type: ignore[misc]
    assert passage.text_en in reply["text"]
    assert reply["reply_to_message"]["message_id"] == bot.api.update(uid)["message"]["message_id"]
    [call] = bot.api.calls_to("sendMessage")
    assert call.params["reply_parameters"]["allow_sending_without_reply"] is True


async def test_reply_to_the_bot_is_a_question_but_reply_to_others_is_not(bot: RunningBot) -> None:
    """Replying to one of the bot's messages asks it; replying to a person's message does not."""
    chat = bot.api.group(GROUP)
    bot.api.push_message("/ask first strike", user=1001, chat=chat)
    [bot_message] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    human = bot.api.update(bot.api.push_message("hello all", user=1002, chat=chat))["message"]
    bot.api.push_message("and elections?", user=1001, chat=chat, reply_to=human)
    bot.api.push_message("and elections?", user=1001, chat=chat, reply_to=bot_message)
    await bot.api.wait_idle()
    sent = bot.api.sent[GROUP]
    assert len(sent) == 2
    _, passage = bot.services.knowledge.passage("proposal-4-non-interference")  # type: ignore[misc]
    assert passage.text_en in sent[1]["text"]


async def test_group_stickers_and_bare_mentions_never_crash(bot: RunningBot) -> None:
    """A sticker in a group is ignored; a mention with no words gets the hint."""
    chat = bot.api.group(GROUP)
    bot.api.push_sticker(user=1001, chat=chat, chat_type="group")
    bot.api.push_message("@bayan_test_bot", user=1001, chat=chat)
    await bot.api.wait_idle()
    assert bot.api.sent_texts(GROUP) == [texts("en").empty_question]


async def _inline(bot: RunningBot, query: str, language_code: str = "en") -> dict:
    bot.api.user(1001, language_code=language_code)
    query_id = bot.api.update(bot.api.push_inline_query(query, user=1001))["inline_query"]["id"]
    return await bot.api.wait_for(lambda: bot.api.inline_answers.get(query_id))


def _results(answer: dict) -> list[dict]:
    return answer["results"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("query", "passage_id"), [("elections", "proposal-4-non-interference"), ("الانتخابات", "proposal-4-non-interference"), ("1972", "proposal-3-incidents-agreement")])
async def test_inline_query_lists_matching_quotations(bot: RunningBot, query: str, passage_id: str) -> None:
    """@bot words → quotations, best first, each sending the quote with its source; cached for everyone."""
    answer = await _inline(bot, query)
    results = _results(answer)
    assert results and results[0]["id"].startswith(passage_id)
    ids = [r["id"] for r in results]
    assert len(ids) == len(set(ids)) <= 50
    _, passage = bot.services.knowledge.passage(passage_id)  # type: ignore[misc]
    assert passage.text_ar in results[0]["input_message_content"]["message_text"]
    assert int(answer["cache_time"]) == bot.settings.inline_cache_seconds
    assert answer["is_personal"] is False


@pytest.mark.parametrize(("language_code", "lang"), [("ar", "ar"), ("en", "en")])
async def test_empty_inline_query_lists_the_proposals(bot: RunningBot, language_code: str, lang: str) -> None:
    """An empty inline query offers the whole summary and each proposal, in the user's language."""
    results = _results(await _inline(bot, "", language_code))
    assert results[0]["title"] == texts(lang).inline_all_proposals  # type: ignore[arg-type]
    for _, p in bot.services.knowledge.proposals():
        assert p.summary(lang) in results[0]["input_message_content"]["message_text"]  # type: ignore[arg-type]
    assert len(results) == 1 + len(bot.services.knowledge.summarized())


async def test_inline_query_outside_the_statement_points_to_the_bot(bot: RunningBot) -> None:
    """No match: a button opens the bot for the honest answer; no result pretends to answer."""
    answer = await _inline(bot, "weather in Paris")
    button = answer["button"]
    assert button["text"] == texts("en").inline_not_found_button and button["start_parameter"]


@pytest.mark.parametrize(("query", "lang"), [("what was signed in 1985", "en"), ("اتفاقية 1985", "ar")])
async def test_inline_closest_result_says_it_is_not_a_direct_answer(bot: RunningBot, query: str, lang: str) -> None:
    """Plausible but unsure: each result's title says 'closest passage' and its description says it is not a
    direct answer, before anyone shares it as one; the message it sends is still the quote with its source."""
    assert bot.services.index.search(query).match == "closest"
    ui = texts(lang)  # type: ignore[arg-type]
    results = _results(await _inline(bot, query, lang))
    prefix = ui.inline_closest_title.split("{")[0]
    assert results and all(r["title"].startswith(prefix) for r in results)
    assert all(plain_isolates(r["description"]).startswith(plain_isolates(ui.inline_closest_note)) for r in results)
    _, passage = bot.services.knowledge.passage(results[0]["id"].rsplit(".", 1)[0])  # type: ignore[misc]
    assert passage.text_ar in results[0]["input_message_content"]["message_text"]
    confident = _results(await _inline(bot, "elections" if lang == "en" else "الانتخابات", lang))
    assert confident and confident[0]["id"] == f"proposal-4-non-interference.{lang}"
    assert not any(r["title"].startswith(prefix) or ui.inline_closest_note in r.get("description", "") for r in confident)


def plain_isolates(text: str) -> str:
    return text.replace("\u2066", "").replace("\u2069", "")


async def test_share_button_runs_an_inline_search_finding_the_same_passage(bot: RunningBot) -> None:
    """The share button's inline query, typed by the user, finds the passage it was shared from."""
    answer = await bot.ask("What did Putin propose about elections?")
    share = next(b for row in answer["reply_markup"]["inline_keyboard"] for b in row if "switch_inline_query" in b)
    results = _results(await _inline(bot, share["switch_inline_query"]))
    assert results[0]["id"].startswith("proposal-4-non-interference")


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("thanks", None),  # a remark, not a question: silence
        ("شكراً جزيلاً", None),
        ("👍 great answer, thank you", None),
        ("and the elections", "proposal-4-non-interference"),  # no question mark, but the statement answers it
        ("what about the weather?", "not_found:en"),  # a real question the statement does not cover
        ("وماذا عن الطقس؟", "not_found:ar"),
        ("@bayan_test_bot thanks", "smalltalk:en"),  # mentioned: always answered, as small talk
    ],
)
async def test_reply_to_the_bot_that_is_a_mere_remark_gets_no_answer(bot: RunningBot, text: str, reply: str | None) -> None:
    """A reply to the bot without a question mark is answered only if the statement answers it; questions always are."""
    chat = bot.api.group(GROUP)
    bot.api.push_message("/ask first strike", user=1001, chat=chat)
    [answer] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    bot.api.push_message(text, user=1002, chat=chat, reply_to=answer)
    await bot.api.wait_idle()
    sent = bot.api.sent[GROUP]
    if reply is None:
        assert len(sent) == 1
        return
    found = bot.services.knowledge.passage(reply)
    expected = found[1].text_en if found else getattr(texts(reply.split(":")[1]), reply.split(":")[0])  # type: ignore[arg-type]
    assert len(sent) == 2 and expected in sent[1]["text"]


@pytest.mark.parametrize("command", ["/ask", "/ask@bayan_test_bot", "/ask   "])
async def test_bare_ask_in_reply_to_a_question_answers_that_question(bot: RunningBot, command: str) -> None:
    """Someone asks in plain chatter; another member replies /ask: the bot answers the question, pointing at it."""
    chat = bot.api.group(GROUP)
    question = bot.api.update(bot.api.push_message("what did Putin propose about elections?", user=1001, chat=chat))["message"]
    bot.api.push_message(command, user=1002, chat=chat, reply_to=question)
    [answer] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    await bot.api.wait_idle()
    _, passage = bot.services.knowledge.passage("proposal-4-non-interference")  # type: ignore[misc]
    assert passage.text_en in answer["text"]
    assert answer["reply_to_message"]["message_id"] == question["message_id"]
    assert len(bot.api.sent[GROUP]) == 1


@pytest.mark.parametrize("replied_to", ["bot", "command", "sticker"])
async def test_bare_ask_in_reply_to_something_else_explains_usage(bot: RunningBot, replied_to: str) -> None:
    """/ask replying to the bot's own message, a command or a sticker has no question to take: the usage line."""
    chat = bot.api.group(GROUP)
    if replied_to == "bot":
        bot.api.push_message("/ask first strike", user=1001, chat=chat)
        [target] = await bot.api.wait_for_messages(1, chat_id=GROUP)
    elif replied_to == "command":
        target = bot.api.update(bot.api.push_message("/ask@other_bot elections", user=1001, chat=chat))["message"]
    else:
        target = bot.api.update(bot.api.push_sticker(user=1001, chat=chat))["message"]  # type: ignore[arg-type]
    before = len(bot.api.sent.get(GROUP, []))
    bot.api.push_message("/ask", user=1002, chat=chat, reply_to=target)
    await bot.api.wait_idle()
    assert bot.api.sent_texts(GROUP)[before:] == [texts("en").ask_usage]

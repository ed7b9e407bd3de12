"""A fake Telegram Bot API server for tests: the real PTB ``Application`` talks HTTP to it.

Telegram is the only thing the suite mocks, and it is mocked at the wire: an aiohttp server on
127.0.0.1 that answers ``POST /bot<TOKEN>/<method>`` like api.telegram.org (same JSON shapes,
same status codes, same error descriptions), so PTB raises the same exceptions it would raise in
production. Run it in the test's event loop::

    async with FakeBotApi() as api:
        app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
        ...
        alice = api.user(1001, "Alice", language_code="ar")
        api.push_message("/start", user=alice)          # an update for getUpdates
        [reply] = await api.wait_for_messages(1, chat_id=alice["id"])
        assert "<" not in reply["text"]                  # HTML already parsed into entities

Test-side API (everything is synchronous except the waits):

- Identity: ``api.token``, ``api.base_url`` (PTB's ``base_url``), ``api.bot_user`` (getMe).
- People and chats: ``api.user(id, first_name, language_code=..., username=...)``,
  ``api.private_chat(user)``, ``api.group(id, title, chat_type="group"|"supergroup", forum=False)``,
  ``api.topic(forum_id, name, by=)`` (opens a forum topic, returns its ``message_thread_id``).
- Updates (each returns its update_id; ``api.update(update_id)`` gives the dict):
  ``push_message(text, user=, chat=, chat_type=, reply_to=, language_code=, entities=, extra=, topic=)``
  (``/commands``, ``@mentions``, URLs get entities automatically; ``topic`` puts it in a forum topic),
  ``push_edited_message(message, text)``, ``push_callback(message, data, user=)`` (or
  ``inline_message_id=``), ``push_inline_query(query, user=, offset=)``,
  ``push_chosen_inline_result(result_id, query, user=)``, ``push_sticker(user=, chat=)``,
  ``push_bot_added(chat, by=, status="member")``, ``push_my_chat_member(chat, old, new, by=)``,
  ``push_raw(update_without_id)``. Updates go to getUpdates, or,
  once the bot calls setWebhook (an http://127.0.0.1 URL is accepted for tests), are POSTed to
  the webhook with ``X-Telegram-Bot-Api-Secret-Token``, retried until it answers 2xx, an answer
  that takes longer than ``api.webhook_timeout`` seconds counting as none
  (``api.webhook_responses`` lists (update_id, status), status None when there was no answer).
- Observation: ``api.calls`` (``Call(method, params, at)`` in order, ``at`` from
  time.monotonic(); ``api.calls_to("sendMessage")``), ``api.sent[chat_id]`` / ``api.all_sent``
  (messages the bot sent, as dicts; edits update them in place), ``api.sent_texts(chat_id)``,
  ``api.sent_html(chat_id)`` (re-rendered from entities, e.g. to find ``<blockquote>``),
  ``api.callback_answers[query_id]``, ``api.inline_answers[query_id]``,
  ``api.commands(scope=None, language_code="")``, ``api.uploads`` (the bytes of each photo
  uploaded with sendPhoto; a resend by ``file_id`` adds none), ``api.deleted`` ((chat_id, message_id)
  pairs), ``api.inline_result_message(query_id, result_id)`` (what picking an answered inline
  result would post: parsed text and entities).
- Waiting: ``await api.wait_for(predicate, timeout=5)``, ``await api.wait_for_messages(n,
  chat_id=None)`` (at least n in total, returns them), ``await api.wait_idle()`` (every update
  confirmed by the bot, nothing in flight, no request for a quiet period: use it to assert silence).
- Faults: ``api.fail_next(method, error_code=429, retry_after=1, times=1, chat_id=None)`` (any
  code/description; ``retry_after`` may be fractional to keep tests fast, Telegram sends whole
  seconds), ``api.drop_next(method, after=False)`` (connection dropped before, or after the
  message was really delivered), ``api.delay_next(method, seconds, after=False)`` (``after=True``:
  delivered at once, answered late), ``release = api.hold_next(method, chat_id=None)`` (held
  before acting until ``release.set()``), ``api.garble_next(method)`` (ok, but a result the client
  cannot parse: an error that is not a TelegramError), ``api.block(chat_id)``,
  ``api.deactivate(chat_id)``, ``api.forget_chat(chat_id)``, ``api.kick(chat_id)``,
  ``api.migrate(group_id, supergroup_id)`` (PTB's ChatMigrated), ``api.unblock(chat_id)``,
  ``api.set_member_status(chat_id, user_id, status)``, ``api.expire_queries()``, ``api.forget_files()``,
  ``api.enable_flood_control(FloodControl(...))`` (429s over Telegram's limits),
  ``api.revoke_token()`` (401 on every call from now on, long polls in progress included),
  ``api.set_down(True|False)`` (every connection dropped: the API unreachable).

sendPhoto takes a multipart upload or the ``file_id`` of an earlier one (any of its sizes), keeps
an upload as Telegram does (thumbnail to original, each size its own ``file_id``), and refuses what
Telegram refuses: an empty or unreadable file, over 10 MB, odd dimensions, an unknown ``file_id``,
a caption over 1024 characters once parsed or with broken HTML.

Deliberate differences from Telegram: a bare ``&`` in HTML is refused (Telegram lets it pass;
it always means unescaped text); Markdown parse modes are not implemented (400); the bot sees
every group message unless ``FakeBotApi(group_privacy=True)`` (privacy off is the strictest case
for "stay silent" tests; with privacy on, a non-admin bot sees only commands for it, its
@mentions and replies to it, and ``push_message`` returns None for hidden messages); unknown
chat ids are created on first use unless ``auto_create_chats=False`` or ``forget_chat``; a message
sent without ``message_thread_id`` lands in a forum's General topic even when it replies to a
message in another topic (Telegram may follow the replied message there).

A bug in the fake itself is answered with HTTP 500 and re-raised when the server stops, so it
cannot pass silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
from aiohttp import web
from telegram import Message

from tests.fakes.faults import Fault, FaultPlan, FloodControl, FloodMeter
from tests.fakes.objects import (
    detect_entities,
    make_chat_full_info,
    make_chat_member,
    make_group,
    make_private_chat,
    make_user,
)
from tests.fakes.validation import (
    MAX_CALLBACK_ANSWER_CHARS,
    ApiError,
    as_json,
    bad_request,
    check_commands,
    check_inline_button,
    check_inline_results,
    check_photo,
    check_reply_markup,
    format_caption,
    format_text,
)

JsonDict = dict[str, Any]
log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAFakeTokenForTheBayanTestSuite0000"
DEFAULT_USER_ID = 1001
DEFAULT_GROUP_ID = -100123
DEFAULT_SUPERGROUP_ID = -1001000000123
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Form fields that are plain strings on the wire; every other form field is JSON (numbers,
# booleans, objects), as PTB's RequestParameter.json_value encodes them.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "photo",  # a file_id when not an upload
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "next_offset",
        "language_code",
        "action",
        "description",
        "short_description",
        "name",
        "ip_address",
        "emoji",
        "switch_pm_text",
        "switch_pm_parameter",
    }
)
_POLLING_STATE_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


class _Dropped(Exception):
    """Raised inside a handler to drop its connection (the API went down mid-request)."""


@dataclass(frozen=True)
class Call:
    """One request the bot made: method name as the bot spelled it, decoded parameters, arrival time."""

    method: str
    params: JsonDict
    at: float = field(default_factory=time.monotonic)  # time.monotonic(), for latency figures


@dataclass
class _ChatState:
    chat: JsonDict
    next_message_id: int = 1
    messages: dict[int, JsonDict] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)
    topics: dict[int, JsonDict] = field(default_factory=dict)  # message_thread_id -> the topic's service message
    refusal: ApiError | None = None  # what Telegram answers instead of acting (blocked, kicked, ...)
    readable: bool = True  # whether getChat/getChatMember still work despite the refusal


@dataclass
class _Query:
    kind: str  # "callback" | "inline"
    created: float
    answered: bool = False


class FakeBotApi:
    """The fake server plus the state a test drives and inspects; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "bayan_test_bot",
        bot_first_name: str = "Bayan",
        auto_create_chats: bool = True,
        query_ttl: float = 30.0,
        quiet_period: float = 0.05,
        group_privacy: bool = False,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": not group_privacy,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.auto_create_chats = auto_create_chats
        self.group_privacy = group_privacy
        self.query_ttl = query_ttl
        self.quiet_period = quiet_period
        self.calls: list[Call] = []
        self.sent: defaultdict[int, list[JsonDict]] = defaultdict(list)
        self.all_sent: list[JsonDict] = []
        self.deleted: list[tuple[int, int]] = []
        self.callback_answers: dict[str, JsonDict] = {}
        self.inline_answers: dict[str, JsonDict] = {}
        self.inline_edits: list[JsonDict] = []
        self.uploads: list[bytes] = []  # every photo uploaded (not resent by file_id), in order
        self._photos: dict[str, list[JsonDict]] = {}  # file_id -> the PhotoSize list it belongs to
        self._file_ids = itertools.count(1)
        self.server_errors: list[BaseException] = []
        self.flood = FloodMeter()
        self.webhook: JsonDict = {"url": ""}
        self.webhook_responses: list[tuple[int, int | None]] = []
        self.webhook_retry_delay = 0.05
        self.webhook_timeout = 5.0  # seconds the fake waits for the webhook's answer before retrying
        self._users: dict[int, JsonDict] = {}
        self._chats: dict[int, _ChatState] = {}
        self._queries: dict[str, _Query] = {}
        self._updates: dict[int, JsonDict] = {}
        self._pending: deque[JsonDict] = deque()
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self.faults = FaultPlan()
        self._poll_generation = 0
        self._in_flight = 0
        self._activity = 0
        self._stopping = False
        self.revoked = False
        self.down = False
        self._update_event = asyncio.Event()
        self._change_event = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._port = 0
        self._methods: dict[str, Callable[[JsonDict], Awaitable[Any] | Any]] = {
            "getme": lambda p: self.bot_user,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setmydescription": lambda p: self._set_description("description", p),
            "getmydescription": lambda p: self._get_description("description", p),
            "setmyshortdescription": lambda p: self._set_description("short_description", p),
            "getmyshortdescription": lambda p: self._get_description("short_description", p),
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "getchatmembercount": self._get_chat_member_count,
            "sendchataction": self._send_chat_action,
            "close": lambda p: True,
            "logout": lambda p: True,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1 in the running event loop."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer pending long polls at once, close the server; re-raise any bug of the fake."""
        self._stopping = True
        self._wake_pollers()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.server_errors:
            raise AssertionError(
                f"the fake Bot API failed internally: {self.server_errors[0]!r}"
            ) from self.server_errors[0]

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The value for PTB's ``base_url``: PTB appends ``<token>/<method>``."""
        return f"http://127.0.0.1:{self._port}/bot"

    # ------------------------------------------------------------------ people and chats

    def user(
        self,
        user_id: int = DEFAULT_USER_ID,
        first_name: str = "User",
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> JsonDict:
        """Create (or replace) a user Telegram knows, and return its ``User`` dict."""
        user = make_user(user_id, first_name, language_code=language_code, username=username, last_name=last_name)
        self._users[user_id] = user
        return user

    def private_chat(self, user: JsonDict | int) -> JsonDict:
        """The private chat with ``user`` (created on first use)."""
        user = self._resolve_user(user)
        state = self._chats.get(user["id"])
        if state is None:
            state = self._chats[user["id"]] = _ChatState(make_private_chat(user))
        return state.chat

    def group(
        self,
        chat_id: int = DEFAULT_GROUP_ID,
        title: str = "Test group",
        chat_type: str = "group",
        *,
        username: str | None = None,
        forum: bool = False,
    ) -> JsonDict:
        """Create (or return) a group/supergroup the bot is a member of; ``forum=True``: a supergroup with topics."""
        state = self._chats.get(chat_id)
        if state is None:
            chat = make_group(chat_id, title, chat_type, username=username, forum=forum)
            state = self._chats[chat_id] = _ChatState(chat)
            state.members[self.bot_user["id"]] = "member"
        return state.chat

    def topic(self, chat_id: int, name: str = "Topic", *, by: JsonDict | int | None = None) -> int:
        """A member opens a topic in a forum supergroup; returns its ``message_thread_id``.

        As in Telegram, the topic's id is the id of its ``forum_topic_created`` service message,
        which is pushed as an update (bots must ignore it gracefully).
        """
        state = self._chats.get(chat_id)
        if state is None or not state.chat.get("is_forum"):
            raise ValueError(f"chat {chat_id} is not a forum supergroup: create it with group(..., forum=True)")
        message = self._incoming_message(by, state.chat, state.chat["type"], None)
        thread_id: int = message["message_id"]
        message.update(
            message_thread_id=thread_id,
            is_topic_message=True,
            forum_topic_created={"name": name, "icon_color": 7322096},
        )
        state.topics[thread_id] = message
        self._store(message)
        self.push_raw({"message": message})
        return thread_id

    # ------------------------------------------------------------------ pushing updates

    def push_raw(self, update: JsonDict) -> int:
        """Queue an update (``update_id`` is assigned unless given) and wake long polls."""
        update = dict(update)
        update_id: int = update.setdefault("update_id", next(self._update_ids))
        self._updates[update_id] = update
        self._pending.append(update)
        self._wake_pollers()
        self._notify()
        return update_id

    def update(self, update_id: int) -> JsonDict:
        """The update pushed with this id."""
        return self._updates[update_id]

    def push_message(
        self,
        text: str | None = None,
        *,
        user: JsonDict | int | None = None,
        chat: JsonDict | int | None = None,
        chat_type: str = "private",
        reply_to: JsonDict | None = None,
        language_code: str | None = None,
        entities: list[JsonDict] | None = None,
        extra: JsonDict | None = None,
        topic: int | None = None,
    ) -> int | None:
        """A user writes ``text`` (or a non-text message given by ``extra``) in a chat, in a forum ``topic`` if given.

        A message in a topic carries ``message_thread_id`` and ``is_topic_message``; when it replies
        to nothing, Telegram sets its ``reply_to_message`` to the topic's service message, and so
        does the fake. Returns the update_id, or None when group privacy mode hides the message.
        """
        message = self._incoming_message(user, chat, chat_type, language_code)
        if text is not None:
            message["text"] = text
            found = detect_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
        if topic is not None:
            created = self._chats[message["chat"]["id"]].topics.get(topic)
            if created is None:
                raise ValueError(f"no topic {topic} in chat {message['chat']['id']}: open it with topic()")
            message.update(message_thread_id=topic, is_topic_message=True)
            message["reply_to_message"] = self._current(created)
        if reply_to is not None:
            message["reply_to_message"] = self._current(reply_to)
        if extra:
            message.update(extra)
        self._store(message)
        if self._hidden_by_privacy(message):
            return None
        return self.push_raw({"message": message})

    def _hidden_by_privacy(self, message: JsonDict) -> bool:
        """Group privacy mode: unless it is an admin, a bot sees only commands, its mentions and replies to it."""
        if not self.group_privacy or message["chat"]["type"] == "private":
            return False
        if self._chats[message["chat"]["id"]].members.get(self.bot_user["id"]) in ("administrator", "creator"):
            return False
        text = message.get("text", "")
        username = f"@{self.bot_user['username']}".lower()
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0].lower()
            return "@" in command and not command.endswith(username)
        if username in text.lower():
            return False
        reply = message.get("reply_to_message")
        return not (reply and reply.get("from", {}).get("id") == self.bot_user["id"])

    def push_sticker(
        self,
        *,
        user: JsonDict | int | None = None,
        chat: JsonDict | int | None = None,
        chat_type: str = "private",
        emoji: str = "👍",
    ) -> int | None:
        """A user sends a sticker: a message without text (None if group privacy hides it)."""
        sticker = {
            "file_id": f"sticker-{next(self._query_ids)}",
            "file_unique_id": "sticker-unique",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self.push_message(user=user, chat=chat, chat_type=chat_type, extra={"sticker": sticker})

    def push_edited_message(self, message: JsonDict, text: str) -> int:
        """The author edits one of their earlier messages (e.g. ``api.update(uid)["message"]``)."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        found = detect_entities(text)
        if found:
            edited["entities"] = found
        self._store(edited)
        return self.push_raw({"edited_message": edited})

    def push_callback(
        self,
        message: JsonDict | None,
        data: str,
        *,
        user: JsonDict | int | None = None,
        inline_message_id: str | None = None,
    ) -> int:
        """A user presses a button with ``data`` under ``message`` (one the bot sent) or under an inline message."""
        if (message is None) == (inline_message_id is None):
            raise ValueError("give either the message or the inline_message_id the button belongs to")
        query_id = str(next(self._query_ids) * 1000003)
        self._queries[query_id] = _Query("callback", time.monotonic())
        query: JsonDict = {"id": query_id, "from": self._resolve_user(user), "data": data}
        if message is not None:
            current = self._current(message)
            query.update(message=current, chat_instance=str(abs(current["chat"]["id"]) * 7 + 1))
        else:
            query.update(inline_message_id=inline_message_id, chat_instance="inline")
        return self.push_raw({"callback_query": query})

    def push_inline_query(
        self, query: str, *, user: JsonDict | int | None = None, offset: str = "", chat_type: str | None = "sender"
    ) -> int:
        """A user types ``@bot query`` in some chat."""
        query_id = str(next(self._query_ids) * 1000033)
        self._queries[query_id] = _Query("inline", time.monotonic())
        inline: JsonDict = {"id": query_id, "from": self._resolve_user(user), "query": query, "offset": offset}
        if chat_type is not None:
            inline["chat_type"] = chat_type
        return self.push_raw({"inline_query": inline})

    def push_chosen_inline_result(self, result_id: str, query: str, *, user: JsonDict | int | None = None) -> int:
        """A user picked one of the bot's inline results (delivered only if the bot enabled feedback)."""
        return self.push_raw(
            {"chosen_inline_result": {"result_id": result_id, "from": self._resolve_user(user), "query": query}}
        )

    def push_bot_added(self, chat: JsonDict | int, *, by: JsonDict | int | None = None, status: str = "member") -> int:
        """Someone adds the bot to a group (as "member" or straight as "administrator"): from "left" to ``status``."""
        return self.push_my_chat_member(chat, "left", status, by=by)

    def push_my_chat_member(
        self, chat: JsonDict | int, old_status: str, new_status: str, *, by: JsonDict | int | None = None
    ) -> int:
        """The bot's own membership changes (added, promoted, removed...): a ``my_chat_member`` update.

        The chat then behaves accordingly: sends work while the bot is a member, and get
        Telegram's 403 once it has left or was kicked.
        """
        for status in (old_status, new_status):
            if status not in MEMBER_STATUSES:
                raise ValueError(f"unknown member status {status!r}")
        chat_dict = chat if isinstance(chat, dict) else self._chat_state(chat, create=True).chat
        state = self._chats.setdefault(chat_dict["id"], _ChatState(chat_dict))
        if new_status in ("left", "kicked"):
            kind = "supergroup" if chat_dict["type"] == "supergroup" else "group"
            reason = "bot was kicked from" if new_status == "kicked" else "bot is not a member of"
            state.refusal, state.readable = ApiError(403, f"Forbidden: {reason} the {kind} chat"), False
        else:
            state.refusal = None
        state.members[self.bot_user["id"]] = new_status
        change = {
            "chat": chat_dict,
            "from": self._resolve_user(by),
            "date": int(time.time()),
            "old_chat_member": make_chat_member(self.bot_user, old_status),
            "new_chat_member": make_chat_member(self.bot_user, new_status),
        }
        return self.push_raw({"my_chat_member": change})

    def inline_result_message(self, query_id: str, result_id: str) -> JsonDict:
        """What the chat would show if the user picked this answered inline result: text, entities, buttons."""
        answer = self.inline_answers[query_id]
        result = next(r for r in answer["results"] if r["id"] == result_id)
        content = result["input_message_content"]
        text, entities = format_text(content["message_text"], content.get("parse_mode"), content.get("entities"))
        message: JsonDict = {"text": text, "via_bot": self.bot_user}
        if entities:
            message["entities"] = entities
        markup = check_reply_markup(result.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        return message

    def forget_files(self) -> None:
        """Every file_id issued so far stops working (as after Telegram moved or dropped the files)."""
        self._photos.clear()

    def expire_queries(self) -> None:
        """Make every callback and inline query so far too old to answer."""
        for query in self._queries.values():
            query.created = -1e9

    # ------------------------------------------------------------------ faults and chat states

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        *,
        retry_after: float | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (optionally only to ``chat_id``) with an error."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                400: "Bad Request: injected failure",
                403: "Forbidden: bot was blocked by the user",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(error_code, f"Error {error_code}")
        error = ApiError(error_code, description, retry_after=retry_after)
        self.faults.add(Fault(method.lower(), times, chat_id, "error", error=error))

    def drop_next(self, method: str, *, times: int = 1, chat_id: int | str | None = None, after: bool = False) -> None:
        """Drop the connection on the next calls: before acting, or ``after=True`` once the effect happened."""
        self.faults.add(Fault(method.lower(), times, chat_id, "drop_after" if after else "drop"))

    def garble_next(self, method: str, *, times: int = 1, chat_id: int | str | None = None) -> None:
        """Answer the next calls with ``ok: true`` and a result that is not the method's object (a broken proxy):
        the client fails parsing it with an error of its own, not a ``TelegramError``; nothing is done."""
        self.faults.add(Fault(method.lower(), times, chat_id, "garble"))

    def delay_next(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | str | None = None, after: bool = False
    ) -> None:
        """Hold the next calls of ``method`` for ``seconds`` (for timeout tests): before acting, or
        ``after=True`` once the effect happened (a slow Telegram: the message is delivered, the answer late)."""
        self.faults.add(Fault(method.lower(), times, chat_id, "delay_after" if after else "delay", delay=seconds))

    def hold_next(
        self, method: str, *, times: int = 1, chat_id: int | str | None = None, release: asyncio.Event | None = None
    ) -> asyncio.Event:
        """Hold the next calls of ``method`` before acting until the returned event (or ``release``) is set:
        requests certainly in flight at a moment the test chooses, however slow the machine."""
        event = release or asyncio.Event()
        self.faults.add(Fault(method.lower(), times, chat_id, "hold", release=event))
        return event

    def revoke_token(self) -> None:
        """The token is revoked in @BotFather: from now on every call, a long poll in progress too, gets 401."""
        self.revoked = True
        self._wake_pollers()

    def set_down(self, down: bool = True) -> None:
        """The API unreachable (every connection dropped, long polls too) until ``set_down(False)``."""
        self.down = down
        self._wake_pollers()

    def enable_flood_control(self, limits: FloodControl | None = None) -> FloodControl:
        """Start refusing sends over Telegram's limits with 429 (defaults: 1/s per chat, 20/min per group, 30/s)."""
        self.flood.limits = limits or FloodControl()
        return self.flood.limits

    @property
    def flood_rejections(self) -> int:
        """How many sends flood control refused with 429 so far."""
        return self.flood.rejections

    def _refuse(self, chat_id: int, refusal: ApiError | None, *, readable: bool) -> _ChatState:
        state = self._chat_state(chat_id, create=True)
        state.refusal, state.readable = refusal, readable
        return state

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends get 403 "bot was blocked by the user" (getChat still works)."""
        self._refuse(chat_id, ApiError(403, "Forbidden: bot was blocked by the user"), readable=True)

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account: sends get 403 "user is deactivated"."""
        self._refuse(chat_id, ApiError(403, "Forbidden: user is deactivated"), readable=True)

    def unblock(self, chat_id: int) -> None:
        """The chat accepts messages again (undoes block, deactivate, forget_chat and kick)."""
        state = self._refuse(chat_id, None, readable=True)
        if state.members.get(self.bot_user["id"]) == "kicked":
            state.members[self.bot_user["id"]] = "member"

    def forget_chat(self, chat_id: int) -> None:
        """Telegram no longer knows the chat: every method on it gets 400 "chat not found"."""
        self._refuse(chat_id, bad_request("chat not found"), readable=False)

    def kick(self, chat_id: int) -> None:
        """The bot was removed from the group: every method on it gets 403 "bot was kicked from the ... chat"."""
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        state = self._refuse(chat_id, ApiError(403, f"Forbidden: bot was kicked from the {kind} chat"), readable=False)
        state.members[self.bot_user["id"]] = "kicked"

    def migrate(self, chat_id: int, to_chat_id: int, title: str | None = None) -> JsonDict:
        """The group became a supergroup: the old id gets 400 with ``migrate_to_chat_id`` (PTB's ChatMigrated)."""
        old = self._chat_state(chat_id, create=True)
        new = self.group(to_chat_id, title or old.chat.get("title", "Supergroup"), "supergroup")
        self._chats[to_chat_id].members.update(old.members)
        error = ApiError(
            400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to_chat_id=to_chat_id
        )
        self._refuse(chat_id, error, readable=False)
        return new

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember reports for (chat, user): creator/administrator/member/restricted/left/kicked."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        self._chat_state(chat_id, create=True).members[user_id] = status
        self._users.setdefault(user_id, make_user(user_id))

    # ------------------------------------------------------------------ observation

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one method (case-insensitive), in order."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Plain texts (entities stripped) of the messages the bot sent, in order."""
        messages = self.all_sent if chat_id is None else self.sent.get(chat_id, [])
        return [m.get("text", "") for m in messages]

    def sent_html(self, chat_id: int | None = None) -> list[str]:
        """The bot's messages rendered back to HTML from text and entities (by PTB), to assert on formatting."""
        messages = self.all_sent if chat_id is None else self.sent.get(chat_id, [])
        return [Message.de_json(m, None).text_html for m in messages]

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict] | None:
        """The command list set for a scope (default scope when None) and language; None if never set."""
        return self._commands.get((self._scope_key(scope), language_code))

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str | None = None) -> Any:
        """Wait until ``predicate()`` is truthy (checked after every request and push) and return it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            event = self._change_event
            result = predicate()
            if result:
                return result
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                recent = ", ".join(c.method for c in self.calls[-10:])
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what or predicate}; last calls: {recent}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.25))

    async def wait_for_messages(self, n: int, chat_id: int | None = None, timeout: float = 5.0) -> list[JsonDict]:
        """Wait until the bot has sent at least ``n`` messages in total (to ``chat_id``); return them all."""

        def enough() -> list[JsonDict] | None:
            messages = self.all_sent if chat_id is None else self.sent.get(chat_id, [])
            return list(messages) if len(messages) >= n else None

        where = "in all chats" if chat_id is None else f"to chat {chat_id}"
        messages: list[JsonDict] = await self.wait_for(
            enough, timeout, what=f"{n} messages {where} (have {len(self.all_sent)} in total)"
        )
        return messages

    async def wait_idle(self, quiet: float | None = None, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed every update and no request came for ``quiet`` seconds, twice over."""
        quiet = self.quiet_period if quiet is None else quiet
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        calm_rounds = 0
        while calm_rounds < 2:
            if loop.time() > deadline:
                webhook_error = self.webhook.get("last_error_message", "none")
                raise AssertionError(
                    f"not idle after {timeout}s: {len(self._pending)} updates undelivered, "
                    f"{self._in_flight} requests in flight, last webhook error: {webhook_error}"
                )
            before = self._activity
            await asyncio.sleep(quiet)
            # An update leaves _pending once the bot confirmed it (getUpdates offset, or webhook 2xx).
            calm = before == self._activity and self._in_flight == 0 and not self._pending
            calm_rounds = calm_rounds + 1 if calm else 0

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        parts = request.path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        token, method = parts[1][3:], parts[2]
        if self.down:
            return self._drop(request)
        if token != self.token or self.revoked:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        handler = self._methods.get(method.lower())
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        polling = method.lower() == "getupdates"
        if not polling:
            self._in_flight += 1
            self._activity += 1
        try:
            try:
                params = await self._read_params(request)
            except ConnectionResetError:  # the client gave up mid-request (a cancelled long poll): its right
                return web.Response(status=499)
            self.calls.append(Call(method, params))
            fault = self.faults.take(method.lower(), params)
            if fault is not None and fault.kind == "delay":
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.kind == "hold":
                assert fault.release is not None
                await fault.release.wait()
            if fault is not None and fault.kind == "drop":
                return self._drop(request)
            if fault is not None and fault.kind == "error":
                assert fault.error is not None
                raise fault.error
            if fault is not None and fault.kind == "garble":
                return web.json_response({"ok": True, "result": "<html>gateway page</html>"})
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            if fault is not None and fault.kind == "drop_after":
                return self._drop(request)
            if fault is not None and fault.kind == "delay_after":
                await asyncio.sleep(fault.delay)
            return web.json_response({"ok": True, "result": result})
        except ApiError as err:
            return web.json_response(err.payload(), status=err.code)
        except _Dropped:
            return self._drop(request)
        except ConnectionResetError:  # the client went away mid-request (killed, timed out): no bug of the fake
            return self._drop(request)
        except Exception as err:  # a bug in the fake: make the test fail loudly
            log.exception("fake Bot API bug in %s", method)
            self.server_errors.append(err)
            return web.json_response(
                {"ok": False, "error_code": 500, "description": f"Internal Server Error: {err!r}"}, status=500
            )
        finally:
            if not polling:
                self._in_flight -= 1
                self._activity += 1
            self._notify()

    @staticmethod
    def _drop(request: web.Request) -> web.StreamResponse:
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=502)

    @staticmethod
    async def _read_params(request: web.Request) -> JsonDict:
        params: JsonDict = {}
        for key, value in request.query.items():
            params[key] = FakeBotApi._decode_field(key, value)
        if not request.can_read_body:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            params.update(body)
            return params
        form = await request.post()
        for key, field_value in form.items():
            if isinstance(field_value, str):
                params[key] = FakeBotApi._decode_field(key, field_value)
            elif isinstance(field_value, web.FileField):
                content = field_value.file.read()
                params[key] = {"filename": field_value.filename, "size": len(content), "content": content}
        return params

    @staticmethod
    def _decode_field(key: str, value: str) -> Any:
        if key in STRING_FIELDS:
            return value
        if key == "chat_id":
            return int(value) if value.lstrip("-").isdigit() else value
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value

    def _notify(self) -> None:
        self._change_event.set()
        self._change_event = asyncio.Event()

    def _wake_pollers(self) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    # ------------------------------------------------------------------ state helpers

    def _resolve_user(self, user: JsonDict | int | None) -> JsonDict:
        if user is None:
            user = DEFAULT_USER_ID
        if isinstance(user, int):
            return self._users.get(user) or self.user(user)
        self._users[user["id"]] = user
        return user

    def _target_chat(self, params: JsonDict) -> _ChatState:
        """The chat a method's ``chat_id`` names, refusing a missing or malformed id like Telegram."""
        chat_id = params.get("chat_id")
        if chat_id in (None, "", 0):
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, (int, str)):
            raise bad_request("invalid chat_id specified")
        return self._chat_state(chat_id)

    def _chat_state(self, chat_id: int | str, *, create: bool = False) -> _ChatState:
        """The chat's state; unknown chats are created when allowed, else "chat not found"."""
        if isinstance(chat_id, str):
            for state in self._chats.values():
                if state.chat.get("username") and f"@{state.chat['username']}".lower() == chat_id.lower():
                    return state
            raise bad_request("chat not found")
        known = self._chats.get(chat_id)
        if known is not None:
            return known
        if not (create or self.auto_create_chats):
            raise bad_request("chat not found")
        if chat_id > 0:
            self.private_chat(chat_id)
        else:
            self.group(chat_id, f"Group {chat_id}", "supergroup" if str(chat_id).startswith("-100") else "group")
        return self._chats[chat_id]

    def _incoming_message(
        self, user: JsonDict | int | None, chat: JsonDict | int | None, chat_type: str, language_code: str | None
    ) -> JsonDict:
        sender = self._resolve_user(user)
        if language_code is not None:
            sender = {**sender, "language_code": language_code}
        if chat is None:
            if chat_type == "private":
                chat_dict = self.private_chat(sender)
            else:
                default_id = DEFAULT_GROUP_ID if chat_type == "group" else DEFAULT_SUPERGROUP_ID
                chat_dict = self.group(default_id, "Test group", chat_type)
        elif isinstance(chat, int):
            if chat < 0 and chat not in self._chats:
                self.group(chat, f"Group {chat}", "group" if chat_type == "private" else chat_type)
            chat_dict = self._chat_state(chat, create=True).chat
        else:
            chat_dict = chat
            if chat["id"] not in self._chats:
                self._chats[chat["id"]] = _ChatState(chat)
        state = self._chats[chat_dict["id"]]
        if chat_dict["type"] != "private":
            state.members.setdefault(sender["id"], "member")
        message_id = state.next_message_id
        state.next_message_id += 1
        return {"message_id": message_id, "from": sender, "chat": chat_dict, "date": int(time.time())}

    def _store(self, message: JsonDict) -> None:
        self._chats[message["chat"]["id"]].messages[message["message_id"]] = message

    def _current(self, message: JsonDict) -> JsonDict:
        """The latest version of a stored message (after edits), without its own reply chain."""
        state = self._chats.get(message["chat"]["id"])
        current = state.messages.get(message["message_id"], message) if state else message
        return {k: v for k, v in current.items() if k != "reply_to_message"}

    @staticmethod
    def _scope_key(scope: Any) -> str:
        scope = as_json(scope, "scope") if scope is not None else {"type": "default"}
        return json.dumps(scope, sort_keys=True)

    @staticmethod
    def _check_access(state: _ChatState, *, reading: bool = False) -> None:
        """Raise the chat's refusal; reading methods pass when the refusal allows it (blocked users)."""
        if state.refusal is not None and not (reading and state.readable):
            raise state.refusal

    def _message_ref(self, params: JsonDict) -> tuple[_ChatState, JsonDict] | None:
        """The (chat, message) an edit/delete targets; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        state = self._target_chat(params)
        self._check_access(state)
        message = state.messages.get(_int_param(params, "message_id", "message identifier is not specified"))
        if message is None:
            raise bad_request("message to edit not found")
        return state, message

    # ------------------------------------------------------------------ Bot API methods

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook["url"]:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long poll is terminated with 409, like Telegram does
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if "allowed_updates" in params:
            allowed = as_json(params["allowed_updates"], "allowed_updates")
            self._allowed_updates = frozenset(allowed) if allowed else None
        if offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        elif offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._update_event
            batch = self._deliverable(limit)
            if batch or self._stopping:
                if batch:
                    self._activity += 1
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return []
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLL)
            if self.revoked:
                raise ApiError(401, "Unauthorized")
            if self.down:
                raise _Dropped

    def _deliverable(self, limit: int) -> list[JsonDict]:
        batch: list[JsonDict] = []
        for update in list(self._pending):
            kind = next(k for k in update if k != "update_id")
            allowed = (
                kind in self._allowed_updates
                if self._allowed_updates is not None
                else kind not in _POLLING_STATE_UPDATES
            )
            if not allowed:
                self._pending.remove(update)
                continue
            batch.append(update)
            if len(batch) >= limit:
                break
        return batch

    def _set_webhook(self, params: JsonDict) -> bool:
        url = params.get("url") or ""
        # Telegram insists on HTTPS; the fake also accepts the test's local listener.
        local = url.startswith(("http://127.0.0.1:", "http://localhost:"))
        if url and not url.startswith("https://") and not local:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self.webhook = {"url": url, "secret_token": secret}
        self._wake_pollers()
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._webhook_loop())
        return True

    def _delete_webhook(self, params: JsonDict) -> bool:
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self.webhook = {"url": ""}
        self._wake_pollers()
        return True

    async def _webhook_loop(self) -> None:
        """Deliver pending updates to the webhook one by one, retrying until it answers 2xx, like Telegram."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        while self.webhook["url"] and not self._stopping:
            event = self._update_event
            batch = self._deliverable(1)
            if not batch:
                await event.wait()
                continue
            update = batch[0]
            secret = self.webhook.get("secret_token")
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            status: int | None = None
            self._in_flight += 1
            self._activity += 1
            try:
                post = self._session.post(
                    self.webhook["url"], json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=self.webhook_timeout)
                )
                async with post as response:
                    status = response.status
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as err:
                error = f"Connection failed: {err!r}"
            finally:
                self._in_flight -= 1
                self._activity += 1
            self.webhook_responses.append((update["update_id"], status))
            if status is not None and 200 <= status < 300:
                if self._pending and self._pending[0] is update:
                    self._pending.popleft()
            else:
                self.webhook.update(last_error_date=int(time.time()), last_error_message=error)
                await asyncio.sleep(self.webhook_retry_delay)
            self._notify()

    def _drop_pending(self) -> None:
        self._pending.clear()

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info = {"url": self.webhook["url"], "has_custom_certificate": False, "pending_update_count": len(self._pending)}
        info.update({k: v for k, v in self.webhook.items() if k.startswith("last_error")})
        return info

    def _send_message(self, params: JsonDict) -> JsonDict:
        state = self._target_chat(params)
        self._check_access(state)
        text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = check_reply_markup(params.get("reply_markup"))
        reply = self._reply_target(state, params)
        thread_id = self._thread_target(state, params)
        content: JsonDict = {"text": text}
        if entities:
            content["entities"] = entities
        if params.get("link_preview_options"):
            content["link_preview_options"] = as_json(params["link_preview_options"], "link_preview_options")
        return self._post(state, content, markup, reply, thread_id)

    def _send_photo(self, params: JsonDict) -> JsonDict:
        """An uploaded photo (multipart, or ``attach://name``) or the ``file_id`` of one sent before, as Telegram does."""
        state = self._target_chat(params)
        self._check_access(state)
        caption, entities = format_caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        markup = check_reply_markup(params.get("reply_markup"))
        reply = self._reply_target(state, params)
        thread_id = self._thread_target(state, params)
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = params.get(photo.removeprefix("attach://"))
        if isinstance(photo, dict) and "content" in photo:
            sizes = self._store_photo(photo["content"])
        elif isinstance(photo, str) and photo in self._photos:
            sizes = self._photos[photo]
        elif isinstance(photo, str) and photo:
            raise bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise bad_request("there is no photo in the request")
        content: JsonDict = {"photo": sizes}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._post(state, content, markup, reply, thread_id)

    def _post(
        self, state: _ChatState, content: JsonDict, markup: JsonDict | None, reply: JsonDict | None, thread_id: int | None
    ) -> JsonDict:
        """A message the bot sends, once its request passed every check: flood limit, numbering, and record."""
        self.flood.check(state.chat["id"], group=state.chat["type"] != "private")
        message: JsonDict = {
            "message_id": state.next_message_id,
            "from": self.bot_user,
            "chat": state.chat,
            "date": int(time.time()),
            **content,
        }
        state.next_message_id += 1
        if markup:
            message["reply_markup"] = markup
        if reply is not None:
            message["reply_to_message"] = reply
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        state.messages[message["message_id"]] = message
        self.sent[state.chat["id"]].append(message)
        self.all_sent.append(message)
        return message

    def _store_photo(self, content: bytes) -> list[JsonDict]:
        """Keep an upload as Telegram does: a few sizes (thumbnail up to the original), each with its own file_id."""
        width, height = check_photo(content)
        self.uploads.append(content)
        number = next(self._file_ids)
        sizes = []
        longest = max(width, height)
        for side in sorted({s for s in (90, 320, 800) if s < longest} | {longest}):
            scale = side / longest
            sizes.append(
                {
                    "file_id": f"AgACAgIAAxk-photo{number}-{side}",
                    "file_unique_id": f"AQAD{number}-{side}",
                    "width": round(width * scale),
                    "height": round(height * scale),
                    "file_size": len(content) * side // longest,
                }
            )
        for size in sizes:
            self._photos[size["file_id"]] = sizes
        return sizes

    def _reply_target(self, state: _ChatState, params: JsonDict) -> JsonDict | None:
        reply_parameters = (
            as_json(params.get("reply_parameters"), "reply parameters") if params.get("reply_parameters") else None
        )
        if reply_parameters is None and params.get("reply_to_message_id"):
            reply_parameters = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply_parameters is None:
            return None
        target_state = state
        if "chat_id" in reply_parameters:
            target_state = self._chat_state(reply_parameters["chat_id"])
        target = target_state.messages.get(reply_parameters.get("message_id"))
        if target is None:
            if reply_parameters.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        quote = reply_parameters.get("quote")
        if quote is not None and str(quote) not in str(target.get("text", target.get("caption", ""))):
            raise bad_request("QUOTE_TEXT_INVALID")
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    @staticmethod
    def _thread_target(state: _ChatState, params: JsonDict) -> int | None:
        """The forum topic a message goes to: ``message_thread_id``, which must name an open topic of the chat.

        Without it the message goes to the General topic, even when it replies to a message in
        another topic (Telegram may follow the replied message there; the strict reading catches a
        bot that forgets ``message_thread_id`` and whose question was deleted meanwhile).
        """
        thread_id = params.get("message_thread_id")
        if thread_id is None:
            return None
        if isinstance(thread_id, bool) or not isinstance(thread_id, int) or thread_id not in state.topics:
            raise bad_request("message thread not found")
        return thread_id

    def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = check_reply_markup(params.get("reply_markup"))
        ref = self._message_ref(params)
        if ref is None:
            self.inline_edits.append(
                {
                    "inline_message_id": params["inline_message_id"],
                    "text": text,
                    "entities": entities,
                    "reply_markup": markup,
                }
            )
            return True
        _, message = ref
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        if (
            message["text"] == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message"
            )
        message["text"] = text
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        markup = check_reply_markup(params.get("reply_markup"))
        ref = self._message_ref(params)
        if ref is None:
            self.inline_edits.append({"inline_message_id": params["inline_message_id"], "reply_markup": markup})
            return True
        _, message = ref
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        if message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message"
            )
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return message

    def _delete_message(self, params: JsonDict) -> bool:
        state = self._target_chat(params)
        self._check_access(state)
        message_id = _int_param(params, "message_id", "message identifier is not specified")
        if state.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        self.deleted.append((state.chat["id"], message_id))
        return True

    def _take_query(self, query_id: Any, kind: str) -> None:
        query = self._queries.get(str(query_id))
        if query is None or query.kind != kind or query.answered or time.monotonic() - query.created > self.query_ttl:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        query.answered = True

    def _answer_callback_query(self, params: JsonDict) -> bool:
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_CHARS:
            raise bad_request("MESSAGE_TOO_LONG")
        self._take_query(params.get("callback_query_id"), "callback")
        self.callback_answers[str(params["callback_query_id"])] = params
        return True

    def _answer_inline_query(self, params: JsonDict) -> bool:
        results = check_inline_results(params.get("results", []))
        next_offset = params.get("next_offset")
        if next_offset is not None and len(str(next_offset).encode("utf-8")) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        if params.get("button") is not None:
            check_inline_button(params["button"])
        self._take_query(params.get("inline_query_id"), "inline")
        self.inline_answers[str(params["inline_query_id"])] = {**params, "results": results}
        return True

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = check_commands(params.get("commands"))
        language = params.get("language_code") or ""
        if language and not (len(language) == 2 and language.isalpha()):
            raise bad_request("invalid language code specified")
        self._commands[(self._scope_key(params.get("scope")), language)] = commands
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self._commands.get((self._scope_key(params.get("scope")), params.get("language_code") or ""), [])

    def _delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop((self._scope_key(params.get("scope")), params.get("language_code") or ""), None)
        return True

    def _set_description(self, kind: str, params: JsonDict) -> bool:
        limit = 512 if kind == "description" else 120
        value = params.get(kind) or ""
        if len(value) > limit:
            raise bad_request(f"{kind.upper()}_INVALID")
        self._descriptions[(kind, params.get("language_code") or "")] = value
        return True

    def _get_description(self, kind: str, params: JsonDict) -> JsonDict:
        return {kind: self._descriptions.get((kind, params.get("language_code") or ""), "")}

    def _get_chat(self, params: JsonDict) -> JsonDict:
        state = self._target_chat(params)
        self._check_access(state, reading=True)
        return make_chat_full_info(state.chat)

    def _get_chat_member(self, params: JsonDict) -> JsonDict:
        state = self._target_chat(params)
        self._check_access(state, reading=True)
        user_id = _int_param(params, "user_id", "invalid user_id specified")
        if user_id == self.bot_user["id"]:
            return make_chat_member(self.bot_user, state.members.get(user_id, "member"))
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        if state.chat["type"] == "private":
            status = "member" if user_id == state.chat["id"] else "left"
        else:
            status = state.members.get(user_id, "left")
        return make_chat_member(user, status)

    def _get_chat_administrators(self, params: JsonDict) -> list[JsonDict]:
        state = self._target_chat(params)
        self._check_access(state, reading=True)
        admins = []
        for user_id, status in state.members.items():
            if status in ("creator", "administrator"):
                user = self.bot_user if user_id == self.bot_user["id"] else self._users[user_id]
                admins.append(make_chat_member(user, status))
        return admins

    def _get_chat_member_count(self, params: JsonDict) -> int:
        state = self._target_chat(params)
        self._check_access(state, reading=True)
        return sum(1 for status in state.members.values() if status not in ("left", "kicked"))

    def _send_chat_action(self, params: JsonDict) -> bool:
        state = self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_access(state)
        return True


def _int_param(params: JsonDict, name: str, missing: str) -> int:
    """An integer parameter, or Telegram's 400 when it is absent or not a number."""
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(missing)
    return value

"""Builders for Bot API JSON objects: users, chats, chat members, entities of typed text.

Pure functions returning plain dicts shaped exactly like Bot API objects, so PTB's ``de_json``
reads them as it reads Telegram's. Entities in user text (``/commands``, ``@mentions``, URLs,
hashtags) are detected the way Telegram clients do, because PTB's ``CommandHandler`` and mention
filters look at entities, not at the raw text.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.telegram_html import utf16_len

JsonDict = dict[str, Any]

_ENTITY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("url", re.compile(r"(?<!\w)https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def make_user(
    user_id: int,
    first_name: str = "User",
    *,
    language_code: str | None = "en",
    username: str | None = None,
    last_name: str | None = None,
    is_bot: bool = False,
) -> JsonDict:
    """A Bot API ``User``; optional fields are left out when None, as Telegram does."""
    user: JsonDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    for key, value in (("last_name", last_name), ("username", username), ("language_code", language_code)):
        if value is not None:
            user[key] = value
    return user


def make_private_chat(user: JsonDict) -> JsonDict:
    """The private chat with ``user``: Telegram gives it the user's id."""
    chat: JsonDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def make_group(
    chat_id: int, title: str, chat_type: str = "group", *, username: str | None = None, forum: bool = False
) -> JsonDict:
    """A group or supergroup ``Chat``; group ids are negative (supergroups start with -100).

    ``forum=True`` is a supergroup with topics enabled (``is_forum``); only supergroups can be one.
    """
    if chat_type not in ("group", "supergroup", "channel"):
        raise ValueError(f"not a group chat type: {chat_type!r}")
    if chat_id >= 0:
        raise ValueError(f"group chat ids are negative, got {chat_id}")
    if forum and chat_type != "supergroup":
        raise ValueError(f"only supergroups have topics, not a {chat_type}")
    chat: JsonDict = {"id": chat_id, "type": chat_type, "title": title}
    if username is not None:
        chat["username"] = username
    if forum:
        chat["is_forum"] = True
    return chat


ADMIN_RIGHTS = (
    "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members can_promote_members "
    "can_change_info can_invite_users can_post_stories can_edit_stories can_delete_stories"
).split()
RESTRICTED_RIGHTS = (
    "can_change_info can_invite_users can_pin_messages can_send_messages can_send_polls "
    "can_send_other_messages can_add_web_page_previews can_manage_topics can_send_audios "
    "can_send_documents can_send_photos can_send_videos can_send_video_notes can_send_voice_notes "
    "can_edit_tag can_react_to_messages"
).split()


def make_chat_member(user: JsonDict, status: str) -> JsonDict:
    """A ``ChatMember`` of the given status, with every field PTB requires for that status."""
    member: JsonDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(dict.fromkeys(ADMIN_RIGHTS, True), can_be_edited=False, is_anonymous=False)
    elif status == "restricted":
        member.update(dict.fromkeys(RESTRICTED_RIGHTS, False), is_member=True, until_date=0)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def make_chat_full_info(chat: JsonDict) -> JsonDict:
    """The ``ChatFullInfo`` getChat returns: the chat plus the fields Telegram always includes."""
    gifts = dict.fromkeys(
        ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), False
    )
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}


def detect_entities(text: str) -> list[JsonDict]:
    """Entities a Telegram client attaches to typed text: commands, mentions, URLs, hashtags."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _ENTITY_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), kind))
    found.sort()
    return [
        {"offset": utf16_len(text[:start]), "length": utf16_len(text[start:end]), "type": kind}
        for start, end, kind in found
    ]

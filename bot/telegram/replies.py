"""Sending a rendered message in reply to a user's message.

In groups the reply quotes the asker's message (``reply_parameters``) so it is clear who is
answered; in a private chat that quote would only repeat the question, so it is left out.
``allow_sending_without_reply`` keeps the answer when the question was deleted meanwhile. In a
forum the reply names the message's topic (``message_thread_id``): without it, a reply whose
question was deleted would land in the General topic. Every message the bot sends in answer to
something in a chat (answers, hints, buttons' new messages, apologies) goes through here.
"""

from __future__ import annotations

from telegram import Chat, Message, ReplyParameters
from telegram.constants import ParseMode

from bot.telegram.render import NO_PREVIEW, Rendered


def _quote(message: Message, quoting: Message | None) -> ReplyParameters | None:
    if message.chat.type == Chat.PRIVATE:
        return None
    quoted = message if quoting is None else quoting
    return ReplyParameters(message_id=quoted.message_id, allow_sending_without_reply=True)


def _topic(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def reply(message: Message, rendered: Rendered, *, quoting: Message | None = None) -> Message:
    """Send ``rendered`` in ``message``'s chat and topic; in groups quote ``quoting`` (default: ``message``)."""
    return await message.get_bot().send_message(
        chat_id=message.chat_id,
        text=rendered.text,
        parse_mode=ParseMode.HTML,
        reply_markup=rendered.markup,
        reply_parameters=_quote(message, quoting),
        link_preview_options=NO_PREVIEW,
        message_thread_id=_topic(message),
    )


async def reply_photo(message: Message, photo: bytes | str, caption_html: str, *, filename: str = "card.png") -> Message:
    """Send a photo (PNG bytes to upload, or the ``file_id`` of an earlier upload) where :func:`reply` would send text."""
    return await message.get_bot().send_photo(
        chat_id=message.chat_id,
        photo=photo,
        filename=filename if isinstance(photo, bytes) else None,
        caption=caption_html,
        parse_mode=ParseMode.HTML,
        reply_parameters=_quote(message, None),
        message_thread_id=_topic(message),
    )

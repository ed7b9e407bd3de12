"""One short greeting when someone adds the bot to a group or supergroup.

Telegram reports the bot's own membership changes as ``my_chat_member`` updates (they must be
in ``allowed_updates``). The bot greets only when it *joins* — from not being there to member or
administrator — never on a promotion, a restriction or its removal, and never in channels or
private chats. The greeting is in the language of whoever added it, says how to ask in a group,
and tells members what the bot sees there: people reasonably worry that a bot reads everything.
"""

from __future__ import annotations

from telegram import Chat, ChatMember, ChatMemberRestricted, ChatMemberUpdated, Update
from telegram.constants import ParseMode
from telegram.ext import ChatMemberHandler, ContextTypes

from bot.telegram.render import NO_PREVIEW, render_group_greeting
from bot.telegram.services import AnyApplication, services_of
from bot.telegram.texts import user_lang

_PRESENT = frozenset({ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER})


def _present(member: ChatMember) -> bool:
    # A restricted member is still in the chat; a restricted non-member is not.
    return member.status in _PRESENT or (isinstance(member, ChatMemberRestricted) and member.is_member)


def joined(change: ChatMemberUpdated) -> bool:
    """Whether this change brought the bot into the chat (as opposed to changing its rights there)."""
    return not _present(change.old_chat_member) and _present(change.new_chat_member)


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    assert change is not None
    if change.chat.type not in (Chat.GROUP, Chat.SUPERGROUP) or not joined(change):
        return
    greeting = render_group_greeting(
        services_of(context).knowledge, user_lang(change.from_user), context.bot.username or ""
    )
    await context.bot.send_message(
        change.chat.id,
        greeting.text,
        parse_mode=ParseMode.HTML,
        reply_markup=greeting.markup,
        link_preview_options=NO_PREVIEW,
    )


def register(application: AnyApplication) -> None:
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))

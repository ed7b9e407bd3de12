"""The subscription feature's own strings, in Arabic and English.

Same conventions as :mod:`bot.telegram.texts`: plain text, placeholders in braces, filled and
HTML-escaped by the code that renders them. Kept apart because this feature owns them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge_base import Lang


@dataclass(frozen=True, slots=True)
class SubscriptionTexts:
    lang: Lang
    subscribed: str
    already_subscribed: str
    language_set: str
    unsubscribed: str
    not_subscribed: str
    admins_only: str
    language_button: str  # on the button that switches the subscription *to* this language
    usage: str
    bot_admins_only: str  # /broadcast and /stats from anyone not in BOT_ADMIN_IDS
    broadcast_queued: str  # {subscribers}: a counted phrase from bot.i18n
    stats_title: str
    stats_subscribers: str  # {count}
    stats_by_lang: str
    stats_by_type: str
    stats_questions: str  # {answered} {unanswered}
    stats_removed: str  # {count}
    changes_title: str
    removed_passages: str  # {count}


ARABIC = SubscriptionTexts(
    lang="ar",
    subscribed="تم الاشتراك. سأرسل ملخص المقترحات دورياً وعند تغيّرها. إليك الملخص الحالي:",
    already_subscribed="هذه المحادثة مشتركة بالفعل.",
    language_set="ستصل الملخصات بالعربية.",
    unsubscribed="تم إلغاء الاشتراك، ولن تُرسل الملخصات إلى هذه المحادثة بعد الآن. يمكنك مواصلة طرح الأسئلة.",
    not_subscribed="هذه المحادثة غير مشتركة. أرسل /subscribe للاشتراك.",
    admins_only="في المجموعات، إدارة الاشتراك متاحة للمشرفين فقط.",
    language_button="العربية",
    usage="الاستخدام: /subscribe أو /subscribe ar أو /subscribe en",
    bot_admins_only="هذا الأمر متاح لمشرفي البوت فقط.",
    broadcast_queued="بدأ إرسال الملخص إلى {subscribers}.",
    stats_title="إحصاءات",
    stats_subscribers="المشتركون: {count}",
    stats_by_lang="حسب اللغة",
    stats_by_type="حسب نوع المحادثة",
    stats_questions="الأسئلة: أُجيب عن {answered}، ولم يُجَب عن {unanswered}",
    stats_removed="المشتركون المحذوفون: {count}",
    changes_title="تحديث: تغيّر ملخص البيان",
    removed_passages="حُذف من الملخص: {count}",
)

ENGLISH = SubscriptionTexts(
    lang="en",
    subscribed="Subscribed. I will send the summary of the proposals on a schedule and when it changes. Here it is now:",
    already_subscribed="This chat is already subscribed.",
    language_set="Summaries will come in English.",
    unsubscribed="Unsubscribed. No more summaries will be sent here; you can still ask questions.",
    not_subscribed="This chat is not subscribed. Send /subscribe to subscribe.",
    admins_only="In groups only administrators can manage the subscription.",
    language_button="English",
    usage="Usage: /subscribe, /subscribe ar or /subscribe en",
    bot_admins_only="Only the bot's administrators can use this command.",
    broadcast_queued="Sending the summary to {subscribers}.",
    stats_title="Statistics",
    stats_subscribers="Subscribers: {count}",
    stats_by_lang="By language",
    stats_by_type="By chat type",
    stats_questions="Questions: {answered} answered, {unanswered} not answered",
    stats_removed="Subscribers removed: {count}",
    changes_title="Update: the summary of the statement has changed",
    removed_passages="Removed from the summary: {count}",
)


def sub_texts(lang: Lang) -> SubscriptionTexts:
    return ARABIC if lang == "ar" else ENGLISH

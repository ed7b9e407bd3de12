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
    subscribed: str  # {plan}: one of the plan_* sentences
    already_subscribed: str  # {plan}
    plan_weekly: str  # {when}: the next scheduled digest, from bot.subscriptions.digest.format_when
    plan_daily: str  # {when}
    plan_off: str
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
    unsubscribe_button: str
    featured_title_weekly: str  # {position} {total}: which item of the series this digest features
    featured_title_daily: str  # {position} {total}
    featured_about: str
    in_short: str
    summary_title: str  # the full summary sent by an administrator (/broadcast, python -m bot broadcast)
    summary_about: str
    changes_about: str
    next_digest: str  # {when}
    next_off: str


ARABIC = SubscriptionTexts(
    lang="ar",
    subscribed=(
        "تم الاشتراك، وستُرسل الملخصات إلى هذه المحادثة بالعربية. {plan} "
        "ولإلغاء الاشتراك أرسل /unsubscribe. إليك الملخص الكامل الآن:"
    ),
    already_subscribed="هذه المحادثة مشتركة بالفعل، والملخصات بالعربية. {plan}",
    plan_weekly="يُرسل كل أسبوع مقترح أو دعوة من البيان بالترتيب، والموعد القادم {when}، ويُرسل ما تغيّر عند أي تغيير في الملخص.",
    plan_daily="يُرسل كل يوم مقترح أو دعوة من البيان بالترتيب، والموعد القادم {when}، ويُرسل ما تغيّر عند أي تغيير في الملخص.",
    plan_off="لا ملخصات دورية مجدولة؛ يُرسل ما تغيّر عند أي تغيير في الملخص.",
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
    unsubscribe_button="إلغاء الاشتراك",
    featured_title_weekly="ملخص «بيان» الأسبوعي · {position} من {total}",
    featured_title_daily="ملخص «بيان» اليومي · {position} من {total}",
    featured_about="في كل مرة مقترح أو دعوة من بيان بوتين بشأن أمن المعلومات الدولي، بالترتيب: خلاصته، ونصه الحرفي، ومصدره.",
    in_short="باختصار",
    summary_title="ملخص «بيان»: المقترحات كلها",
    summary_about="الملخص الكامل للبيان، أرسله مشرفو البوت إلى كل المشتركين.",
    changes_about="عُدّل ملخص البيان لدى البوت؛ هذا ما تغيّر فقط.",
    next_digest="الملخص القادم: {when}.",
    next_off="لا ملخصات دورية مجدولة؛ يصل التالي عند أي تغيير في الملخص.",
)

ENGLISH = SubscriptionTexts(
    lang="en",
    subscribed=(
        "Subscribed: summaries will be sent to this chat in English. {plan} "
        "To stop, send /unsubscribe. Here is the full summary now:"
    ),
    already_subscribed="This chat is already subscribed, in English. {plan}",
    plan_weekly="Every week one of the statement's proposals or calls, in turn (the next on {when}), and what changed whenever the summary changes.",
    plan_daily="Every day one of the statement's proposals or calls, in turn (the next on {when}), and what changed whenever the summary changes.",
    plan_off="No scheduled digests are set; what changed is sent whenever the summary changes.",
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
    unsubscribe_button="Unsubscribe",
    featured_title_weekly="Bayan weekly digest · {position} of {total}",
    featured_title_daily="Bayan daily digest · {position} of {total}",
    featured_about=(
        "Each time, one of the proposals and calls in Putin's statement on international information security, "
        "in turn: in short, word for word, and its source."
    ),
    in_short="In short",
    summary_title="Bayan digest: all the proposals",
    summary_about="The statement's full summary, sent to every subscriber by the bot's administrators.",
    changes_about="The bot's summary of the statement was corrected; here is only what changed.",
    next_digest="Next digest: {when}.",
    next_off="No scheduled digests are set; the next one comes when the summary changes.",
)


def sub_texts(lang: Lang) -> SubscriptionTexts:
    return ARABIC if lang == "ar" else ENGLISH

"""Every string the bot shows in its own voice, in Arabic and English.

Quotations come from the knowledge base, never from here. The interface language follows the
user's Telegram ``language_code`` (Arabic when it starts with ``ar``); answers to questions
follow the language of the question instead, which the handlers decide. Strings are plain text
except where a name says ``_html``; placeholders are filled by :mod:`bot.telegram.render`, which
escapes whatever it puts into them.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import User

from bot.knowledge_base import Lang


@dataclass(frozen=True, slots=True)
class UiTexts:
    """The interface in one language."""

    lang: Lang
    language_name: str  # shown on the button that switches *to* this language
    help_title: str
    help_knows: str  # {title}
    start_intro: str  # {date}: /start, kept short (with its buttons, under 400 characters)
    help_how: str
    help_examples_title: str
    examples: tuple[str, ...]  # also /start's and small talk's buttons: each must be answered by the statement
    help_language: str
    help_groups: str  # {username}
    help_inline: str  # {username}
    help_subscribe: str
    greeting_title: str
    greeting_how: str
    greeting_mention: str
    greeting_reply: str
    greeting_ask: str  # {command}
    greeting_privacy: str
    translation_label: str
    original_label: str
    source_label: str
    links_label: str
    link_kremlin_en: str
    link_kremlin_ru: str
    link_agency_en: str
    proposal_label: str  # {number}
    ordinals: tuple[str, ...]  # "first", "second"...: proposal_label reads "Proposal 4" or "المقترح الرابع"
    proposals_title: str
    other_calls_title: str
    not_found: str
    your_question: str
    closest_title: str  # above the suggestion buttons of a refusal
    not_sure: str  # the one line above a "closest" passage
    closest_heading: str
    smalltalk: str  # a greeting, thanks, "who are you": who the bot is, then an example question button
    all_proposals_button: str
    language_usage: str
    language_changed: str
    share_button: str
    proposals_button: str
    ask_usage: str
    too_long: str  # {limit}
    empty_question: str
    not_text: str
    flood: str  # {seconds}: a counted phrase from bot.i18n
    apology: str
    stale_button: str
    unknown_command: str
    inline_all_proposals: str
    inline_not_found_button: str
    card_button: str
    miss_button: str  # under an answer: "this is not what I asked"
    miss_noted: str  # the callback note (≤ 200 characters) when it is pressed
    miss_reply: str  # the message that follows: ask again in other words, or pick a passage below
    card_translation_label: str  # on an English card, above our translation
    card_usage: str
    card_missing: str
    cards_off: str
    commands: tuple[tuple[str, str], ...]
    description: str  # setMyDescription: what an empty chat with the bot shows (≤ 512)
    short_description: str  # setMyShortDescription: the bot's profile and shared links (≤ 120)


ARABIC = UiTexts(
    lang="ar",
    language_name="العربية",
    help_title="«بيان» — اسأل عن بيان بوتين بشأن أمن المعلومات الدولي",
    help_knows="أعرف نصاً واحداً: «{title}».",
    start_intro=(
        "أجيب عن أسئلتك حول بيان بوتين بشأن التعاون الروسي الأمريكي في أمن المعلومات الدولي ({date}) "
        "باقتباس حرفي من تقرير وكالة تاس، مع رابط المصدر. اكتب سؤالك بالعربية أو بالإنجليزية، أو اضغط مثالاً:"
    ),
    help_how=(
        "اكتب سؤالك بالعربية أو بالإنجليزية، وسأجيبك باقتباس حرفي من تقرير وكالة تاس عن البيان، مع رابط المصدر. "
        "إذا لم يتناول البيان سؤالك فسأقول ذلك بصراحة وأقترح أقرب المواضيع."
    ),
    help_examples_title="أمثلة:",
    examples=(
        "ماذا اقترح بوتين بشأن الانتخابات؟",
        "ما هي اتفاقية عام 1972؟",
        "ماذا قال البيان عن قنوات الاتصال؟",
    ),
    help_language="لغة الواجهة تتبع لغة تيليجرام لديك؛ لتغييرها أرسل /language en أو /language ar.",
    help_groups="في المجموعات: اذكرني ({username}) أو ردّ على إحدى رسائلي أو استخدم /ask.",
    help_inline="في أي محادثة: اكتب {username} ثم بضع كلمات، واختر اقتباساً لمشاركته.",
    help_subscribe="للحصول على ملخص المقترحات وتحديثاته أرسل /subscribe، ولعرضه الآن أرسل /proposals.",
    greeting_title="شكراً لإضافتي! أجيب عن الأسئلة حول بيان بوتين بشأن أمن المعلومات الدولي باقتباس حرفي مع مصدره.",
    greeting_how="لتسألني هنا:",
    greeting_mention="اذكرني:",
    greeting_reply="أو ردّ على إحدى رسائلي",
    greeting_ask="أو اكتب {command} ثم سؤالك، أو ردّ بـ {command} على سؤال طرحه غيرك",
    greeting_privacy=(
        "عندما يكون وضع الخصوصية للمجموعات مفعّلاً (الإعداد الافتراضي للبوتات في تيليجرام) ولست مشرفاً، لا أرى "
        "إلا الرسائل التي تذكرني والردود على رسائلي والأوامر. وفي كل الأحوال لا أعلّق على بقية الحديث."
    ),
    translation_label="ترجمتنا الإنجليزية (غير رسمية)",
    original_label="النص العربي الأصلي",
    source_label="المصدر",
    links_label="للتحقق",
    link_kremlin_en="الكرملين (بالإنجليزية)",
    link_kremlin_ru="الكرملين (الأصل الروسي)",
    link_agency_en="تاس (بالإنجليزية)",
    proposal_label="المقترح {number}",
    ordinals=("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع", "العاشر"),
    proposals_title="مقترحات البيان",
    other_calls_title="دعوات أخرى في البيان",
    not_found="هذا ليس في البيان.",
    your_question="سؤالك",
    closest_title="ما يتناوله البيان (اضغط لعرض النص):",
    not_sure="لست متأكداً من أن البيان يجيب عن سؤالك، وهذا أقرب ما فيه.",
    closest_heading="أقرب مقطع في البيان",
    smalltalk=(
        "أهلاً! أنا «بيان»: أجيب عن الأسئلة حول بيان بوتين بشأن أمن المعلومات الدولي "
        "باقتباس حرفي ومصدره. اكتب سؤالك، أو اضغط مثالاً:"
    ),
    all_proposals_button="كل المقترحات",
    language_usage="لتغيير لغة الواجهة أرسل /language ar للعربية أو /language en للإنجليزية.",
    language_changed="ستظهر الواجهة بالعربية من الآن.",
    share_button="مشاركة",
    proposals_button="المقترحات",
    ask_usage=(
        "اكتب سؤالك بعد الأمر، مثلاً: /ask ماذا اقترح بوتين بشأن الانتخابات؟ "
        "وفي المجموعات يمكنك أيضاً الرد بـ /ask على سؤال طرحه غيرك."
    ),
    too_long="سؤالك طويل جداً؛ يجب ألا يتجاوز عدد أحرفه {limit}.",
    empty_question="أرسل سؤالاً مكتوباً عن البيان، مثلاً: ماذا اقترح بوتين بشأن الانتخابات؟",
    not_text="أفهم الرسائل النصية فقط. اكتب سؤالك عن البيان، أو أرسل /help.",
    flood="رسائل كثيرة في وقت قصير. سأعود للإجابة بعد {seconds}.",
    apology="عذراً، حدث خطأ أثناء معالجة رسالتك. حاول مرة أخرى بعد قليل.",
    stale_button="هذا الزر لم يعد صالحاً.",
    unknown_command="لا أعرف هذا الأمر. أرسل /help لمعرفة ما يمكنني فعله.",
    inline_all_proposals="جميع المقترحات",
    inline_not_found_button="ليس في البيان — اسأل البوت مباشرة",
    card_button="🖼 بطاقة",
    miss_button="👎 ليس ما سألت عنه",
    miss_noted="شكراً، سجّلنا ملاحظتك.",
    miss_reply="عذراً. جرّب صياغة أخرى تذكر فيها الموضوع، أو اختر مما يتناوله البيان:",
    card_translation_label="ترجمتنا من العربية",
    card_usage="ردّ بـ /card على إحدى إجاباتي لأرسل الاقتباس صورةً.",
    card_missing="هذا الاقتباس لم يعد موجوداً في البيان.",
    cards_off="البطاقات غير متاحة على هذا الخادم.",
    commands=(
        ("ask", "اطرح سؤالاً عن البيان"),
        ("proposals", "مقترحات البيان باختصار"),
        ("subscribe", "الاشتراك في ملخص المقترحات"),
        ("unsubscribe", "إلغاء الاشتراك"),
        ("language", "تغيير لغة الواجهة"),
        ("help", "كيف أستخدم البوت"),
        ("start", "ابدأ"),
    ),
    description=(
        "«بيان» يجيب عن أسئلتك، بالعربية أو بالإنجليزية، حول بيان الرئيس بوتين بشأن التعاون الروسي الأمريكي "
        "في أمن المعلومات الدولي (25 أيلول/سبتمبر 2020)، باقتباس حرفي من تقرير وكالة تاس مع رابط المصدر. "
        "وإذا لم يتناول البيان سؤالك قال ذلك بصراحة."
    ),
    short_description="اسأل عن بيان بوتين بشأن أمن المعلومات الدولي، واحصل على الاقتباس الحرفي ومصدره.",
)

ENGLISH = UiTexts(
    lang="en",
    language_name="English",
    help_title="Bayan: ask about Putin's statement on international information security",
    help_knows="I know one text: “{title}”.",
    start_intro=(
        "I answer questions about Putin's statement on Russia–US cooperation in international information "
        "security ({date}) with the exact passage of TASS's Arabic report and a link to the source. "
        "Ask in English or Arabic, or tap an example:"
    ),
    help_how=(
        "Ask in English or Arabic and I'll answer with the exact passage of TASS's Arabic report on the statement, "
        "with a link to the source. If the statement does not cover your question, I say so plainly and suggest "
        "the closest topics."
    ),
    help_examples_title="Examples:",
    examples=(
        "What did Putin propose about elections?",
        "What is the 1972 agreement?",
        "What did he say about communication channels?",
    ),
    help_language="The interface follows your Telegram language; to change it send /language ar or /language en.",
    help_groups="In groups: mention me ({username}), reply to one of my messages, or use /ask.",
    help_inline="In any chat: type {username} and a few words to share a quotation.",
    help_subscribe="Send /subscribe for the proposals summary and its updates, /proposals to see it now.",
    greeting_title=(
        "Thanks for adding me! I answer questions about Putin's statement on information security "
        "with the exact passage and its source."
    ),
    greeting_how="To ask me here:",
    greeting_mention="mention me:",
    greeting_reply="or reply to one of my messages",
    greeting_ask="or write {command} and your question, or reply {command} to someone else's question",
    greeting_privacy=(
        "With group privacy mode on (Telegram's default for bots) and no admin rights, I only see messages that "
        "mention me, replies to my messages and commands. Either way, I stay out of the rest of the conversation."
    ),
    translation_label="Our translation (unofficial)",
    original_label="Arabic original",
    source_label="Source",
    links_label="Check it",
    link_kremlin_en="Kremlin (English)",
    link_kremlin_ru="Kremlin (Russian original)",
    link_agency_en="TASS (English)",
    proposal_label="Proposal {number}",
    ordinals=(),
    proposals_title="The statement's proposals",
    other_calls_title="Other calls in the statement",
    not_found="That is not in the statement.",
    your_question="Your question",
    closest_title="What the statement does cover (tap to read):",
    not_sure="I'm not sure the statement answers this; here is the closest it comes.",
    closest_heading="Closest passage",
    smalltalk=(
        "Hello! I'm Bayan: I answer questions about Putin's statement on international information security "
        "with the exact passage and its source. Ask a question, or tap an example:"
    ),
    all_proposals_button="All proposals",
    language_usage="To change the interface language send /language en for English or /language ar for Arabic.",
    language_changed="The interface is now in English.",
    share_button="Share",
    proposals_button="Proposals",
    ask_usage=(
        "Write your question after the command, e.g. /ask What did Putin propose about elections? "
        "In a group you can also reply /ask to a question someone else asked."
    ),
    too_long="Your question is too long. Please keep it under {limit} characters.",
    empty_question="Send a written question about the statement, e.g. What did Putin propose about elections?",
    not_text="I only read text messages. Ask a question about the statement, or send /help.",
    flood="That is a lot of messages at once. I will answer again in {seconds}.",
    apology="Sorry, something went wrong with your message. Please try again in a moment.",
    stale_button="This button no longer works.",
    unknown_command="I don't know that command. Send /help to see what I can do.",
    inline_all_proposals="All proposals",
    inline_not_found_button="Not in the statement — ask the bot directly",
    card_button="🖼 Card",
    miss_button="👎 Not what I asked",
    miss_noted="Thanks, noted.",
    miss_reply="Sorry. Try other words that name the topic, or pick from what the statement covers:",
    card_translation_label="Our translation from the Arabic",
    card_usage="Reply /card to one of my answers and I send its quotation as an image.",
    card_missing="That passage is no longer in the statement.",
    cards_off="Cards are not available on this server.",
    commands=(
        ("ask", "Ask a question about the statement"),
        ("proposals", "The statement's proposals in brief"),
        ("subscribe", "Get the proposals summary and its updates"),
        ("unsubscribe", "Stop the summaries"),
        ("language", "Interface language"),
        ("help", "How to use the bot"),
        ("start", "Start"),
    ),
    description=(
        "Bayan answers your questions, in English or Arabic, about President Putin's statement on Russia–US "
        "cooperation in international information security (25 September 2020), with the exact passage of "
        "TASS's Arabic report and a link to the source. If the statement does not cover a question, it says so."
    ),
    short_description="Ask about Putin's statement on international information security; get the exact quote and its source.",
)


def proposal_name(lang: Lang, number: int) -> str:
    """"Proposal 4", or in Arabic the ordinal word "المقترح الرابع" (digits past the tenth)."""
    ui = texts(lang)
    word = ui.ordinals[number - 1] if 0 < number <= len(ui.ordinals) else str(number)
    return ui.proposal_label.format(number=word)


def texts(lang: Lang) -> UiTexts:
    return ARABIC if lang == "ar" else ENGLISH


def other_lang(lang: Lang) -> Lang:
    return "en" if lang == "ar" else "ar"


def ui_lang(language_code: str | None) -> Lang:
    """The interface language for a Telegram user: Arabic for ``ar``, ``ar-EG``..., else English."""
    return "ar" if (language_code or "").lower().startswith("ar") else "en"


def user_lang(user: User | None) -> Lang:
    """:func:`ui_lang` of whoever sent an update; English when the update has no user."""
    return ui_lang(user.language_code if user else None)
